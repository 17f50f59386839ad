package exchange

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"einordnung/db"
	"einordnung/questions"
)

// MaxImportProblems is how many problems an ImportError lists.
const MaxImportProblems = 100

// maxImportText is the longest text answer an import accepts, in characters
// (the answers column holds 4000).
const maxImportText = 4000

// ImportError rejects an import file. Problems are in German, in line order,
// each naming its line: line 1 is the header, and a row whose text answer
// spans several lines counts as one, as in a spreadsheet.
type ImportError struct {
	Problems []string // at most MaxImportProblems
	Omitted  int      // further problems not listed
}

func (e *ImportError) Error() string {
	var b strings.Builder
	n := len(e.Problems) + e.Omitted
	if n == 1 {
		b.WriteString("Datei abgelehnt, nichts importiert: 1 Problem")
	} else {
		fmt.Fprintf(&b, "Datei abgelehnt, nichts importiert: %d Probleme", n)
	}
	for _, p := range e.Problems {
		b.WriteString("\n")
		b.WriteString(p)
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n… und %d weitere", e.Omitted)
	}
	return b.String()
}

// importProblem is one problem found, with the line it concerns.
type importProblem struct {
	line int
	text string
}

// importGroup collects the rows of one response of the file.
type importGroup struct {
	resp      db.ImportedResponse
	timeLine  int // the first row, whose submission time the others must repeat
	own       int // rows of the wave itself (a post group may so far have only then rows)
	firstThen int
	answered  []int32 // line of each question's answer: own at 2·index, retrospective at 2·index+1
}

// importQuestion is what ReadLong checks a row against.
type importQuestion struct {
	id        string // the instrument's copy, so that answers keep no line of the file alive
	index     int
	kind      string
	dimension string
	options   []questions.Option // choice questions
}

// utf8BOM starts files that spreadsheets save as "CSV UTF-8".
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// validPseudonym reports whether s can be a participant's pseudonym in an
// import: 1–24 ASCII letters, digits, _ or -.
func validPseudonym(s string) bool {
	if s == "" || len(s) > 24 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ReadLong reads a long CSV in the format of PRODUCT.md's contract (as
// WriteLong writes it) for import into the cohort cohortSlug. It checks the
// whole file first and either returns every response, or an *ImportError
// listing each problem with its line; nothing is returned half. Rows are
// grouped into one response per participant and wave; "then" rows become
// the retrospective answers of the participant's post response. The
// response column is not read: the database gives new ids. A UTF-8 byte
// order mark and semicolons as separators (as spreadsheets save CSV) are
// accepted.
func ReadLong(r io.Reader, inst *questions.Instrument, cohortSlug string) ([]db.ImportedResponse, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(len(utf8BOM)); err == nil && string(b) == string(utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	if first, _ := br.Peek(4096); semicolonSeparated(first) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true

	qs := map[string]importQuestion{}
	for _, it := range inst.Items {
		qs[it.ID] = importQuestion{id: it.ID, index: len(qs), kind: db.KindRating, dimension: it.Dimension}
	}
	for _, k := range inst.Knowledge {
		qs[k.ID] = importQuestion{id: k.ID, index: len(qs), kind: db.KindKnowledge}
	}
	for _, q := range inst.Background {
		qs[q.ID] = importQuestion{id: q.ID, index: len(qs), kind: backgroundKind(q), options: q.Options}
	}
	// Shared values, so that a large file does not keep a string per answer.
	ratingValues := make([]string, inst.Scale.Max+1)
	for v := range ratingValues {
		ratingValues[v] = strconv.Itoa(v)
	}
	confidences := make([]int, questions.MaxConfidence+1)
	for c := range confidences {
		confidences[c] = c
	}
	truth := map[string]*string{"true": new(string), "false": new(string)}
	*truth["true"], *truth["false"] = "true", "false"

	var problems []importProblem
	omitted := 0
	bad := func(line int, format string, args ...any) {
		if len(problems) >= 10*MaxImportProblems {
			omitted++
			return
		}
		problems = append(problems, importProblem{line, fmt.Sprintf("Zeile %d: ", line) + fmt.Sprintf(format, args...)})
	}
	var groups []*importGroup
	byKey := map[string]int{}

	line := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad(line, "die Datei ist ab Textzeile %d kein gültiges CSV (%v); Texte mit Komma, Anführungszeichen oder Zeilenumbruch gehören in doppelte Anführungszeichen", pe.StartLine, pe.Err)
			} else {
				return nil, fmt.Errorf("reports: import: %w", err)
			}
			break
		}
		if line == 1 {
			if strings.Join(rec, ",") != strings.Join(longHeader, ",") {
				bad(1, "die Kopfzeile muss genau lauten: %s", strings.Join(longHeader, ","))
				break
			}
			continue
		}
		if len(rec) != len(longHeader) {
			bad(line, "%d Spalten statt %d", len(rec), len(longHeader))
			continue
		}
		ok := true
		for _, f := range rec {
			if !utf8.ValidString(f) {
				bad(line, "der Text ist nicht UTF-8-kodiert (bitte als „CSV UTF-8“ speichern)")
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		cohort, waveText, participant := unsafeCell(rec[0]), rec[1], unsafeCell(rec[2])
		at, item, kind, dimension := rec[4], rec[5], rec[6], rec[7]
		value, confText := unsafeCell(rec[8]), rec[9]

		if cohort != cohortSlug {
			bad(line, "Jahrgang %s statt %s", quoteCut(cohort), quoteCut(cohortSlug))
		}
		wave := db.Wave(waveText)
		if wave != db.Pre && wave != db.Post && wave != db.Then {
			bad(line, "Welle %s gibt es nicht (pre, post oder then)", quoteCut(waveText))
			ok = false
		}
		if !validPseudonym(participant) {
			bad(line, "Pseudonym %s ungültig: 1–24 Zeichen aus Buchstaben A–Z, Ziffern, _ und -", quoteCut(participant))
			ok = false
		}
		submitted, err := time.Parse(time.RFC3339, at)
		if err != nil {
			bad(line, "Abgabezeit %s ist keine Zeitangabe nach RFC 3339 (z. B. 2026-03-01T09:30:00Z)", quoteCut(at))
			ok = false
		}
		q, known := qs[item]
		if !known {
			bad(line, "Frage %s gibt es im Instrument %s nicht", quoteCut(item), inst.Ref())
			continue
		}
		if kind != q.kind {
			bad(line, "Art %s passt nicht zur Frage %s (erwartet: %s)", quoteCut(kind), item, q.kind)
			continue
		}
		if dimension != q.dimension {
			if q.dimension == "" {
				bad(line, "Dimension %s: die Frage %s gehört zu keiner Dimension (leer lassen)", quoteCut(dimension), item)
			} else {
				bad(line, "Dimension %s passt nicht zur Frage %s (erwartet: %s)", quoteCut(dimension), item, q.dimension)
			}
			ok = false
		}
		if wave == db.Then && kind != db.KindRating {
			bad(line, "rückblickende Einschätzungen (then) gibt es nur bei Selbsteinschätzungen, nicht bei %s", item)
			ok = false
		}
		if kind != db.KindKnowledge && confText != "" {
			bad(line, "eine Sicherheit gibt es nur bei Wissensfragen (Spalte confidence leer lassen)")
			ok = false
		}

		a := db.Answer{Item: q.id, Kind: q.kind, Retro: wave == db.Then}
		switch kind {
		case db.KindRating:
			if value == "" {
				break
			}
			n, err := strconv.Atoi(value)
			switch {
			case err != nil:
				bad(line, "Wert %s ist keine ganze Zahl", quoteCut(value))
				ok = false
			case n < inst.Scale.Min || n > inst.Scale.Max:
				bad(line, "Wert %d liegt außerhalb der Skala %s", n, scaleRange(inst.Scale))
				ok = false
			default:
				a.Value = &ratingValues[n]
			}
		case db.KindKnowledge:
			if value != "" {
				if a.Value = truth[value]; a.Value == nil {
					bad(line, "Wissensantwort %s: erlaubt sind true, false oder leer", quoteCut(value))
					ok = false
				}
			}
			if confText != "" {
				n, err := strconv.Atoi(confText)
				if err != nil || n < questions.MinConfidence || n > questions.MaxConfidence {
					bad(line, "Sicherheit %s: erlaubt ist eine ganze Zahl von %d bis %d", quoteCut(confText), questions.MinConfidence, questions.MaxConfidence)
					ok = false
				} else {
					a.Confidence = &confidences[n]
				}
			}
			if (value == "") != (confText == "") {
				bad(line, "Wissensantwort und Sicherheit gehören zusammen: beide angeben oder beide leer lassen")
				ok = false
			}
		case db.KindBackground:
			if value == "" {
				break
			}
			found := false
			for _, o := range q.options {
				if o.Value == value {
					a.Value, found = &o.Value, true
				}
			}
			if !found {
				allowed := make([]string, len(q.options))
				for i, o := range q.options {
					allowed[i] = o.Value
				}
				bad(line, "%s ist keine Antwort auf %s (erlaubt: %s)", quoteCut(value), item, strings.Join(allowed, ", "))
				ok = false
			}
		case db.KindText:
			if utf8.RuneCountInString(value) > maxImportText {
				bad(line, "der Text ist länger als %d Zeichen", maxImportText)
				ok = false
			} else if value != "" {
				v := lineBreaks(strings.Clone(value))
				a.Value = &v
			}
		}
		if !ok {
			continue
		}

		// One response per participant and wave; then rows join the post one.
		groupWave := wave
		if wave == db.Then {
			groupWave = db.Post
		}
		key := participant + "\x00" + string(groupWave)
		gi, exists := byKey[key]
		if !exists {
			gi = len(groups)
			byKey[key] = gi
			groups = append(groups, &importGroup{
				resp:     db.ImportedResponse{Participant: strings.Clone(participant), Wave: groupWave, SubmittedAt: submitted.UTC()},
				timeLine: line, answered: make([]int32, 2*len(qs)),
			})
		}
		g := groups[gi]
		if !g.resp.SubmittedAt.Equal(submitted) {
			bad(line, "Abgabezeit %s weicht von Zeile %d ab (%s); alle Zeilen einer Befragung tragen dieselbe",
				at, g.timeLine, exportTime(g.resp.SubmittedAt))
			continue
		}
		slot := 2 * q.index
		if a.Retro {
			slot++
		}
		if prev := g.answered[slot]; prev > 0 {
			bad(line, "%s hat %s in Welle %s schon in Zeile %d beantwortet", participant, item, wave, prev)
			continue
		}
		g.answered[slot] = int32(line)
		if a.Retro {
			if g.firstThen == 0 {
				g.firstThen = line
			}
		} else {
			g.own++
		}
		g.resp.Answers = append(g.resp.Answers, a)
	}
	if line <= 1 && len(problems) == 0 {
		bad(1, "die Datei enthält keine Antworten")
	}
	for _, g := range groups {
		if g.own == 0 && g.firstThen > 0 {
			bad(g.firstThen, "rückblickende Einschätzung (then) von %s ohne Nachher-Befragung (post) in der Datei", g.resp.Participant)
		}
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].line < problems[j].line })
		e := &ImportError{Omitted: omitted}
		for i, p := range problems {
			if i >= MaxImportProblems {
				e.Omitted += len(problems) - i
				break
			}
			e.Problems = append(e.Problems, p.text)
		}
		return nil, e
	}
	out := make([]db.ImportedResponse, len(groups))
	for i, g := range groups {
		out[i] = g.resp
	}
	return out, nil
}

// semicolonSeparated reports whether a file's first line separates its
// fields with semicolons rather than commas.
func semicolonSeparated(head []byte) bool {
	first, _, _ := strings.Cut(string(head), "\n")
	return strings.Contains(first, ";") && !strings.Contains(first, ",")
}

// quoteCut quotes a value from the file for a message, cut to 40 characters.
func quoteCut(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return "„" + s + "“"
}
