package exchange

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports"
	"einordnung/reports/demo"
	"einordnung/reports/internal/reportstest"
)

// longFile builds a long CSV from rows of the ten columns.
func longFile(rows ...string) string {
	return strings.Join(append([]string{strings.Join(longHeader, ",")}, rows...), "\r\n") + "\r\n"
}

func TestReadLongRejectsBadRowsWithLineNumbers(t *testing.T) {
	const at = "2026-03-02T09:00:00Z"
	file := longFile(
		"ws26,pre,PONE,1,"+at+",a1,rating,a,7,",                // 2 fine
		"ws26,pre,PONE,1,"+at+",a2,rating,a,11,",               // 3
		"ss27,pre,PONE,1,"+at+",a3,rating,a,2,",                // 4
		"ws26,during,PONE,1,"+at+",b1,rating,b,2,",             // 5
		"ws26,pre,PONE,1,"+at+",zz,rating,a,2,",                // 6
		"ws26,pre,PONE,1,"+at+",k1,knowledge,,true,40",         // 7
		"ws26,then,PONE,1,"+at+",k2,knowledge,,false,70",       // 8
		"ws26,pre,PONE,1,"+at+",a1,rating,a,6,",                // 9
		"ws26,then,PTWO,9,"+at+",a1,rating,a,3,",               // 10
		"ws26,pre,PONE,1,2026-03-02T09:00:01Z,b2,rating,b,5,",  // 11
		"ws26,pre,PONE,1,"+at+",field,background,,xyz,",        // 12
		"ws26,pre,PONE,1,"+at+",note,text,",                    // 13
		"ws26,pre,PONE,1,"+at+",b1,text,,4,",                   // 14
		"ws26,pre,PTHREE,2,"+at+",a2,rating,b,4,",              // 15
		"ws26,pre,P ONE!,1,"+at+",a2,rating,a,4,",              // 16
		"ws26,pre,PFOUR,1,gestern,a2,rating,a,4,",              // 17
		"ws26,pre,PFIVE,3,"+at+",k2,knowledge,,true,",          // 18
		"ws26,pre,PFIVE,3,"+at+",b1,rating,b,3,80",             // 19
		"ws26,pre,PFIVE,3,"+at+",b2,rating,b,sieben,",          // 20
		"ws26,post,PSIX,4,"+at+",note,text,,\"zwei\nZeilen\",", // 21, spans two text lines
		"ws26,pre,PSIX,5,"+at+",k1,knowledge,,vielleicht,90",   // 22
	)
	_, err := ReadLong(strings.NewReader(file), exportInstrument(), "ws26")
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("ReadLong: %v, want an *ImportError", err)
	}
	want := []string{
		"Zeile 3: Wert 11 liegt außerhalb der Skala 0–10",
		"Zeile 4: Jahrgang „ss27“ statt „ws26“",
		"Zeile 5: Welle „during“ gibt es nicht (pre, post oder then)",
		"Zeile 6: Frage „zz“ gibt es im Instrument x@2 nicht",
		"Zeile 7: Sicherheit „40“: erlaubt ist eine ganze Zahl von 50 bis 100",
		"Zeile 8: rückblickende Einschätzungen (then) gibt es nur bei Selbsteinschätzungen, nicht bei k2",
		"Zeile 9: PONE hat a1 in Welle pre schon in Zeile 2 beantwortet",
		"Zeile 10: rückblickende Einschätzung (then) von PTWO ohne Nachher-Befragung (post) in der Datei",
		"Zeile 11: Abgabezeit 2026-03-02T09:00:01Z weicht von Zeile 2 ab (2026-03-02T09:00:00Z); alle Zeilen einer Befragung tragen dieselbe",
		"Zeile 12: „xyz“ ist keine Antwort auf field (erlaubt: eng, soc)",
		"Zeile 13: 8 Spalten statt 10",
		"Zeile 14: Art „text“ passt nicht zur Frage b1 (erwartet: rating)",
		"Zeile 15: Dimension „b“ passt nicht zur Frage a2 (erwartet: a)",
		"Zeile 16: Pseudonym „P ONE!“ ungültig: 1–24 Zeichen aus Buchstaben A–Z, Ziffern, _ und -",
		"Zeile 17: Abgabezeit „gestern“ ist keine Zeitangabe nach RFC 3339 (z. B. 2026-03-01T09:30:00Z)",
		"Zeile 18: Wissensantwort und Sicherheit gehören zusammen: beide angeben oder beide leer lassen",
		"Zeile 19: eine Sicherheit gibt es nur bei Wissensfragen (Spalte confidence leer lassen)",
		"Zeile 20: Wert „sieben“ ist keine ganze Zahl",
		"Zeile 22: Wissensantwort „vielleicht“: erlaubt sind true, false oder leer",
	}
	if !reflect.DeepEqual(ie.Problems, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(ie.Problems, "\n"), strings.Join(want, "\n"))
	}
	if ie.Omitted != 0 {
		t.Errorf("Omitted = %d, want 0", ie.Omitted)
	}
	if !strings.HasPrefix(err.Error(), "Datei abgelehnt, nichts importiert: 19 Probleme\nZeile 3: ") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestReadLongFileProblems(t *testing.T) {
	const at = "2026-03-02T09:00:00Z"
	many := []string{}
	for i := 0; i < 150; i++ {
		many = append(many, fmt.Sprintf("ws26,pre,P%d,1,%s,a1,rating,a,99,", i, at))
	}
	tests := []struct {
		name    string
		file    string
		want    []string // the first problems
		omitted int
	}{
		{"empty", "", []string{"Zeile 1: die Datei enthält keine Antworten"}, 0},
		{"header only", longFile(), []string{"Zeile 1: die Datei enthält keine Antworten"}, 0},
		{"wrong header", "cohort,wave,person\r\nws26,pre,P1\r\n",
			[]string{"Zeile 1: die Kopfzeile muss genau lauten: " + strings.Join(longHeader, ",")}, 0},
		{"broken quotes", longFile("ws26,pre,PONE,1," + at + ",note,text,,\"offen\"x,"),
			[]string{"Zeile 2: die Datei ist ab Textzeile 2 kein gültiges CSV (extraneous or missing \" in quoted-field); " +
				"Texte mit Komma, Anführungszeichen oder Zeilenumbruch gehören in doppelte Anführungszeichen"}, 0},
		{"not UTF-8", longFile("ws26,pre,PONE,1," + at + ",note,text,,Gr\xfc\xdfe,"),
			[]string{"Zeile 2: der Text ist nicht UTF-8-kodiert (bitte als „CSV UTF-8“ speichern)"}, 0},
		{"150 problems", longFile(many...), []string{"Zeile 2: Wert 99 liegt außerhalb der Skala 0–10"}, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadLong(strings.NewReader(tt.file), exportInstrument(), "ws26")
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("ReadLong: %v, want an *ImportError", err)
			}
			if len(ie.Problems) < len(tt.want) || !reflect.DeepEqual(ie.Problems[:len(tt.want)], tt.want) {
				t.Errorf("problems %q, want them to start with %q", ie.Problems, tt.want)
			}
			if ie.Omitted != tt.omitted || len(ie.Problems) > MaxImportProblems {
				t.Errorf("%d problems listed, %d omitted; want at most %d listed and %d omitted",
					len(ie.Problems), ie.Omitted, MaxImportProblems, tt.omitted)
			}
		})
	}
}

func TestReadLongGroupsResponses(t *testing.T) {
	tests := []struct {
		name string
		file string
	}{
		{"contract", longFile(
			"ws26,then,PONE,7,2026-07-01T12:30:00+02:00,a1,rating,a,5,",
			"ws26,pre,PONE,3,2026-03-02T09:00:00Z,a1,rating,a,7,",
			"ws26,post,PONE,7,2026-07-01T10:30:00Z,a1,rating,a,,",
			"ws26,post,PONE,7,2026-07-01T10:30:00Z,k1,knowledge,,false,60",
			"ws26,post,PONE,7,2026-07-01T10:30:00Z,k2,knowledge,,,",
			"ws26,pre,'-dash,8,2026-03-02T09:00:00Z,note,text,,'=1+1,",
			"ws26,pre,'-dash,8,2026-03-02T09:00:00Z,field,background,,eng,",
		)},
		// As a spreadsheet saves it: byte order mark, semicolons, LF line ends.
		{"spreadsheet", "\xef\xbb\xbf" + strings.Join([]string{
			strings.Join(longHeader, ";"),
			"ws26;then;PONE;7;2026-07-01T12:30:00+02:00;a1;rating;a;5;",
			"ws26;pre;PONE;3;2026-03-02T09:00:00Z;a1;rating;a;7;",
			"ws26;post;PONE;7;2026-07-01T10:30:00Z;a1;rating;a;;",
			"ws26;post;PONE;7;2026-07-01T10:30:00Z;k1;knowledge;;false;60",
			"ws26;post;PONE;7;2026-07-01T10:30:00Z;k2;knowledge;;;",
			"ws26;pre;'-dash;8;2026-03-02T09:00:00Z;note;text;;'=1+1;",
			"ws26;pre;'-dash;8;2026-03-02T09:00:00Z;field;background;;eng;",
		}, "\n") + "\n"},
	}
	post := utcTime(t, "2026-07-01T10:30:00Z")
	pre := utcTime(t, "2026-03-02T09:00:00Z")
	want := []db.ImportedResponse{
		{Participant: "PONE", Wave: db.Post, SubmittedAt: post, Answers: []db.Answer{
			{Item: "a1", Kind: db.KindRating, Retro: true, Value: exportStr("5")},
			{Item: "a1", Kind: db.KindRating},
			{Item: "k1", Kind: db.KindKnowledge, Value: exportStr("false"), Confidence: exportInt(60)},
			{Item: "k2", Kind: db.KindKnowledge},
		}},
		{Participant: "PONE", Wave: db.Pre, SubmittedAt: pre, Answers: []db.Answer{
			{Item: "a1", Kind: db.KindRating, Value: exportStr("7")},
		}},
		{Participant: "-dash", Wave: db.Pre, SubmittedAt: pre, Answers: []db.Answer{
			{Item: "note", Kind: db.KindText, Value: exportStr("=1+1")},
			{Item: "field", Kind: db.KindBackground, Value: exportStr("eng")},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadLong(strings.NewReader(tt.file), exportInstrument(), "ws26")
			if err != nil {
				t.Fatalf("ReadLong: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ReadLong:\n%s\nwant:\n%s", showImported(got), showImported(want))
			}
		})
	}
}

func showImported(rs []db.ImportedResponse) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "%s %s %s:", r.Participant, r.Wave, r.SubmittedAt.Format(time.RFC3339))
		for _, a := range r.Answers {
			v, c := "nil", "nil"
			if a.Value != nil {
				v = *a.Value
			}
			if a.Confidence != nil {
				c = fmt.Sprint(*a.Confidence)
			}
			fmt.Fprintf(&b, " [%s %s retro=%v %q %s]", a.Item, a.Kind, a.Retro, v, c)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// roundTrip exports a cohort's long CSV, imports it into a new cohort of a
// new database and exports that again: the rows must match except for the
// cohort and the response ids. It returns the new cohort.
func roundTrip(t *testing.T, s *db.Store, inst *questions.Instrument, c *db.Cohort) (*db.Store, *db.Cohort, int) {
	t.Helper()
	var first bytes.Buffer
	if err := WriteLong(&first, s, inst, c); err != nil {
		t.Fatal(err)
	}
	// Point the file at the new cohort, as a lead would before importing.
	in, err := csv.NewReader(bytes.NewReader(first.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range in[1:] {
		r[0] = "ss27"
	}
	var retargeted bytes.Buffer
	if err := newCSVWriter(&retargeted).WriteAll(in); err != nil {
		t.Fatal(err)
	}

	s2 := newExportStore(t)
	c2, err := s2.CreateCohort("ss27", "Import", c.Instrument)
	if err != nil {
		t.Fatal(err)
	}
	responses, err := ReadLong(&retargeted, inst, "ss27")
	if err != nil {
		t.Fatalf("ReadLong of an export: %v", err)
	}
	if err := s2.ImportResponses(c2.ID, responses); err != nil {
		t.Fatal(err)
	}
	var second bytes.Buffer
	if err := WriteLong(&second, s2, inst, c2); err != nil {
		t.Fatal(err)
	}
	out, err := csv.NewReader(&second).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("export after import has %d rows, before %d", len(out), len(in))
	}
	for i := range in {
		a, b := in[i], out[i]
		if i > 0 {
			a[3], b[3] = "", ""
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("row %d changed:\nbefore %q\nafter  %q", i+1, a, b)
		}
	}
	return s2, c2, len(in) - 1
}

func TestLongExportRoundTrip(t *testing.T) {
	t.Run("fixture", func(t *testing.T) {
		s, c := exportFixture(t)
		if _, _, n := roundTrip(t, s, exportInstrument(), c); n != 16 {
			t.Errorf("%d answer rows, want 16", n)
		}
	})
	t.Run("demo", func(t *testing.T) {
		s, inst, c := reportstest.DemoCohort(t, "demo")
		if _, err := demo.Generate(s, inst, c, 60, 3, reportstest.DemoDay); err != nil {
			t.Fatal(err)
		}
		s2, c2, n := roundTrip(t, s, inst, c)
		if n < 60*50 {
			t.Errorf("only %d answer rows for 60 demo participants", n)
		}
		// The report of a cohort equals the report of its own long export.
		before, err := reports.Build(s, inst, c)
		if err != nil {
			t.Fatal(err)
		}
		after, err := reports.Build(s2, inst, c2)
		if err != nil {
			t.Fatal(err)
		}
		// Build sums in map order, so figures agree to rounding only.
		after.Report.Cohort = before.Report.Cohort
		a, errA := json.Marshal(before.Report)
		b, errB := json.Marshal(after.Report)
		var va, vb any
		if errA != nil || errB != nil || json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil ||
			!sameJSON(va, vb) || len(before.Report.Dimensions) == 0 {
			t.Errorf("report.json of the cohort:\n%s\nof its export imported again:\n%s", a, b)
		}
	})
}

// sameJSON compares decoded JSON values, numbers to a relative 1e-9.
func sameJSON(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !sameJSON(x[k], y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case float64:
		y, ok := b.(float64)
		return ok && math.Abs(x-y) <= 1e-9*math.Max(1e-300, math.Max(math.Abs(x), math.Abs(y)))
	default:
		return a == b
	}
}

// An imported free text passes the same normaliser and limit as the form's
// (package clean), and comes out of every export with the formula guard.
func TestImportedTextIsCleanedLikeTheForm(t *testing.T) {
	const at = "2026-03-02T09:00:00Z"
	inst := exportInstrument()
	file := longFile(
		"ws26,pre,PONE,1,"+at+",note,text,,Frei\x00text,",
		"ws26,pre,PTWO,2,"+at+",note,text,,\"\r\n=1+1\",",
		"ws26,pre,PTHREE,3,"+at+",note,text,,"+strings.Repeat("ä", 2000)+",",
	)
	s := newExportStore(t)
	c, err := s.CreateCohort("ws26", "Test", inst.Ref())
	if err != nil {
		t.Fatal(err)
	}
	responses, err := ReadLong(strings.NewReader(file), inst, "ws26")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ImportResponses(c.ID, responses); err != nil {
		t.Fatal(err)
	}
	rep, err := reports.Build(s, inst, c)
	if err != nil {
		t.Fatal(err)
	}
	qual, err := reports.BuildQuality(s, inst, c)
	if err != nil {
		t.Fatal(err)
	}
	var book bytes.Buffer
	if err := WriteXLSX(&book, s, inst, c, rep, qual); err != nil {
		t.Fatal(err)
	}
	xl, err := excelize.OpenReader(&book)
	if err != nil {
		t.Fatal(err)
	}
	defer xl.Close()
	sheet := func(name string) [][]string {
		rows, err := xl.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	// The note of each participant in a file: by its column in a wide one, by
	// the item column in a long one.
	notes := func(rows [][]string, wide bool) map[string]string {
		out := map[string]string{}
		note := 8
		for i, h := range rows[0] {
			if wide && h == "note" {
				note = i
			}
		}
		for _, r := range rows[1:] {
			switch {
			case wide:
				out[r[1]] = r[note]
			case r[5] == "note":
				out[r[2]] = r[note]
			}
		}
		return out
	}
	files := map[string]map[string]string{
		"responses.csv":   notes(csvRecords(t, func(w io.Writer) error { return WriteLong(w, s, inst, c) }), false),
		"wide.csv":        notes(csvRecords(t, func(w io.Writer) error { return WriteWide(w, s, inst, c) }), true),
		"XLSX sheet long": notes(sheet("long"), false),
		"XLSX sheet wide": notes(sheet("wide"), true),
	}
	for what, got := range files {
		if got["PONE"] != "Freitext" {
			t.Errorf("%s: Frei\\x00text is stored as %q, want %q", what, got["PONE"], "Freitext")
		}
		if v := got["PTWO"]; !strings.HasPrefix(v, "'") {
			t.Errorf("%s: the text \\r\\n=1+1 is written as %q, without the formula guard", what, v)
		}
		if n := len([]rune(got["PTHREE"])); n != 2000 {
			t.Errorf("%s: a text of 2000 characters has %d", what, n)
		}
	}

	// One character more is refused, as the form refuses it.
	_, err = ReadLong(strings.NewReader(longFile("ws26,pre,PONE,1,"+at+",note,text,,"+strings.Repeat("a", 2001)+",")), inst, "ws26")
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0] != "Zeile 2: der Text ist länger als 2000 Zeichen" {
		t.Errorf("a text of 2001 characters: %v, want it refused", err)
	}
}
