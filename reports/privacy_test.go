package reports

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
	"einordnung/questions"
)

// privacyInstrument is the test instrument with a breakdown question whose id
// is not one of the default instrument's: breakdowns come from the data.
func privacyInstrument() *questions.Instrument {
	in := testInstrument()
	t := func(s string) questions.Text { return questions.Text{"de": s, "en": s} }
	in.Background = []questions.BackgroundQuestion{{ID: "team", Type: questions.BackgroundChoice, Text: t("Team"),
		Options: []questions.Option{{Value: "x", Text: t("X")}, {Value: "y", Text: t("Y")}}, Breakdown: questions.Breakdown{On: true, Label: questions.Text{"de": "Team", "en": "team"}}}}
	return in
}

// privacyCohort stores nine people who answered the pre wave (P0–P8), five of
// whom (P0–P4) also answered the post wave. P0–P2 judge the two knowledge
// statements at 50 % confidence, the others at 80 %: six answers from three
// people in the 50 % bin. P0–P5 are in team x, P6–P8 in team y.
func privacyCohort(t *testing.T) (*db.Store, *db.Cohort) {
	t.Helper()
	store, _ := dbtest.Open(t)
	c, err := store.CreateCohort("ws26", "Test", "t@1")
	if err != nil {
		t.Fatal(err)
	}
	items := []string{"a1", "a2", "a3", "b1", "b2", "b3"}
	for i := range 9 {
		pt, err := store.CreateParticipant(db.NewParticipant{CohortID: c.ID, Pseudonym: fmt.Sprintf("P%d", i), ReturnCodeHash: fmt.Sprintf("h%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		conf := 80
		if i < 3 {
			conf = 50
		}
		team := "x"
		if i >= 6 {
			team = "y"
		}
		save := func(wave db.Wave, base int) {
			var as []db.Answer
			for j, it := range items {
				as = append(as, rating(it, strconv.Itoa((base+i*j)%11), false))
				if wave == db.Post {
					as = append(as, rating(it, strconv.Itoa((base+i+j)%9), true))
				}
			}
			for j, k := range []string{"k1", "k2"} {
				v := strconv.FormatBool((i+j)%3 != 0)
				as = append(as, db.Answer{Item: k, Kind: db.KindKnowledge, Value: &v, Confidence: num(conf)})
			}
			as = append(as, db.Answer{Item: "team", Kind: db.KindBackground, Value: str(team)})
			r, err := store.StartResponse(pt.ID, wave, "v", db.LinkNew)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := store.SavePage(db.PageSave{ResponseID: r.ID, Rev: r.Rev, Answers: as, Submit: true}); err != nil {
				t.Fatal(err)
			}
		}
		save(db.Pre, 2+i)
		if i < 5 {
			save(db.Post, 5+i)
		}
	}
	return store, c
}

// TestPrivacyRuleWithholdsEveryKindOfFigure builds one cohort under two
// thresholds and checks every kind of figure: shown at or above the
// threshold, withheld (nil, with its reason) below it, counting people, or
// matched pairs for a change, never answers.
func TestPrivacyRuleWithholdsEveryKindOfFigure(t *testing.T) {
	store, cohort := privacyCohort(t)
	build := func(min int) *Cohort {
		t.Helper()
		co := *cohort
		co.MinGroup = min
		c, err := Build(store, privacyInstrument(), &co)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	hidden := func(what string, got, want Hidden) {
		t.Helper()
		if got != want {
			t.Errorf("%s: hidden %q, want %q", what, got, want)
		}
	}
	shown := func(what string, v *float64, h Hidden) {
		t.Helper()
		if h != Shown || v == nil {
			t.Errorf("%s: %v (%q), want a figure", what, v, h)
		}
	}
	gone := func(what string, v *float64, h, want Hidden) {
		t.Helper()
		if v != nil || h != want {
			t.Errorf("%s: %s (%q), want nil (%q)", what, show(v), h, want)
		}
	}

	t.Run("threshold 5", func(t *testing.T) {
		c := build(5)
		for _, d := range c.Dimensions {
			if d.NPre != 9 || d.NPost != 5 || d.NPairs != 5 || d.Suppressed {
				t.Errorf("%s: n %d/%d/%d suppressed %v", d.Dimension, d.NPre, d.NPost, d.NPairs, d.Suppressed)
			}
			shown(d.Dimension+" mean_pre", d.MeanPre, d.HiddenPre)
			shown(d.Dimension+" mean_post", d.MeanPost, d.HiddenPost)
			shown(d.Dimension+" mean_diff", d.MeanDiff, d.HiddenPairs)
		}
		for _, d := range c.Then {
			shown(d.Dimension+" then mean_pre", d.MeanPre, d.HiddenPre)
			shown(d.Dimension+" then mean_diff", d.MeanDiff, d.HiddenPairs)
		}
		for _, w := range []db.Wave{db.Pre, db.Then, db.Post} {
			shown("wave "+string(w), c.Waves[w][0].Mean, c.Waves[w][0].Hidden)
		}
		for _, w := range []string{"pre", "post"} {
			shown("knowledge "+w, c.Knowledge[w].Accuracy, c.Knowledge[w].Hidden)
		}
		// Six answers in the 50 % bin, from three people: withheld.
		bins := c.Calibration[db.Pre]
		if bins[0].N != 6 || bins[0].People != 3 {
			t.Fatalf("50 %% bin: %d answers from %d people, want 6 from 3", bins[0].N, bins[0].People)
		}
		gone("50 % bin", bins[0].Correct, bins[0].Hidden, FewPeople)
		shown("80 % bin", bins[3].Correct, bins[3].Hidden)
		shown("self vs knowledge pre", c.SelfVsKnow[db.Pre].R, c.SelfVsKnow[db.Pre].Hidden)
		shown("self vs knowledge post", c.SelfVsKnow[db.Post].R, c.SelfVsKnow[db.Post].Hidden)
		for _, w := range []db.Wave{db.Pre, db.Then, db.Post} {
			s := c.Items[0].Shares[w]
			shown("item shares "+string(w), s.Low, s.Hidden)
		}
		if c.DropOut.NLeft != 4 || c.DropOut.NStayed != 5 {
			t.Errorf("drop-out %+v", c.DropOut)
		}
		gone("drop-out left", c.DropOut.PreMeanLeft, c.DropOut.LeftHidden, FewPeople)
		shown("drop-out stayed", c.DropOut.PreMeanStayed, c.DropOut.StayedHidden)
		if len(c.Overall) != 5 || c.OverallHidden != Shown {
			t.Errorf("overall changes %v (%q), want 5", c.Overall, c.OverallHidden)
		}
		if len(c.Breakdowns) != 1 || c.Breakdowns[0].Question.ID != "team" {
			t.Fatalf("breakdowns %+v, want the instrument's one", c.Breakdowns)
		}
		x, y := c.Breakdowns[0].Groups[0], c.Breakdowns[0].Groups[1]
		if x.N != 6 || x.Pairs != 5 || x.Suppressed || y.N != 3 || !y.Suppressed {
			t.Errorf("groups x %d (%d) %v, y %d %v", x.N, x.Pairs, x.Suppressed, y.N, y.Suppressed)
		}
		shown("group x mean pre", x.MeanPre[0], x.PreHidden[0])
		shown("group x change", x.MeanChange[0], x.ChangeHidden[0])
		// Group x holds every pair, so its interval is the dimension's
		// (stats.PairTest, checked against R).
		if ci, d := x.ChangeCI[0], c.Dimensions[0]; ci.Low == nil || ci.High == nil || d.CILow == nil ||
			math.Abs(*ci.Low-*d.CILow) > 1e-12 || math.Abs(*ci.High-*d.CIHigh) > 1e-12 {
			t.Errorf("group x change interval %v–%v, want the dimension's %v–%v", ci.Low, ci.High, d.CILow, d.CIHigh)
		}
		if ci := y.ChangeCI[0]; ci.Low != nil || ci.High != nil {
			t.Errorf("group y change interval %v–%v, want withheld", ci.Low, ci.High)
		}
		hidden("group y", y.Hidden, FewPeople)
		gone("group y mean pre", y.MeanPre[0], y.PreHidden[0], FewPeople)
		gone("group y change", y.MeanChange[0], y.ChangeHidden[0], FewPeople)
	})

	t.Run("threshold 6", func(t *testing.T) {
		c := build(6)
		for _, d := range c.Dimensions {
			shown(d.Dimension+" mean_pre", d.MeanPre, d.HiddenPre)
			gone(d.Dimension+" mean_post", d.MeanPost, d.HiddenPost, FewPeople)
			gone(d.Dimension+" alpha_post", d.AlphaPost, d.HiddenPost, FewPeople)
			gone(d.Dimension+" mean_diff", d.MeanDiff, d.HiddenPairs, FewPairs)
			for name, v := range map[string]*float64{"sd_diff": d.SDDiff, "ci_low": d.CILow, "t": d.T, "p_t": d.PT, "p_t_holm": d.PTHolm,
				"d_z": d.DZ, "d_av": d.DAv, "w_plus": d.WPlus, "p_w": d.PW, "r_rb": d.RRB} {
				if v != nil {
					t.Errorf("%s %s = %v over 5 pairs under a threshold of 6", d.Dimension, name, *v)
				}
			}
			if !d.Suppressed {
				t.Errorf("%s: not marked suppressed", d.Dimension)
			}
		}
		for _, d := range c.Then {
			gone(d.Dimension+" then mean_pre", d.MeanPre, d.HiddenPre, FewPeople)
			gone(d.Dimension+" then mean_diff", d.MeanDiff, d.HiddenPairs, FewPairs)
		}
		shown("wave pre", c.Waves[db.Pre][0].Mean, c.Waves[db.Pre][0].Hidden)
		for _, w := range []db.Wave{db.Then, db.Post} {
			s := c.Waves[w][0]
			gone("wave "+string(w), s.Mean, s.Hidden, FewPeople)
			if s.Median != nil || s.CILow != nil || s.Max != nil || s.N != 5 {
				t.Errorf("wave %s: %+v, want only n", w, s.Summary)
			}
		}
		shown("knowledge pre", c.Knowledge["pre"].Accuracy, c.Knowledge["pre"].Hidden)
		k := c.Knowledge["post"]
		gone("knowledge post", k.Accuracy, k.Hidden, FewPeople)
		if !k.Suppressed || k.Confidence != nil || k.Bias != nil || k.Brier != nil {
			t.Errorf("knowledge post %+v", k)
		}
		bins := c.Calibration[db.Pre]
		shown("80 % bin of six people", bins[3].Correct, bins[3].Hidden)
		gone("self vs knowledge post", c.SelfVsKnow[db.Post].R, c.SelfVsKnow[db.Post].Hidden, FewPeople)
		shown("item shares pre", c.Items[0].Shares[db.Pre].Low, c.Items[0].Shares[db.Pre].Hidden)
		for _, w := range []db.Wave{db.Then, db.Post} {
			s := c.Items[0].Shares[w]
			gone("item shares "+string(w), s.Low, s.Hidden, FewPeople)
			if s.Mid != nil || s.High != nil {
				t.Errorf("item shares %s: %+v", w, s)
			}
		}
		gone("drop-out stayed", c.DropOut.PreMeanStayed, c.DropOut.StayedHidden, FewPeople)
		if c.Overall != nil || c.OverallHidden != FewPairs {
			t.Errorf("overall changes %v (%q), want withheld for too few pairs", c.Overall, c.OverallHidden)
		}
		x := c.Breakdowns[0].Groups[0]
		shown("group x mean pre (6 people)", x.MeanPre[0], x.PreHidden[0])
		gone("group x change (5 pairs)", x.MeanChange[0], x.ChangeHidden[0], FewPairs)
		if ci := x.ChangeCI[0]; ci.Low != nil || ci.High != nil {
			t.Errorf("group x change interval %v–%v over 5 pairs under a threshold of 6", ci.Low, ci.High)
		}

		// report.json carries none of the withheld figures.
		data, err := json.Marshal(c.Report)
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Dimensions []map[string]any
			Knowledge  map[string]map[string]any
		}
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatal(err)
		}
		for _, d := range r.Dimensions {
			for _, f := range []string{"mean_post", "sd_post", "alpha_post", "mean_diff", "p_t", "d_z", "w_plus"} {
				if d[f] != nil {
					t.Errorf("report.json %v %s = %v", d["dimension"], f, d[f])
				}
			}
			if d["suppressed"] != true || d["mean_pre"] == nil {
				t.Errorf("report.json %v: suppressed %v, mean_pre %v", d["dimension"], d["suppressed"], d["mean_pre"])
			}
		}
		if k := r.Knowledge["post"]; k["accuracy"] != nil || k["suppressed"] != true {
			t.Errorf("report.json knowledge post %v", k)
		}
	})
}
