// Package demo fills a cohort with synthetic but plausible answers, for
// trying out the dashboard and the exports without real participants.
package demo

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"einordnung/db"
	"einordnung/questions"
)

// Stats says what Generate stored.
type Stats struct {
	Participants int
	Pre, Post    int // submitted responses per wave
	Answers      int
	Elapsed      time.Duration
}

// chunkSize is how many participants go into one transaction.
const chunkSize = 500

// gains is the mean post − pre gain per dimension, in instrument order (repeated).
var gains = []float64{2.0, 1.7, 1.6, 1.4, 1.1, 1.5, 0.9}

// profile is what the generator knows of an instrument beyond its
// structure: that its first choice question asks for the field of work and
// its second how often one uses AI (options from rarest to most often), the
// plausible shares of their options and how the field shifts the
// self-ratings, each in option order.
type profile struct {
	fieldShares, fieldShift, useShares []float64
}

// profiles are the profiles of known instruments, by instrument id. Any
// other instrument, or one whose first two choice questions do not have as
// many options as its profile lists, gets equal shares for every choice
// question, and no answer depends on them.
var profiles = map[string]profile{
	questions.DefaultID: {
		// engineering, social work, design, administration, health, education, other
		fieldShares: []float64{22, 20, 10, 18, 15, 10, 5},
		fieldShift:  []float64{0.4, -0.3, 0.2, -0.1, -0.2, 0, 0},
		// never, rarely, monthly, weekly, daily
		useShares: []float64{10, 20, 25, 30, 15},
	},
}

// Free-text answers, a few of them testing the exports' escaping.
var (
	expectations = []string{
		"Ich möchte lernen, KI-Ergebnisse schneller und gründlicher zu überprüfen.",
		"Sorgen macht mir der Datenschutz bei Klientendaten.",
		"Prompts so formulieren, dass die Antworten wirklich zu unserer Praxis passen.",
		"Ich befürchte, dass sich Kolleginnen und Kollegen zu sehr auf die Tools verlassen.",
		"Mehr Sicherheit bei Urheberrecht und KI-Bildern; was ist erlaubt, was nicht?",
		"Ehrlich gesagt: Ich weiß noch nicht, wofür ich KI überhaupt brauche.",
		"Berichte schneller schreiben, ohne dass die Qualität leidet.",
	}
	reflections = []string{
		"Ich habe einen Elternbrief mit KI entworfen und danach gründlich überarbeitet.",
		"Bei einer Gefährdungseinschätzung habe ich bewusst auf KI verzichtet – zu sensibel.",
		"Für die Recherche zu Fördermitteln genutzt; dabei zwei erfundene Quellen entdeckt.",
		"Protokolle lasse ich mir jetzt gliedern, prüfe aber jede Zahl selbst.",
		"Im Team haben wir Regeln für Chatbots vereinbart.\nDas hilft allen, auch den Skeptischen.",
		"Ich nutze KI als Sparringspartner für Ideen, nicht für fertige Texte.",
		"Für Übersetzungen in einfache Sprache genutzt, Fachbegriffe danach korrigiert.",
	}
	// special go to the first participants, so that every demo cohort
	// has a text a spreadsheet would run as a formula and one with markup.
	special = []string{
		"=Zusammenfassung: mehr Übung, weniger Angst",
		"<script>alert('Hallo')</script> Ist das Formular sicher?",
	}
)

// Generate fills an empty cohort with participants synthetic answers:
// a latent ability per dimension (around 4.5, SD 1.5, higher with more AI
// use), pre ratings around it (reverse-keyed items answered reversed, about
// 3 % "keine Angabe"), about 80 % taking the post wave (those who start lower
// drop out more), post ratings with a gain per dimension, retrospective
// ratings half a point below the pre ability (response shift), knowledge
// answers right more often with higher ability, overconfident before and
// better calibrated after, background answers (for the default instrument
// with plausible shares of fields and AI use, for others with equal shares:
// see profiles) and some free texts. The answers depend only on the seed
// (and the cohort's slug); the submission dates lie in the five months
// before the reference day today, which the caller passes, so that no
// result depends on the calendar. It refuses a cohort that has
// participants, so that demo data never mix with real answers, and stores
// the participants in chunks of 500, each in one transaction.
func Generate(store *db.Store, inst *questions.Instrument, cohort *db.Cohort, participants int, seed int64, today time.Time) (Stats, error) {
	today = today.UTC().Truncate(24 * time.Hour)
	start := time.Now()
	var st Stats
	if participants < 1 {
		return st, errors.New("reports: demo: at least one participant")
	}
	if inst.Ref() != cohort.Instrument {
		return st, fmt.Errorf("reports: demo: cohort %s uses %s, not %s", cohort.Slug, cohort.Instrument, inst.Ref())
	}
	n, err := store.CountParticipants(cohort.ID)
	if err != nil {
		return st, err
	}
	if n > 0 {
		return st, fmt.Errorf("reports: demo: cohort %s has %d participants already; demo data go only into an empty cohort", cohort.Slug, n)
	}
	h := fnv.New64a()
	h.Write([]byte(cohort.Slug))
	g := newGenerator(inst, rand.New(rand.NewPCG(uint64(seed), h.Sum64())), today)

	chunk := make([]db.ImportedResponse, 0, 2*chunkSize)
	for i := 0; i < participants; i++ {
		chunk = g.participant(i, chunk)
		if (i+1)%chunkSize == 0 || i == participants-1 {
			for _, r := range chunk {
				if r.Wave == db.Pre {
					st.Pre++
				} else {
					st.Post++
				}
				st.Answers += len(r.Answers)
			}
			if err := store.BulkInsertResponses(cohort.ID, chunk); err != nil {
				return st, fmt.Errorf("reports: demo: %w", err)
			}
			st.Participants = i + 1
			chunk = chunk[:0]
		}
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

// generator draws one participant after another from one random stream.
type generator struct {
	inst      *questions.Instrument
	rng       *rand.Rand
	today     time.Time
	dimIndex  map[string]int
	offsets   []float64         // per item: how much easier or harder it is to agree with
	scales    []questions.Scale // per item, in item order
	knowDiff  []float64         // per knowledge item: shift of the chance to be right
	profile   profile
	field     *questions.BackgroundQuestion // the profile's questions; nil without one
	use       *questions.BackgroundQuestion
	values    []string // shared rating value texts
	confs     []int    // shared confidences
	truth     [2]string
	pseudonym map[string]bool
}

func newGenerator(inst *questions.Instrument, rng *rand.Rand, today time.Time) *generator {
	g := &generator{inst: inst, rng: rng, today: today, dimIndex: map[string]int{}, pseudonym: map[string]bool{},
		truth: [2]string{"false", "true"}}
	for i, d := range inst.Dimensions {
		g.dimIndex[d.ID] = i
	}
	for range inst.Items {
		g.offsets = append(g.offsets, 0.6*rng.NormFloat64())
	}
	g.scales = inst.ItemScales()
	for range inst.Knowledge {
		g.knowDiff = append(g.knowDiff, 0.08*rng.NormFloat64())
	}
	g.profile, g.field, g.use = profileOf(inst)
	_, hi := inst.ScaleSpan()
	for v := 0; v <= hi; v++ {
		g.values = append(g.values, fmt.Sprint(v))
	}
	g.confs = make([]int, questions.MaxConfidence+1)
	for c := range g.confs {
		g.confs[c] = c
	}
	return g
}

// profileOf returns the instrument's profile with its field and AI use
// questions, or nothing if there is none that fits.
func profileOf(inst *questions.Instrument) (profile, *questions.BackgroundQuestion, *questions.BackgroundQuestion) {
	p, ok := profiles[inst.ID]
	if !ok {
		return profile{}, nil, nil
	}
	var choices []*questions.BackgroundQuestion
	for i := range inst.Background {
		if q := &inst.Background[i]; q.Type == questions.BackgroundChoice {
			choices = append(choices, q)
		}
	}
	if len(choices) < 2 || len(choices[0].Options) != len(p.fieldShares) || len(choices[0].Options) != len(p.fieldShift) ||
		len(choices[1].Options) != len(p.useShares) {
		return profile{}, nil, nil
	}
	return p, choices[0], choices[1]
}

// participant appends a participant's pre and (perhaps) post response.
func (g *generator) participant(i int, out []db.ImportedResponse) []db.ImportedResponse {
	in, rng := g.inst, g.rng
	pseudonym := g.newPseudonym()
	field := g.pick(g.field, g.profile.fieldShares)
	use := g.pick(g.use, g.profile.useShares)
	useLevel := 0.0 // −1 … +1 across the options of the AI use question
	if g.use != nil && len(g.use.Options) > 1 {
		useLevel = 2*float64(use)/float64(len(g.use.Options)-1) - 1
	}
	shift := 0.0
	if g.field != nil {
		shift = g.profile.fieldShift[field]
	}
	// Abilities are positions on a dimension's scale, 0 at its lowest
	// point and 1 at its highest, so that dimensions on different scales
	// (1–5 and 0–10) get alike answers; rating puts them on the scale.
	general := rng.NormFloat64()
	ability := make([]float64, len(in.Dimensions))
	mean := 0.0
	for d := range ability {
		z := 0.6*general + 0.8*rng.NormFloat64()
		ability[d] = clampF(0.45+0.15*z+0.07*useLevel+shift/10, 0, 1)
		mean += ability[d] / float64(len(ability))
	}
	z := (mean - 0.45) / 0.15 // standardised pre ability
	pre := g.response(pseudonym, db.Pre, ability, nil, z, field, use, i)
	out = append(out, pre)

	stays := rng.Float64() < 1/(1+math.Exp(-(1.45+0.6*z)))
	if !stays {
		return out
	}
	post := make([]float64, len(ability))
	then := make([]float64, len(ability))
	for d := range ability {
		gain := gains[d%len(gains)] / 10
		post[d] = clampF(ability[d]+gain+0.08*rng.NormFloat64(), 0, 1)
		then[d] = clampF(ability[d]-0.05+0.05*rng.NormFloat64(), 0, 1)
	}
	if g.use != nil && use < len(g.use.Options)-1 && rng.Float64() < 0.3 {
		use++ // some use AI more often after the certificate
	}
	zPost := z + 1.0
	out = append(out, g.response(pseudonym, db.Post, post, then, zPost, field, use, i))
	return out
}

// response draws one submitted response; then is nil in the pre wave, z
// the participant's standardised ability for the knowledge items.
func (g *generator) response(pseudonym string, wave db.Wave, ability, then []float64, z float64, field, use, index int) db.ImportedResponse {
	in, rng := g.inst, g.rng
	r := db.ImportedResponse{Participant: pseudonym, Wave: wave, SubmittedAt: g.when(wave)}
	answers := make([]db.Answer, 0, 2*len(in.Items)+len(in.Knowledge)+len(in.Background))
	for _, d := range in.Dimensions {
		di := g.dimIndex[d.ID]
		for ii, it := range in.Items {
			if it.Dimension != d.ID {
				continue
			}
			answers = append(answers, g.rating(it, ii, ability[di], false))
			if then != nil {
				answers = append(answers, g.rating(it, ii, then[di], true))
			}
		}
	}
	overconfidence, spread := 0.17, 0.12
	if wave == db.Post {
		overconfidence, spread = 0.03, 0.09
	}
	for k, item := range in.Knowledge {
		if rng.Float64() < 0.03 {
			continue // left out, as the survey stores nothing for an unanswered item
		}
		p := clampF(0.66+0.09*z+g.knowDiff[k], 0.3, 0.97)
		judged := item.Correct
		if rng.Float64() >= p {
			judged = !judged
		}
		conf := clampF(p+overconfidence+spread*rng.NormFloat64(), 0.5, 1)
		c := int(math.Round(conf*10)) * 10
		v := &g.truth[0]
		if judged {
			v = &g.truth[1]
		}
		answers = append(answers, db.Answer{Item: item.ID, Kind: db.KindKnowledge, Value: v, Confidence: &g.confs[c]})
	}
	for qi := range in.Background {
		q := &in.Background[qi]
		switch {
		case q == g.field:
			answers = append(answers, db.Answer{Item: q.ID, Kind: db.KindBackground, Value: &q.Options[field].Value})
		case q == g.use:
			answers = append(answers, db.Answer{Item: q.ID, Kind: db.KindBackground, Value: &q.Options[use].Value})
		case q.Type == questions.BackgroundChoice:
			o := rng.IntN(len(q.Options))
			answers = append(answers, db.Answer{Item: q.ID, Kind: db.KindBackground, Value: &q.Options[o].Value})
		default:
			if text, ok := g.text(wave, qi, index); ok {
				answers = append(answers, db.Answer{Item: q.ID, Kind: db.KindText, Value: &text})
			}
		}
	}
	r.Answers = answers
	return r
}

// rating draws the answer to a self-rating item around a level (a position
// on its scale from 0 to 1); about 3 % answer "keine Angabe".
func (g *generator) rating(it questions.Item, index int, level float64, retro bool) db.Answer {
	sc := g.scales[index]
	a := db.Answer{Item: it.ID, Kind: db.KindRating, Retro: retro}
	span := float64(sc.Max - sc.Min)
	v := float64(sc.Min) + span*(level+(g.offsets[index]+1.1*g.rng.NormFloat64())/10)
	if g.rng.Float64() < 0.03 {
		return a
	}
	n := int(math.Round(clampF(v, float64(sc.Min), float64(sc.Max))))
	if it.Reverse {
		n = sc.Min + sc.Max - n
	}
	a.Value = &g.values[n]
	return a
}

// text draws an optional free-text answer: the first open question in the
// pre wave, the others in the post wave, each from about a quarter.
func (g *generator) text(wave db.Wave, qi, participant int) (string, bool) {
	first := true
	for i := 0; i < qi; i++ {
		if g.inst.Background[i].Type == questions.BackgroundText {
			first = false
		}
	}
	if first && wave == db.Pre && participant < len(special) {
		return special[participant], true
	}
	if first != (wave == db.Pre) || g.rng.Float64() >= 0.25 {
		return "", false
	}
	if first {
		return expectations[g.rng.IntN(len(expectations))], true
	}
	return reflections[g.rng.IntN(len(reflections))], true
}

// when draws a submission time: the pre wave over three weeks about five
// months ago, the post wave over the last three weeks, mostly in the
// daytime and on weekdays.
func (g *generator) when(wave db.Wave) time.Time {
	first := g.today.AddDate(0, 0, -160)
	if wave == db.Post {
		first = g.today.AddDate(0, 0, -22)
	}
	day := first.AddDate(0, 0, g.rng.IntN(21))
	// Most answer on a working day: move most weekend answers to the Friday
	// before (never later, so that no answer lies in the future). The draw
	// happens on every day, so that the stream, and with it every answer
	// after this one, does not depend on which weekday the reference day is.
	moveToFriday := g.rng.Float64() < 0.7
	if wd := day.Weekday(); (wd == time.Saturday || wd == time.Sunday) && moveToFriday {
		back := map[time.Weekday]int{time.Saturday: 1, time.Sunday: 2}[wd]
		day = day.AddDate(0, 0, -back)
	}
	hour := 7 + g.rng.IntN(14)
	return day.Add(time.Duration(hour)*time.Hour + time.Duration(g.rng.IntN(3600))*time.Second)
}

// pick draws an option index of q by the shares of its options, in option
// order; without q it draws nothing.
func (g *generator) pick(q *questions.BackgroundQuestion, shares []float64) int {
	if q == nil {
		return 0
	}
	total := 0.0
	for _, w := range shares {
		total += w
	}
	x := g.rng.Float64() * total
	for i, w := range shares {
		if x < w {
			return i
		}
		x -= w
	}
	return len(shares) - 1
}

// newPseudonym draws a pseudonym like questions.NewPseudonym's, but from the
// seeded stream.
func (g *generator) newPseudonym() string {
	const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	for {
		b := []byte("P0000000000")
		for i := 1; i < len(b); i++ {
			b[i] = crockford[g.rng.IntN(len(crockford))]
		}
		if s := string(b); !g.pseudonym[s] {
			g.pseudonym[s] = true
			return s
		}
	}
}

func clampF(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
