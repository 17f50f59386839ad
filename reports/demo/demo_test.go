package demo

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports/exchange"
	"einordnung/reports/internal/reportstest"
)

// keptResponse is what TestGenerateDemoIsPlausible keeps of one response.
type keptResponse struct {
	participant string
	wave        db.Wave
	at          time.Time
	answers     int
	ratings     map[string]int
	thens       map[string]int
	correct     int
	known       int
	confidence  int
	texts       []string
}

func TestGenerateDemoIsPlausible(t *testing.T) {
	const n = 600
	s, inst, c := reportstest.DemoCohort(t, "demo")
	st, err := Generate(s, inst, c, n, 7, reportstest.DemoDay)
	if err != nil {
		t.Fatal(err)
	}
	var responses []*keptResponse
	err = s.EachAnswer(c.ID, func(a *db.AnswerRow) error {
		if len(responses) == 0 || responses[len(responses)-1].participant != a.Participant || responses[len(responses)-1].wave != a.Wave {
			responses = append(responses, &keptResponse{participant: a.Participant, wave: a.Wave, at: a.SubmittedAt,
				ratings: map[string]int{}, thens: map[string]int{}})
		}
		r := responses[len(responses)-1]
		r.answers++
		switch a.Kind {
		case db.KindRating:
			if a.Value.Valid {
				v, _ := strconv.Atoi(a.Value.String)
				if a.Retro {
					r.thens[a.Item] = v
				} else {
					r.ratings[a.Item] = v
				}
			}
		case db.KindKnowledge:
			k, _ := inst.KnowledgeItem(a.Item)
			r.known++
			if a.Value.String == strconv.FormatBool(k.Correct) {
				r.correct++
			}
			if c := int(a.Confidence.Int64); c < 50 || c > 100 || c%10 != 0 {
				t.Errorf("confidence %d: want 50–100 in steps of 10", c)
			}
			r.confidence += int(a.Confidence.Int64)
		case db.KindText:
			r.texts = append(r.texts, a.Value.String)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	participants, err := s.CountParticipants(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := s.Stats(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if participants != n || st.Participants != n || stats.Submitted[db.Pre] != n || st.Pre != n {
		t.Errorf("%d participants, %d pre responses (stats %+v); want %d each", participants, stats.Submitted[db.Pre], st, n)
	}
	if share := float64(stats.Pairs) / n; share < 0.72 || share > 0.88 || stats.Submitted[db.Post] != st.Post || stats.Pairs != st.Post {
		t.Errorf("%d of %d continued to post (%.0f %%), stats %+v; want about 80 %%", stats.Pairs, n, 100*share, st)
	}

	// Per participant: pre score mean, post, then; drop-outs; dates; answers.
	byPerson := map[string]map[db.Wave]*keptResponse{}
	answers, texts, weekend := 0, map[string]bool{}, 0
	for _, r := range responses {
		if wd := r.at.Weekday(); wd == time.Saturday || wd == time.Sunday {
			weekend++
		}
		if byPerson[r.participant] == nil {
			byPerson[r.participant] = map[db.Wave]*keptResponse{}
		}
		byPerson[r.participant][r.wave] = r
		answers += r.answers
		for _, x := range r.texts {
			texts[x] = true
		}
		if r.at.After(reportstest.DemoDay) || r.at.Before(reportstest.DemoDay.AddDate(0, -6, 0)) {
			t.Errorf("%s %s submitted at %s, want within the half year before %s", r.participant, r.wave, r.at, reportstest.DemoDay)
		}
	}
	if share := float64(weekend) / float64(len(responses)); share > 0.15 {
		t.Errorf("%.0f %% of responses submitted at a weekend, want most on working days", 100*share)
	}
	if answers != st.Answers {
		t.Errorf("%d answers stored, Stats says %d", answers, st.Answers)
	}
	scoreMean := func(ratings map[string]int) float64 {
		sum, k := 0.0, 0
		for _, d := range inst.Scores(ratings) {
			if d.Score != nil {
				sum += *d.Score
				k++
			}
		}
		return sum / float64(k)
	}
	var stayPre, leavePre, pre, then, post []float64
	var accPre, accPost, confPre, confPost, knownPre, knownPost float64
	for p, waves := range byPerson {
		a, b := waves[db.Pre], waves[db.Post]
		if a == nil {
			t.Fatalf("%s has no pre response", p)
		}
		accPre += float64(a.correct)
		confPre += float64(a.confidence)
		knownPre += float64(a.known)
		if b == nil {
			leavePre = append(leavePre, scoreMean(a.ratings))
			continue
		}
		if a.answers+b.answers <= 100 {
			t.Errorf("%s gave %d answers in both waves, want over 100", p, a.answers+b.answers)
		}
		if !b.at.After(a.at) {
			t.Errorf("%s: post %s not after pre %s", p, b.at, a.at)
		}
		stayPre = append(stayPre, scoreMean(a.ratings))
		pre = append(pre, scoreMean(a.ratings))
		post = append(post, scoreMean(b.ratings))
		then = append(then, scoreMean(b.thens))
		accPost += float64(b.correct)
		confPost += float64(b.confidence)
		knownPost += float64(b.known)
	}
	if !(avg(leavePre) < avg(stayPre)-0.2) {
		t.Errorf("drop-outs' pre mean %.2f, stayers' %.2f: want drop-outs lower", avg(leavePre), avg(stayPre))
	}
	if g := avg(post) - avg(pre); g < 1 || g > 2 {
		t.Errorf("mean gain post − pre %.2f, want about 1.5", g)
	}
	if shift := avg(then) - avg(pre); shift > -0.2 || shift < -0.9 {
		t.Errorf("retrospective − pre %.2f, want about −0.5 (response shift)", shift)
	}
	if m := avg(pre); m < 4 || m > 5.5 {
		t.Errorf("pre mean %.2f, want about 4.5", m)
	}
	biasPre := confPre/knownPre/100 - accPre/knownPre
	biasPost := confPost/knownPost/100 - accPost/knownPost
	if accPost/knownPost <= accPre/knownPre || biasPre < 0.08 || math.Abs(biasPost) > math.Abs(biasPre)/2 {
		t.Errorf("knowledge: accuracy pre %.2f post %.2f, bias pre %.2f post %.2f; want better and better calibrated after",
			accPre/knownPre, accPost/knownPost, biasPre, biasPost)
	}
	umlauts := false
	for x := range texts {
		umlauts = umlauts || strings.ContainsAny(x, "äöüß")
	}
	if !texts[special[0]] || !texts[special[1]] || !umlauts || len(texts) < 8 {
		t.Errorf("free texts %v: want the special ones, umlauts and variety", texts)
	}
}

func TestGenerateDemoIsDeterministic(t *testing.T) {
	export := func(seed int64) []byte {
		s, inst, c := reportstest.DemoCohort(t, "demo")
		if _, err := Generate(s, inst, c, 40, seed, reportstest.DemoDay); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := exchange.WriteLong(&buf, s, inst, c); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a, b, other := export(11), export(11), export(12)
	if !bytes.Equal(a, b) {
		t.Error("the same seed gave different data")
	}
	if bytes.Equal(a, other) {
		t.Error("different seeds gave the same data")
	}
}

// TestGenerateDemoAnswersDoNotDependOnTheReferenceDay generates the same
// seed for a Monday, a Saturday and a Sunday: the answers are the same, only
// the submission dates move (a draw made only on some weekdays would shift
// the whole random stream).
func TestGenerateDemoAnswersDoNotDependOnTheReferenceDay(t *testing.T) {
	days := []time.Time{
		time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), // Monday
		time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), // Saturday
		time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC), // Sunday
	}
	var first string
	for _, day := range days {
		s, inst, c := reportstest.DemoCohort(t, "demo")
		if _, err := Generate(s, inst, c, 60, 5, day); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := exchange.WriteLong(&buf, s, inst, c); err != nil {
			t.Fatal(err)
		}
		// Drop the submitted_at column (the fifth), keep everything else.
		records, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		latest := time.Time{}
		for _, cells := range records[1:] {
			at, err := time.Parse(time.RFC3339, cells[4])
			if err != nil {
				t.Fatalf("submitted_at %q: %v", cells[4], err)
			}
			if at.After(latest) {
				latest = at
			}
			rows = append(rows, strings.Join(append(cells[:4:4], cells[5:]...), ","))
		}
		if !latest.Before(day.AddDate(0, 0, 1)) || latest.Before(day.AddDate(0, 0, -30)) {
			t.Errorf("reference day %s: latest answer %s, want within the month before", day.Format(time.DateOnly), latest)
		}
		got := strings.Join(rows, "\n")
		if first == "" {
			first = got
		} else if got != first {
			t.Errorf("reference day %s (%s) gave other answers than %s", day.Format(time.DateOnly), day.Weekday(), days[0].Format(time.DateOnly))
		}
	}
}

// TestGenerateDemoSharesOfChoices: the default instrument's field of work
// has its plausible shares ("other" is rare); any other instrument gets
// equal shares for every option, whatever its values are called.
func TestGenerateDemoSharesOfChoices(t *testing.T) {
	const n = 700
	preShares := func(s *db.Store, c *db.Cohort, item string) map[string]int {
		counts := map[string]int{}
		err := s.EachAnswer(c.ID, func(a *db.AnswerRow) error {
			if a.Item == item && a.Wave == db.Pre && a.Value.Valid {
				counts[a.Value.String]++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return counts
	}
	s, inst, c := reportstest.DemoCohort(t, "demo")
	var field *questions.BackgroundQuestion
	for i := range inst.Background {
		if inst.Background[i].Type == questions.BackgroundChoice {
			field = &inst.Background[i]
			break
		}
	}
	if field == nil || len(field.Options) < 3 {
		t.Fatal("the default instrument has no choice question with three options or more")
	}
	if _, err := Generate(s, inst, c, n, 4, reportstest.DemoDay); err != nil {
		t.Fatal(err)
	}
	last := field.Options[len(field.Options)-1].Value
	if got := preShares(s, c, field.ID)[last]; got > n*8/100 {
		t.Errorf("default instrument: %d of %d chose %s, want the profile's 5 %%", got, n, last)
	}

	other := *inst
	other.ID = "andere"
	c2, err := s.CreateCohort("andere", "Anderes Instrument", other.Ref())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(s, &other, c2, n, 4, reportstest.DemoDay); err != nil {
		t.Fatal(err)
	}
	for _, q := range other.Background {
		if q.Type != questions.BackgroundChoice {
			continue
		}
		counts := preShares(s, c2, q.ID)
		want := n / len(q.Options)
		for _, o := range q.Options {
			if got := counts[o.Value]; got < want*7/10 || got > want*13/10 {
				t.Errorf("instrument without a profile: %d of %d chose %s %s, want about %d (equal shares)", got, n, q.ID, o.Value, want)
			}
		}
	}
}

func TestGenerateDemoRefusesCohortsWithParticipants(t *testing.T) {
	s, inst, c := reportstest.DemoCohort(t, "demo")
	if _, err := Generate(s, inst, c, 3, 1, reportstest.DemoDay); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(s, inst, c, 3, 2, reportstest.DemoDay); err == nil || !strings.Contains(err.Error(), "has 3 participants already") {
		t.Errorf("second demo into the same cohort: %v, want a refusal", err)
	}
	if _, err := Generate(s, inst, c, 0, 2, reportstest.DemoDay); err == nil {
		t.Error("demo with 0 participants succeeded")
	}
}

// BenchmarkGenerateDemo10k measures filling a cohort with 10,000 demo
// participants (about 1.2 million answers).
func BenchmarkGenerateDemo10k(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s, inst, c := reportstest.DemoCohort(b, "bench")
		b.StartTimer()
		st, err := Generate(s, inst, c, 10000, 1, reportstest.DemoDay)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Answers), "answers")
	}
}

func avg(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}
