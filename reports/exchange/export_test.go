package exchange

import (
	"bytes"
	"encoding/csv"
	"fmt"
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
)

// exportInstrument is a small instrument whose texts need escaping in every
// output format: apostrophes (SPSS), double quotes (R, CSV), umlauts.
func exportInstrument() *questions.Instrument {
	tx := func(de, en string) questions.Text { return questions.Text{"de": de, "en": en} }
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
		{"\r\n=1+1", "'\r\n=1+1"},
		{"\n=1+1", "'\n=1+1"},
		{" =1+1", "' =1+1"}, // spreadsheets may skip leading spaces
		{"  @x", "'  @x"},
		{"' =x", "'' =x"},
		{" x", " x"},
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

// TestWriteLongExcelHasTheSameCells: the Excel variant starts with the
// byte order mark, separates by semicolons, and holds cell for cell what the
// RFC 4180 file holds, the formula guard included.
func TestWriteLongExcelHasTheSameCells(t *testing.T) {
	s, c := exportFixture(t)
	var rfc, excel bytes.Buffer
	if err := WriteLong(&rfc, s, exportInstrument(), c); err != nil {
		t.Fatal(err)
	}
	if err := WriteLongExcel(&excel, s, exportInstrument(), c); err != nil {
		t.Fatal(err)
	}
	raw := excel.Bytes()
	if !bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("Excel file starts with % x, want the UTF-8 byte order mark", raw[:min(3, len(raw))])
	}
	if !strings.Contains(string(raw), "\r\nws26;pre;PONE;1;2026-03-02T09:00:00Z;note;text;;'=SUM(A1);\r\n") {
		t.Errorf("Excel file has no semicolon-separated, guarded row for the formula text:\n%s", raw)
	}
	want, err := csv.NewReader(&rfc).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(raw[3:]))
	r.Comma = ';'
	got, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Excel cells:\n%q\nwant the RFC 4180 file's:\n%q", got, want)
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
	// A data file named otherwise than wide.csv: the scripts open the name given.
	const data = "ws26 daten.csv"
	write(data, func(b *bytes.Buffer) error { return WriteWide(b, s, inst, c) })
	write("x.sps", func(b *bytes.Buffer) error {
		if err := WriteSPSS(b, inst, data); err != nil {
			return err
		}
		b.WriteString("LIST /VARIABLES=participant a1 a3_then k1 field score_a score_a_then.\nFREQUENCIES field.\n" +
			"DESCRIPTIVES a3.\n")
		return nil
	})
	write("x.R", func(b *bytes.Buffer) error {
		if err := WriteRScript(b, inst, data, "x.R"); err != nil {
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
