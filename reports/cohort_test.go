package reports

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
	"einordnung/reports/stats"
)

// person is one synthetic participant: ratings of items a1..a3 and b1..b3
// before, after and looking back, and knowledge answers.
type person struct {
	pre, post, then []int // nil = wave not taken
	knowPre         []bool
	field           string
	// provisional, if set, makes a post-only person provisionally paired
	// with person *provisional (an earlier one) by a code one element off.
	provisional *int
}

func cohortWith(t *testing.T, people []person, minGroup int) (*db.Store, *db.Cohort) {
	t.Helper()
	store, _ := dbtest.Open(t)
	c, err := store.CreateCohort("ws26", "Test", "t@1")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.UpdateCohortSettings(c.ID, 0, minGroup); err != nil {
		t.Fatal(err)
	}
	c.MinGroup = minGroup
	items := []string{"a1", "a2", "a3", "b1", "b2", "b3"}
	ids := make([]uint, len(people))
	for i, p := range people {
		np := db.NewParticipant{CohortID: c.ID, Pseudonym: fmt.Sprintf("P%d", i), ReturnCodeHash: fmt.Sprintf("h%d", i)}
		if p.provisional != nil {
			np.Wave, np.ConsentVersion, np.Link, np.ProvisionalPreID = db.Post, "v", db.LinkProvisional, &ids[*p.provisional]
		}
		pt, err := store.CreateParticipant(np)
		if err != nil {
			t.Fatal(err)
		}
		if p.provisional != nil && (pt.ProvisionalPreID == nil || *pt.ProvisionalPreID != ids[*p.provisional]) {
			t.Fatalf("person %d is not paired with person %d", i, *p.provisional)
		}
		ids[i] = pt.ID
		save := func(wave db.Wave, now, then []int, know []bool) {
			var as []db.Answer
			for j, it := range items {
				as = append(as, rating(it, strconv.Itoa(now[j]), false))
				if then != nil {
					as = append(as, rating(it, strconv.Itoa(then[j]), true))
				}
			}
			for j, k := range know {
				v := strconv.FormatBool(k)
				as = append(as, db.Answer{Item: []string{"k1", "k2"}[j], Kind: db.KindKnowledge, Value: &v, Confidence: num(80)})
			}
			if p.field != "" {
				as = append(as, db.Answer{Item: "field", Kind: db.KindBackground, Value: str(p.field)})
			}
			r, err := store.StartResponse(pt.ID, wave, "v", db.LinkNew)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := store.SavePage(db.PageSave{ResponseID: r.ID, Rev: r.Rev, Answers: as, Submit: true}); err != nil {
				t.Fatal(err)
			}
		}
		if p.pre != nil {
			save(db.Pre, p.pre, nil, p.knowPre)
		}
		if p.post != nil {
			save(db.Post, p.post, p.then, nil)
		}
	}
	return store, c
}

// A post response provisionally paired with a pre response (a code one
// element off, no return code) counts as a pair, like one linked by code.
func TestBuildCountsProvisionalPairs(t *testing.T) {
	linked := []person{
		{pre: []int{3, 4, 7, 5, 5, 6}, post: []int{6, 6, 4, 7, 6, 6}, then: []int{2, 3, 8, 4, 4, 5}},
		{pre: []int{5, 5, 5, 4, 6, 5}, post: []int{7, 6, 3, 6, 7, 7}, then: []int{4, 4, 6, 4, 5, 5}},
		{pre: []int{2, 3, 8, 3, 3, 4}, post: []int{5, 5, 6, 5, 4, 6}, then: []int{2, 2, 8, 2, 3, 3}},
		{pre: []int{6, 7, 4, 6, 6, 7}, post: []int{8, 8, 2, 8, 7, 8}, then: []int{5, 6, 5, 5, 6, 6}},
		{pre: []int{4, 4, 6, 5, 4, 5}, post: []int{6, 7, 4, 6, 6, 5}, then: []int{3, 4, 7, 4, 4, 4}},
	}
	// The same answers, each post response given by a newcomer paired
	// provisionally with the pre participant.
	var split []person
	for _, p := range linked {
		split = append(split, person{pre: p.pre})
	}
	for i, p := range linked {
		split = append(split, person{post: p.post, then: p.then, provisional: &i})
	}
	linkedStore, linkedCohort := cohortWith(t, linked, 5)
	want, err := Build(linkedStore, testInstrument(), linkedCohort)
	if err != nil {
		t.Fatal(err)
	}
	store, cohort := cohortWith(t, split, 5)
	got, err := Build(store, testInstrument(), cohort)
	if err != nil {
		t.Fatal(err)
	}
	for d := range want.Dimensions {
		w, g := want.Dimensions[d], got.Dimensions[d]
		if g.NPairs != 5 || g.NPre != 5 || g.NPost != 5 || g.Suppressed {
			t.Fatalf("dimension %s counts %+v, want 5 pre, 5 post, 5 pairs", g.Dimension, g)
		}
		if g.MeanDiff == nil || w.MeanDiff == nil || math.Abs(*g.MeanDiff-*w.MeanDiff) > 1e-12 {
			t.Errorf("dimension %s mean_diff %s, want %s as for pairs linked by code", g.Dimension, show(g.MeanDiff), show(w.MeanDiff))
		}
	}
	st, err := store.Stats(cohort.ID)
	if err != nil || st.Pairs != 5 || st.Provisional != 5 {
		t.Fatalf("stats %+v (%v): want 5 pairs, 5 provisional", st, err)
	}
}

func keyedMean(vals []int, reverse []bool) float64 {
	sum := 0.0
	for i, v := range vals {
		if reverse[i] {
			v = 10 - v
		}
		sum += float64(v)
	}
	return sum / float64(len(vals))
}

func TestBuildMatchesTheStatisticsOnTheScores(t *testing.T) {
	people := []person{
		{pre: []int{3, 4, 7, 5, 5, 6}, post: []int{6, 6, 4, 7, 6, 6}, then: []int{2, 3, 8, 4, 4, 5}, knowPre: []bool{true, true}},
		{pre: []int{5, 5, 5, 4, 6, 5}, post: []int{7, 6, 3, 6, 7, 7}, then: []int{4, 4, 6, 4, 5, 5}, knowPre: []bool{true, false}},
		{pre: []int{2, 3, 8, 3, 3, 4}, post: []int{5, 5, 6, 5, 4, 6}, then: []int{2, 2, 8, 2, 3, 3}, knowPre: []bool{true, false}},
		{pre: []int{6, 7, 4, 6, 6, 7}, post: []int{8, 8, 2, 8, 7, 8}, then: []int{5, 6, 5, 5, 6, 6}, knowPre: []bool{true, true}},
		{pre: []int{4, 4, 6, 5, 4, 5}, post: []int{6, 7, 4, 6, 6, 5}, then: []int{3, 4, 7, 4, 4, 4}, knowPre: []bool{true, false}},
		{pre: []int{5, 6, 5, 5, 5, 6}, knowPre: []bool{true, true}}, // left after pre
	}
	store, cohort := cohortWith(t, people, 5)
	c, err := Build(store, testInstrument(), cohort)
	if err != nil {
		t.Fatal(err)
	}
	reverse := []bool{false, false, true}
	var preA, postA, thenA, pairPre, pairPost []float64
	for _, p := range people {
		preA = append(preA, keyedMean(p.pre[:3], reverse))
		if p.post != nil {
			postA = append(postA, keyedMean(p.post[:3], reverse))
			thenA = append(thenA, keyedMean(p.then[:3], reverse))
			pairPre = append(pairPre, keyedMean(p.pre[:3], reverse))
			pairPost = append(pairPost, keyedMean(p.post[:3], reverse))
		}
	}
	a := c.Dimensions[0]
	const tol = 1e-12
	eq := func(name string, got, want *float64) {
		t.Helper()
		if (got == nil) != (want == nil) || (got != nil && math.Abs(*got-*want) > tol) {
			t.Errorf("%s = %s, want %s", name, show(got), show(want))
		}
	}
	if a.Dimension != "a" || a.NPre != 6 || a.NPost != 5 || a.NPairs != 5 || a.Suppressed {
		t.Fatalf("counts %+v", a)
	}
	pre, post, pair := stats.Describe(preA), stats.Describe(postA), stats.PairTest(pairPre, pairPost)
	eq("mean_pre", a.MeanPre, pre.Mean)
	eq("sd_pre", a.SDPre, pre.SD)
	eq("mean_post", a.MeanPost, post.Mean)
	eq("mean_diff", a.MeanDiff, pair.MeanDiff)
	eq("p_t", a.PT, pair.PT)
	eq("d_av", a.DAv, pair.DAv)
	eq("w_plus", a.WPlus, pair.WPlus)
	eq("p_w", a.PW, pair.PW)
	holm := stats.Holm([]*float64{c.Dimensions[0].PT, c.Dimensions[1].PT})
	eq("p_t_holm", a.PTHolm, holm[0])

	// α over the keyed item rows of the pre wave.
	alpha := stats.NewAlpha(3)
	for _, p := range people {
		alpha.Add([]float64{float64(p.pre[0]), float64(p.pre[1]), float64(10 - p.pre[2])})
	}
	eq("alpha_pre", a.AlphaPre, alpha.Value())

	// Then-test: post against the retrospective rating.
	th := c.Then[0]
	eq("then mean_pre", th.MeanPre, stats.Describe(thenA).Mean)
	eq("then mean_diff", th.MeanDiff, stats.PairTest(thenA, postA).MeanDiff)

	// Knowledge, pooled: 12 answers in the pre wave, all at 80 %; k1 is true
	// and k2 false, so 9 of the 12 judgements are right (not half, so that
	// reading "correct" the wrong way round cannot pass).
	k := c.Knowledge["pre"]
	if k.N != 6 || k.Suppressed {
		t.Fatalf("knowledge pre %+v", k)
	}
	eq("accuracy", k.Accuracy, stats.Finite(0.75))
	eq("bias", k.Bias, stats.Finite(0.8-0.75))
	eq("brier", k.Brier, stats.Finite((9*0.04+3*0.64)/12))
	if !c.Knowledge["post"].Suppressed {
		t.Errorf("post knowledge of 0 responses must be suppressed: %+v", c.Knowledge["post"])
	}

	if c.DropOut.PreOnly != 1 || c.DropOut.Both != 5 || c.DropOut.PreMeanLeft != nil || c.DropOut.LeftHidden != FewPeople {
		t.Errorf("drop-out %+v: one who left is below the threshold", c.DropOut)
	}
	if len(c.Overall) != 5 || c.OverallHidden != Shown {
		t.Errorf("overall changes %v (%q), want the 5 pairs'", c.Overall, c.OverallHidden)
	}

	// report.json has exactly the contract's fields.
	data, err := json.Marshal(c.Report)
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	dim := generic["dimensions"].([]any)[0].(map[string]any)
	want := strings.Fields("dimension n_pre n_post n_pairs mean_pre sd_pre mean_post sd_post mean_diff sd_diff ci_low ci_high t df p_t p_t_holm d_z d_av w_plus p_w r_rb alpha_pre alpha_post suppressed")
	if len(dim) != len(want) {
		t.Errorf("dimension object has %d fields, want %d: %v", len(dim), len(want), dim)
	}
	for _, f := range want {
		if _, ok := dim[f]; !ok {
			t.Errorf("dimension object lacks %q", f)
		}
	}
	for _, f := range []string{"cohort", "instrument", "min_group", "dimensions", "then", "knowledge"} {
		if _, ok := generic[f]; !ok {
			t.Errorf("report lacks %q", f)
		}
	}
}

func TestBuildSuppressesSmallGroups(t *testing.T) {
	people := []person{
		{pre: []int{3, 4, 7, 5, 5, 6}, post: []int{6, 6, 4, 7, 6, 6}, then: []int{2, 3, 8, 4, 4, 5}, field: "design"},
		{pre: []int{5, 5, 5, 4, 6, 5}, post: []int{7, 6, 3, 6, 7, 7}, then: []int{4, 4, 6, 4, 5, 5}, field: "design"},
		{pre: []int{2, 3, 8, 3, 3, 4}, post: []int{5, 5, 6, 5, 4, 6}, then: []int{2, 2, 8, 2, 3, 3}, field: "design"},
	}
	store, cohort := cohortWith(t, people, 5)
	c, err := Build(store, testInstrument(), cohort)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range append(c.Dimensions, c.Then...) {
		if !d.Suppressed || d.MeanPre != nil || d.MeanDiff != nil || d.PT != nil || d.AlphaPre != nil {
			t.Errorf("%s: 3 people under a threshold of 5 must show nothing: %+v", d.Dimension, d)
		}
		if d.NPairs != 3 {
			t.Errorf("%s: n_pairs %d", d.Dimension, d.NPairs)
		}
	}
	if c.Overall != nil || c.Waves[db.Pre][0].Mean != nil {
		t.Error("individual changes or wave means of a small group leak")
	}
}

func show(v *float64) string {
	if v == nil {
		return "nil"
	}
	return strconv.FormatFloat(*v, 'g', 17, 64)
}
