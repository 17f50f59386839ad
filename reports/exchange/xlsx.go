package exchange

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports"
)

// plainNumber is a number as the exports write one; leading zeros that
// would change meaning (a code like 007) stay text.
var plainNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?(e[-+][0-9]+)?$`)

// maxSheetRows is Excel's row limit per sheet, header included.
const maxSheetRows = 1_048_576

// WriteXLSX writes a workbook with the sheets wide, long, codebook, report
// and Qualität (quality.json as a table). The data sheets are the CSV exports row by row (streamed, so the
// formula-injection guard and the contract are the CSV's); only columns
// that hold numbers by definition become numeric cells, so a typed text
// like "0.10" or a pseudonym of digits stays exactly as it was. A long
// export beyond Excel's row limit is cut and says so in its last row.
func WriteXLSX(w io.Writer, store *db.Store, inst *questions.Instrument, cohort *db.Cohort, rep *reports.Cohort, qual *reports.Quality) error {
	f := excelize.NewFile()
	defer f.Close()
	ratings := map[string]bool{}
	for _, it := range inst.Items {
		ratings[it.ID], ratings[it.ID+"_then"] = true, true
	}
	for _, k := range inst.Knowledge {
		ratings[k.ID+"_conf"] = true
	}
	sheets := []struct {
		name    string
		write   func(io.Writer) error
		numeric numericCell
	}{
		{"wide", func(w io.Writer) error { return WriteWide(w, store, inst, cohort) },
			func(col string, _ map[string]string) bool { return ratings[col] || strings.HasPrefix(col, "score_") }},
		{"long", func(w io.Writer) error { return WriteLong(w, store, inst, cohort) }, longNumeric},
		{"codebook", func(w io.Writer) error { return WriteCodebook(w, inst) },
			func(col string, _ map[string]string) bool { return col == "min" || col == "max" }},
		{"report", func(w io.Writer) error { return writeReportCSV(w, rep) },
			func(col string, _ map[string]string) bool {
				return col != "comparison" && col != "dimension" && col != "suppressed"
			}},
		{"Qualität", func(w io.Writer) error { return writeQualityCSV(w, qual) },
			func(col string, _ map[string]string) bool {
				return col != "scale" && col != "dimension" && col != "wave" && col != "item" && col != "suppressed"
			}},
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			return err
		}
		if err := streamSheet(f, s.name, s.write, s.numeric); err != nil {
			return fmt.Errorf("reports: sheet %s: %w", s.name, err)
		}
	}
	return f.Write(w)
}

// longNumeric: in the long sheet only response ids, confidences and the
// values of rating answers are numbers; a typed text stays text.
func longNumeric(col string, row map[string]string) bool {
	return col == "response" || col == "confidence" || (col == "value" && row["kind"] == db.KindRating)
}

// numericCell says whether a cell holds a number by definition, given its
// column's header and the row (header → value).
type numericCell func(column string, row map[string]string) bool

// streamSheet pipes a CSV writer's output into a worksheet row by row;
// cells that numeric accepts and that hold a plain number become numbers.
func streamSheet(f *excelize.File, sheet string, write func(io.Writer) error, numeric numericCell) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	r := csv.NewReader(pr)
	r.FieldsPerRecord = -1
	var header []string
	named := map[string]string{}
	next, err := r.Read()
	for row := 1; err == nil; row++ {
		rec := next
		next, err = r.Read()
		if row == maxSheetRows && err == nil {
			// One more record follows: it would not fit. Say so instead.
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := sw.SetRow(cell, []any{"… more rows than Excel holds: use the CSV export"}); err != nil {
				return err
			}
			pr.CloseWithError(errors.New("sheet full"))
			return sw.Flush()
		}
		if row == 1 {
			header = rec
		}
		for i, col := range header {
			named[col] = ""
			if i < len(rec) {
				named[col] = rec[i]
			}
		}
		values := make([]any, len(rec))
		for i, v := range rec {
			values[i] = v
			if row > 1 && i < len(header) && numeric(header[i], named) && plainNumber.MatchString(v) {
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					values[i] = n
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := sw.SetRow(cell, values); err != nil {
			pr.CloseWithError(err)
			return err
		}
	}
	if !errors.Is(err, io.EOF) {
		pr.CloseWithError(err)
		return err
	}
	return sw.Flush()
}

// writeReportCSV writes report.json's figures as a table: one row per
// dimension and comparison, then the knowledge per wave.
func writeReportCSV(w io.Writer, rep *reports.Cohort) error {
	cw := csv.NewWriter(w)
	// The columns are report.json's: fields it leaves out stay out here.
	var fields []reflect.StructField
	header := []string{"comparison"}
	for _, f := range reflect.VisibleFields(reflect.TypeOf(reports.DimensionReport{})) {
		if name := strings.Split(f.Tag.Get("json"), ",")[0]; name != "-" {
			fields = append(fields, f)
			header = append(header, name)
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, part := range []struct {
		name string
		rows []reports.DimensionReport
	}{{"post_vs_pre", rep.Dimensions}, {"post_vs_then", rep.Then}} {
		for _, d := range part.rows {
			rec := []string{part.name}
			v := reflect.ValueOf(d)
			for _, f := range fields {
				rec = append(rec, cellValue(v.FieldByIndex(f.Index)))
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	if err := cw.Write([]string{"knowledge", "wave", "n", "accuracy", "confidence", "bias", "brier", "suppressed"}); err != nil {
		return err
	}
	for _, wave := range []string{string(db.Pre), string(db.Post)} {
		k := rep.Knowledge[wave]
		rec := []string{"knowledge", wave, fmt.Sprint(k.N), cellValue(reflect.ValueOf(k.Accuracy)), cellValue(reflect.ValueOf(k.Confidence)),
			cellValue(reflect.ValueOf(k.Bias)), cellValue(reflect.ValueOf(k.Brier)), fmt.Sprint(k.Suppressed)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeQualityCSV writes quality.json's figures as a table: per dimension
// and wave a row for the scale and one per item, then the knowledge items,
// then the response shift; the columns are quality.json's names.
func writeQualityCSV(w io.Writer, q *reports.Quality) error {
	cw := csv.NewWriter(w)
	num := func(v *float64) string { return cellValue(reflect.ValueOf(v)) }
	rows := [][]string{{"scale", "dimension", "wave", "item", "n", "k", "alpha", "alpha_ci_low", "alpha_ci_high", "omega",
		"mean", "sd", "missing", "r_drop", "alpha_if_dropped", "loading", "suppressed"}}
	for _, s := range q.Scales {
		rows = append(rows, []string{"scale", SafeCell(s.Dimension), string(s.Wave), "", fmt.Sprint(s.N), fmt.Sprint(s.K),
			num(s.Alpha), num(s.AlphaCILow), num(s.AlphaCIHigh), num(s.Omega), "", "", "", "", "", "", fmt.Sprint(s.Suppressed)})
		for _, it := range s.Items {
			rows = append(rows, []string{"item", SafeCell(s.Dimension), string(s.Wave), SafeCell(it.Item), "", "", "", "", "", "",
				num(it.Mean), num(it.SD), num(it.Missing), num(it.RDrop), num(it.AlphaIfDropped), num(it.Loading), fmt.Sprint(s.Suppressed)})
		}
	}
	// The later blocks keep the first block's four naming columns, so that
	// their counts fall under "n" and stay numbers.
	rows = append(rows, []string{"knowledge", "", "wave", "item", "n", "difficulty", "discrimination", "suppressed"})
	for _, k := range q.Knowledge {
		rows = append(rows, []string{"knowledge", "", string(k.Wave), SafeCell(k.Item), fmt.Sprint(k.N), num(k.Difficulty), num(k.Discrimination), fmt.Sprint(k.Suppressed)})
	}
	rows = append(rows, []string{"shift", "dimension", "", "", "n", "mean_pre", "mean_then", "mean_diff", "sd_diff", "t", "df", "p", "d_z", "suppressed"})
	for _, s := range q.Shift {
		rows = append(rows, []string{"shift", SafeCell(s.Dimension), "", "", fmt.Sprint(s.N), num(s.MeanPre), num(s.MeanThen), num(s.MeanDiff),
			num(s.SDDiff), num(s.T), num(s.DF), num(s.P), num(s.DZ), fmt.Sprint(s.Suppressed)})
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

// cellValue formats a report field: numbers in full precision, nil as empty.
func cellValue(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Float64 {
		return fmt.Sprintf("%.10g", v.Float())
	}
	return SafeCell(fmt.Sprint(v.Interface()))
}
