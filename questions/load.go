package questions

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"go.yaml.in/yaml/v3"
)

//go:embed instruments/*.yaml
var embedded embed.FS

// DefaultID is the id of the instrument new cohorts use unless told otherwise.
const DefaultID = "einordnung"

// Set is every loaded instrument version, keyed by "id@version". The
// running server adds an instrument uploaded in the leads' area while
// participants' requests read the set, so every method takes mu.
type Set struct {
	mu    sync.RWMutex
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

// Parse decodes and validates one instrument file (YAML, or JSON, which is
// YAML too); file names the source in errors. The error is Problems: every
// problem found, each with its line.
func Parse(file string, data []byte) (*Instrument, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Problems{syntaxProblem(file, err)}
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, Problems{{File: file, Line: 1, Msg: "die Datei enthält kein Instrument (erwartet: Schlüssel wie id, version, items)"}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	in := &Instrument{}
	var problems Problems
	if err := dec.Decode(in); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, Problems{syntaxProblem(file, err)}
		}
		// The decoder goes on after a wrong type or an unknown key, so the
		// checks below still see the rest of the file.
		for _, msg := range te.Errors {
			problems = append(problems, typeProblem(file, msg))
		}
	}
	in.file = file
	c := &checker{file: file, root: root.Content[0], seen: map[string]string{}}
	in.validate(c)
	problems = append(problems, c.problems...)
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
		return nil, problems
	}
	in.source = bytes.Clone(data)
	in.pages = in.buildPages()
	in.scales = in.ItemScales()
	return in, nil
}

// Add puts an instrument parsed elsewhere (imported into the database)
// into the set; a reference the set has already is refused. It is safe
// while others read the set.
func (s *Set) Add(in *Instrument) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, dup := s.byRef[in.Ref()]; dup {
		return fmt.Errorf("questions: %s: instrument %s is already defined in %s", in.file, in.Ref(), prev.file)
	}
	s.byRef[in.Ref()] = in
	return nil
}

// Get returns the instrument with reference "id@version".
func (s *Set) Get(ref string) (*Instrument, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	in, ok := s.byRef[ref]
	return in, ok
}

// Latest returns the highest version of the instrument with the given id.
func (s *Set) Latest(id string) (*Instrument, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
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
	s.mu.RLock()
	all := make([]*Instrument, 0, len(s.byRef))
	for _, in := range s.byRef {
		all = append(all, in)
	}
	s.mu.RUnlock()
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

// Problem is one thing wrong with an instrument file: where it is (line 0
// if unknown), the element it concerns ("Item b2"; empty for the file as a
// whole) and what is wrong, in German.
type Problem struct {
	File  string
	Line  int
	Where string
	Msg   string
}

// String is the problem as "FILE:LINE: item ID: what is wrong", on one
// line: control characters a file put into an id or text are shown
// escaped, so that every line of a report names its file.
func (p Problem) String() string {
	s := p.File
	if p.Line > 0 {
		s += ":" + strconv.Itoa(p.Line)
	}
	if p.Where != "" {
		s += ": " + p.Where
	}
	return oneLine(s + ": " + p.Msg)
}

// oneLine escapes control characters the way Go quotes them (\n, \t, \x00).
func oneLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Problems is every problem of a file, by line; Parse's error.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// syntaxProblem turns a YAML syntax error into a problem with its line.
func syntaxProblem(file string, err error) Problem {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return Problem{File: file, Line: n, Msg: "YAML-Syntaxfehler: " + m[2]}
	}
	return Problem{File: file, Msg: "YAML-Syntaxfehler: " + strings.TrimPrefix(msg, "yaml: ")}
}

var (
	unknownField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	wrongType    = regexp.MustCompile("^cannot unmarshal !!\\w+ `(.*)` into (\\S+)$")
)

// typeProblem turns one of the decoder's type errors into German.
func typeProblem(file, msg string) Problem {
	p := Problem{File: file, Msg: msg}
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return p
	}
	p.Line, _ = strconv.Atoi(m[1])
	p.Msg = m[2]
	if f := unknownField.FindStringSubmatch(m[2]); f != nil {
		p.Msg = "unbekannter Schlüssel „" + f[1] + "“"
	} else if f := wrongType.FindStringSubmatch(m[2]); f != nil {
		want := map[string]string{"int": "eine ganze Zahl", "bool": "true oder false", "string": "ein Text",
			"breakdown": "true oder ein kurzer Name in jeder Sprache ({de: …, en: …})"}[f[2]]
		if want == "" {
			want = "ein anderer Wert"
		}
		p.Msg = "„" + f[1] + "“ passt hier nicht, erwartet ist " + want
	}
	return p
}

// validate adds every problem of in to c, each naming the element it
// concerns and the line of the file it is on.
func (in *Instrument) validate(c *checker) {
	c.languages(in)
	c.header(in)
	c.ratings(in)
	for i, k := range in.Knowledge {
		where := "Wissensfrage " + k.ID
		c.unique("Wissensfrage", k.ID, "knowledge", i)
		c.text(where, "", k.Text, "knowledge", i, "text")
		if !c.has("knowledge", i, "correct") {
			c.bad(c.at("knowledge", i), where, "die richtige Antwort fehlt (correct: true oder false)")
		}
		if !c.has("knowledge", i, "explanation") {
			c.bad(c.at("knowledge", i), where, "die Erklärung fehlt (explanation)")
		} else {
			c.text(where, "Erklärung: ", k.Explanation, "knowledge", i, "explanation")
		}
	}
	for i, q := range in.Background {
		c.background(q, i)
	}
}

// checker collects what is wrong with an instrument, with the ids seen so
// far and their kind; root is the file's YAML tree, for line numbers.
type checker struct {
	file     string
	root     *yaml.Node
	problems Problems
	seen     map[string]string
	langs    []string // the languages every text must carry
}

func (c *checker) bad(line int, where, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: c.file, Line: line, Where: where, Msg: fmt.Sprintf(format, args...)})
}

// node follows path (mapping keys and list indexes) from the root and
// returns the deepest node it reaches and whether it reached the end.
func (c *checker) node(path ...any) (*yaml.Node, bool) {
	n := c.root
	for _, step := range path {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		var next *yaml.Node
		switch s := step.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == s {
						next = n.Content[i+1]
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && s < len(n.Content) {
				next = n.Content[s]
			}
		}
		if next == nil {
			return n, false
		}
		n = next
	}
	return n, true
}

// at is the line of path, or of the nearest enclosing element it has.
func (c *checker) at(path ...any) int {
	n, _ := c.node(path...)
	return n.Line
}

// has reports whether the file gives path at all.
func (c *checker) has(path ...any) bool {
	_, ok := c.node(path...)
	return ok
}

// text checks that the text at path carries every language of the
// instrument and no other; what prefixes the message ("Erklärung: ").
func (c *checker) text(where, what string, t Text, path ...any) {
	for _, l := range c.langs {
		if strings.TrimSpace(t[l]) == "" {
			c.bad(c.at(append(path, l)...), where, "%s%s fehlt", what, languageText(l))
		}
	}
	for _, l := range slices.Sorted(maps.Keys(t)) {
		if !slices.Contains(c.langs, l) {
			c.bad(c.at(append(path, l)...), where, "%sdie Sprache „%s“ steht nicht unter languages", what, l)
		}
	}
}

// languageText names the text of a language in a problem.
func languageText(l string) string {
	switch l {
	case "de":
		return "deutscher Text (de)"
	case "en":
		return "englischer Text (en)"
	}
	return "Text in der Sprache „" + l + "“"
}

var languagePattern = regexp.MustCompile(`^[a-z]{2,3}$`)

// languages checks the instrument's language list and makes it the one the
// texts are checked against; a file without one is in German and English.
func (c *checker) languages(in *Instrument) {
	if len(in.Languages) == 0 {
		in.Languages = slices.Clone(DefaultLanguages)
	}
	seen := map[string]bool{}
	for i, l := range in.Languages {
		switch {
		case !languagePattern.MatchString(l):
			c.bad(c.at("languages", i), "languages", "„%s“ ist kein Sprachcode (zwei oder drei Kleinbuchstaben nach ISO 639, z. B. de, en, tr)", l)
		case seen[l]:
			c.bad(c.at("languages", i), "languages", "die Sprache „%s“ steht doppelt da", l)
		}
		seen[l] = true
	}
	if !seen["de"] {
		c.bad(c.at("languages"), "languages", "Deutsch (de) ist immer nötig")
	}
	c.langs = in.Languages
}

// scale checks a rating scale at path: its bounds, and either a label at
// both ends or one on every point.
func (c *checker) scale(where string, sc Scale, path ...any) {
	if sc.Min < 0 || sc.Max > 100 || sc.Max-sc.Min < 2 {
		c.bad(c.at(path...), where, "die Grenzen %d–%d müssen 0 ≤ min und max ≤ 100 erfüllen, mit mindestens 3 Stufen", sc.Min, sc.Max)
		return
	}
	if c.has(append(path, "labels")...) {
		if points := sc.Max - sc.Min + 1; len(sc.Labels) != points {
			c.bad(c.at(append(path, "labels")...), where, "die Skala %d–%d hat %d Stufen, aber %d Beschriftungen (labels): eine je Stufe, von min bis max", sc.Min, sc.Max, points, len(sc.Labels))
		}
		for i, l := range sc.Labels {
			c.text(where, fmt.Sprintf("Beschriftung %d: ", sc.Min+i), l, append(path, "labels", i)...)
		}
		if c.has(append(path, "min_label")...) || c.has(append(path, "max_label")...) {
			c.bad(c.at(path...), where, "entweder labels (jede Stufe) oder min_label und max_label (die Enden), nicht beides")
		}
		return
	}
	c.text(where, "min_label: ", sc.MinLabel, append(path, "min_label")...)
	c.text(where, "max_label: ", sc.MaxLabel, append(path, "max_label")...)
}

// unique checks an id's form and that no other part of the instrument uses
// it; the element is at index i of section.
func (c *checker) unique(kind, id, section string, i int) {
	line := c.at(section, i, "id")
	where := kind + " „" + id + "“"
	if !idPattern.MatchString(id) {
		c.bad(line, where, "die ID muss mit einem Kleinbuchstaben beginnen und darf nur Kleinbuchstaben, Ziffern und _ enthalten (höchstens 40 Zeichen)")
		return
	}
	if prev, dup := c.seen[id]; dup {
		c.bad(line, where, "die ID ist schon vergeben (%s)", prev)
		return
	}
	c.seen[id] = kind
}

// header checks the instrument's id, version, texts and scale.
func (c *checker) header(in *Instrument) {
	if !idPattern.MatchString(in.ID) {
		c.bad(c.at("id"), "id „"+in.ID+"“", "muss mit einem Kleinbuchstaben beginnen und darf nur Kleinbuchstaben, Ziffern und _ enthalten")
	}
	if in.Version < 1 {
		c.bad(c.at("version"), "version "+strconv.Itoa(in.Version), "muss 1 oder höher sein")
	}
	for _, t := range []struct {
		key  string
		text Text
	}{{"title", in.Title}, {"description", in.Description}, {"rating_prompt", in.RatingPrompt},
		{"then_prompt", in.ThenPrompt}, {"knowledge_prompt", in.KnowledgePrompt}} {
		c.text(t.key, "", t.text, t.key)
	}
	// The instrument's scale may be left out when every dimension has its own.
	own := 0
	for _, d := range in.Dimensions {
		if d.Scale != nil {
			own++
		}
	}
	if c.has("scale") || own < len(in.Dimensions) || own == 0 {
		c.scale("scale", in.Scale, "scale")
	}
}

// ratings checks the dimensions and their self-rating items.
func (c *checker) ratings(in *Instrument) {
	if len(in.Dimensions) == 0 {
		c.bad(c.at("dimensions"), "dimensions", "mindestens eine Dimension ist nötig")
	}
	for i, d := range in.Dimensions {
		c.unique("Dimension", d.ID, "dimensions", i)
		c.text("Dimension "+d.ID, "Titel: ", d.Title, "dimensions", i, "title")
		c.text("Dimension "+d.ID, "Beschreibung: ", d.Description, "dimensions", i, "description")
		if d.Scale != nil {
			c.scale("Dimension "+d.ID, *d.Scale, "dimensions", i, "scale")
		}
	}
	perDim := map[string]int{}
	for i, it := range in.Items {
		c.unique("Item", it.ID, "items", i)
		if c.seen[it.Dimension] != "Dimension" {
			c.bad(c.at("items", i, "dimension"), "Item "+it.ID, "die Dimension „%s“ gibt es nicht", it.Dimension)
		}
		perDim[it.Dimension]++
		c.text("Item "+it.ID, "", it.Text, "items", i, "text")
	}
	for i, d := range in.Dimensions {
		if perDim[d.ID] < 2 {
			c.bad(c.at("dimensions", i), "Dimension "+d.ID, "braucht mindestens 2 Items, hat %d", perDim[d.ID])
		}
	}
}

// background checks the background question at index i.
func (c *checker) background(q BackgroundQuestion, i int) {
	where := "Hintergrundfrage " + q.ID
	c.unique("Hintergrundfrage", q.ID, "background", i)
	c.text(where, "", q.Text, "background", i, "text")
	switch q.Type {
	case BackgroundChoice:
		if len(q.Options) < 2 {
			c.bad(c.at("background", i, "options"), where, "eine Auswahlfrage braucht mindestens 2 Optionen")
		}
		values := map[string]bool{}
		for j, o := range q.Options {
			if !idPattern.MatchString(o.Value) || values[o.Value] {
				c.bad(c.at("background", i, "options", j, "value"), where, "der Wert „%s“ einer Option muss eindeutig sein und aus Kleinbuchstaben, Ziffern und _ bestehen", o.Value)
			}
			values[o.Value] = true
			c.text(where, "Option "+o.Value+": ", o.Text, "background", i, "options", j, "text")
		}
		if len(q.Breakdown.Label) > 0 {
			c.text(where, "Aufschlüsselung (breakdown): ", q.Breakdown.Label, "background", i, "breakdown")
		}
	case BackgroundText:
		if len(q.Options) > 0 {
			c.bad(c.at("background", i, "options"), where, "eine Textfrage hat keine Optionen")
		}
		if q.Breakdown.On {
			c.bad(c.at("background", i, "breakdown"), where, "nur eine Auswahlfrage kann eine Aufschlüsselung (breakdown) sein")
		}
	default:
		c.bad(c.at("background", i, "type"), where, "der Typ „%s“ muss %q oder %q sein", q.Type, BackgroundChoice, BackgroundText)
	}
}
