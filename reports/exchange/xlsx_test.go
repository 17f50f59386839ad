package exchange

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports"
)

// xlsxFixture is exportFixture's cohort with three more participants who
// answered both waves completely, so that the report has figures above the
// privacy threshold, and free texts a spreadsheet must not take for a
// formula or a number.
func xlsxFixture(t *testing.T) (*db.Store, *questions.Instrument, *db.Cohort) {
	t.Helper()
	s, c := exportFixture(t)
	inst := exportInstrument()
	items := []string{"a1", "a2", "a3", "b1", "b2"}
	notes := []string{`=HYPERLINK("x")`, "007", "Alles gut"}
	var rs []db.ImportedResponse
	for i, who := range []string{"PTWO", "PTHREE", "PFOUR"} {
		pre, post := []int{3 + i, 4, 6 - i, 2 + i, 5}, []int{6 + i, 7, 3 - i, 5 + 2*i, 6}
		var preAnswers, postAnswers []db.Answer
		for j, it := range items {
			preAnswers = append(preAnswers, db.Answer{Item: it, Kind: db.KindRating, Value: exportStr(strconv.Itoa(pre[j]))})
			postAnswers = append(postAnswers,
				db.Answer{Item: it, Kind: db.KindRating, Value: exportStr(strconv.Itoa(post[j]))},
				db.Answer{Item: it, Kind: db.KindRating, Value: exportStr(strconv.Itoa(pre[j] - 1 + i%2)), Retro: true})
		}
		for k, item := range []string{"k1", "k2"} {
			preAnswers = append(preAnswers, db.Answer{Item: item, Kind: db.KindKnowledge,
				Value: exportStr(strconv.FormatBool((i+k)%2 == 0)), Confidence: exportInt(60 + 10*i)})
			postAnswers = append(postAnswers, db.Answer{Item: item, Kind: db.KindKnowledge,
				Value: exportStr(strconv.FormatBool(k == 0)), Confidence: exportInt(70 + 10*k)})
		}
		preAnswers = append(preAnswers,
			db.Answer{Item: "field", Kind: db.KindBackground, Value: exportStr([]string{"eng", "soc"}[i%2])},
			db.Answer{Item: "note", Kind: db.KindText, Value: exportStr(notes[i])})
		rs = append(rs,
			db.ImportedResponse{Participant: who, Wave: db.Pre, SubmittedAt: utcTime(t, fmt.Sprintf("2026-03-0%dT08:00:00Z", 4+i)), Answers: preAnswers},
			db.ImportedResponse{Participant: who, Wave: db.Post, SubmittedAt: utcTime(t, fmt.Sprintf("2026-07-0%dT08:00:00Z", 2+i)), Answers: postAnswers})
	}
	if err := s.ImportResponses(c.ID, rs); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateCohortSettings(c.ID, 0, db.MinGroupFloor); err != nil {
		t.Fatal(err)
	}
	c.MinGroup = db.MinGroupFloor
	return s, inst, c
}

// writeXLSXFixture builds the fixture's report and workbook and opens it again.
func writeXLSXFixture(t *testing.T) (*db.Store, *questions.Instrument, *db.Cohort, *reports.Cohort, *excelize.File) {
	t.Helper()
	s, inst, c := xlsxFixture(t)
	rep, err := reports.Build(s, inst, c)
	if err != nil {
		t.Fatal(err)
	}
	qual, err := reports.BuildQuality(s, inst, c)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, s, inst, c, rep, qual); err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return s, inst, c, rep, f
}

func csvRecords(t *testing.T, write func(io.Writer) error) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&buf)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func isNumberCell(ct excelize.CellType) bool {
	// A number cell has no type attribute ("n" is the default).
	return ct == excelize.CellTypeUnset || ct == excelize.CellTypeNumber
}

// sameAsCSV compares a sheet with the CSV it was made of, cell by cell:
// numbers must be number cells of the same value, everything else text
// cells with the very same text, and no cell may hold a formula.
func sameAsCSV(t *testing.T, f *excelize.File, sheet string, want [][]string) {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) {
		t.Fatalf("sheet %s has %d rows, the CSV %d", sheet, len(rows), len(want))
	}
	for r, rec := range want {
		if len(rows[r]) > len(rec) {
			t.Errorf("sheet %s row %d has %d cells, the CSV %d", sheet, r+1, len(rows[r]), len(rec))
		}
		for c, w := range rec {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			got := ""
			if c < len(rows[r]) {
				got = rows[r][c]
			}
			ct, err := f.GetCellType(sheet, cell)
			if err != nil {
				t.Fatal(err)
			}
			if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
				t.Errorf("%s!%s holds the formula %q", sheet, cell, formula)
			}
			if plainNumber.MatchString(w) {
				wv, _ := strconv.ParseFloat(w, 64)
				gv, err := strconv.ParseFloat(got, 64)
				if !isNumberCell(ct) || err != nil || !sameTo15Digits(gv, wv) {
					t.Errorf("%s!%s = %q (type %v), want the number %s", sheet, cell, got, ct, w)
				}
				continue
			}
			if got != w || (w != "" && ct != excelize.CellTypeInlineString && ct != excelize.CellTypeSharedString) {
				t.Errorf("%s!%s = %q (type %v), want the text %q", sheet, cell, got, ct, w)
			}
		}
	}
}

// sameTo15Digits compares a number cell with the CSV's figure: excelize
// writes at most 15 significant digits (Excel's precision), cutting off the
// rest of a score like 3.6666666666666665.
func sameTo15Digits(got, want float64) bool {
	return math.Abs(got-want) <= 1e-14*math.Abs(want)
}

func TestWriteXLSXSheetsAreTheCSVExports(t *testing.T) {
	s, inst, c, rep, f := writeXLSXFixture(t)
	if got, want := fmt.Sprint(f.GetSheetList()), "[wide long codebook report Qualität]"; got != want {
		t.Fatalf("sheets %s, want %s", got, want)
	}
	long := csvRecords(t, func(w io.Writer) error { return WriteLong(w, s, inst, c) })
	if len(long) != 1+16+3*(5+10+2+2+2) {
		t.Fatalf("fixture: the long CSV has %d rows", len(long))
	}
	sameAsCSV(t, f, "long", long)
	sameAsCSV(t, f, "wide", csvRecords(t, func(w io.Writer) error { return WriteWide(w, s, inst, c) }))
	sameAsCSV(t, f, "codebook", csvRecords(t, func(w io.Writer) error { return WriteCodebook(w, inst) }))
	sameAsCSV(t, f, "report", csvRecords(t, func(w io.Writer) error { return writeReportCSV(w, rep) }))
	qual, err := reports.BuildQuality(s, inst, c)
	if err != nil {
		t.Fatal(err)
	}
	sameAsCSV(t, f, "Qualität", csvRecords(t, func(w io.Writer) error { return writeQualityCSV(w, qual) }))
}

// The Qualität sheet holds quality.json's figures as numbers: each scale's
// α and interval, each item's r_drop, in quality.json's column names.
func TestWriteXLSXQualitySheet(t *testing.T) {
	s, inst, c, _, f := writeXLSXFixture(t)
	qual, err := reports.BuildQuality(s, inst, c)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Qualität")
	if err != nil {
		t.Fatal(err)
	}
	want := "scale dimension wave item n k alpha alpha_ci_low alpha_ci_high omega mean sd missing r_drop alpha_if_dropped loading suppressed"
	if got := strings.Join(rows[0], " "); got != want {
		t.Fatalf("Qualität header\n%s\nwant\n%s", got, want)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	checked := 0
	r := 1
	for _, sc := range qual.Scales {
		if rows[r][0] != "scale" || rows[r][1] != sc.Dimension || rows[r][2] != string(sc.Wave) {
			t.Fatalf("Qualität row %d = %q, want the scale %s %s", r+1, rows[r], sc.Dimension, sc.Wave)
		}
		if sc.Alpha != nil {
			for name, v := range map[string]float64{"alpha": *sc.Alpha, "alpha_ci_low": *sc.AlphaCILow, "alpha_ci_high": *sc.AlphaCIHigh} {
				cell, _ := excelize.CoordinatesToCellName(col[name]+1, r+1)
				checkNumberCell(t, f, "Qualität", cell, v)
			}
			checked++
		}
		for j, it := range sc.Items {
			row := rows[r+1+j]
			if row[0] != "item" || row[3] != it.Item {
				t.Fatalf("Qualität row %d = %q, want the item %s", r+2+j, row, it.Item)
			}
			if it.RDrop != nil {
				cell, _ := excelize.CoordinatesToCellName(col["r_drop"]+1, r+2+j)
				checkNumberCell(t, f, "Qualität", cell, *it.RDrop)
			}
		}
		r += 1 + len(sc.Items)
	}
	if checked == 0 {
		t.Fatal("fixture: no scale with an α")
	}
	if got := strings.Join(rows[r][:5], " "); got != "knowledge  wave item n" {
		t.Errorf("knowledge header %q", got)
	}
}

func TestWriteXLSXKeepsTextsAsTyped(t *testing.T) {
	_, _, _, _, f := writeXLSXFixture(t)
	rows, err := f.GetRows("long")
	if err != nil {
		t.Fatal(err)
	}
	value := -1
	for i, h := range rows[0] {
		if h == "value" {
			value = i
		}
	}
	found := map[string]excelize.CellType{}
	for r, row := range rows {
		if value >= len(row) {
			continue
		}
		switch v := row[value]; v {
		case `'=HYPERLINK("x")`, `'=SUM(A1)`, "007", "7":
			cell, _ := excelize.CoordinatesToCellName(value+1, r+1)
			ct, err := f.GetCellType("long", cell)
			if err != nil {
				t.Fatal(err)
			}
			if formula, _ := f.GetCellFormula("long", cell); formula != "" {
				t.Errorf("long!%s is the formula %q", cell, formula)
			}
			found[v] = ct
		}
	}
	for _, text := range []string{`'=HYPERLINK("x")`, `'=SUM(A1)`, "007"} {
		ct, ok := found[text]
		if !ok {
			t.Errorf("no cell %q in the long sheet", text)
		} else if ct != excelize.CellTypeInlineString && ct != excelize.CellTypeSharedString {
			t.Errorf("%q is a cell of type %v, want text", text, ct)
		}
	}
	if ct, ok := found["7"]; !ok || !isNumberCell(ct) {
		t.Errorf("the rating 7: found %v, type %v; want a number cell", ok, ct)
	}
}

func TestWriteXLSXReportSheet(t *testing.T) {
	_, inst, _, rep, f := writeXLSXFixture(t)
	rows, err := f.GetRows("report")
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	// The columns are report.json's fields of a dimension, nothing else.
	want := "comparison dimension n_pre n_post n_pairs mean_pre sd_pre mean_post sd_post mean_diff sd_diff ci_low ci_high t df p_t p_t_holm d_z d_av w_plus p_w r_rb alpha_pre alpha_post suppressed"
	if got := strings.Join(rows[0], " "); got != want {
		t.Fatalf("report header\n%s\nwant\n%s", got, want)
	}
	nDim := len(inst.Dimensions)
	if len(rows) != 1+2*nDim+3 {
		t.Fatalf("report sheet has %d rows, want %d", len(rows), 1+2*nDim+3)
	}
	for p, part := range []struct {
		name string
		rows []reports.DimensionReport
	}{{"post_vs_pre", rep.Dimensions}, {"post_vs_then", rep.Then}} {
		for d, dim := range inst.Dimensions {
			r := 1 + p*nDim + d
			if rows[r][0] != part.name || rows[r][1] != dim.ID {
				t.Errorf("report row %d = %q…, want %s %s", r+1, rows[r][:2], part.name, dim.ID)
			}
			for _, field := range []struct {
				name string
				v    *float64
			}{{"mean_pre", part.rows[d].MeanPre}, {"mean_post", part.rows[d].MeanPost}, {"mean_diff", part.rows[d].MeanDiff}} {
				if field.v == nil {
					t.Fatalf("fixture: %s %s has no %s", part.name, dim.ID, field.name)
				}
				cell, _ := excelize.CoordinatesToCellName(col[field.name]+1, r+1)
				checkNumberCell(t, f, "report", cell, *field.v)
			}
		}
	}
	k := 1 + 2*nDim
	if got := fmt.Sprint(rows[k][:3]); got != "[knowledge wave n]" {
		t.Errorf("knowledge header %s", got)
	}
	for i, wave := range []db.Wave{db.Pre, db.Post} {
		r := k + 1 + i
		if rows[r][0] != "knowledge" || rows[r][1] != string(wave) {
			t.Errorf("report row %d = %q", r+1, rows[r])
		}
		kr := rep.Knowledge[string(wave)]
		if kr.Accuracy == nil {
			t.Fatalf("fixture: no knowledge accuracy in wave %s", wave)
		}
		cell, _ := excelize.CoordinatesToCellName(4, r+1) // accuracy
		checkNumberCell(t, f, "report", cell, *kr.Accuracy)
	}
}

func checkNumberCell(t *testing.T, f *excelize.File, sheet, cell string, want float64) {
	t.Helper()
	ct, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.GetCellValue(sheet, cell)
	v, err := strconv.ParseFloat(got, 64)
	if !isNumberCell(ct) || err != nil || math.Abs(v-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s!%s = %q (type %v), want the number %v", sheet, cell, got, ct, want)
	}
}

func TestPlainNumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"0", true}, {"7", true}, {"10", true}, {"-1", true}, {"7.5", true}, {"-0.25", true},
		{"1.234e-05", true}, {"1e+21", true}, // as %.10g writes very small and large figures
		{"007", false}, {"00", false}, {"01.5", false}, // codes with leading zeros stay text
		{"", false}, {"1.", false}, {".5", false}, {"+1", false}, {"'-1", false}, {"1,5", false},
		{"1e5", false}, {"1 000", false}, {"NaN", false}, {"Inf", false}, {"true", false},
		{"2026-03-02T09:00:00Z", false}, {"P0A1B2C3D4E", false},
	}
	for _, tt := range tests {
		if got := plainNumber.MatchString(tt.in); got != tt.want {
			t.Errorf("plainNumber(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestStreamSheetCutsAtExcelsRowLimit feeds more rows than a sheet holds:
// the sheet ends with a note in its last row, and the writer is stopped.
func TestStreamSheetCutsAtExcelsRowLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a million rows")
	}
	f := excelize.NewFile()
	defer f.Close()
	var writeErr error
	done := make(chan struct{}, 1)
	err := streamSheet(f, "Sheet1", func(w io.Writer) error {
		defer func() { done <- struct{}{} }()
		bw := bufio.NewWriter(w)
		bw.WriteString("n\n")
		for i := 1; i < maxSheetRows+100_000; i++ {
			if _, writeErr = fmt.Fprintf(bw, "%d\n", i); writeErr != nil {
				return writeErr
			}
		}
		writeErr = bw.Flush()
		return writeErr
	}, func(string, map[string]string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	<-done
	if writeErr == nil {
		t.Error("the writer was not stopped at the row limit")
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	rows, err := g.Rows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	n, last, prev := 0, []string(nil), []string(nil)
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		n++
		prev, last = last, cols
	}
	rows.Close()
	if n != maxSheetRows {
		t.Errorf("%d rows, want %d", n, maxSheetRows)
	}
	if len(last) != 1 || last[0] != "… more rows than Excel holds: use the CSV export" {
		t.Errorf("last row %q, want the note that the sheet is cut", last)
	}
	// Row 1 is the header, so row maxSheetRows − 1 holds the number maxSheetRows − 2.
	if want := strconv.Itoa(maxSheetRows - 2); len(prev) != 1 || prev[0] != want {
		t.Errorf("row before the note %q, want %s", prev, want)
	}
}

// TestTypedTextStaysText: number-like texts and pseudonyms keep their exact
// form in the long sheet; only rating values become numbers.
func TestTypedTextStaysText(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	csvText := "participant,response,kind,value,confidence\n" +
		"12345678901234567890,17,text,0.10,\n" +
		"P1,18,rating,7,\n" +
		"P1,18,knowledge,true,80\n" +
		"P1,18,text,1e-07,\n"
	err := streamSheet(f, "Sheet1", func(w io.Writer) error {
		_, err := io.WriteString(w, csvText)
		return err
	}, longNumeric)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		cell, want string
		number     bool
	}{
		{"A2", "12345678901234567890", false},
		{"B2", "17", true},
		{"D2", "0.10", false},
		{"D3", "7", true},
		{"E4", "80", true},
		{"D5", "1e-07", false},
	}
	for _, tt := range tests {
		got, err := f.GetCellValue("Sheet1", tt.cell)
		if err != nil {
			t.Fatal(err)
		}
		typ, _ := f.GetCellType("Sheet1", tt.cell)
		// The stream writer leaves a number's type unset, which OOXML reads as a number.
		isNumber := typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset
		if got != tt.want || isNumber != tt.number {
			t.Errorf("%s = %q (type %v), want %q number=%v", tt.cell, got, typ, tt.want, tt.number)
		}
	}
}
