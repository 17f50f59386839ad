package exchange

import (
	"fmt"
	"io"
	"strconv"

	"einordnung/db"
	"einordnung/questions"
)

// codebookHeader is the codebook's header, as the package documentation fixes it.
var codebookHeader = []string{"item", "kind", "dimension", "reverse", "min", "max", "correct", "text_de", "text_en"}

// WriteCodebook writes the codebook of the package documentation: one row per
// question (self-ratings, knowledge items, background questions; open
// questions have kind text).
func WriteCodebook(w io.Writer, inst *questions.Instrument) error {
	cw := newCSVWriter(w)
	rows := [][]string{codebookHeader}
	lo, hi := strconv.Itoa(inst.Scale.Min), strconv.Itoa(inst.Scale.Max)
	for _, it := range inst.Items {
		rows = append(rows, []string{it.ID, db.KindRating, it.Dimension, strconv.FormatBool(it.Reverse), lo, hi, "",
			SafeCell(it.Text.DE), SafeCell(it.Text.EN)})
	}
	for _, k := range inst.Knowledge {
		rows = append(rows, []string{k.ID, db.KindKnowledge, "", "false", "", "", strconv.FormatBool(k.Correct),
			SafeCell(k.Text.DE), SafeCell(k.Text.EN)})
	}
	for _, q := range inst.Background {
		rows = append(rows, []string{q.ID, backgroundKind(q), "", "false", "", "", "",
			SafeCell(q.Text.DE), SafeCell(q.Text.EN)})
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
