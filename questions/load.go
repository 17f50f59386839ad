package questions

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed instruments/*.yaml
var embedded embed.FS

// DefaultID is the id of the instrument new cohorts use unless told otherwise.
const DefaultID = "einordnung"

// Set is every loaded instrument version, keyed by "id@version".
type Set struct {
	byRef map[string]*Instrument
}

// Load reads and validates the instruments embedded in the binary.
func Load() (*Set, error) {
	return LoadFS(embedded, "instruments")
}

// LoadFS reads and validates every *.yaml file in dir of fsys.
func LoadFS(fsys fs.FS, dir string) (*Set, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("questions: no instrument files in %s", dir)
	}
	set := &Set{byRef: map[string]*Instrument{}}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("questions: %w", err)
		}
		in, err := Parse(name, data)
		if err != nil {
			return nil, err
		}
		if prev, dup := set.byRef[in.Ref()]; dup {
			return nil, fmt.Errorf("questions: %s: instrument %s is already defined in %s", name, in.Ref(), prev.file)
		}
		set.byRef[in.Ref()] = in
	}
	return set, nil
}

// Parse decodes and validates one instrument file; file names the source in errors.
func Parse(file string, data []byte) (*Instrument, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	in := &Instrument{}
	if err := dec.Decode(in); err != nil {
		return nil, fmt.Errorf("questions: %s: %w", file, err)
	}
	in.file = file
	if errs := in.validate(); len(errs) > 0 {
		return nil, fmt.Errorf("questions: %s: %w", file, errors.Join(errs...))
	}
	in.pages = in.buildPages()
	return in, nil
}

// Get returns the instrument with reference "id@version".
func (s *Set) Get(ref string) (*Instrument, bool) {
	in, ok := s.byRef[ref]
	return in, ok
}

// Latest returns the highest version of the instrument with the given id.
func (s *Set) Latest(id string) (*Instrument, bool) {
	var best *Instrument
	for _, in := range s.byRef {
		if in.ID == id && (best == nil || in.Version > best.Version) {
			best = in
		}
	}
	return best, best != nil
}

// All returns every instrument ordered by id and version.
func (s *Set) All() []*Instrument {
	all := make([]*Instrument, 0, len(s.byRef))
	for _, in := range s.byRef {
		all = append(all, in)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].ID != all[j].ID {
			return all[i].ID < all[j].ID
		}
		return all[i].Version < all[j].Version
	})
	return all
}

// Resolve turns "id@version" or a bare "id" (its latest version) into an instrument.
func (s *Set) Resolve(ref string) (*Instrument, error) {
	if ref == "" {
		ref = DefaultID
	}
	if id, v, ok := strings.Cut(ref, "@"); ok {
		if _, err := strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("instrument %q: version must be a number", ref)
		}
		if in, ok := s.Get(ref); ok {
			return in, nil
		}
		return nil, fmt.Errorf("instrument %q not found (id %q)", ref, id)
	}
	if in, ok := s.Latest(ref); ok {
		return in, nil
	}
	return nil, fmt.Errorf("instrument %q not found", ref)
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// validate returns every problem found, each naming the element it concerns.
func (in *Instrument) validate() []error {
	c := &checker{seen: map[string]string{}}
	c.header(in)
	c.ratings(in)
	for _, k := range in.Knowledge {
		c.unique("knowledge item", k.ID)
		c.text("knowledge item "+k.ID, k.Text)
		c.text("knowledge item "+k.ID+": explanation", k.Explanation)
	}
	for _, q := range in.Background {
		c.background(q)
	}
	return c.errs
}

// checker collects what is wrong with an instrument, and the ids seen so far
// with their kind.
type checker struct {
	errs []error
	seen map[string]string
}

func (c *checker) bad(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// text checks that both languages of a text are there.
func (c *checker) text(where string, t Text) {
	if strings.TrimSpace(t.DE) == "" {
		c.bad("%s: German text (de) is missing", where)
	}
	if strings.TrimSpace(t.EN) == "" {
		c.bad("%s: English text (en) is missing", where)
	}
}

// unique checks an id's form and that no other part of the instrument uses it.
func (c *checker) unique(kind, id string) {
	if !idPattern.MatchString(id) {
		c.bad("%s %q: id must be lowercase letters, digits or _ and start with a letter", kind, id)
		return
	}
	if prev, dup := c.seen[id]; dup {
		c.bad("%s %q: id is already used by a %s", kind, id, prev)
		return
	}
	c.seen[id] = kind
}

// header checks the instrument's id, version, texts and scale.
func (c *checker) header(in *Instrument) {
	if !idPattern.MatchString(in.ID) {
		c.bad("id %q: must be lowercase letters, digits or _ and start with a letter", in.ID)
	}
	if in.Version < 1 {
		c.bad("version %d: must be 1 or higher", in.Version)
	}
	c.text("title", in.Title)
	c.text("description", in.Description)
	c.text("rating_prompt", in.RatingPrompt)
	c.text("then_prompt", in.ThenPrompt)
	c.text("knowledge_prompt", in.KnowledgePrompt)
	sc := in.Scale
	if sc.Min < 0 || sc.Max > 100 || sc.Max-sc.Min < 2 {
		c.bad("scale: bounds %d–%d must satisfy 0 ≤ min, max ≤ 100 and at least 3 points", sc.Min, sc.Max)
	}
	c.text("scale.min_label", sc.MinLabel)
	c.text("scale.max_label", sc.MaxLabel)
}

// ratings checks the dimensions and their self-rating items.
func (c *checker) ratings(in *Instrument) {
	if len(in.Dimensions) == 0 {
		c.bad("dimensions: at least one dimension is needed")
	}
	for _, d := range in.Dimensions {
		c.unique("dimension", d.ID)
		c.text("dimension "+d.ID+": title", d.Title)
		c.text("dimension "+d.ID+": description", d.Description)
	}
	perDim := map[string]int{}
	for _, it := range in.Items {
		c.unique("item", it.ID)
		if c.seen[it.Dimension] != "dimension" {
			c.bad("item %s: dimension %q does not exist", it.ID, it.Dimension)
		}
		perDim[it.Dimension]++
		c.text("item "+it.ID, it.Text)
	}
	for _, d := range in.Dimensions {
		if perDim[d.ID] < 2 {
			c.bad("dimension %s: needs at least 2 items, has %d", d.ID, perDim[d.ID])
		}
	}
}

// background checks one background question.
func (c *checker) background(q BackgroundQuestion) {
	c.unique("background question", q.ID)
	c.text("background question "+q.ID, q.Text)
	switch q.Type {
	case BackgroundChoice:
		if len(q.Options) < 2 {
			c.bad("background question %s: a choice needs at least 2 options", q.ID)
		}
		values := map[string]bool{}
		for _, o := range q.Options {
			if !idPattern.MatchString(o.Value) || values[o.Value] {
				c.bad("background question %s: option value %q must be a unique lowercase id", q.ID, o.Value)
			}
			values[o.Value] = true
			c.text("background question "+q.ID+": option "+o.Value, o.Text)
		}
		if q.Breakdown != nil {
			c.text("background question "+q.ID+": breakdown", *q.Breakdown)
		}
	case BackgroundText:
		if len(q.Options) > 0 {
			c.bad("background question %s: a text question has no options", q.ID)
		}
		if q.Breakdown != nil {
			c.bad("background question %s: only a choice question can be a breakdown", q.ID)
		}
	default:
		c.bad("background question %s: type %q must be %q or %q", q.ID, q.Type, BackgroundChoice, BackgroundText)
	}
}
