package exchange

import (
	"fmt"
	"io"
	"slices"
	"strconv"

	"einordnung/db"
	"einordnung/questions"
)

// codebookHeader is the codebook's header, as the package documentation
// fixes it; an instrument in more languages adds a text_<code> column for
// each after text_en.
var codebookHeader = []string{"item", "kind", "dimension", "reverse", "min", "max", "correct", "text_de", "text_en"}

// codebookLanguages are the languages of the codebook's text columns.
func codebookLanguages(inst *questions.Instrument) []string {
	langs := []string{"de", "en"}
	for _, l := range inst.Languages {
		if !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	return langs
}

// WriteCodebook writes the codebook of the package documentation: one row per
// question (self-ratings, knowledge items, background questions; open
// questions have kind text).
func WriteCodebook(w io.Writer, inst *questions.Instrument) error {
	cw := newCSVWriter(w)
	langs := codebookLanguages(inst)
	header := slices.Clone(codebookHeader)
	for _, l := range langs[2:] {
		header = append(header, "text_"+l)
	}
	// A text as the file has it, in every language, none filled in from another.
	texts := func(t questions.Text) []string {
		cells := make([]string, len(langs))
		for i, l := range langs {
			cells[i] = SafeCell(t[l])
		}
		return cells
	}
	rows := [][]string{header}
	for _, it := range inst.Items {
		sc := inst.ScaleOf(it)
		rows = append(rows, append([]string{it.ID, db.KindRating, it.Dimension, strconv.FormatBool(it.Reverse), strconv.Itoa(sc.Min), strconv.Itoa(sc.Max), ""},
			texts(it.Text)...))
	}
	for _, k := range inst.Knowledge {
		rows = append(rows, append([]string{k.ID, db.KindKnowledge, "", "false", "", "", strconv.FormatBool(k.Correct)},
			texts(k.Text)...))
	}
	for _, q := range inst.Background {
		rows = append(rows, append([]string{q.ID, backgroundKind(q), "", "false", "", "", ""},
			texts(q.Text)...))
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("reports: codebook: %w", err)
	}
	return nil
}

// backgroundKind is the answer kind a background question's answers are
// stored and exported with.
func backgroundKind(q questions.BackgroundQuestion) string {
	if q.Type == questions.BackgroundText {
		return db.KindText
	}
	return db.KindBackground
}
