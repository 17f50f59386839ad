package reports

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
)

// plainNumber is a number as the exports write one; leading zeros that
// would change meaning (a code like 007) stay text. A typed text that starts
// with "-" never matches: SafeCell has put an apostrophe before it.
var plainNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?(e[-+][0-9]+)?$`)

// maxSheetRows is Excel's row limit per sheet, header included.
const maxSheetRows = 1_048_576

// WriteXLSX writes a workbook with the sheets wide, long, codebook and
// report. The data sheets are the CSV exports row by row (streamed, so the
// formula-injection guard and the contract are the CSV's); a long export
// beyond Excel's row limit is cut and says so in its last row.
func WriteXLSX(w io.Writer, store *db.Store, inst *questions.Instrument, cohort *db.Cohort, rep *Cohort) error {
	f := excelize.NewFile()
	defer f.Close()
	sheets := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"wide", func(w io.Writer) error { return WriteWide(w, store, inst, cohort) }},
		{"long", func(w io.Writer) error { return WriteLong(w, store, inst, cohort) }},
		{"codebook", func(w io.Writer) error { return WriteCodebook(w, inst) }},
		{"report", func(w io.Writer) error { return writeReportCSV(w, rep) }},
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			return err
		}
		if err := streamSheet(f, s.name, s.write); err != nil {
			return fmt.Errorf("reports: sheet %s: %w", s.name, err)
		}
	}
	return f.Write(w)
}

// streamSheet pipes a CSV writer's output into a worksheet row by row.
func streamSheet(f *excelize.File, sheet string, write func(io.Writer) error) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	r := csv.NewReader(pr)
	r.FieldsPerRecord = -1
	row := 1
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			pr.CloseWithError(err)
			return err
		}
		if row == maxSheetRows {
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := sw.SetRow(cell, []any{"… more rows than Excel holds: use the CSV export"}); err != nil {
				return err
			}
			pr.CloseWithError(errors.New("sheet full"))
			break
		}
		values := make([]any, len(rec))
		for i, v := range rec {
			values[i] = v
			// Numbers become numbers, so Excel can compute with them.
			if plainNumber.MatchString(v) {
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
		row++
	}
	return sw.Flush()
}

// writeReportCSV writes report.json's figures as a table: one row per
// dimension and comparison, then the knowledge per wave.
func writeReportCSV(w io.Writer, rep *Cohort) error {
	cw := csv.NewWriter(w)
	fields := reflect.VisibleFields(reflect.TypeOf(DimensionReport{}))
	header := []string{"comparison"}
	for _, f := range fields {
		header = append(header, strings.Split(f.Tag.Get("json"), ",")[0])
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, part := range []struct {
		name string
		rows []DimensionReport
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
