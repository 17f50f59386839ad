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
	"einordnung/questions/clean"
)

// MaxImportProblems is how many problems an ImportError lists.
const MaxImportProblems = 100

// ImportError rejects an import file. Problems are in German, in line order,
// each naming its line: line 1 is the header, and a row whose text answer
// spans several lines counts as one, as in a spreadsheet.
type ImportError struct {
	Problems []string // at most MaxImportProblems
	Omitted  int      // further problems not listed
	// Stored: the file is valid, but conflicts with what is stored
	// already (Import).
	Stored bool
}

// newImportError lists problems in line order, at most MaxImportProblems,
// omitted more having been counted only.
func newImportError(problems []importProblem, omitted int) *ImportError {
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].line < problems[j].line })
	e := &ImportError{Omitted: omitted}
	for i, p := range problems {
		if i >= MaxImportProblems {
			e.Omitted += len(problems) - i
			break
		}
		e.Problems = append(e.Problems, p.text)
	}
	return e
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

// ReadLong reads a long CSV in the format of the package documentation (as
// WriteLong writes it) for import into the cohort cohortSlug. It checks the
// whole file first and either returns every response, or an *ImportError
// listing each problem with its line; nothing is returned half. Rows are
// grouped into one response per participant and wave; "then" rows become
// the retrospective answers of the participant's post response. The
// response column is not read: the database gives new ids. A UTF-8 byte
// order mark and semicolons as separators (as spreadsheets save CSV) are
// accepted.
func ReadLong(r io.Reader, inst *questions.Instrument, cohortSlug string) ([]db.ImportedResponse, error) {
	responses, _, err := readLong(r, inst, cohortSlug)
	return responses, err
}

// Import reads a long CSV as ReadLong does and stores it in the cohort
// (db.Store.ImportResponses), all or nothing. Every problem, of the file or
// with what is stored already, is an *ImportError in German naming the
// file's line: a response that exists already, and a pseudonym this cohort
// cannot use, which reads the same whether it is taken in another cohort or
// not, so that an import tells nothing about other cohorts. Both the import
// page and the command line call it.
func Import(r io.Reader, s *db.Store, inst *questions.Instrument, cohort *db.Cohort) ([]db.ImportedResponse, error) {
	responses, lines, err := readLong(r, inst, cohort.Slug)
	if err != nil {
		return nil, err
	}
	err = s.ImportResponses(cohort.ID, responses)
	var ce *db.ImportConflictError
	if !errors.As(err, &ce) {
		return responses, err
	}
	var problems []importProblem
	for _, c := range ce.Conflicts {
		r, line := responses[c.Index], lines[c.Index]
		text := fmt.Sprintf("Zeile %d: Pseudonym %s kann in diesem Jahrgang nicht verwendet werden", line, quoteCut(r.Participant))
		if c.Exists {
			text = fmt.Sprintf("Zeile %d: %s hat in diesem Jahrgang schon eine %s", line, r.Participant, waveSurvey[r.Wave])
		}
		problems = append(problems, importProblem{line, text})
	}
	ie := newImportError(problems, 0)
	ie.Stored = true
	return nil, ie
}

// waveSurvey names a wave's survey in an import problem.
var waveSurvey = map[db.Wave]string{db.Pre: "Vorher-Befragung (pre)", db.Post: "Nachher-Befragung (post)"}

// readLong is ReadLong, with the line of the file each response starts at.
func readLong(r io.Reader, inst *questions.Instrument, cohortSlug string) ([]db.ImportedResponse, []int, error) {
	cr := newLongReader(r)
	im := newImporter(inst, cohortSlug)
	line := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, nil, fmt.Errorf("reports: import: %w", err)
			}
			im.bad(line, "die Datei ist ab Textzeile %d kein gültiges CSV (%v); Texte mit Komma, Anführungszeichen oder Zeilenumbruch gehören in doppelte Anführungszeichen", pe.StartLine, pe.Err)
			break
		}
		if line == 1 {
			if !im.header(rec) {
				break
			}
			continue
		}
		im.row(line, rec)
	}
	return im.result(line)
}

// newLongReader returns a CSV reader on r that skips a UTF-8 byte order
// mark and reads semicolons as the separator when the first line has
// semicolons but no comma. Records may have any number of fields; row
// checks their count.
func newLongReader(r io.Reader) *csv.Reader {
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
	return cr
}

// importer checks the rows of one file and groups them into responses.
type importer struct {
	inst       *questions.Instrument
	cohortSlug string
	questions  map[string]importQuestion // by id

	// Shared values, so that a large file does not keep a string per answer.
	ratingValues []string // by value
	confidences  []int    // by confidence
	truth        map[string]*string

	problems []importProblem
	omitted  int // problems beyond 10·MaxImportProblems, not even kept
	groups   []*importGroup
	byKey    map[string]int // participant and wave → index in groups
}

func newImporter(inst *questions.Instrument, cohortSlug string) *importer {
	im := &importer{inst: inst, cohortSlug: cohortSlug, questions: importQuestions(inst), byKey: map[string]int{}}
	_, hi := inst.ScaleSpan()
	im.ratingValues = make([]string, hi+1)
	for v := range im.ratingValues {
		im.ratingValues[v] = strconv.Itoa(v)
	}
	im.confidences = make([]int, questions.MaxConfidence+1)
	for c := range im.confidences {
		im.confidences[c] = c
	}
	im.truth = map[string]*string{"true": new(string), "false": new(string)}
	*im.truth["true"], *im.truth["false"] = "true", "false"
	return im
}

// importQuestions indexes the instrument's questions by id, numbered in
// instrument order: self-ratings, knowledge items, background questions.
func importQuestions(inst *questions.Instrument) map[string]importQuestion {
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
	return qs
}

// bad records a problem of a line. Beyond ten times what an ImportError
// lists, problems are only counted.
func (im *importer) bad(line int, format string, args ...any) {
	if len(im.problems) >= 10*MaxImportProblems {
		im.omitted++
		return
	}
	im.problems = append(im.problems, importProblem{line, fmt.Sprintf("Zeile %d: ", line) + fmt.Sprintf(format, args...)})
}

// header checks the first line and reports whether the file can be read on.
func (im *importer) header(rec []string) bool {
	if strings.Join(rec, ",") != strings.Join(longHeader, ",") {
		im.bad(1, "die Kopfzeile muss genau lauten: %s", strings.Join(longHeader, ","))
		return false
	}
	return true
}

// longRow is a data row of the file, its text cells with SafeCell undone.
type longRow struct {
	line        int
	cohort      string
	wave        db.Wave
	participant string
	at          string // submitted_at
	item        string
	kind        string
	dimension   string
	value       string
	confidence  string
}

// row checks one data row and, if it is valid, adds its answer to the
// response it belongs to.
func (im *importer) row(line int, rec []string) {
	if len(rec) != len(longHeader) {
		im.bad(line, "%d Spalten statt %d", len(rec), len(longHeader))
		return
	}
	for _, f := range rec {
		if !utf8.ValidString(f) {
			im.bad(line, "der Text ist nicht UTF-8-kodiert (bitte als „CSV UTF-8“ speichern)")
			return
		}
	}
	r := longRow{line: line, cohort: unsafeCell(rec[0]), wave: db.Wave(rec[1]), participant: unsafeCell(rec[2]),
		at: rec[4], item: rec[5], kind: rec[6], dimension: rec[7], value: unsafeCell(rec[8]), confidence: rec[9]}
	submitted, ok := im.checkResponse(&r)
	q, known, questionOK := im.checkQuestion(&r)
	if !known {
		return
	}
	a, valueOK := im.answer(&r, q)
	if ok && questionOK && valueOK {
		im.add(&r, q, a, submitted)
	}
}

// checkResponse checks the columns that say whose response a row belongs
// to: cohort, wave, participant and submission time. A wrong cohort is a
// problem but does not keep the row from its response, so that later rows
// are still compared with it.
func (im *importer) checkResponse(r *longRow) (submitted time.Time, ok bool) {
	ok = true
	if r.cohort != im.cohortSlug {
		im.bad(r.line, "Jahrgang %s statt %s", quoteCut(r.cohort), quoteCut(im.cohortSlug))
	}
	if r.wave != db.Pre && r.wave != db.Post && r.wave != db.Then {
		im.bad(r.line, "Welle %s gibt es nicht (pre, post oder then)", quoteCut(string(r.wave)))
		ok = false
	}
	if !validPseudonym(r.participant) {
		im.bad(r.line, "Pseudonym %s ungültig: 1–24 Zeichen aus Buchstaben A–Z, Ziffern, _ und -", quoteCut(r.participant))
		ok = false
	}
	submitted, err := time.Parse(time.RFC3339, r.at)
	if err != nil {
		im.bad(r.line, "Abgabezeit %s ist keine Zeitangabe nach RFC 3339 (z. B. 2026-03-01T09:30:00Z)", quoteCut(r.at))
		ok = false
	}
	return submitted, ok
}

// checkQuestion checks the columns that say which question a row answers:
// item, kind and dimension, and whether its wave and confidence fit the
// kind. known is false when the row's value cannot be checked at all (an
// unknown question, or a kind other than the question's).
func (im *importer) checkQuestion(r *longRow) (q importQuestion, known, ok bool) {
	q, known = im.questions[r.item]
	if !known {
		im.bad(r.line, "Frage %s gibt es im Instrument %s nicht", quoteCut(r.item), im.inst.Ref())
		return q, false, false
	}
	if r.kind != q.kind {
		im.bad(r.line, "Art %s passt nicht zur Frage %s (erwartet: %s)", quoteCut(r.kind), r.item, q.kind)
		return q, false, false
	}
	ok = true
	if r.dimension != q.dimension {
		if q.dimension == "" {
			im.bad(r.line, "Dimension %s: die Frage %s gehört zu keiner Dimension (leer lassen)", quoteCut(r.dimension), r.item)
		} else {
			im.bad(r.line, "Dimension %s passt nicht zur Frage %s (erwartet: %s)", quoteCut(r.dimension), r.item, q.dimension)
		}
		ok = false
	}
	if r.wave == db.Then && r.kind != db.KindRating {
		im.bad(r.line, "rückblickende Einschätzungen (then) gibt es nur bei Selbsteinschätzungen, nicht bei %s", r.item)
		ok = false
	}
	if r.kind != db.KindKnowledge && r.confidence != "" {
		im.bad(r.line, "eine Sicherheit gibt es nur bei Wissensfragen (Spalte confidence leer lassen)")
		ok = false
	}
	return q, true, ok
}

// answer checks a row's value (and confidence) by the question's kind and
// returns the answer it gives.
func (im *importer) answer(r *longRow, q importQuestion) (db.Answer, bool) {
	a := db.Answer{Item: q.id, Kind: q.kind, Retro: r.wave == db.Then}
	ok := true
	switch q.kind {
	case db.KindRating:
		a.Value, ok = im.ratingValue(r)
	case db.KindKnowledge:
		a.Value, a.Confidence, ok = im.knowledgeValue(r)
	case db.KindBackground:
		a.Value, ok = im.choiceValue(r, q)
	case db.KindText:
		a.Value, ok = im.textValue(r)
	}
	return a, ok
}

// ratingValue reads a self-rating: empty, or a whole number on the scale.
func (im *importer) ratingValue(r *longRow) (*string, bool) {
	if r.value == "" {
		return nil, true
	}
	n, err := strconv.Atoi(r.value)
	if err != nil {
		im.bad(r.line, "Wert %s ist keine ganze Zahl", quoteCut(r.value))
		return nil, false
	}
	it, _ := im.inst.Item(r.item)
	if sc := im.inst.ScaleOf(it); !sc.Contains(n) {
		im.bad(r.line, "Wert %d liegt außerhalb der Skala %s", n, scaleRange(sc))
		return nil, false
	}
	return &im.ratingValues[n], true
}

// knowledgeValue reads a knowledge answer: true or false with a confidence
// from MinConfidence to MaxConfidence, or both empty.
func (im *importer) knowledgeValue(r *longRow) (value *string, confidence *int, ok bool) {
	ok = true
	if r.value != "" {
		if value = im.truth[r.value]; value == nil {
			im.bad(r.line, "Wissensantwort %s: erlaubt sind true, false oder leer", quoteCut(r.value))
			ok = false
		}
	}
	if r.confidence != "" {
		n, err := strconv.Atoi(r.confidence)
		if err != nil || n < questions.MinConfidence || n > questions.MaxConfidence {
			im.bad(r.line, "Sicherheit %s: erlaubt ist eine ganze Zahl von %d bis %d", quoteCut(r.confidence), questions.MinConfidence, questions.MaxConfidence)
			ok = false
		} else {
			confidence = &im.confidences[n]
		}
	}
	if (r.value == "") != (r.confidence == "") {
		im.bad(r.line, "Wissensantwort und Sicherheit gehören zusammen: beide angeben oder beide leer lassen")
		ok = false
	}
	return value, confidence, ok
}

// choiceValue reads the answer to a choice question: empty, or one of its
// option values.
func (im *importer) choiceValue(r *longRow, q importQuestion) (*string, bool) {
	if r.value == "" {
		return nil, true
	}
	for i := range q.options {
		if q.options[i].Value == r.value {
			return &q.options[i].Value, true
		}
	}
	allowed := make([]string, len(q.options))
	for i, o := range q.options {
		allowed[i] = o.Value
	}
	im.bad(r.line, "%s ist keine Antwort auf %s (erlaubt: %s)", quoteCut(r.value), r.item, strings.Join(allowed, ", "))
	return nil, false
}

// textValue reads a free text as the questionnaire form takes it: through
// the one normaliser of outside text, then at most clean.MaxText
// characters; an empty text is no answer.
func (im *importer) textValue(r *longRow) (*string, bool) {
	v := clean.Text(r.value)
	if clean.TooLong(v) {
		im.bad(r.line, "der Text ist länger als %d Zeichen", clean.MaxText)
		return nil, false
	}
	if v == "" {
		return nil, true
	}
	v = strings.Clone(v) // r.value is the reader's buffer
	return &v, true
}

// add puts a valid row's answer into its response: one per participant
// and wave, then rows joining the post one. All rows of a response must
// carry the same submission time, and each question is answered once per
// wave.
func (im *importer) add(r *longRow, q importQuestion, a db.Answer, submitted time.Time) {
	groupWave := r.wave
	if r.wave == db.Then {
		groupWave = db.Post
	}
	key := r.participant + "\x00" + string(groupWave)
	gi, exists := im.byKey[key]
	if !exists {
		gi = len(im.groups)
		im.byKey[key] = gi
		im.groups = append(im.groups, &importGroup{
			resp:     db.ImportedResponse{Participant: strings.Clone(r.participant), Wave: groupWave, SubmittedAt: submitted.UTC()},
			timeLine: r.line, answered: make([]int32, 2*len(im.questions)),
		})
	}
	g := im.groups[gi]
	if !g.resp.SubmittedAt.Equal(submitted) {
		im.bad(r.line, "Abgabezeit %s weicht von Zeile %d ab (%s); alle Zeilen einer Befragung tragen dieselbe",
			r.at, g.timeLine, exportTime(g.resp.SubmittedAt))
		return
	}
	slot := 2 * q.index
	if a.Retro {
		slot++
	}
	if prev := g.answered[slot]; prev > 0 {
		im.bad(r.line, "%s hat %s in Welle %s schon in Zeile %d beantwortet", r.participant, r.item, r.wave, prev)
		return
	}
	g.answered[slot] = int32(r.line)
	if a.Retro {
		if g.firstThen == 0 {
			g.firstThen = r.line
		}
	} else {
		g.own++
	}
	g.resp.Answers = append(g.resp.Answers, a)
}

// result ends the file, lines long: the responses and the line each starts
// at, or an *ImportError with the problems in line order (also an empty
// file's, and those of then rows without a post response).
func (im *importer) result(lines int) ([]db.ImportedResponse, []int, error) {
	if lines <= 1 && len(im.problems) == 0 {
		im.bad(1, "die Datei enthält keine Antworten")
	}
	for _, g := range im.groups {
		if g.own == 0 && g.firstThen > 0 {
			im.bad(g.firstThen, "rückblickende Einschätzung (then) von %s ohne Nachher-Befragung (post) in der Datei", g.resp.Participant)
		}
	}
	if len(im.problems) > 0 {
		return nil, nil, newImportError(im.problems, im.omitted)
	}
	out := make([]db.ImportedResponse, len(im.groups))
	starts := make([]int, len(im.groups))
	for i, g := range im.groups {
		out[i], starts[i] = g.resp, g.timeLine
	}
	return out, starts, nil
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
