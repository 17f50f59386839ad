package exchange

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"einordnung/questions"
)

// SafeCell returns s as a spreadsheet cell that cannot start a formula: a
// text beginning with tab, CR or LF, or with =, +, -, @ after any spaces,
// gets a leading apostrophe. So
// that the apostrophe can be told apart from one a participant typed, a
// text of apostrophes followed by one of those characters gets one more;
// ReadLong removes exactly the one added. Every CSV and XLSX writer uses it
// for cells that may hold typed text.
func SafeCell(s string) string {
	if formulaLike(s) {
		return "'" + s
	}
	return s
}

// formulaLike reports whether s, after any leading apostrophes, starts with
// what a spreadsheet may read as the start of a formula: a line break or tab
// (some programs skip them, and the formula behind), or a formula character,
// also after spaces, which some programs skip too.
func formulaLike(s string) bool {
	s = strings.TrimLeft(s, "'")
	if s != "" && strings.IndexByte("\t\r\n", s[0]) >= 0 {
		return true
	}
	s = strings.TrimLeft(s, " ")
	return s != "" && strings.IndexByte("=+-@", s[0]) >= 0
}

// unsafeCell undoes SafeCell.
func unsafeCell(s string) string {
	if strings.HasPrefix(s, "'") && formulaLike(s[1:]) {
		return s[1:]
	}
	return s
}

// lineBreaks writes every line break of a text as LF. A CSV writer with
// CRLF line ends (RFC 4180) writes LF within a field as CRLF but drops a
// lone CR, which would change the text.
func lineBreaks(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// newCSVWriter returns an RFC 4180 writer (CRLF line ends) on w.
func newCSVWriter(w io.Writer) *csv.Writer {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return cw
}

// endCSV ends a file written through cw after the rows were written with
// the result err: it flushes cw, and names the file (what) in an error.
func endCSV(cw *csv.Writer, err error, what string) error {
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err != nil {
		return fmt.Errorf("reports: %s: %w", what, err)
	}
	return nil
}

// exportTime formats a submission time as the exports do: RFC 3339 in UTC.
func exportTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func scaleRange(s questions.Scale) string { return fmt.Sprintf("%d–%d", s.Min, s.Max) }

// scaleColumns is a scale and the wide file's rating columns (now and
// then) of the items rated on it.
type scaleColumns struct {
	scale   questions.Scale
	columns []string
}

// ratingScales groups the wide file's rating columns by their item's
// scale, in column order: value labels and anchors go per scale.
func ratingScales(inst *questions.Instrument) []scaleColumns {
	var out []scaleColumns
	for _, c := range wideColumns(inst) {
		if c.kind != wideRating && c.kind != wideThen {
			continue
		}
		it, _ := inst.Item(c.question)
		sc := inst.ScaleOf(it)
		i := slices.IndexFunc(out, func(g scaleColumns) bool { return g.scale.String() == sc.String() })
		if i < 0 {
			out, i = append(out, scaleColumns{scale: sc}), len(out)
		}
		out[i].columns = append(out[i].columns, c.name)
	}
	return out
}

// scaleRanges names every scale range the ratings use ("0–10", "1–5 und 0–10").
func scaleRanges(inst *questions.Instrument) string {
	var ranges []string
	for _, g := range ratingScales(inst) {
		if r := scaleRange(g.scale); !slices.Contains(ranges, r) {
			ranges = append(ranges, r)
		}
	}
	if len(ranges) < 2 {
		return strings.Join(ranges, "")
	}
	return strings.Join(ranges[:len(ranges)-1], ", ") + " und " + ranges[len(ranges)-1]
}

// labelledPoints is every point of a scale that has a German label.
func labelledPoints(sc questions.Scale) (points []int, labels []string) {
	for v := sc.Min; v <= sc.Max; v++ {
		if l := sc.PointLabel(v)["de"]; l != "" {
			points, labels = append(points, v), append(labels, l)
		}
	}
	return points, labels
}
