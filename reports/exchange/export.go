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

// The exports of a cohort: the long CSV (PRODUCT.md's contract, one row per
// answer), a wide CSV (one row per participant and wave), the codebook, and
// SPSS and R scripts that read the wide CSV with its labels. Answers are
// streamed from the database; the wide CSV holds one response at a time.

// longHeader is the long export's header, as PRODUCT.md fixes it.
var longHeader = []string{"cohort", "wave", "participant", "response", "submitted_at", "item", "kind", "dimension", "value", "confidence"}

// codebookHeader is the codebook's header, as PRODUCT.md fixes it.
var codebookHeader = []string{"item", "kind", "dimension", "reverse", "min", "max", "correct", "text_de", "text_en"}

// SafeCell returns s as a spreadsheet cell that cannot start a formula: a
// text beginning with =, +, -, @, tab or CR gets a leading apostrophe. So
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
// a character a spreadsheet would read as the start of a formula.
func formulaLike(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
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

// exportTime formats a submission time as the exports do: RFC 3339 in UTC.
func exportTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// WriteLong writes the cohort's submitted answers as the long CSV of
// PRODUCT.md's contract, one row per answer, streaming them from the store.
func WriteLong(w io.Writer, store *db.Store, inst *questions.Instrument, cohort *db.Cohort) error {
	dimension := make(map[string]string, len(inst.Items))
	for _, it := range inst.Items {
		dimension[it.ID] = it.Dimension
	}
	cw := newCSVWriter(w)
	if err := cw.Write(longHeader); err != nil {
		return fmt.Errorf("reports: long export: %w", err)
	}
	slug := SafeCell(cohort.Slug)
	rec := make([]string, len(longHeader))
	var current uint
	var response, submitted, participant string
	err := store.EachAnswer(cohort.ID, func(a *db.AnswerRow) error {
		if a.ResponseID != current || response == "" {
			current = a.ResponseID
			response = strconv.FormatUint(uint64(a.ResponseID), 10)
			submitted = exportTime(a.SubmittedAt)
			participant = SafeCell(a.Participant)
		}
		rec[0], rec[1], rec[2], rec[3], rec[4] = slug, string(a.ExportWave()), participant, response, submitted
		rec[5], rec[6], rec[7], rec[8], rec[9] = a.Item, a.Kind, "", "", ""
		if a.Kind == db.KindRating {
			rec[7] = dimension[a.Item]
		}
		if a.Value.Valid {
			rec[8] = SafeCell(lineBreaks(a.Value.String))
		}
		if a.Kind == db.KindKnowledge && a.Confidence.Valid {
			rec[9] = strconv.FormatInt(a.Confidence.Int64, 10)
		}
		return cw.Write(rec)
	})
	if err != nil {
		return fmt.Errorf("reports: long export: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("reports: long export: %w", err)
	}
	return nil
}

// wideKind is what a column of the wide CSV holds.
type wideKind int

const (
	wideText       wideKind = iota // cohort, pseudonym, wave, time, free text
	wideRating                     // a self-rating on the scale
	wideThen                       // a retrospective self-rating
	wideKnowledge                  // true/false
	wideConfidence                 // percent
	wideChoice                     // an option of a choice question
	wideScore                      // a dimension score
)

// wideColumn is one column of the wide CSV with its German label, which the
// SPSS and R scripts attach.
type wideColumn struct {
	name, label string
	kind        wideKind
	question    string // the question it answers
}

// wideColumns lists the wide CSV's columns in order: cohort, participant,
// wave, submitted_at, the ratings, the retrospective ratings, each
// knowledge item with its confidence, the background questions, the
// dimension scores and the retrospective dimension scores.
func wideColumns(inst *questions.Instrument) []wideColumn {
	cols := []wideColumn{
		{"cohort", "Jahrgang", wideText, ""},
		{"participant", "Pseudonym", wideText, ""},
		{"wave", "Welle (pre = vorher, post = nachher)", wideText, ""},
		{"submitted_at", "Abgeschickt (UTC, RFC 3339)", wideText, ""},
	}
	for _, it := range inst.Items {
		cols = append(cols, wideColumn{it.ID, it.Text.DE, wideRating, it.ID})
	}
	for _, it := range inst.Items {
		cols = append(cols, wideColumn{it.ID + "_then", "Rückblickend: " + it.Text.DE, wideThen, it.ID})
	}
	for _, k := range inst.Knowledge {
		cols = append(cols, wideColumn{k.ID, "Wissen: " + k.Text.DE, wideKnowledge, k.ID},
			wideColumn{k.ID + "_conf", "Sicherheit in %: " + k.Text.DE, wideConfidence, k.ID})
	}
	for _, q := range inst.Background {
		kind := wideText
		if q.Type == questions.BackgroundChoice {
			kind = wideChoice
		}
		cols = append(cols, wideColumn{q.ID, q.Text.DE, kind, q.ID})
	}
	for _, d := range inst.Dimensions {
		cols = append(cols, wideColumn{"score_" + d.ID, "Skalenwert: " + d.Title.DE, wideScore, ""})
	}
	for _, d := range inst.Dimensions {
		cols = append(cols, wideColumn{"score_" + d.ID + "_then", "Skalenwert rückblickend: " + d.Title.DE, wideScore, ""})
	}
	return cols
}

// Fixed columns of the wide CSV, before the questions.
const (
	wideCohort = iota
	wideParticipant
	wideWave
	wideSubmitted
)

// wideLayout finds the columns of the wide CSV.
type wideLayout struct {
	header []string
	rating map[string]int // item → column of its rating
	then   map[string]int // item → column of its retrospective rating
	know   map[string]int // knowledge item → column of the judgement; its confidence follows
	other  map[string]int // background question → column
	scores int            // first score_<dim> column; the score_<dim>_then columns follow
}

func newWideLayout(inst *questions.Instrument) (*wideLayout, error) {
	l := &wideLayout{rating: map[string]int{}, then: map[string]int{}, know: map[string]int{}, other: map[string]int{}, scores: -1}
	seen := map[string]bool{}
	for i, c := range wideColumns(inst) {
		if seen[c.name] {
			return nil, fmt.Errorf("reports: wide export: column %q would appear twice", c.name)
		}
		seen[c.name] = true
		l.header = append(l.header, c.name)
		switch c.kind {
		case wideRating:
			l.rating[c.question] = i
		case wideThen:
			l.then[c.question] = i
		case wideKnowledge:
			l.know[c.question] = i
		case wideChoice, wideText:
			if c.question != "" {
				l.other[c.question] = i
			}
		case wideScore:
			if l.scores < 0 {
				l.scores = i
			}
		}
	}
	return l, nil
}

// WriteWide writes the cohort's submitted responses as a wide CSV: one row
// per participant and wave, one column per question (raw values, as in the
// long export), the post row with the retrospective ratings as <item>_then,
// and the dimension scores (reverse keying and the two-thirds rule applied)
// as score_<dim> and, for the post row, score_<dim>_then. Line breaks in
// free texts become " / ". It streams the answers and holds one response at
// a time.
func WriteWide(w io.Writer, store *db.Store, inst *questions.Instrument, cohort *db.Cohort) error {
	l, err := newWideLayout(inst)
	if err != nil {
		return err
	}
	cw := newCSVWriter(w)
	if err := cw.Write(l.header); err != nil {
		return fmt.Errorf("reports: wide export: %w", err)
	}
	row := make([]string, len(l.header))
	ratings, thens := map[string]int{}, map[string]int{}
	var current uint
	var open bool
	var wave db.Wave
	flush := func() error {
		if !open {
			return nil
		}
		for i, s := range inst.Scores(ratings) {
			row[l.scores+i] = formatScore(s.Score)
		}
		if wave == db.Post {
			for i, s := range inst.Scores(thens) {
				row[l.scores+len(inst.Dimensions)+i] = formatScore(s.Score)
			}
		}
		err := cw.Write(row)
		clear(row)
		clear(ratings)
		clear(thens)
		return err
	}
	err = store.EachAnswer(cohort.ID, func(a *db.AnswerRow) error {
		if !open || a.ResponseID != current {
			if err := flush(); err != nil {
				return err
			}
			open, current, wave = true, a.ResponseID, a.Wave
			row[wideCohort] = SafeCell(cohort.Slug)
			row[wideParticipant] = SafeCell(a.Participant)
			row[wideWave] = string(a.Wave)
			row[wideSubmitted] = exportTime(a.SubmittedAt)
		}
		switch a.Kind {
		case db.KindRating:
			cols, values := l.rating, ratings
			if a.Retro {
				cols, values = l.then, thens
			}
			c, ok := cols[a.Item]
			if !ok || !a.Value.Valid {
				return nil
			}
			row[c] = a.Value.String
			if n, err := strconv.Atoi(a.Value.String); err == nil {
				values[a.Item] = n
			}
		case db.KindKnowledge:
			c, ok := l.know[a.Item]
			if !ok {
				return nil
			}
			if a.Value.Valid {
				row[c] = a.Value.String
			}
			if a.Confidence.Valid {
				row[c+1] = strconv.FormatInt(a.Confidence.Int64, 10)
			}
		case db.KindBackground, db.KindText:
			if c, ok := l.other[a.Item]; ok && a.Value.Valid {
				row[c] = SafeCell(oneLine.Replace(a.Value.String))
			}
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("reports: wide export: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("reports: wide export: %w", err)
	}
	return nil
}

// oneLine puts a free text on one line for the wide CSV, which SPSS reads:
// its GET DATA cannot read line breaks within a field. The long CSV keeps them.
var oneLine = strings.NewReplacer("\r\n", " / ", "\n", " / ", "\r", " / ")

// formatScore writes a score with as many digits as it needs to be read
// back exactly, or nothing when it is missing.
func formatScore(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// WriteCodebook writes the codebook of PRODUCT.md's contract: one row per
// question (self-ratings, knowledge items, background questions; open
// questions have kind text).
func WriteCodebook(w io.Writer, inst *questions.Instrument) error {
	cw := newCSVWriter(w)
	rows := [][]string{codebookHeader}
	lo, hi := strconv.Itoa(inst.Scale.Min), strconv.Itoa(inst.Scale.Max)
	for _, it := range inst.Items {
		rows = append(rows, []string{it.ID, db.KindRating, it.Dimension, strconv.FormatBool(it.Reverse), lo, hi, "",
			SafeCell(it.Text.DE), SafeCell(it.Text.EN)})
	}
	for _, k := range inst.Knowledge {
		rows = append(rows, []string{k.ID, db.KindKnowledge, "", "false", "", "", strconv.FormatBool(k.Correct),
			SafeCell(k.Text.DE), SafeCell(k.Text.EN)})
	}
	for _, q := range inst.Background {
		rows = append(rows, []string{q.ID, backgroundKind(q), "", "false", "", "", "",
			SafeCell(q.Text.DE), SafeCell(q.Text.EN)})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("reports: codebook: %w", err)
	}
	return nil
}

// backgroundKind is the answer kind a background question's answers are
// stored and exported with.
func backgroundKind(q questions.BackgroundQuestion) string {
	if q.Type == questions.BackgroundText {
		return db.KindText
	}
	return db.KindBackground
}

// spssFormats are the wide file's variable formats in the SPSS syntax
// (string widths in bytes), by kind and, for the first columns, by name.
var (
	spssFormats = map[wideKind]string{
		wideText:       "A4000", // free texts; longer ones are cut
		wideChoice:     "A41",   // an option id (≤ 40) and SafeCell's apostrophe
		wideKnowledge:  "A5",
		wideRating:     "F3.0",
		wideThen:       "F3.0",
		wideConfidence: "F3.0",
		// F20.0 reads the decimals as written (an explicit point wins over
		// the format's implied decimals); FORMATS sets how they are shown.
		wideScore: "F20.0",
	}
	spssFixedFormats = map[string]string{"cohort": "A41", "participant": "A25", "wave": "A4", "submitted_at": "A20"}
)

// spssWidth is how long a line of the SPSS syntax may get: SPSS reads
// lines up to 256 bytes in every mode; shorter ones read better.
const spssWidth = 100

// WriteSPSS writes SPSS syntax that reads the wide CSV (csvName, written by
// WriteWide) with variable labels (the German question texts) and value
// labels: scale anchors, true/false of knowledge answers and the options of
// choice questions. It reads the wide rather than the long file because
// value labels belong to a variable, and in the long file every question
// shares the one variable value.
func WriteSPSS(w io.Writer, inst *questions.Instrument, csvName string) error {
	if _, err := newWideLayout(inst); err != nil {
		return err
	}
	b := bufio.NewWriter(w)
	for _, c := range []string{
		"Einordnung – SPSS-Syntax für die breite Exportdatei „" + spssLine(csvName) + "“ (Instrument " + inst.Ref() + ").",
		"Gelesen wird die breite Datei (eine Zeile je Person und Welle), nicht die lange responses.csv: " +
			"nur dort ist jede Frage eine eigene Variable, an die Wertelabels (Skalenanker, wahr/falsch, Antwortoptionen) passen.",
		"Datei und Syntax in denselben Ordner legen oder unten bei /FILE den vollständigen Pfad eintragen.",
		"Selbsteinschätzungen sind Rohwerte " + scaleRange(inst.Scale) + ", umgepolte Items noch nicht umgepolt (siehe codebook.csv).",
		"score_* sind die Skalenwerte: Mittel der beantworteten Items, umgepolt, nur bei mindestens zwei Dritteln beantworteter Items.",
		"*_then ist die rückblickende Einschätzung der Nachher-Befragung (wie schätzen Sie sich für die Zeit davor ein).",
		"Texte, die mit = + - @ beginnen, tragen zum Schutz vor Formeln ein vorangestelltes Apostroph.",
		"Freitexte werden nach 4000 Bytes abgeschnitten; Zeilenumbrüche darin stehen in der breiten Datei als ' / '.",
	} {
		// A comment runs on to the line that ends with a period; no word
		// but the last ends with one.
		b.WriteString(spssWrap("* ", "  ", strings.Fields(strings.TrimSuffix(c, "."))) + ".\n")
	}
	cols := wideColumns(inst)
	byKind := map[wideKind][]string{}
	for _, c := range cols {
		byKind[c.kind] = append(byKind[c.kind], c.name)
	}
	list := func(first, indent string, kinds ...wideKind) string {
		var names []string
		for _, k := range kinds {
			names = append(names, byKind[k]...)
		}
		return spssWrap(first, indent, names)
	}

	b.WriteString("\nGET DATA\n  /TYPE=TXT\n")
	fmt.Fprintf(b, "  /FILE=%s\n", spssString(csvName, "    "))
	b.WriteString("  /ENCODING='UTF8'\n  /ARRANGEMENT=DELIMITED\n  /DELCASE=LINE\n  /DELIMITERS=\",\"\n  /QUALIFIER='\"'\n  /FIRSTCASE=2\n  /VARIABLES=\n")
	for _, c := range cols {
		format := spssFixedFormats[c.name]
		if format == "" || c.kind != wideText {
			format = spssFormats[c.kind]
		}
		fmt.Fprintf(b, "    %s %s\n", c.name, format)
	}
	b.WriteString(".\n\nVARIABLE LABELS\n")
	for i, c := range cols {
		end := "\n"
		if i == len(cols)-1 {
			end = ".\n"
		}
		fmt.Fprintf(b, "  %s %s%s", c.name, spssString(clipBytes(c.label, 250), "    "), end)
	}

	b.WriteString("\nVALUE LABELS\n")
	fmt.Fprintf(b, "%s\n    %d %s\n    %d %s\n", list("  ", "  ", wideRating, wideThen),
		inst.Scale.Min, spssString(inst.Scale.MinLabel.DE, "      "), inst.Scale.Max, spssString(inst.Scale.MaxLabel.DE, "      "))
	if len(byKind[wideKnowledge]) > 0 {
		fmt.Fprintf(b, "%s\n    'true' 'wahr'\n    'false' 'falsch'\n", list("  /", "  ", wideKnowledge))
	}
	for _, q := range inst.Background {
		if q.Type != questions.BackgroundChoice {
			continue
		}
		fmt.Fprintf(b, "  /%s\n", q.ID)
		for _, o := range q.Options {
			fmt.Fprintf(b, "    %s %s\n", spssString(o.Value, "      "), spssString(clipBytes(o.Text.DE, 120), "      "))
		}
	}
	b.WriteString(".\n\n")
	fmt.Fprintf(b, "FORMATS\n%s (F8.4).\n", list("  ", "  ", wideScore))
	fmt.Fprintf(b, "VARIABLE LEVEL\n%s (SCALE)\n%s (NOMINAL).\n",
		list("  ", "  ", wideRating, wideThen, wideConfidence, wideScore), spssWrap("  /", "  ", append([]string{"wave"}, append(byKind[wideKnowledge], byKind[wideChoice]...)...)))
	b.WriteString("EXECUTE.\n")
	if err := b.Flush(); err != nil {
		return fmt.Errorf("reports: spss syntax: %w", err)
	}
	return nil
}

// spssWrap joins words into lines of at most spssWidth bytes, the first
// starting with first, the others with indent.
func spssWrap(first, indent string, words []string) string {
	var b strings.Builder
	line := first
	for i, w := range words {
		if i > 0 && len(line)+1+len(w) > spssWidth {
			b.WriteString(line + "\n")
			line = indent
		} else if i > 0 {
			line += " "
		}
		line += w
	}
	b.WriteString(line)
	return b.String()
}

// spssString quotes s as an SPSS string in apostrophes (doubled inside), on
// one line, split into pieces joined with + on lines starting with indent
// when it is long: strings cannot span lines.
func spssString(s, indent string) string {
	s = spssLine(s)
	var parts []string
	for len(s) > 70 {
		piece := clipBytes(s, 70)
		if i := strings.LastIndexByte(piece, ' '); i > 20 {
			piece = piece[:i+1] // break between words
		}
		parts = append(parts, spssQuote(piece))
		s = s[len(piece):]
	}
	parts = append(parts, spssQuote(s))
	return strings.Join(parts, " +\n"+indent)
}

// spssQuote quotes s in apostrophes, doubled inside.
func spssQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// spssLine puts s on one line: SPSS syntax strings end at a line end.
func spssLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// clipBytes cuts s to at most n bytes on a character boundary (SPSS limits
// variable labels to 256 bytes).
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

func scaleRange(s questions.Scale) string { return fmt.Sprintf("%d–%d", s.Min, s.Max) }

// WriteRScript writes a base-R script that reads the wide CSV (wide.csv,
// written by WriteWide), turns the choice questions into factors with their
// German labels, and attaches every variable's German label as
// attr(x, "label") and the scale anchors as attr(x, "labels").
func WriteRScript(w io.Writer, inst *questions.Instrument) error {
	if _, err := newWideLayout(inst); err != nil {
		return err
	}
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `# Einordnung – R-Skript für die breite Exportdatei wide.csv (Instrument %s)
#
# Liest wide.csv (eine Zeile je Person und Welle), macht aus den Auswahlfragen
# Faktoren mit deutschen Beschriftungen und hängt jeder Variablen ihre
# Beschriftung als attr(x, "label") an, den Selbsteinschätzungen die
# Skalenanker als attr(x, "labels"). Nur Base R; mit dem Paket labelled zeigt
# labelled::var_label(d) alle Beschriftungen auf einmal.
#
# Aufruf im Ordner mit wide.csv: source("einordnung.R", encoding = "UTF-8")
#
# Selbsteinschätzungen sind Rohwerte %s, umgepolte Items noch nicht umgepolt
# (siehe codebook.csv). score_* sind die Skalenwerte: Mittel der beantworteten
# Items, umgepolt, nur bei mindestens zwei Dritteln beantworteter Items.
# *_then ist die rückblickende Einschätzung der Nachher-Befragung.

datei <- "wide.csv"
`, inst.Ref(), scaleRange(inst.Scale))

	cols := wideColumns(inst)
	classes := map[wideKind]string{wideText: "character", wideChoice: "character", wideRating: "integer",
		wideThen: "integer", wideKnowledge: "logical", wideConfidence: "integer", wideScore: "numeric"}
	var ratings, texts []string
	b.WriteString("d <- read.csv(datei, encoding = \"UTF-8\", fileEncoding = \"UTF-8\", na.strings = \"\",\n  colClasses = c(\n")
	for i, c := range cols {
		sep := ","
		if i == len(cols)-1 {
			sep = ""
		}
		fmt.Fprintf(b, "    %s = %s%s\n", c.name, rQuote(classes[c.kind]), sep)
		switch {
		case c.kind == wideRating || c.kind == wideThen:
			ratings = append(ratings, c.name)
		case (c.kind == wideText || c.kind == wideChoice) && c.name != "wave" && c.name != "submitted_at":
			texts = append(texts, c.name)
		}
	}
	b.WriteString("  ))\n\n")

	b.WriteString(`# Die Exportdatei setzt vor Texte, die mit = + - @ beginnen, ein Apostroph
# (Schutz vor Formeln in Tabellenkalkulationen); hier wird es wieder entfernt.
ohne_schutz <- function(x) ifelse(grepl("^'+[=+@\t\r-]", x), sub("^'", "", x), x)
`)
	fmt.Fprintf(b, "for (v in %s) d[[v]] <- ohne_schutz(d[[v]])\n\n", rVector(texts))

	b.WriteString("d$wave <- factor(d$wave, levels = c(\"pre\", \"post\"))\n")
	for _, q := range inst.Background {
		if q.Type != questions.BackgroundChoice {
			continue
		}
		var values, labels []string
		for _, o := range q.Options {
			values = append(values, o.Value)
			labels = append(labels, o.Text.DE)
		}
		fmt.Fprintf(b, "d$%s <- factor(d$%s,\n  levels = %s,\n  labels = %s)\n", q.ID, q.ID, rVector(values), rVector(labels))
	}

	b.WriteString("\nbeschriftungen <- c(\n")
	for i, c := range cols {
		sep := ","
		if i == len(cols)-1 {
			sep = ""
		}
		fmt.Fprintf(b, "  %s = %s%s\n", c.name, rQuote(c.label), sep)
	}
	b.WriteString(")\nfor (v in names(beschriftungen)) attr(d[[v]], \"label\") <- beschriftungen[[v]]\n\n")
	fmt.Fprintf(b, "skalenanker <- setNames(c(%dL, %dL), c(%s, %s))\n", inst.Scale.Min, inst.Scale.Max,
		rQuote(inst.Scale.MinLabel.DE), rQuote(inst.Scale.MaxLabel.DE))
	fmt.Fprintf(b, "for (v in %s) attr(d[[v]], \"labels\") <- skalenanker\n", rVector(ratings))
	b.WriteString("rm(v)\n")
	if err := b.Flush(); err != nil {
		return fmt.Errorf("reports: R script: %w", err)
	}
	return nil
}

// rQuote quotes s as an R string literal.
func rQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// rVector writes c("a", "b", …).
func rVector(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = rQuote(s)
	}
	return "c(" + strings.Join(q, ", ") + ")"
}

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
