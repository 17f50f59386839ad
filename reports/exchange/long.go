package exchange

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"einordnung/db"
	"einordnung/questions"
)

// longHeader is the long CSV's header, as the package documentation fixes it.
var longHeader = []string{"cohort", "wave", "participant", "response", "submitted_at", "item", "kind", "dimension", "value", "confidence"}

// WriteLong writes the cohort's submitted answers as the long CSV of the
// package documentation, one row per answer, streaming them from the store.
func WriteLong(w io.Writer, store *db.Store, inst *questions.Instrument, cohort *db.Cohort) error {
	return writeLong(newCSVWriter(w), store, inst, cohort, "long export")
}

// WriteLongExcel writes the same cells as WriteLong in the dialect German
// Excel opens with a double click: UTF-8 with a byte order mark (without
// it Excel reads the file as Windows-1252 and breaks every umlaut) and
// semicolons between the fields (a comma is the decimal separator there, so
// Excel splits at semicolons only). WriteLong's file stays the import
// contract; this one is for reading.
func WriteLongExcel(w io.Writer, store *db.Store, inst *questions.Instrument, cohort *db.Cohort) error {
	if _, err := w.Write(utf8BOM); err != nil {
		return fmt.Errorf("reports: long export for Excel: %w", err)
	}
	cw := newCSVWriter(w)
	cw.Comma = ';'
	return writeLong(cw, store, inst, cohort, "long export for Excel")
}

func writeLong(cw *csv.Writer, store *db.Store, inst *questions.Instrument, cohort *db.Cohort, what string) error {
	dimension := make(map[string]string, len(inst.Items))
	for _, it := range inst.Items {
		dimension[it.ID] = it.Dimension
	}
	if err := cw.Write(longHeader); err != nil {
		return fmt.Errorf("reports: %s: %w", what, err)
	}
	slug := SafeCell(cohort.Slug)
	rec := make([]string, len(longHeader))
	var current uint
	var response, submitted, participant string
	err := store.EachAnswer(cohort.ID, func(a *db.AnswerRow) error {
		if a.ResponseID != current || response == "" {
			current = a.ResponseID
			response = strconv.FormatUint(uint64(a.ResponseID), 10)
			submitted = exportTime(a.SubmittedAt)
			participant = SafeCell(a.Participant)
		}
		rec[0], rec[1], rec[2], rec[3], rec[4] = slug, string(a.ExportWave()), participant, response, submitted
		rec[5], rec[6], rec[7], rec[8], rec[9] = a.Item, a.Kind, "", "", ""
		if a.Kind == db.KindRating {
			rec[7] = dimension[a.Item]
		}
		if a.Value.Valid {
			rec[8] = SafeCell(lineBreaks(a.Value.String))
		}
		if a.Kind == db.KindKnowledge && a.Confidence.Valid {
			rec[9] = strconv.FormatInt(a.Confidence.Int64, 10)
		}
		return cw.Write(rec)
	})
	return endCSV(cw, err, what)
}
