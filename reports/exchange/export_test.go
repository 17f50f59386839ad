package exchange

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"einordnung/db"
	"einordnung/db/dbtest"
	"einordnung/questions"
	"einordnung/reports"
	"einordnung/reports/demo"
	"einordnung/reports/internal/reportstest"
)

// exportInstrument is a small instrument whose texts need escaping in every
// output format: apostrophes (SPSS), double quotes (R, CSV), umlauts.
func exportInstrument() *questions.Instrument {
	tx := func(de, en string) questions.Text { return questions.Text{DE: de, EN: en} }
	return &questions.Instrument{
		ID: "x", Version: 2,
		Scale: questions.Scale{Min: 0, Max: 10, MinLabel: tx("0 = gar nicht", "0 = not at all"),
			MaxLabel: tx("10 = sehr gut", "10 = very well")},
		Dimensions: []questions.Dimension{{ID: "a", Title: tx("Verstehen", "Understanding")}, {ID: "b", Title: tx("Prüfen", "Checking")}},
		Items: []questions.Item{
			{ID: "a1", Dimension: "a", Text: tx("Ich erkläre „Tokens“ und 'Prompts'", "I explain tokens")},
			{ID: "a2", Dimension: "a", Text: tx(`Ich sage "Hallo" zur KI`, `I say "hello"`)},
			{ID: "a3", Dimension: "a", Reverse: true, Text: tx("Ich halte KI für allwissend, weil sie auf jede Frage sofort eine flüssige Antwort gibt", "I think AI knows everything")},
			{ID: "b1", Dimension: "b", Text: tx("Ich prüfe Quellen", "I check sources")},
			{ID: "b2", Dimension: "b", Text: tx("Ich prüfe Zahlen", "I check numbers")},
		},
		Knowledge: []questions.KnowledgeItem{
			{ID: "k1", Correct: true, Text: tx("KI kann Quellen erfinden", "AI can invent sources")},
			{ID: "k2", Correct: false, Text: tx("KI-Detektoren sind zuverlässig", "AI detectors are reliable")},
		},
		Background: []questions.BackgroundQuestion{
			{ID: "field", Type: questions.BackgroundChoice, Text: tx("Arbeitsfeld", "Field"),
				Options: []questions.Option{{Value: "eng", Text: tx("Technik", "Engineering")}, {Value: "soc", Text: tx("Soziale Arbeit", "Social work")}}},
			{ID: "note", Type: questions.BackgroundText, Optional: true, Text: tx("Was möchten Sie noch sagen?", "Anything else?")},
		},
	}
}

func newExportStore(t testing.TB) *db.Store {
	t.Helper()
	s, _ := dbtest.Open(t)
	return s
}

func exportStr(s string) *string { return &s }
func exportInt(i int) *int       { return &i }

func utcTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// exportFixture stores a small cohort: two submitted pre responses, one
// submitted post response with retrospective ratings, and one response in
// progress, which no export may contain.
func exportFixture(t *testing.T) (*db.Store, *db.Cohort) {
	t.Helper()
	s := newExportStore(t)
	c, err := s.CreateCohort("ws26", "Jahrgang 2026", "x@2")
	if err != nil {
		t.Fatal(err)
	}
	rating := func(item string, v *string, retro bool) db.Answer {
		return db.Answer{Item: item, Kind: db.KindRating, Value: v, Retro: retro}
	}
	err = s.ImportResponses(c.ID, []db.ImportedResponse{
		{Participant: "PONE", Wave: db.Pre, SubmittedAt: utcTime(t, "2026-03-02T09:00:00Z"), Answers: []db.Answer{
			rating("a1", exportStr("7"), false), rating("a2", nil, false), rating("a3", exportStr("2"), false),
			{Item: "k1", Kind: db.KindKnowledge, Value: exportStr("true"), Confidence: exportInt(80)},
			{Item: "k2", Kind: db.KindKnowledge},
			{Item: "field", Kind: db.KindBackground, Value: exportStr("soc")},
			{Item: "note", Kind: db.KindText, Value: exportStr("=SUM(A1)")},
		}},
		{Participant: "PONE", Wave: db.Post, SubmittedAt: utcTime(t, "2026-07-01T10:30:00Z"), Answers: []db.Answer{
			rating("a1", exportStr("9"), false), rating("a1", exportStr("5"), true),
			rating("a3", exportStr("1"), false), rating("a3", exportStr("4"), true),
			{Item: "k1", Kind: db.KindKnowledge, Value: exportStr("false"), Confidence: exportInt(60)},
			{Item: "note", Kind: db.KindText, Value: exportStr("Zeile 1\nZeile 2, mit Komma und \"Zitat\"")},
		}},
		{Participant: "-dash", Wave: db.Pre, SubmittedAt: utcTime(t, "2026-03-03T12:00:00+02:00"), Answers: []db.Answer{
			rating("b1", exportStr("4"), false), rating("b2", exportStr("5"), false),
			{Item: "note", Kind: db.KindText, Value: exportStr("Grüße @alle")},
		}},
	})
	if err != nil {
		t.Fatalf("ImportResponses: %v", err)
	}
	p, err := s.CreateParticipant(db.NewParticipant{CohortID: c.ID, Pseudonym: "PBUSY", ReturnCodeHash: "rc-busy"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.StartResponse(p.ID, db.Pre, "v1", db.LinkNew)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavePage(db.PageSave{ResponseID: r.ID, Items: []string{"a1"}, Answers: []db.Answer{rating("a1", exportStr("3"), false)}, Page: 1, Reached: 1}); err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestSafeCell(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"=SUM(A1)", "'=SUM(A1)"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@x", "'@x"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"normal", "normal"},
		{"äöü", "äöü"},
		{"", ""},
		{"1-2", "1-2"},
		{"'quoted", "'quoted"},
		// An apostrophe already before a formula character gets one more, so
		// that the import can remove exactly the one the export added.
		{"'=x", "''=x"},
		{"''-x", "'''-x"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			if got := SafeCell(tt.in); got != tt.want {
				t.Errorf("SafeCell(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if back := unsafeCell(SafeCell(tt.in)); back != tt.in {
				t.Errorf("unsafeCell(SafeCell(%q)) = %q", tt.in, back)
			}
		})
	}
}

func TestWriteLongFollowsTheContract(t *testing.T) {
	s, c := exportFixture(t)
	var buf bytes.Buffer
	if err := WriteLong(&buf, s, exportInstrument(), c); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"cohort,wave,participant,response,submitted_at,item,kind,dimension,value,confidence",
		"ws26,pre,PONE,1,2026-03-02T09:00:00Z,a1,rating,a,7,",
		"ws26,pre,PONE,1,2026-03-02T09:00:00Z,a2,rating,a,,",
		"ws26,pre,PONE,1,2026-03-02T09:00:00Z,a3,rating,a,2,",
		"ws26,pre,PONE,1,2026-03-02T09:00:00Z,k1,knowledge,,true,80",
		"ws26,pre,PONE,1,2026-03-02T09:00:00Z,k2,knowledge,,,",
		"ws26,pre,PONE,1,2026-03-02T09:00:00Z,field,background,,soc,",
		"ws26,pre,PONE,1,2026-03-02T09:00:00Z,note,text,,'=SUM(A1),",
		"ws26,post,PONE,2,2026-07-01T10:30:00Z,a1,rating,a,9,",
		"ws26,then,PONE,2,2026-07-01T10:30:00Z,a1,rating,a,5,",
		"ws26,post,PONE,2,2026-07-01T10:30:00Z,a3,rating,a,1,",
		"ws26,then,PONE,2,2026-07-01T10:30:00Z,a3,rating,a,4,",
		"ws26,post,PONE,2,2026-07-01T10:30:00Z,k1,knowledge,,false,60",
		"ws26,post,PONE,2,2026-07-01T10:30:00Z,note,text,,\"Zeile 1\r\nZeile 2, mit Komma und \"\"Zitat\"\"\",",
		"ws26,pre,'-dash,3,2026-03-03T10:00:00Z,b1,rating,b,4,",
		"ws26,pre,'-dash,3,2026-03-03T10:00:00Z,b2,rating,b,5,",
		"ws26,pre,'-dash,3,2026-03-03T10:00:00Z,note,text,,Grüße @alle,",
		"",
	}, "\r\n")
	if got := buf.String(); got != want {
		t.Errorf("long export:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteWide(t *testing.T) {
	s, c := exportFixture(t)
	var buf bytes.Buffer
	if err := WriteWide(&buf, s, exportInstrument(), c); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := "cohort,participant,wave,submitted_at,a1,a2,a3,b1,b2,a1_then,a2_then,a3_then,b1_then,b2_then," +
		"k1,k1_conf,k2,k2_conf,field,note,score_a,score_b,score_a_then,score_b_then"
	want := []string{
		header,
		// a3 = 2 is reverse-keyed to 8: (7 + 8) / 2; b has no answer.
		"ws26,PONE,pre,2026-03-02T09:00:00Z,7,,2,,,,,,,,true,80,,,soc,'=SUM(A1),7.5,,,",
		// post: (9 + 9) / 2; then: (5 + 6) / 2; line break as " / ".
		"ws26,PONE,post,2026-07-01T10:30:00Z,9,,1,,,5,,4,,,false,60,,,,\"Zeile 1 / Zeile 2, mit Komma und \"\"Zitat\"\"\",9,,5.5,",
		"ws26,'-dash,pre,2026-03-03T10:00:00Z,,,,4,5,,,,,,,,,,,Grüße @alle,,4.5,,",
	}
	if len(rows) != len(want) {
		t.Fatalf("wide export has %d rows, want %d:\n%v", len(rows), len(want), rows)
	}
	for i, w := range want {
		wantRow, err := csv.NewReader(strings.NewReader(w)).Read()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rows[i], wantRow) {
			t.Errorf("row %d:\n got %q\nwant %q", i, rows[i], wantRow)
		}
	}
}

func TestWriteCodebook(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCodebook(&buf, exportInstrument()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\r\n")
	want := map[int]string{
		0: "item,kind,dimension,reverse,min,max,correct,text_de,text_en",
		1: "a1,rating,a,false,0,10,,Ich erkläre „Tokens“ und 'Prompts',I explain tokens",
		2: `a2,rating,a,false,0,10,,"Ich sage ""Hallo"" zur KI","I say ""hello"""`,
		3: `a3,rating,a,true,0,10,,"Ich halte KI für allwissend, weil sie auf jede Frage sofort eine flüssige Antwort gibt",I think AI knows everything`,
		6: "k1,knowledge,,false,,,true,KI kann Quellen erfinden,AI can invent sources",
		7: "k2,knowledge,,false,,,false,KI-Detektoren sind zuverlässig,AI detectors are reliable",
		8: "field,background,,false,,,,Arbeitsfeld,Field",
		9: "note,text,,false,,,,Was möchten Sie noch sagen?,Anything else?",
	}
	if len(lines) != 11 || lines[10] != "" {
		t.Fatalf("codebook has %d lines, want a header, 9 questions and a final CRLF:\n%s", len(lines), buf.String())
	}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("codebook line %d = %q, want %q", i, lines[i], w)
		}
	}
}

func TestWriteSPSS(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSPSS(&buf, exportInstrument(), "daten 'neu'.csv"); err != nil {
		t.Fatal(err)
	}
	sps := buf.String()
	for _, want := range []string{
		"* Einordnung – SPSS-Syntax für die breite Exportdatei „daten 'neu'.csv“ (Instrument x@2).\n",
		"/FILE='daten ''neu''.csv'\n",
		"/ENCODING='UTF8'",
		"/QUALIFIER='\"'",
		"/FIRSTCASE=2",
		"    a1 F3.0\n",
		"    a1_then F3.0\n",
		"    k1 A5\n    k1_conf F3.0\n",
		"    field A41\n",
		"    note A4000\n",
		"    score_a_then F20.0\n",
		"  a1 'Ich erkläre „Tokens“ und ''Prompts'''\n",
		"  a1_then 'Rückblickend: Ich erkläre „Tokens“ und ''Prompts'''\n",
		`  a2 'Ich sage "Hallo" zur KI'` + "\n",
		"  k1_conf 'Sicherheit in %: KI kann Quellen erfinden'\n",
		"  score_b_then 'Skalenwert rückblickend: Prüfen'.\n",
		"  a1 a2 a3 b1 b2 a1_then a2_then a3_then b1_then b2_then\n    0 '0 = gar nicht'\n    10 '10 = sehr gut'\n",
		"  /k1 k2\n    'true' 'wahr'\n    'false' 'falsch'\n",
		"  /field\n    'eng' 'Technik'\n    'soc' 'Soziale Arbeit'\n.\n",
		"FORMATS\n  score_a score_b score_a_then score_b_then (F8.4).\n",
		// A long label is split between words into pieces joined with +.
		"  a3 'Ich halte KI für allwissend, weil sie auf jede Frage sofort eine ' +\n    'flüssige Antwort gibt'\n",
	} {
		if !strings.Contains(sps, want) {
			t.Errorf("SPSS syntax lacks %q:\n%s", want, sps)
		}
	}
	lines := strings.Split(sps, "\n")
	for i, line := range lines {
		if len(line) > 100 {
			t.Errorf("line %d has %d bytes, want at most 100 (SPSS reads up to 256)", i+1, len(line))
		}
		if strings.HasPrefix(line, "GET DATA") {
			break
		}
		// A comment ends with the line that ends with a period; the next
		// line starts a new comment or is blank.
		next := lines[i+1]
		if strings.HasSuffix(line, ".") != (strings.HasPrefix(next, "* ") || next == "") {
			t.Errorf("comment lines %d–%d: %q, %q", i+1, i+2, line, next)
		}
	}
}

// TestSPSSAndRReadTheWideExport runs the generated SPSS syntax in PSPP and
// the R script in R, where they are installed, on the fixture's wide export.
func TestSPSSAndRReadTheWideExport(t *testing.T) {
	s, c := exportFixture(t)
	inst := exportInstrument()
	dir := t.TempDir()
	write := func(name string, fn func(*bytes.Buffer) error) {
		var buf bytes.Buffer
		if err := fn(&buf); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("wide.csv", func(b *bytes.Buffer) error { return WriteWide(b, s, inst, c) })
	write("x.sps", func(b *bytes.Buffer) error {
		if err := WriteSPSS(b, inst, "wide.csv"); err != nil {
			return err
		}
		b.WriteString("LIST /VARIABLES=participant a1 a3_then k1 field score_a score_a_then.\nFREQUENCIES field.\n" +
			"DESCRIPTIVES a3.\n")
		return nil
	})
	write("x.R", func(b *bytes.Buffer) error {
		if err := WriteRScript(b, inst); err != nil {
			return err
		}
		b.WriteString(`cat(nrow(d), d$participant[3], d$a1[2], d$score_a_then[2], as.character(d$field[1]), d$note[1],
  d$k1[2], attr(d$a2, "label"), names(attr(d$a1, "labels"))[2], sep = "|")` + "\n")
		return nil
	})

	t.Run("pspp", func(t *testing.T) {
		if _, err := exec.LookPath("pspp"); err != nil {
			requireTool(t, "pspp")
		}
		cmd := exec.Command("pspp", "-o", "out.txt", "x.sps")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Fatalf("pspp: %v\n%s", err, out)
		}
		out, err := os.ReadFile(filepath.Join(dir, "out.txt"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"PONE", "'-dash", "soc", "Soziale Arbeit", "7.5000", "5.5000", "false", "eine flüssige"} {
			if !bytes.Contains(out, []byte(want)) {
				t.Errorf("PSPP output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("R", func(t *testing.T) {
		if _, err := exec.LookPath("Rscript"); err != nil {
			requireTool(t, "Rscript")
		}
		cmd := exec.Command("Rscript", "-e", `source("x.R", encoding = "UTF-8")`)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("Rscript: %v\n%s", err, out)
		}
		want := `3|-dash|9|5.5|Soziale Arbeit|=SUM(A1)|FALSE|Ich sage "Hallo" zur KI|10 = sehr gut`
		if string(out) != want {
			t.Errorf("R printed\n%s\nwant\n%s", out, want)
		}
	})
}

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

// requireTool skips a check that needs an outside program where it is not
// installed, and fails it instead when TOOLS_REQUIRED=1 (as .ci/run sets
// after installing the programs), so CI cannot pass without running it.
func requireTool(t *testing.T, name string) {
	t.Helper()
	if os.Getenv("TOOLS_REQUIRED") == "1" {
		t.Fatalf("%s is not installed, but TOOLS_REQUIRED=1", name)
	}
	t.Skipf("%s is not installed (set TOOLS_REQUIRED=1 to make this a failure)", name)
}
