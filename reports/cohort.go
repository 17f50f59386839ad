package reports

import (
	"fmt"
	"math"
	"sort"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports/stats"
)

// Report is a cohort's figures; its JSON form is report.json, whose field
// names are a contract other tools rely on (see the package documentation).
type Report struct {
	Cohort     string                     `json:"cohort"`
	Instrument string                     `json:"instrument"`
	MinGroup   int                        `json:"min_group"`
	Demo       bool                       `json:"demo,omitempty"` // synthetic answers (reports/demo)
	Dimensions []DimensionReport          `json:"dimensions"`
	Then       []DimensionReport          `json:"then"`
	Knowledge  map[string]KnowledgeReport `json:"knowledge"`
}

// DimensionReport compares two ratings of one dimension: post against pre,
// or (in Report.Then) post against the retrospective pre-rating.
type DimensionReport struct {
	Dimension  string   `json:"dimension"`
	NPre       int      `json:"n_pre"`
	NPost      int      `json:"n_post"`
	NPairs     int      `json:"n_pairs"`
	MeanPre    *float64 `json:"mean_pre"`
	SDPre      *float64 `json:"sd_pre"`
	MeanPost   *float64 `json:"mean_post"`
	SDPost     *float64 `json:"sd_post"`
	MeanDiff   *float64 `json:"mean_diff"`
	SDDiff     *float64 `json:"sd_diff"`
	CILow      *float64 `json:"ci_low"`
	CIHigh     *float64 `json:"ci_high"`
	T          *float64 `json:"t"`
	DF         *float64 `json:"df"`
	PT         *float64 `json:"p_t"`
	PTHolm     *float64 `json:"p_t_holm"`
	DZ         *float64 `json:"d_z"`
	DAv        *float64 `json:"d_av"`
	WPlus      *float64 `json:"w_plus"`
	PW         *float64 `json:"p_w"`
	RRB        *float64 `json:"r_rb"`
	AlphaPre   *float64 `json:"alpha_pre"`
	AlphaPost  *float64 `json:"alpha_post"`
	Suppressed bool     `json:"suppressed"`
	// Why each part is withheld: the pre (or retrospective) description,
	// the post description, the paired figures.
	HiddenPre, HiddenPost, HiddenPairs Hidden `json:"-"`
}

// KnowledgeReport is one wave's knowledge and calibration, pooled over every
// answered knowledge item.
type KnowledgeReport struct {
	N          int      `json:"n"`
	Accuracy   *float64 `json:"accuracy"`
	Confidence *float64 `json:"confidence"`
	Bias       *float64 `json:"bias"`
	Brier      *float64 `json:"brier"`
	Suppressed bool     `json:"suppressed"`
	Hidden     Hidden   `json:"-"`
}

// Cohort is everything the dashboard shows of one cohort: the report and
// the distributions and breakdowns behind its charts. Figures over fewer
// people than the privacy threshold are withheld (privacy.go): nil, with
// the reason beside them.
type Cohort struct {
	Report
	Inst          *questions.Instrument
	Stats         db.CohortStats
	Waves         map[db.Wave][]WaveScores // per dimension: pre, then, post
	Overall       []float64                // each pair's change of the mean over all dimensions, sorted (nil when withheld)
	OverallHidden Hidden
	DropOut       DropOut
	Items         []ItemDistribution
	Calibration   map[db.Wave][]CalibrationBin
	SelfVsKnow    map[db.Wave]*Correlation
	Breakdowns    []Breakdown // one per breakdown question of the instrument
	Participants  int
}

// Breakdown is the change broken down by the answers to one background
// question.
type Breakdown struct {
	Question questions.BackgroundQuestion
	Groups   []Group // one per option, in option order
}

// WaveScores describes one wave's scores on one dimension.
type WaveScores struct {
	stats.Summary
	Hidden Hidden
}

// DropOut compares those who answered both waves with those who left after pre.
type DropOut struct {
	PreOnly       int
	Both          int
	NLeft         int      // of those who left, people with an overall pre score
	NStayed       int      // … of those who stayed
	PreMeanLeft   *float64 // mean overall pre score of those who left
	PreMeanStayed *float64 // … of those who stayed
	LeftHidden    Hidden
	StayedHidden  Hidden
}

// ItemDistribution counts the answers to one rating item per wave: index
// v − scale min for value v, and the last index for "keine Angabe".
type ItemDistribution struct {
	Item   questions.Item
	Counts map[db.Wave][]int
	Shares map[db.Wave]ItemShare
}

// ItemShare is the share of low, middle and high answers to an item in one
// wave, among the N people who gave a value.
type ItemShare struct {
	N              int
	Low, Mid, High *float64
	Hidden         Hidden
}

// CalibrationBin is the share correct among answers given with a
// confidence from Confidence to Confidence + 9 %.
type CalibrationBin struct {
	Confidence int
	N          int // answers
	People     int // people who gave them
	Correct    *float64
	Hidden     Hidden
}

// Correlation is Pearson's r between two measures over responses.
type Correlation struct {
	N      int
	R      *float64
	Hidden Hidden
}

// Group is a breakdown group (a field of work, a frequency of AI use).
type Group struct {
	Value        string
	Label        questions.Text
	N            int        // participants with a submitted pre response
	Pairs        int        // … of whom also post
	MeanPre      []*float64 // per dimension
	MeanChange   []*float64 // per dimension, over pairs
	ChangeCI     []Interval // per dimension: MeanChange's 95 % confidence interval (t-based)
	NPre         []int      // per dimension: people behind MeanPre
	NChange      []int      // per dimension: pairs behind MeanChange
	Suppressed   bool       // the whole group is withheld
	Hidden       Hidden     // … and why
	PreHidden    []Hidden   // per dimension
	ChangeHidden []Hidden   // per dimension
}

// Build computes a cohort's figures in one streaming pass over its
// submitted answers (the pre and the post wave read side by side, one core
// each); only per-response scores are kept in memory. The privacy rule
// withholds what rests on too few people before the figures leave here.
func Build(store *db.Store, inst *questions.Instrument, cohort *db.Cohort) (*Cohort, error) {
	counts, pre, post, err := readCohort(store, inst, cohort, false)
	if err != nil {
		return nil, err
	}
	people := pairUp(pre, post)
	c := &Cohort{Inst: inst, Stats: counts, Participants: len(people),
		Waves: map[db.Wave][]WaveScores{}, Calibration: map[db.Wave][]CalibrationBin{}, SelfVsKnow: map[db.Wave]*Correlation{}}
	c.Report = Report{Cohort: cohort.Slug, Instrument: cohort.Instrument, MinGroup: cohort.MinGroup, Demo: cohort.Demo,
		Knowledge: map[string]KnowledgeReport{}}

	c.addDimensions(people, map[db.Wave][]*stats.Alpha{db.Pre: pre.alpha[db.Pre], db.Then: post.alpha[db.Then], db.Post: post.alpha[db.Post]})
	for _, waves := range people {
		if p, q := waves[db.Pre], waves[db.Post]; p != nil && q != nil && !math.IsNaN(p.overall) && !math.IsNaN(q.overall) {
			c.Overall = append(c.Overall, q.overall-p.overall)
		}
	}
	sort.Float64s(c.Overall) // the order of people must not show
	c.addKnowledge(people, db.Pre, pre)
	c.addKnowledge(people, db.Post, post)
	c.addItems(map[db.Wave][][]int{db.Pre: pre.itemCounts[db.Pre], db.Then: post.itemCounts[db.Then], db.Post: post.itemCounts[db.Post]})
	c.DropOut = dropOut(people)
	for b, q := range inst.Breakdowns() {
		c.Breakdowns = append(c.Breakdowns, Breakdown{Question: q, Groups: breakdown(inst, people, q, b)})
	}

	privacy{min: cohort.MinGroup}.apply(c)
	// Holm adjusts the p-values that are shown, after the rule withheld the others.
	holm(c.Dimensions)
	holm(c.Then)
	return c, nil
}

// readCohort counts a cohort's responses in the database and reads its
// waves in one streaming pass (keepItems: with each response's item values).
func readCohort(store *db.Store, inst *questions.Instrument, cohort *db.Cohort, keepItems bool) (db.CohortStats, *wavePass, *wavePass, error) {
	counts, err := store.Stats(cohort.ID)
	if err != nil {
		return counts, nil, nil, fmt.Errorf("reports: %w", err)
	}
	pre, post, err := scanCohort(store, inst, cohort.ID, keepItems)
	if err != nil {
		return counts, nil, nil, fmt.Errorf("reports: %w", err)
	}
	return counts, pre, post, nil
}

// pairUp lists every person with their responses, in a fixed order (pre
// first, then post only), so that every sum runs in the same order and the
// report is the same to the last digit.
func pairUp(pre, post *wavePass) []map[db.Wave]*perResponse {
	var people []map[db.Wave]*perResponse
	for _, id := range pre.order {
		waves := map[db.Wave]*perResponse{db.Pre: pre.responses[id]}
		if r := post.responses[id]; r != nil {
			waves[db.Post] = r
		}
		people = append(people, waves)
	}
	for _, id := range post.order {
		if pre.responses[id] == nil {
			people = append(people, map[db.Wave]*perResponse{db.Post: post.responses[id]})
		}
	}
	return people
}

// addDimensions describes each wave per dimension and compares post with
// pre, and post with the retrospective rating, over the matched pairs.
func (c *Cohort) addDimensions(people []map[db.Wave]*perResponse, alpha map[db.Wave][]*stats.Alpha) {
	for d, dim := range c.Inst.Dimensions {
		var pre, post, then []float64
		var pairPre, pairPost, thenPairThen, thenPairPost []float64
		for _, waves := range people {
			p, q := waves[db.Pre], waves[db.Post]
			if p != nil && !math.IsNaN(p.scores[d]) {
				pre = append(pre, p.scores[d])
			}
			if q == nil {
				continue
			}
			// The retrospective wave is described over every post response
			// with a retrospective score, a post score or not; only the pairs
			// need both.
			if !math.IsNaN(q.thenScores[d]) {
				then = append(then, q.thenScores[d])
			}
			if math.IsNaN(q.scores[d]) {
				continue
			}
			post = append(post, q.scores[d])
			if !math.IsNaN(q.thenScores[d]) {
				thenPairThen = append(thenPairThen, q.thenScores[d])
				thenPairPost = append(thenPairPost, q.scores[d])
			}
			if p != nil && !math.IsNaN(p.scores[d]) {
				pairPre = append(pairPre, p.scores[d])
				pairPost = append(pairPost, q.scores[d])
			}
		}
		c.Waves[db.Pre] = append(c.Waves[db.Pre], WaveScores{Summary: stats.Describe(pre)})
		c.Waves[db.Then] = append(c.Waves[db.Then], WaveScores{Summary: stats.Describe(then)})
		c.Waves[db.Post] = append(c.Waves[db.Post], WaveScores{Summary: stats.Describe(post)})
		c.Dimensions = append(c.Dimensions, compare(dim.ID, pre, post, pairPre, pairPost, alpha[db.Pre][d].Value(), alpha[db.Post][d].Value()))
		c.Then = append(c.Then, compare(dim.ID, then, post, thenPairThen, thenPairPost, alpha[db.Then][d].Value(), alpha[db.Post][d].Value()))
	}
}

// addKnowledge adds wave w's knowledge figures, calibration bins and the
// correlation of self-rating and knowledge.
func (c *Cohort) addKnowledge(people []map[db.Wave]*perResponse, w db.Wave, pass *wavePass) {
	c.Knowledge[string(w)] = pass.know.report()
	for i, b := range pass.bins {
		bin := CalibrationBin{Confidence: questions.MinConfidence + 10*i, N: b[0], People: b[2]}
		if b[0] > 0 {
			bin.Correct = stats.Finite(float64(b[1]) / float64(b[0]))
		}
		c.Calibration[w] = append(c.Calibration[w], bin)
	}
	var xs, ys []float64
	for _, waves := range people {
		if r := waves[w]; r != nil && !math.IsNaN(r.overall) && !math.IsNaN(r.accuracy) {
			xs, ys = append(xs, r.overall), append(ys, r.accuracy)
		}
	}
	c.SelfVsKnow[w] = &Correlation{N: len(xs), R: stats.Pearson(xs, ys)}
}

// addItems adds each rating item's answer counts and shares per wave.
func (c *Cohort) addItems(itemCounts map[db.Wave][][]int) {
	scales := c.Inst.ItemScales()
	for i, it := range c.Inst.Items {
		counts := map[db.Wave][]int{db.Pre: itemCounts[db.Pre][i], db.Then: itemCounts[db.Then][i], db.Post: itemCounts[db.Post][i]}
		shares := map[db.Wave]ItemShare{}
		for w, cs := range counts {
			shares[w] = itemShare(cs, scales[i].Min, scales[i].Max)
		}
		c.Items = append(c.Items, ItemDistribution{Item: it, Counts: counts, Shares: shares})
	}
}

// compare builds one dimension's comparison.
func compare(dim string, pre, post, pairPre, pairPost []float64, alphaPre, alphaPost *float64) DimensionReport {
	r := DimensionReport{Dimension: dim, NPre: len(pre), NPost: len(post), NPairs: len(pairPre)}
	s := stats.Describe(pre)
	r.MeanPre, r.SDPre, r.AlphaPre = s.Mean, s.SD, alphaPre
	s = stats.Describe(post)
	r.MeanPost, r.SDPost, r.AlphaPost = s.Mean, s.SD, alphaPost
	p := stats.PairTest(pairPre, pairPost)
	r.MeanDiff, r.SDDiff, r.CILow, r.CIHigh = p.MeanDiff, p.SDDiff, p.CILow, p.CIHigh
	r.T, r.DF, r.PT, r.DZ, r.DAv = p.T, p.DF, p.PT, p.DZ, p.DAv
	r.WPlus, r.PW, r.RRB = p.WPlus, p.PW, p.RRB
	return r
}

// itemShare splits an item's answers in a wave into low, middle and high
// thirds of the scale, as shares of those who gave a value.
func itemShare(counts []int, min, max int) ItemShare {
	span := max - min
	var s ItemShare
	var low, mid, high float64
	for v := min; v <= max; v++ {
		k := counts[v-min]
		s.N += k
		switch pos := float64(v-min) / float64(span); {
		case pos < 0.35:
			low += float64(k)
		case pos <= 0.65:
			mid += float64(k)
		default:
			high += float64(k)
		}
	}
	if s.N > 0 {
		n := float64(s.N)
		s.Low, s.Mid, s.High = stats.Finite(low/n), stats.Finite(mid/n), stats.Finite(high/n)
	}
	return s
}

func holm(ds []DimensionReport) {
	ps := make([]*float64, len(ds))
	for i := range ds {
		ps[i] = ds[i].PT
	}
	for i, p := range stats.Holm(ps) {
		ds[i].PTHolm = p
	}
}

// knowledgeSums pools one wave's knowledge answers.
type knowledgeSums struct {
	responses int // responses with at least one answer
	questions.KnowledgeTally
}

// merge adds another slice's sums.
func (k *knowledgeSums) merge(o *knowledgeSums) {
	k.responses += o.responses
	k.KnowledgeTally.Merge(o.KnowledgeTally)
}

func (k *knowledgeSums) report() KnowledgeReport {
	r := KnowledgeReport{N: k.responses}
	if res, ok := k.Result(); ok {
		r.Accuracy, r.Confidence, r.Bias, r.Brier = stats.Finite(res.Accuracy), stats.Finite(res.Confidence), stats.Finite(res.Bias), stats.Finite(res.Brier)
	}
	return r
}

func nanMean(xs []float64) float64 {
	sum, n := 0.0, 0
	for _, x := range xs {
		if !math.IsNaN(x) {
			sum += x
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

func dropOut(people []map[db.Wave]*perResponse) DropOut {
	var left, stayed []float64
	var d DropOut
	for _, waves := range people {
		p := waves[db.Pre]
		if p == nil {
			continue
		}
		if waves[db.Post] == nil {
			d.PreOnly++
			if !math.IsNaN(p.overall) {
				left = append(left, p.overall)
			}
		} else {
			d.Both++
			if !math.IsNaN(p.overall) {
				stayed = append(stayed, p.overall)
			}
		}
	}
	d.NLeft, d.NStayed = len(left), len(stayed)
	d.PreMeanLeft, d.PreMeanStayed = stats.Finite(stats.Mean(left)), stats.Finite(stats.Mean(stayed))
	return d
}

// Interval is a 95 % confidence interval; nil limits when it cannot be
// computed (fewer than two values) or is withheld.
type Interval struct{ Low, High *float64 }

// breakdown groups participants by their answer to breakdown question b
// (from their pre response, else their post response).
func breakdown(inst *questions.Instrument, people []map[db.Wave]*perResponse, q questions.BackgroundQuestion, b int) []Group {
	nDim := len(inst.Dimensions)
	type acc struct {
		n, pairs      int
		preSum, chSum []float64
		preN, chN     []int
		changes       [][]float64 // per dimension, for the interval
	}
	groups := map[string]*acc{}
	for _, o := range q.Options {
		groups[o.Value] = &acc{preSum: make([]float64, nDim), chSum: make([]float64, nDim), preN: make([]int, nDim), chN: make([]int, nDim),
			changes: make([][]float64, nDim)}
	}
	for _, waves := range people {
		p, post := waves[db.Pre], waves[db.Post]
		v := ""
		if p != nil {
			v = p.background[b]
		}
		if v == "" && post != nil {
			v = post.background[b]
		}
		g := groups[v]
		if g == nil || p == nil {
			continue
		}
		g.n++
		if post != nil {
			g.pairs++
		}
		for d := 0; d < nDim; d++ {
			if !math.IsNaN(p.scores[d]) {
				g.preSum[d] += p.scores[d]
				g.preN[d]++
				if post != nil && !math.IsNaN(post.scores[d]) {
					g.chSum[d] += post.scores[d] - p.scores[d]
					g.chN[d]++
					g.changes[d] = append(g.changes[d], post.scores[d]-p.scores[d])
				}
			}
		}
	}
	var out []Group
	for _, o := range q.Options {
		a := groups[o.Value]
		g := Group{Value: o.Value, Label: o.Text, N: a.n, Pairs: a.pairs, NPre: a.preN, NChange: a.chN,
			MeanPre: make([]*float64, nDim), MeanChange: make([]*float64, nDim), ChangeCI: make([]Interval, nDim)}
		for d := 0; d < nDim; d++ {
			g.MeanPre[d] = stats.Finite(a.preSum[d] / float64(a.preN[d]))
			g.MeanChange[d] = stats.Finite(a.chSum[d] / float64(a.chN[d]))
			s := stats.Describe(a.changes[d])
			g.ChangeCI[d] = Interval{Low: s.CILow, High: s.CIHigh}
		}
		out = append(out, g)
	}
	return out
}
