package exchange

import (
	"encoding/json"
	"io"

	"einordnung/reports"
)

// WriteReportJSON writes report.json: the cohort's figures (rep.Report),
// indented by two spaces, with a final line break.
func WriteReportJSON(w io.Writer, rep *reports.Cohort) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep.Report)
}

// WriteQualityJSON writes quality.json: the cohort's questionnaire quality,
// indented by two spaces, with a final line break.
func WriteQualityJSON(w io.Writer, q *reports.Quality) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(q)
}
