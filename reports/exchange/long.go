package exchange

import (
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
	dimension := make(map[string]string, len(inst.Items))
	for _, it := range inst.Items {
		dimension[it.ID] = it.Dimension
	}
	cw := newCSVWriter(w)
	if err := cw.Write(longHeader); err != nil {
		return fmt.Errorf("reports: long export: %w", err)
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
	return endCSV(cw, err, "long export")
}
