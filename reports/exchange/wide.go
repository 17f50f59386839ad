package exchange

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"einordnung/db"
	"einordnung/questions"
)

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
		cols = append(cols, wideColumn{it.ID, it.Text.In("de"), wideRating, it.ID})
	}
	for _, it := range inst.Items {
		cols = append(cols, wideColumn{it.ID + "_then", "Rückblickend: " + it.Text.In("de"), wideThen, it.ID})
	}
	for _, k := range inst.Knowledge {
		cols = append(cols, wideColumn{k.ID, "Wissen: " + k.Text.In("de"), wideKnowledge, k.ID},
			wideColumn{k.ID + "_conf", "Sicherheit in %: " + k.Text.In("de"), wideConfidence, k.ID})
	}
	for _, q := range inst.Background {
		kind := wideText
		if q.Type == questions.BackgroundChoice {
			kind = wideChoice
		}
		cols = append(cols, wideColumn{q.ID, q.Text.In("de"), kind, q.ID})
	}
	for _, d := range inst.Dimensions {
		cols = append(cols, wideColumn{"score_" + d.ID, "Skalenwert: " + d.Title.In("de"), wideScore, ""})
	}
	for _, d := range inst.Dimensions {
		cols = append(cols, wideColumn{"score_" + d.ID + "_then", "Skalenwert rückblickend: " + d.Title.In("de"), wideScore, ""})
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
	row := &wideRow{layout: l, inst: inst, cohort: SafeCell(cohort.Slug), cells: make([]string, len(l.header)),
		ratings: map[string]int{}, thens: map[string]int{}}
	err = store.EachAnswer(cohort.ID, func(a *db.AnswerRow) error {
		if !row.open || a.ResponseID != row.response {
			if err := row.flush(cw); err != nil {
				return err
			}
			row.start(a)
		}
		row.add(a)
		return nil
	})
	if err == nil {
		err = row.flush(cw)
	}
	return endCSV(cw, err, "wide export")
}

// wideRow is the row of the wide CSV being filled: one response.
type wideRow struct {
	layout         *wideLayout
	inst           *questions.Instrument
	cohort         string // the cohort column, as written
	cells          []string
	ratings, thens map[string]int // item → rating, for the scores
	open           bool           // a response has been started
	response       uint
	wave           db.Wave
}

// start begins the row of the response a belongs to.
func (r *wideRow) start(a *db.AnswerRow) {
	r.open, r.response, r.wave = true, a.ResponseID, a.Wave
	r.cells[wideCohort] = r.cohort
	r.cells[wideParticipant] = SafeCell(a.Participant)
	r.cells[wideWave] = string(a.Wave)
	r.cells[wideSubmitted] = exportTime(a.SubmittedAt)
}

// add puts an answer into its column; answers to questions the layout has
// no column for are left out.
func (r *wideRow) add(a *db.AnswerRow) {
	l := r.layout
	switch a.Kind {
	case db.KindRating:
		cols, values := l.rating, r.ratings
		if a.Retro {
			cols, values = l.then, r.thens
		}
		c, ok := cols[a.Item]
		if !ok || !a.Value.Valid {
			return
		}
		r.cells[c] = a.Value.String
		if n, ok := questions.ParseRating(a.Value.String); ok {
			values[a.Item] = n
		}
	case db.KindKnowledge:
		c, ok := l.know[a.Item]
		if !ok {
			return
		}
		if a.Value.Valid {
			r.cells[c] = a.Value.String
		}
		if a.Confidence.Valid {
			r.cells[c+1] = strconv.FormatInt(a.Confidence.Int64, 10)
		}
	case db.KindBackground, db.KindText:
		if c, ok := l.other[a.Item]; ok && a.Value.Valid {
			r.cells[c] = SafeCell(oneLine.Replace(a.Value.String))
		}
	}
}

// flush writes the row, if a response was started, with its scores, and
// empties it for the next response.
func (r *wideRow) flush(cw *csv.Writer) error {
	if !r.open {
		return nil
	}
	scores := r.layout.scores
	for i, s := range r.inst.Scores(r.ratings) {
		r.cells[scores+i] = formatScore(s.Score)
	}
	if r.wave == db.Post {
		for i, s := range r.inst.Scores(r.thens) {
			r.cells[scores+len(r.inst.Dimensions)+i] = formatScore(s.Score)
		}
	}
	err := cw.Write(r.cells)
	clear(r.cells)
	clear(r.ratings)
	clear(r.thens)
	return err
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
