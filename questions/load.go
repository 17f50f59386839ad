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
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	text := func(where string, t Text) {
		if strings.TrimSpace(t.DE) == "" {
			bad("%s: German text (de) is missing", where)
		}
		if strings.TrimSpace(t.EN) == "" {
			bad("%s: English text (en) is missing", where)
		}
	}

	if !idPattern.MatchString(in.ID) {
		bad("id %q: must be lowercase letters, digits or _ and start with a letter", in.ID)
	}
	if in.Version < 1 {
		bad("version %d: must be 1 or higher", in.Version)
	}
	text("title", in.Title)
	text("description", in.Description)
	text("rating_prompt", in.RatingPrompt)
	text("then_prompt", in.ThenPrompt)
	text("knowledge_prompt", in.KnowledgePrompt)

	sc := in.Scale
	if sc.Min < 0 || sc.Max > 100 || sc.Max-sc.Min < 2 {
		bad("scale: bounds %d–%d must satisfy 0 ≤ min, max ≤ 100 and at least 3 points", sc.Min, sc.Max)
	}
	text("scale.min_label", sc.MinLabel)
	text("scale.max_label", sc.MaxLabel)

	seen := map[string]string{}
	unique := func(kind, id string) {
		if !idPattern.MatchString(id) {
			bad("%s %q: id must be lowercase letters, digits or _ and start with a letter", kind, id)
			return
		}
		if prev, dup := seen[id]; dup {
			bad("%s %q: id is already used by a %s", kind, id, prev)
			return
		}
		seen[id] = kind
	}

	if len(in.Dimensions) == 0 {
		bad("dimensions: at least one dimension is needed")
	}
	for _, d := range in.Dimensions {
		unique("dimension", d.ID)
		text("dimension "+d.ID+": title", d.Title)
		text("dimension "+d.ID+": description", d.Description)
	}
	perDim := map[string]int{}
	for _, it := range in.Items {
		unique("item", it.ID)
		if seen[it.Dimension] != "dimension" {
			bad("item %s: dimension %q does not exist", it.ID, it.Dimension)
		}
		perDim[it.Dimension]++
		text("item "+it.ID, it.Text)
	}
	for _, d := range in.Dimensions {
		if perDim[d.ID] < 2 {
			bad("dimension %s: needs at least 2 items, has %d", d.ID, perDim[d.ID])
		}
	}
	for _, k := range in.Knowledge {
		unique("knowledge item", k.ID)
		text("knowledge item "+k.ID, k.Text)
		text("knowledge item "+k.ID+": explanation", k.Explanation)
	}
	for _, q := range in.Background {
		unique("background question", q.ID)
		text("background question "+q.ID, q.Text)
		switch q.Type {
		case BackgroundChoice:
			if len(q.Options) < 2 {
				bad("background question %s: a choice needs at least 2 options", q.ID)
			}
			values := map[string]bool{}
			for _, o := range q.Options {
				if !idPattern.MatchString(o.Value) || values[o.Value] {
					bad("background question %s: option value %q must be a unique lowercase id", q.ID, o.Value)
				}
				values[o.Value] = true
				text("background question "+q.ID+": option "+o.Value, o.Text)
			}
			if q.Breakdown != nil {
				text("background question "+q.ID+": breakdown", *q.Breakdown)
			}
		case BackgroundText:
			if len(q.Options) > 0 {
				bad("background question %s: a text question has no options", q.ID)
			}
			if q.Breakdown != nil {
				bad("background question %s: only a choice question can be a breakdown", q.ID)
			}
		default:
			bad("background question %s: type %q must be %q or %q", q.ID, q.Type, BackgroundChoice, BackgroundText)
		}
	}
	return errs
}
