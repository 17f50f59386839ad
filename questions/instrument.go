// Package questions holds the questionnaire definitions ("instruments"), their
// loader and validation, and the pure scoring functions.
//
// An instrument is one YAML (or JSON) file. The built-in ones are in
// instruments/, named after id and version (einordnung-v1.yaml), embedded
// in the binary; others are imported into the database (app, "instrument
// import" or an upload in the leads' area) and added to the Set at start or,
// uploaded, while the server runs: a Set is safe for concurrent use.
// Program leads can read and edit
// them; every text comes in each language the instrument lists (German
// always; German and English when it lists none):
//
//	id: einordnung              # lowercase id, stable across versions
//	version: 1                  # bump for any change once a cohort uses it
//	languages: [de, en]         # optional; more are fine: [de, en, tr]
//	title, description:         {de: …, en: …}
//	scale: {min: 0, max: 10, min_label: {…}, max_label: {…}}   # or labels: [{…}, …] per point
//	rating_prompt, then_prompt, knowledge_prompt: {de: …, en: …}
//	dimensions: [{id, title, description, scale}]  # scale: optional, the dimension's own
//	items:      [{id, dimension, reverse, text}]      # self-ratings on their dimension's scale
//	knowledge:  [{id, correct, text, explanation}]    # true/false + confidence
//	background: [{id, type: choice|text, optional, breakdown, text, options: [{value, text}]}]
//
// Everything that keys, bounds or labels a rating asks ScaleOf (or
// ItemScales, ScaleSpan) for the item's scale.
//
// Parse checks everything, built-in or imported, by the same rules (unique
// ids, every item's dimension exists, scale bounds and labels, every listed language present,
// knowledge items with answer and explanation, no unknown keys) and reports
// every problem at once as Problems, each in German with its line:
// "FILE:LINE: Item b2: die Dimension „gamma“ gibt es nicht". Lines come from
// the YAML tree (JSON is YAML, so JSON files get them too). An instrument
// keeps its file byte for byte (Source). Diff says what changed between two
// versions, item by item.
//
// Linking (code.go): a participant's pre and post answers are linked by a
// self-generated code of six elements, stored only as keyed hashes, or by
// the random return code. The rule: an exact code or the return code
// identifies; a one-element match links for statistics only and never
// grants access. DecideMatch makes a single exact match win over codes one
// element off, and two people fitting equally well match nobody.
package questions

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Text is a piece of participant-facing text by language code: "de"
// always, "en" in the built-in texts, and whatever else an instrument
// declares under languages ("fr", "tr", "uk").
type Text map[string]string

// In returns the text in lang. A language the text lacks falls back to
// English, then German: an instrument carries every language it declares,
// so this only happens for the product's own texts (code elements) on a
// page in a language the product does not speak itself.
func (t Text) In(lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	if s := t["en"]; s != "" && lang != "de" {
		return s
	}
	return t["de"]
}

// DefaultLanguages are the languages of an instrument that names none:
// German and English, the product's own.
var DefaultLanguages = []string{"de", "en"}

// Scale is the rating scale of the self-rating items: end labels (0–10 with
// "gar nicht" … "sehr gut"), or a label on every point (1–5 with "trifft gar
// nicht zu" … "trifft voll zu").
type Scale struct {
	Min      int  `yaml:"min"`
	Max      int  `yaml:"max"`
	MinLabel Text `yaml:"min_label"`
	MaxLabel Text `yaml:"max_label"`
	// Labels, when given, name every point from Min to Max in order.
	Labels []Text `yaml:"labels"`
}

// LabelsEveryPoint reports whether every point has a label of its own.
func (s Scale) LabelsEveryPoint() bool { return len(s.Labels) > 0 && len(s.Labels) == s.Max-s.Min+1 }

// PointLabel is the label of point v: its own label when the scale labels
// every point, else the end label at either end, else the zero Text.
func (s Scale) PointLabel(v int) Text {
	switch {
	case s.LabelsEveryPoint() && s.Contains(v):
		return s.Labels[v-s.Min]
	case v == s.Min:
		return s.MinLabel
	case v == s.Max:
		return s.MaxLabel
	}
	return Text{}
}

// Contains reports whether v is a point of the scale.
func (s Scale) Contains(v int) bool { return v >= s.Min && v <= s.Max }

// Keyed returns v as it enters a score: reversed for reverse-keyed items.
func (s Scale) Keyed(v int, reverse bool) int {
	if reverse {
		return s.Min + s.Max - v
	}
	return v
}

// Dimension is a named group of self-rating items whose mean is its score.
type Dimension struct {
	ID          string `yaml:"id"`
	Title       Text   `yaml:"title"`
	Description Text   `yaml:"description"`
	// Scale, when given, is the scale of this dimension's items instead of
	// the instrument's.
	Scale *Scale `yaml:"scale"`
}

// Item is a self-rating statement rated on the instrument's scale.
type Item struct {
	ID        string `yaml:"id"`
	Dimension string `yaml:"dimension"`
	Reverse   bool   `yaml:"reverse"`
	Text      Text   `yaml:"text"`
}

// KnowledgeItem is a true/false statement answered with a confidence rating.
type KnowledgeItem struct {
	ID          string `yaml:"id"`
	Correct     bool   `yaml:"correct"`
	Text        Text   `yaml:"text"`
	Explanation Text   `yaml:"explanation"`
}

// Background question types.
const (
	BackgroundChoice = "choice"
	BackgroundText   = "text"
)

// Option is one answer of a choice question.
type Option struct {
	Value string `yaml:"value"`
	Text  Text   `yaml:"text"`
}

// BackgroundQuestion is a question about the participant (field of work, AI
// use) or an open reflection.
type BackgroundQuestion struct {
	ID       string   `yaml:"id"`
	Type     string   `yaml:"type"`
	Optional bool     `yaml:"optional"`
	Text     Text     `yaml:"text"`
	Options  []Option `yaml:"options"`
	// Breakdown, on a choice question, has the cohort dashboard break the
	// change down by this question's answers.
	Breakdown Breakdown `yaml:"breakdown"`
}

// Breakdown is written `breakdown: true`, or as a short name for the
// grouping (`breakdown: {de: Arbeitsfeld, en: field of work}`), which
// charts use instead of the question's text.
type Breakdown struct {
	On    bool
	Label Text
}

// UnmarshalYAML takes either form; anything else is a type error with its
// line, which Parse reports like every other.
func (b *Breakdown) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		return n.Decode(&b.On)
	}
	if n.Kind == yaml.MappingNode {
		b.On = true
		return n.Decode(&b.Label)
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: cannot unmarshal %s `%s` into breakdown", n.Line, n.Tag, n.Value)}}
}

// BreakdownLabel names the grouping of a breakdown question: its short
// name if it has one, else its text.
func (q BackgroundQuestion) BreakdownLabel() Text {
	if len(q.Breakdown.Label) > 0 {
		return q.Breakdown.Label
	}
	return q.Text
}

// HasOption reports whether value is one of the question's choices.
func (q BackgroundQuestion) HasOption(value string) bool {
	for _, o := range q.Options {
		if o.Value == value {
			return true
		}
	}
	return false
}

// Instrument is one version of a questionnaire.
type Instrument struct {
	ID          string `yaml:"id"`
	Version     int    `yaml:"version"`
	Title       Text   `yaml:"title"`
	Description Text   `yaml:"description"`
	// Languages lists the language codes every text carries, German first;
	// the participant's language switch offers these. Parse fills in
	// DefaultLanguages when the file names none.
	Languages       []string             `yaml:"languages"`
	Scale           Scale                `yaml:"scale"`
	RatingPrompt    Text                 `yaml:"rating_prompt"`
	ThenPrompt      Text                 `yaml:"then_prompt"`
	KnowledgePrompt Text                 `yaml:"knowledge_prompt"`
	Dimensions      []Dimension          `yaml:"dimensions"`
	Items           []Item               `yaml:"items"`
	Knowledge       []KnowledgeItem      `yaml:"knowledge"`
	Background      []BackgroundQuestion `yaml:"background"`

	scales []Scale // each item's scale in item order, built once by Parse (see ItemScales)
	file   string  // where it was loaded from, for error messages
	source []byte  // the file as parsed, byte for byte (see Source)
	pages  []Page  // built once by Parse (see Pages)
}

// Source is the file the instrument was parsed from, byte for byte: what an
// export gives back, so that importing it again changes nothing.
func (in *Instrument) Source() []byte { return in.source }

// Ref is the instrument's reference as stored with a cohort: "id@version".
func (in *Instrument) Ref() string { return FormatRef(in.ID, in.Version) }

// ScaleOf returns the scale an item is rated on. Every figure that keys,
// bounds or labels a rating asks here, so that a scale per dimension is one
// change.
func (in *Instrument) ScaleOf(it Item) Scale {
	for _, d := range in.Dimensions {
		if d.ID == it.Dimension && d.Scale != nil {
			return *d.Scale
		}
	}
	return in.Scale
}

// ItemScales is ScaleOf for every item in item order, for loops over many
// responses.
func (in *Instrument) ItemScales() []Scale {
	if len(in.scales) == len(in.Items) {
		return in.scales
	}
	scales := make([]Scale, len(in.Items))
	for i, it := range in.Items {
		scales[i] = in.ScaleOf(it)
	}
	return scales
}

// ScaleSpan is the range every item's scale lies in: the axis of a chart
// that shows several dimensions at once.
func (in *Instrument) ScaleSpan() (lo, hi int) {
	for i, d := range in.Dimensions {
		s := in.DimensionScale(d.ID)
		if i == 0 {
			lo, hi = s.Min, s.Max
		}
		lo, hi = min(lo, s.Min), max(hi, s.Max)
	}
	return lo, hi
}

// DimensionScale is the scale of a dimension's items.
func (in *Instrument) DimensionScale(id string) Scale {
	return in.ScaleOf(Item{Dimension: id})
}

// ItemsOf returns the self-rating items of a dimension in file order.
func (in *Instrument) ItemsOf(dimension string) []Item {
	var items []Item
	for _, it := range in.Items {
		if it.Dimension == dimension {
			items = append(items, it)
		}
	}
	return items
}

// Item returns the self-rating item with the given id.
func (in *Instrument) Item(id string) (Item, bool) {
	for _, it := range in.Items {
		if it.ID == id {
			return it, true
		}
	}
	return Item{}, false
}

// KnowledgeItem returns the knowledge item with the given id.
func (in *Instrument) KnowledgeItem(id string) (KnowledgeItem, bool) {
	for _, k := range in.Knowledge {
		if k.ID == id {
			return k, true
		}
	}
	return KnowledgeItem{}, false
}

// BackgroundQuestion returns the background question with the given id.
func (in *Instrument) BackgroundQuestion(id string) (BackgroundQuestion, bool) {
	for _, q := range in.Background {
		if q.ID == id {
			return q, true
		}
	}
	return BackgroundQuestion{}, false
}

// Breakdowns returns the background questions the dashboard breaks the
// change down by, in instrument order.
func (in *Instrument) Breakdowns() []BackgroundQuestion {
	var out []BackgroundQuestion
	for _, q := range in.Background {
		if q.Breakdown.On {
			out = append(out, q)
		}
	}
	return out
}

// FormatRef formats an instrument reference "id@version".
func FormatRef(id string, version int) string {
	return id + "@" + strconv.Itoa(version)
}
