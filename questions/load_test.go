package questions

import (
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// minimalYAML returns a small but complete, valid instrument with the given
// id and version. Every list element sits on a line of its own so that tests
// can break exactly one thing with mutate.
func minimalYAML(id string, version int) string {
	return `id: ` + id + `
version: ` + strconv.Itoa(version) + `
title: {de: "Titel", en: "Title"}
description: {de: "Beschreibung", en: "Description"}
scale:
  min: 1
  max: 5
  min_label: {de: "1 = nie", en: "1 = never"}
  max_label: {de: "5 = immer", en: "5 = always"}
rating_prompt: {de: "Wie gut?", en: "How well?"}
then_prompt: {de: "Und damals?", en: "And back then?"}
knowledge_prompt: {de: "Richtig oder falsch?", en: "True or false?"}
dimensions:
  - {id: alpha, title: {de: "Alpha", en: "Alpha"}, description: {de: "Teil Alpha", en: "Part alpha"}}
  - {id: beta, title: {de: "Beta", en: "Beta"}, description: {de: "Teil Beta", en: "Part beta"}}
items:
  - {id: a1, dimension: alpha, text: {de: "Aussage A1", en: "Statement A1"}}
  - {id: a2, dimension: alpha, reverse: true, text: {de: "Aussage A2", en: "Statement A2"}}
  - {id: b1, dimension: beta, text: {de: "Aussage B1", en: "Statement B1"}}
  - {id: b2, dimension: beta, text: {de: "Aussage B2", en: "Statement B2"}}
knowledge:
  - {id: k1, correct: true, text: {de: "Wissen 1", en: "Knowledge 1"}, explanation: {de: "Weil 1", en: "Because 1"}}
  - {id: k2, correct: false, text: {de: "Wissen 2", en: "Knowledge 2"}, explanation: {de: "Weil 2", en: "Because 2"}}
background:
  - id: field
    type: choice
    text: {de: "Bereich?", en: "Field?"}
    options:
      - {value: engineering, text: {de: "Technik", en: "Engineering"}}
      - {value: other, text: {de: "Sonstiges", en: "Other"}}
  - {id: note, type: text, optional: true, text: {de: "Anmerkung?", en: "Note?"}}
`
}

// mutate replaces old (which must occur exactly once) with new, so that a
// test case cannot silently stop mutating anything.
func mutate(t *testing.T, doc, old, new string) string {
	t.Helper()
	if n := strings.Count(doc, old); n != 1 {
		t.Fatalf("mutate: %q occurs %d times in the minimal instrument, want exactly 1", old, n)
	}
	return strings.Replace(doc, old, new, 1)
}

func TestParseMinimalInstrumentIsValid(t *testing.T) {
	in, err := Parse("mini.yaml", []byte(minimalYAML("mini", 1)))
	if err != nil {
		t.Fatalf("Parse(minimal) error: %v", err)
	}
	if got, want := in.Ref(), "mini@1"; got != want {
		t.Errorf("Ref() = %q, want %q", got, want)
	}
	if got, want := len(in.Dimensions), 2; got != want {
		t.Errorf("len(Dimensions) = %d, want %d", got, want)
	}
	if got, want := len(in.Items), 4; got != want {
		t.Errorf("len(Items) = %d, want %d", got, want)
	}
	a2, ok := in.Item("a2")
	if !ok || !a2.Reverse || a2.Dimension != "alpha" || a2.Text.In("en") != "Statement A2" {
		t.Errorf("Item(a2) = %+v, %v; want reverse-keyed alpha item with English text", a2, ok)
	}
	if in.Scale.Min != 1 || in.Scale.Max != 5 {
		t.Errorf("Scale = %d–%d, want 1–5", in.Scale.Min, in.Scale.Max)
	}
	k2, ok := in.KnowledgeItem("k2")
	if !ok || k2.Correct {
		t.Errorf("KnowledgeItem(k2) = %+v, %v; want correct=false", k2, ok)
	}
	q, ok := in.BackgroundQuestion("field")
	if !ok || q.Type != BackgroundChoice || !q.HasOption("other") || q.HasOption("design") {
		t.Errorf("BackgroundQuestion(field) = %+v, %v; want choice with options engineering, other", q, ok)
	}
}

func TestParseRejectsBrokenInstruments(t *testing.T) {
	const file = "instruments/broken-v1.yaml"
	base := minimalYAML("mini", 1)
	const b2 = `{id: b2, dimension: beta, text: {de: "Aussage B2", en: "Statement B2"}}`
	tests := []struct {
		name  string
		doc   func(t *testing.T) string
		wants []string // substrings the error must contain, besides the file name
	}{
		{
			name: "duplicate item id",
			doc: func(t *testing.T) string {
				return mutate(t, base, `{id: b2, dimension: beta,`, `{id: a1, dimension: beta,`)
			},
			wants: []string{"Item „a1“", "schon vergeben"},
		},
		{
			name: "breakdown on a text question",
			doc: func(t *testing.T) string {
				return mutate(t, base, `{id: note, type: text, optional: true,`, `{id: note, type: text, optional: true, breakdown: {de: "Notiz", en: "note"},`)
			},
			wants: []string{"Hintergrundfrage note", "nur eine Auswahlfrage kann eine Aufschlüsselung"},
		},
		{
			name: "breakdown without English name",
			doc: func(t *testing.T) string {
				return mutate(t, base, `    text: {de: "Bereich?", en: "Field?"}`, `    text: {de: "Bereich?", en: "Field?"}
    breakdown: {de: "Bereich"}`)
			},
			wants: []string{"Hintergrundfrage field: Aufschlüsselung (breakdown): englischer Text (en) fehlt"},
		},
		{
			name: "item id reuses a dimension id",
			doc: func(t *testing.T) string {
				return mutate(t, base, `{id: b2, dimension: beta,`, `{id: alpha, dimension: beta,`)
			},
			wants: []string{"Item „alpha“", "schon vergeben (Dimension)"},
		},
		{
			name: "item with unknown dimension",
			doc: func(t *testing.T) string {
				return mutate(t, base, `{id: b2, dimension: beta,`, `{id: b2, dimension: gamma,`)
			},
			wants: []string{"Item b2", "die Dimension „gamma“ gibt es nicht"},
		},
		{
			name: "missing English text",
			doc: func(t *testing.T) string {
				return mutate(t, base, b2, `{id: b2, dimension: beta, text: {de: "Aussage B2"}}`)
			},
			wants: []string{"Item b2", "englischer Text (en) fehlt"},
		},
		{
			name: "blank English text",
			doc: func(t *testing.T) string {
				return mutate(t, base, b2, `{id: b2, dimension: beta, text: {de: "Aussage B2", en: "   "}}`)
			},
			wants: []string{"Item b2", "englischer Text (en) fehlt"},
		},
		{
			name: "missing German text",
			doc: func(t *testing.T) string {
				return mutate(t, base, b2, `{id: b2, dimension: beta, text: {en: "Statement B2"}}`)
			},
			wants: []string{"Item b2", "deutscher Text (de) fehlt"},
		},
		{
			name: "missing German dimension title",
			doc: func(t *testing.T) string {
				return mutate(t, base, `title: {de: "Beta", en: "Beta"}`, `title: {en: "Beta"}`)
			},
			wants: []string{"Dimension beta: Titel: deutscher Text (de) fehlt"},
		},
		{
			name: "missing English knowledge explanation",
			doc: func(t *testing.T) string {
				return mutate(t, base, `explanation: {de: "Weil 2", en: "Because 2"}`, `explanation: {de: "Weil 2"}`)
			},
			wants: []string{"Wissensfrage k2: Erklärung: englischer Text (en) fehlt"},
		},
		{
			name:  "scale max equal to min",
			doc:   func(t *testing.T) string { return mutate(t, base, "  max: 5\n", "  max: 1\n") },
			wants: []string{"scale", "1–1"},
		},
		{
			name:  "scale max below min",
			doc:   func(t *testing.T) string { return mutate(t, base, "  max: 5\n", "  max: 0\n") },
			wants: []string{"scale", "1–0"},
		},
		{
			name:  "scale with only two points",
			doc:   func(t *testing.T) string { return mutate(t, base, "  max: 5\n", "  max: 2\n") },
			wants: []string{"scale", "1–2"},
		},
		{
			name: "unknown field in an item",
			doc: func(t *testing.T) string {
				return mutate(t, base, `{id: b2, dimension: beta,`, `{id: b2, dimension: beta, colour: red,`)
			},
			// The YAML decoder reports the line (items b2 is on line 20) and the field.
			wants: []string{"broken-v1.yaml:20: unbekannter Schlüssel „colour“"},
		},
		{
			name:  "unknown top-level field",
			doc:   func(t *testing.T) string { return mutate(t, base, "version: 1\n", "version: 1\nauthor: someone\n") },
			wants: []string{"broken-v1.yaml:3: unbekannter Schlüssel „author“"},
		},
		{
			name:  "version that is not a number",
			doc:   func(t *testing.T) string { return mutate(t, base, "version: 1\n", "version: one\n") },
			wants: []string{"broken-v1.yaml:2: „one“ passt hier nicht, erwartet ist eine ganze Zahl"},
		},
		{
			name: "choice question with one option",
			doc: func(t *testing.T) string {
				return mutate(t, base, `      - {value: other, text: {de: "Sonstiges", en: "Other"}}`+"\n", "")
			},
			wants: []string{"Hintergrundfrage field", "mindestens 2 Optionen"},
		},
		{
			name:  "bad background question type",
			doc:   func(t *testing.T) string { return mutate(t, base, "    type: choice\n", "    type: slider\n") },
			wants: []string{"Hintergrundfrage field", "„slider“"},
		},
		{
			name: "text question with options",
			doc: func(t *testing.T) string {
				return mutate(t, base, `{id: note, type: text,`, `{id: note, type: text, options: [{value: x, text: {de: "X", en: "X"}}],`)
			},
			wants: []string{"Hintergrundfrage note", "keine Optionen"},
		},
		{
			name: "duplicate option value",
			doc: func(t *testing.T) string {
				return mutate(t, base, `{value: other, text:`, `{value: engineering, text:`)
			},
			wants: []string{"Hintergrundfrage field", "„engineering“"},
		},
		{
			name:  "dimension with fewer than 2 items",
			doc:   func(t *testing.T) string { return mutate(t, base, "  - "+b2+"\n", "") },
			wants: []string{"Dimension beta", "mindestens 2 Items, hat 1"},
		},
		{
			name: "dimension without items",
			doc: func(t *testing.T) string {
				return mutate(t, base, "dimensions:\n", "dimensions:\n  - {id: gamma, title: {de: \"G\", en: \"G\"}, description: {de: \"G\", en: \"G\"}}\n")
			},
			wants: []string{"Dimension gamma", "hat 0"},
		},
		{
			name: "item id with uppercase letter and dash",
			doc: func(t *testing.T) string {
				return mutate(t, base, `{id: b2, dimension: beta,`, `{id: B-2, dimension: beta,`)
			},
			wants: []string{"Item „B-2“", "Kleinbuchstaben"},
		},
		{
			name: "item id starting with a digit",
			doc: func(t *testing.T) string {
				return mutate(t, base, `{id: b2, dimension: beta,`, `{id: 2b, dimension: beta,`)
			},
			wants: []string{"Item „2b“", "mit einem Kleinbuchstaben beginnen"},
		},
		{
			name:  "instrument id with a dash",
			doc:   func(t *testing.T) string { return mutate(t, base, "id: mini\n", "id: mini-test\n") },
			wants: []string{"id „mini-test“"},
		},
		{
			name:  "version zero",
			doc:   func(t *testing.T) string { return mutate(t, base, "version: 1\n", "version: 0\n") },
			wants: []string{"version 0: muss 1 oder höher sein"},
		},
		{
			name: "duplicate knowledge id",
			doc: func(t *testing.T) string {
				return mutate(t, base, `{id: k2, correct: false,`, `{id: k1, correct: false,`)
			},
			wants: []string{"Wissensfrage „k1“", "schon vergeben"},
		},
		{
			name: "a declared language missing from a text",
			doc: func(t *testing.T) string {
				doc := mutate(t, base, "version: 1\n", "version: 1\nlanguages: [de, en, fr]\n")
				return strings.ReplaceAll(doc, `en: "Statement A1"}`, `en: "Statement A1", fr: "Énoncé A1"}`)
			},
			wants: []string{"broken-v1.yaml:4: title: Text in der Sprache „fr“ fehlt",
				":15: Dimension alpha: Titel: Text in der Sprache „fr“ fehlt", ":21: Item b2: Text in der Sprache „fr“ fehlt"},
		},
		{
			name: "a text in a language not declared",
			doc: func(t *testing.T) string {
				return mutate(t, base, b2, `{id: b2, dimension: beta, text: {de: "Aussage B2", en: "Statement B2", tr: "İfade B2"}}`)
			},
			wants: []string{"Item b2: die Sprache „tr“ steht nicht unter languages"},
		},
		{
			name:  "languages without German",
			doc:   func(t *testing.T) string { return mutate(t, base, "version: 1\n", "version: 1\nlanguages: [en, EN]\n") },
			wants: []string{"languages: Deutsch (de) ist immer nötig", "languages: „EN“ ist kein Sprachcode"},
		},
		{
			name: "a dimension's scale labels every point but one",
			doc: func(t *testing.T) string {
				return mutate(t, base, `description: {de: "Teil Beta", en: "Part beta"}}`, `description: {de: "Teil Beta", en: "Part beta"},
      scale: {min: 1, max: 4, labels: [{de: "nie", en: "never"}, {de: "selten", en: "rarely"}, {de: "oft", en: "often"}]}}`)
			},
			wants: []string{"Dimension beta: die Skala 1–4 hat 4 Stufen, aber 3 Beschriftungen (labels)"},
		},
		{
			name: "a scale with labels and end labels",
			doc: func(t *testing.T) string {
				return mutate(t, base, `  max_label: {de: "5 = immer", en: "5 = always"}`, `  max_label: {de: "5 = immer", en: "5 = always"}
  labels: [{de: a, en: a}, {de: b, en: b}, {de: c, en: c}, {de: d, en: d}, {de: e, en: e}]`)
			},
			wants: []string{"scale: entweder labels (jede Stufe) oder min_label und max_label"},
		},
		{
			name: "breakdown neither true nor a name",
			doc: func(t *testing.T) string {
				return mutate(t, base, `    text: {de: "Bereich?", en: "Field?"}`, `    text: {de: "Bereich?", en: "Field?"}
    breakdown: 3`)
			},
			wants: []string{":28: „3“ passt hier nicht, erwartet ist true oder ein kurzer Name in jeder Sprache"},
		},
		{
			name: "every problem is reported, not just the first",
			doc: func(t *testing.T) string {
				doc := mutate(t, base, `{id: b2, dimension: beta,`, `{id: b2, dimension: gamma,`)
				return mutate(t, doc, `text: {de: "Aussage A1", en: "Statement A1"}`, `text: {de: "Aussage A1"}`)
			},
			wants: []string{"Item b2: die Dimension „gamma“", "Item a1: englischer Text", "Dimension beta: braucht mindestens 2 Items, hat 1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Parse(file, []byte(tt.doc(t)))
			if err == nil {
				t.Fatalf("Parse succeeded (instrument %s), want an error", in.Ref())
			}
			msg := err.Error()
			if !strings.Contains(msg, file) {
				t.Errorf("error does not name the file %q:\n%s", file, msg)
			}
			for _, want := range tt.wants {
				if !strings.Contains(msg, want) {
					t.Errorf("error does not contain %q:\n%s", want, msg)
				}
			}
		})
	}
}

// What programs need beyond the built-in instrument: a third language, a
// dimension on its own scale with a label on every point, and a breakdown
// marked with true.
func TestParseLanguagesScalesAndBreakdowns(t *testing.T) {
	doc := mutate(t, minimalYAML("mini", 1), "version: 1\n", "version: 1\nlanguages: [de, en, fr]\n")
	// Every text gets its French version: the German one with a marker.
	doc = regexp.MustCompile(`en: ("[^"]*")\}`).ReplaceAllString(doc, `en: $1, fr: "fr $1"}`)
	doc = mutate(t, doc, `description: {de: "Teil Beta", en: "Part beta", fr: "fr "Part beta""}}`, `description: {de: "Teil Beta", en: "Part beta", fr: "Partie bêta"},
      scale: {min: 1, max: 3, labels: [{de: "nie", en: "never", fr: "jamais"}, {de: "manchmal", en: "sometimes", fr: "parfois"}, {de: "oft", en: "often", fr: "souvent"}]}}`)
	doc = mutate(t, doc, `    text: {de: "Bereich?", en: "Field?", fr: "fr "Field?""}`, `    text: {de: "Bereich?", en: "Field?", fr: "Domaine ?"}
    breakdown: true`)
	doc = strings.ReplaceAll(doc, `fr: "fr "`, `fr: "fr `)
	doc = strings.ReplaceAll(doc, `""}`, `"}`)
	in, err := Parse("mini.yaml", []byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, doc)
	}
	if got := in.Languages; !slices.Equal(got, []string{"de", "en", "fr"}) {
		t.Errorf("Languages = %v, want [de en fr]", got)
	}
	b1, _ := in.Item("b1")
	a1, _ := in.Item("a1")
	if sc := in.ScaleOf(b1); sc.Min != 1 || sc.Max != 3 || sc.PointLabel(2).In("fr") != "parfois" {
		t.Errorf("ScaleOf(b1) = %+v, want 1–3 with „parfois“ at 2", sc)
	}
	if sc := in.ScaleOf(a1); sc.Min != 1 || sc.Max != 5 || sc.PointLabel(5).In("de") != "5 = immer" || len(sc.PointLabel(3)) != 0 {
		t.Errorf("ScaleOf(a1) = %+v, want the instrument's 1–5 with end labels only", sc)
	}
	if lo, hi := in.ScaleSpan(); lo != 1 || hi != 5 {
		t.Errorf("ScaleSpan = %d–%d, want 1–5", lo, hi)
	}
	if got := in.ItemScales(); got[2].Max != 3 || got[0].Max != 5 {
		t.Errorf("ItemScales = %+v, want b1 on 1–3 and a1 on 1–5", got)
	}
	bs := in.Breakdowns()
	if len(bs) != 1 || bs[0].ID != "field" || bs[0].BreakdownLabel().In("fr") != "Domaine ?" {
		t.Errorf("Breakdowns = %+v, want field, named by its text", bs)
	}
	if got := a1.Text.In("fr"); got != "fr Statement A1" {
		t.Errorf("a1 in French = %q", got)
	}
	// Without languages an instrument is in German and English.
	plain, err := Parse("plain.yaml", []byte(minimalYAML("plain", 1)))
	if err != nil || !slices.Equal(plain.Languages, DefaultLanguages) {
		t.Errorf("plain instrument: languages %v, err %v; want %v", plain.Languages, err, DefaultLanguages)
	}
}

func TestLoadDefaultInstrument(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatalf("Load() error: %v", err)
	}
	in, err := set.Resolve(DefaultID)
	if err != nil {
		t.Fatalf("Resolve(%q) error: %v", DefaultID, err)
	}
	if in.ID != "einordnung" || in.Version < 1 {
		t.Fatalf("default instrument = %s, want einordnung@≥1", in.Ref())
	}
	if in.Scale.Min != 0 || in.Scale.Max != 10 {
		t.Errorf("scale = %d–%d, want 0–10 (as the README documents it)", in.Scale.Min, in.Scale.Max)
	}

	if got, want := len(in.Dimensions), 7; got != want {
		t.Errorf("dimensions = %d, want %d", got, want)
	}
	if n := len(in.Items); n < 30 || n > 40 {
		t.Errorf("self-rating items = %d, want 30–40", n)
	}
	for _, d := range in.Dimensions {
		if k := len(in.ItemsOf(d.ID)); k < 3 || k > 6 {
			t.Errorf("dimension %s has %d items, want 3–6", d.ID, k)
		}
	}

	var trues, falses int
	for _, k := range in.Knowledge {
		if k.Correct {
			trues++
		} else {
			falses++
		}
	}
	if n := len(in.Knowledge); n < 10 || n > 12 {
		t.Errorf("knowledge items = %d, want 10–12", n)
	}
	if trues != falses {
		t.Errorf("knowledge items: %d true, %d false; want equal counts", trues, falses)
	}

	background := []struct {
		id      string
		options []string
	}{
		{"field", []string{"engineering", "social_work", "design", "administration", "health", "education", "other"}},
		{"ai_use", []string{"never", "rarely", "monthly", "weekly", "daily"}},
	}
	for _, b := range background {
		q, ok := in.BackgroundQuestion(b.id)
		if !ok {
			t.Errorf("background question %s missing", b.id)
			continue
		}
		if q.Type != BackgroundChoice {
			t.Errorf("background question %s: type %q, want %q", b.id, q.Type, BackgroundChoice)
		}
		var got []string
		for _, o := range q.Options {
			got = append(got, o.Value)
		}
		if !slices.Equal(got, b.options) {
			t.Errorf("background question %s: options %v, want %v", b.id, got, b.options)
		}
	}

	// Every Text anywhere in the instrument has both languages.
	var texts int
	walkTexts(reflect.ValueOf(*in), "instrument", func(where string, tx Text) {
		texts++
		if strings.TrimSpace(tx.In("de")) == "" {
			t.Errorf("%s: German text missing", where)
		}
		if strings.TrimSpace(tx.In("en")) == "" {
			t.Errorf("%s: English text missing", where)
		}
	})
	// 7 fixed texts + 2 per dimension + 1 per item + 2 per knowledge item +
	// 1 per background question + 1 per option + the breakdowns' names.
	want := 7 + 2*len(in.Dimensions) + len(in.Items) + 2*len(in.Knowledge)
	for _, q := range in.Background {
		want += 1 + len(q.Options) + len(q.Breakdown.Label)/2
	}
	if texts != want {
		t.Errorf("walked %d texts, want %d (the walk missed some)", texts, want)
	}
}

// walkTexts calls f for every Text value reachable from v through exported
// struct fields and slices.
func walkTexts(v reflect.Value, where string, f func(string, Text)) {
	if tx, ok := v.Interface().(Text); ok {
		// A breakdown's short name is optional.
		if v.Len() > 0 || !strings.HasSuffix(where, ".Breakdown.Label") {
			f(where, tx)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkTexts(v.Elem(), where, f)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			walkTexts(v.Field(i), where+"."+v.Type().Field(i).Name, f)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkTexts(v.Index(i), where+"["+strconv.Itoa(i)+"]", f)
		}
	}
}

func TestLoadFSDuplicateRef(t *testing.T) {
	fsys := fstest.MapFS{
		"defs/first.yaml":  {Data: []byte(minimalYAML("mini", 1))},
		"defs/second.yaml": {Data: []byte(minimalYAML("mini", 1))},
	}
	set, err := LoadFS(fsys, "defs")
	if err == nil {
		t.Fatalf("LoadFS succeeded with %d instruments, want a duplicate error", len(set.All()))
	}
	for _, want := range []string{"defs/first.yaml", "defs/second.yaml", "mini@1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q: %v", want, err)
		}
	}
}

func TestLoadFSErrors(t *testing.T) {
	tests := []struct {
		name  string
		fsys  fstest.MapFS
		wants []string
	}{
		{
			name:  "no yaml files",
			fsys:  fstest.MapFS{"defs/readme.txt": {Data: []byte("hi")}},
			wants: []string{"no instrument files", "defs"},
		},
		{
			name: "one broken file among good ones",
			fsys: fstest.MapFS{
				"defs/a.yaml": {Data: []byte(minimalYAML("alpha", 1))},
				"defs/b.yaml": {Data: []byte(strings.Replace(minimalYAML("beta", 1), "dimension: beta,", "dimension: nowhere,", 1))},
			},
			wants: []string{"defs/b.yaml", "defs/b.yaml:19: Item b1: die Dimension „nowhere“ gibt es nicht"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFS(tt.fsys, "defs")
			if err == nil {
				t.Fatal("LoadFS succeeded, want an error")
			}
			for _, want := range tt.wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not contain %q: %v", want, err)
				}
			}
		})
	}
}

func TestSetLookups(t *testing.T) {
	fsys := fstest.MapFS{
		"defs/mini-v1.yaml":  {Data: []byte(minimalYAML("mini", 1))},
		"defs/mini-v2.yaml":  {Data: []byte(minimalYAML("mini", 2))},
		"defs/mini-v10.yaml": {Data: []byte(minimalYAML("mini", 10))},
		"defs/abc-v3.yaml":   {Data: []byte(minimalYAML("abc", 3))},
		"defs/notes.txt":     {Data: []byte("not an instrument")},
	}
	set, err := LoadFS(fsys, "defs")
	if err != nil {
		t.Fatalf("LoadFS error: %v", err)
	}

	var all []string
	for _, in := range set.All() {
		all = append(all, in.Ref())
	}
	if want := []string{"abc@3", "mini@1", "mini@2", "mini@10"}; !slices.Equal(all, want) {
		t.Errorf("All() = %v, want %v", all, want)
	}

	if in, ok := set.Latest("mini"); !ok || in.Version != 10 {
		t.Errorf("Latest(mini) = %v, %v; want version 10 (numeric, not string order)", in, ok)
	}
	if in, ok := set.Latest("nope"); ok {
		t.Errorf("Latest(nope) = %s, want not found", in.Ref())
	}
	if in, ok := set.Get("mini@2"); !ok || in.Ref() != "mini@2" {
		t.Errorf("Get(mini@2) = %v, %v", in, ok)
	}
	if _, ok := set.Get("mini"); ok {
		t.Error("Get(mini) without version found something, want not found")
	}

	tests := []struct {
		name    string
		ref     string
		want    string // ref of the resolved instrument; "" = error expected
		errWant string
	}{
		{name: "bare id resolves to latest", ref: "mini", want: "mini@10"},
		{name: "explicit version", ref: "mini@1", want: "mini@1"},
		{name: "other id", ref: "abc", want: "abc@3"},
		{name: "unknown id", ref: "nope", errWant: `"nope" not found`},
		{name: "unknown version", ref: "mini@3", errWant: `"mini@3" not found`},
		{name: "version not a number", ref: "mini@x", errWant: "must be a number"},
		{name: "empty version", ref: "mini@", errWant: "must be a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := set.Resolve(tt.ref)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Resolve(%q) = %s, want error", tt.ref, in.Ref())
				}
				if !strings.Contains(err.Error(), tt.errWant) {
					t.Errorf("Resolve(%q) error %q does not contain %q", tt.ref, err, tt.errWant)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%q) error: %v", tt.ref, err)
			}
			if in.Ref() != tt.want {
				t.Errorf("Resolve(%q) = %s, want %s", tt.ref, in.Ref(), tt.want)
			}
		})
	}
}

func TestResolveDefaultSet(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatalf("Load() error: %v", err)
	}
	latest, ok := set.Latest(DefaultID)
	if !ok {
		t.Fatalf("Latest(%q) not found", DefaultID)
	}
	tests := []struct {
		name    string
		ref     string
		want    string
		wantErr bool
	}{
		{name: "bare id is latest", ref: "einordnung", want: latest.Ref()},
		{name: "empty ref is the default", ref: "", want: latest.Ref()},
		{name: "version 1", ref: "einordnung@1", want: "einordnung@1"},
		{name: "unknown id", ref: "nope", wantErr: true},
		{name: "version not a number", ref: "einordnung@x", wantErr: true},
		{name: "unknown version", ref: "einordnung@999", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := set.Resolve(tt.ref)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Resolve(%q) = %s, want error", tt.ref, in.Ref())
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%q) error: %v", tt.ref, err)
			}
			if in.Ref() != tt.want {
				t.Errorf("Resolve(%q) = %s, want %s", tt.ref, in.Ref(), tt.want)
			}
		})
	}
}

// Every item, statement and background question is on exactly one page, and
// a page's IDs are what it asks (a page save replaces exactly those).
func TestPagesListWhatTheyAsk(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	in, err := set.Resolve(DefaultID)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, p := range in.Pages() {
		for _, id := range p.IDs {
			seen[id]++
		}
		if p.Kind == PageDimension && len(p.IDs) != len(p.Items) {
			t.Errorf("page of %s: %d ids for %d items", p.Dimension.ID, len(p.IDs), len(p.Items))
		}
	}
	want := len(in.Items) + len(in.Knowledge) + len(in.Background)
	if len(seen) != want {
		t.Errorf("pages ask %d different ids, want %d", len(seen), want)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s is on %d pages", id, n)
		}
	}
}

// TestSetAddWhileOthersRead: the running server adds an uploaded instrument
// while participants' requests look instruments up; run with -race.
func TestSetAddWhileOthersRead(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	base, _ := set.Latest(DefaultID)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				set.Get(base.Ref())
				set.Latest(DefaultID)
				set.All()
				if _, err := set.Resolve(DefaultID); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for v := 2; v < 50; v++ {
		in := *base
		in.Version = v + 100
		if err := set.Add(&in); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if got, _ := set.Latest(DefaultID); got.Version != 149 {
		t.Errorf("latest version %d after the adds, want 149", got.Version)
	}
}
