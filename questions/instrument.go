// Package questions holds the questionnaire definitions ("instruments"), their
// loader and validation, and the pure scoring functions.
//
// An instrument is one YAML (or JSON) file. The built-in ones are in
// instruments/, named after id and version (einordnung-v1.yaml), embedded
// in the binary; others are imported into the database (app, "instrument
// import" or an upload in the leads' area) and added to the Set at start or,
// uploaded, while the server runs: a Set is safe for concurrent use.
// Program leads can read and edit
// them; every text comes in German (de) and English (en):
//
//	id: einordnung              # lowercase id, stable across versions
//	version: 1                  # bump for any change once a cohort uses it
//	title, description:         {de: …, en: …}
//	scale: {min: 0, max: 10, min_label: {…}, max_label: {…}}
//	rating_prompt, then_prompt, knowledge_prompt: {de: …, en: …}
//	dimensions: [{id, title, description}]
//	items:      [{id, dimension, reverse, text}]      # self-ratings on the scale
//	knowledge:  [{id, correct, text, explanation}]    # true/false + confidence
//	background: [{id, type: choice|text, optional, text, options: [{value, text}]}]
//
// Parse checks everything, built-in or imported, by the same rules (unique
// ids, every item's dimension exists, scale bounds, both languages present,
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

import "strconv"

// Text is a piece of participant-facing text in both product languages.
type Text struct {
	DE string `yaml:"de"`
	EN string `yaml:"en"`
}

// In returns the text in lang ("en" or anything else for German).
func (t Text) In(lang string) string {
	if lang == "en" {
		return t.EN
	}
	return t.DE
}

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

// PointLabel is the label of point v: its own label when the scale labels
// every point, else the end label at either end, else the zero Text.
func (s Scale) PointLabel(v int) Text {
	switch {
	case len(s.Labels) == s.Max-s.Min+1 && s.Contains(v):
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
	// Breakdown, on a choice question, names the grouping when the cohort
	// dashboard breaks the change down by this question's answers
	// ("Arbeitsfeld"); questions without one are not broken down.
	Breakdown *Text `yaml:"breakdown"`
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
	ID              string               `yaml:"id"`
	Version         int                  `yaml:"version"`
	Title           Text                 `yaml:"title"`
	Description     Text                 `yaml:"description"`
	Scale           Scale                `yaml:"scale"`
	RatingPrompt    Text                 `yaml:"rating_prompt"`
	ThenPrompt      Text                 `yaml:"then_prompt"`
	KnowledgePrompt Text                 `yaml:"knowledge_prompt"`
	Dimensions      []Dimension          `yaml:"dimensions"`
	Items           []Item               `yaml:"items"`
	Knowledge       []KnowledgeItem      `yaml:"knowledge"`
	Background      []BackgroundQuestion `yaml:"background"`

	file   string // where it was loaded from, for error messages
	source []byte // the file as parsed, byte for byte (see Source)
	pages  []Page // built once by Parse (see Pages)
}

// Source is the file the instrument was parsed from, byte for byte: what an
// export gives back, so that importing it again changes nothing.
func (in *Instrument) Source() []byte { return in.source }

// Ref is the instrument's reference as stored with a cohort: "id@version".
func (in *Instrument) Ref() string { return FormatRef(in.ID, in.Version) }

// ScaleOf returns the scale an item is rated on. Every figure that keys,
// bounds or labels a rating asks here, so that a scale per dimension is one
// change.
func (in *Instrument) ScaleOf(it Item) Scale { return in.Scale }

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
		if q.Breakdown != nil {
			out = append(out, q)
		}
	}
	return out
}

// FormatRef formats an instrument reference "id@version".
func FormatRef(id string, version int) string {
	return id + "@" + strconv.Itoa(version)
}
