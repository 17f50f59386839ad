package reports

import (
	"math"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports/stats"
)

// Quality is how well a cohort's questionnaire measured: per dimension and
// wave the reliability and item analysis, per knowledge item and wave its
// difficulty and discrimination, and per dimension the response shift
// (then against pre). Its JSON form is quality.json, whose field names are
// a contract (see the package documentation).
type Quality struct {
	Cohort     string             `json:"cohort"`
	Instrument string             `json:"instrument"`
	MinGroup   int                `json:"min_group"`
	Scales     []ScaleQuality     `json:"scales"`
	Knowledge  []KnowledgeQuality `json:"knowledge"`
	Shift      []Shift            `json:"shift"`
}

// ScaleQuality is one dimension's item analysis in one wave, over the
// wave's complete cases (responses that answered every item).
type ScaleQuality struct {
	Dimension   string        `json:"dimension"`
	Wave        db.Wave       `json:"wave"`
	N           int           `json:"n"`
	K           int           `json:"k"`
	Alpha       *float64      `json:"alpha"`
	AlphaCILow  *float64      `json:"alpha_ci_low"`
	AlphaCIHigh *float64      `json:"alpha_ci_high"`
	Omega       *float64      `json:"omega"`
	Items       []ItemQuality `json:"items"`
	Suppressed  bool          `json:"suppressed"`
	Hidden      Hidden        `json:"-"`
}

// ItemQuality is one item of a ScaleQuality.
type ItemQuality struct {
	Item           string   `json:"item"`
	Mean           *float64 `json:"mean"`
	SD             *float64 `json:"sd"`
	Missing        *float64 `json:"missing"` // share of the wave's submitted responses without an answer
	RDrop          *float64 `json:"r_drop"`
	AlphaIfDropped *float64 `json:"alpha_if_dropped"`
	Loading        *float64 `json:"loading"`
	// Shares of the wave's answers at the lowest and the highest point of
	// the item's scale; not in quality.json, for the floor/ceiling flag.
	Floor   *float64 `json:"-"`
	Ceiling *float64 `json:"-"`
}

// KnowledgeQuality is one knowledge item in one wave.
type KnowledgeQuality struct {
	Item           string   `json:"item"`
	Wave           db.Wave  `json:"wave"`
	N              int      `json:"n"`
	Difficulty     *float64 `json:"difficulty"`     // share correct
	Discrimination *float64 `json:"discrimination"` // r with the share correct on the other items
	Suppressed     bool     `json:"suppressed"`
	Hidden         Hidden   `json:"-"`
	// NComplete is how many responses answered every knowledge item: the
	// people behind Discrimination.
	NComplete int `json:"-"`
}

// Shift is the response shift on one dimension: the retrospective rating
// of the start (then) against the rating given at the start (pre), over
// the participants with both scores; D = then − pre.
type Shift struct {
	Dimension  string   `json:"dimension"`
	N          int      `json:"n"`
	MeanPre    *float64 `json:"mean_pre"`
	MeanThen   *float64 `json:"mean_then"`
	MeanDiff   *float64 `json:"mean_diff"`
	SDDiff     *float64 `json:"sd_diff"`
	T          *float64 `json:"t"`
	DF         *float64 `json:"df"`
	P          *float64 `json:"p"`
	DZ         *float64 `json:"d_z"`
	Suppressed bool     `json:"suppressed"`
	Hidden     Hidden   `json:"-"`
}

// BuildQuality computes a cohort's questionnaire quality from the same
// streaming pass as Build, keeping each response's item values this time
// (the correlations need them); the privacy rule withholds what rests on
// too few people before the figures leave here.
func BuildQuality(store *db.Store, inst *questions.Instrument, cohort *db.Cohort) (*Quality, error) {
	counts, pre, post, err := readCohort(store, inst, cohort, true)
	if err != nil {
		return nil, err
	}
	q := &Quality{Cohort: cohort.Slug, Instrument: cohort.Instrument, MinGroup: cohort.MinGroup,
		Scales: []ScaleQuality{}, Knowledge: []KnowledgeQuality{}, Shift: []Shift{}}
	waves := []struct {
		wave      db.Wave
		pass      *wavePass
		submitted int
		items     func(*perResponse) []float64
	}{
		{db.Pre, pre, counts.Submitted[db.Pre], func(r *perResponse) []float64 { return r.items }},
		{db.Then, post, counts.Submitted[db.Post], func(r *perResponse) []float64 { return r.thenItems }},
		{db.Post, post, counts.Submitted[db.Post], func(r *perResponse) []float64 { return r.items }},
	}
	for _, dim := range inst.Dimensions {
		for _, w := range waves {
			q.Scales = append(q.Scales, scaleQuality(inst, dim, w.wave, w.pass, w.submitted, w.items))
		}
	}
	for _, w := range waves {
		if w.wave != db.Then {
			q.Knowledge = append(q.Knowledge, knowledgeQuality(inst, w.wave, w.pass)...)
		}
	}
	people := pairUp(pre, post)
	for d, dim := range inst.Dimensions {
		var before, then []float64
		for _, waves := range people {
			p, r := waves[db.Pre], waves[db.Post]
			if p != nil && r != nil && !math.IsNaN(p.scores[d]) && !math.IsNaN(r.thenScores[d]) {
				before, then = append(before, p.scores[d]), append(then, r.thenScores[d])
			}
		}
		q.Shift = append(q.Shift, shift(dim.ID, before, then))
	}
	privacy{min: cohort.MinGroup}.applyQuality(q)
	return q, nil
}

// scaleQuality analyses one dimension in one wave over its complete cases.
func scaleQuality(inst *questions.Instrument, dim questions.Dimension, wave db.Wave, pass *wavePass,
	submitted int, itemsOf func(*perResponse) []float64) ScaleQuality {
	var idx []int
	for i, it := range inst.Items {
		if it.Dimension == dim.ID {
			idx = append(idx, i)
		}
	}
	k := len(idx)
	var rows [][]float64
	for _, id := range pass.order {
		values := itemsOf(pass.responses[id])
		row := make([]float64, k)
		complete := values != nil
		for j, i := range idx {
			if !complete || math.IsNaN(values[i]) {
				complete = false
				break
			}
			it := inst.Items[i]
			row[j] = float64(inst.ScaleOf(it).Keyed(int(values[i]), it.Reverse))
		}
		if complete {
			rows = append(rows, row)
		}
	}
	a := stats.AnalyseScale(rows, k)
	s := ScaleQuality{Dimension: dim.ID, Wave: wave, N: a.N, K: k, Alpha: a.Alpha, AlphaCILow: a.AlphaLow,
		AlphaCIHigh: a.AlphaHigh, Omega: a.Omega}
	for j, i := range idx {
		it := inst.Items[i]
		ia := a.Items[j]
		iq := ItemQuality{Item: it.ID, Mean: ia.Mean, SD: ia.SD, RDrop: ia.RDrop, AlphaIfDropped: ia.AlphaIfDropped, Loading: ia.Loading}
		scale := inst.ScaleOf(it)
		counts := pass.itemCounts[wave][i]
		answered := 0
		for v := scale.Min; v <= scale.Max; v++ {
			answered += counts[v-scale.Min]
		}
		if submitted > 0 {
			iq.Missing = stats.Finite(math.Max(0, float64(submitted-answered)/float64(submitted)))
		}
		if answered > 0 {
			iq.Floor = stats.Finite(float64(counts[0]) / float64(answered))
			iq.Ceiling = stats.Finite(float64(counts[scale.Max-scale.Min]) / float64(answered))
		}
		s.Items = append(s.Items, iq)
	}
	return s
}

// knowledgeQuality is each knowledge item's difficulty and discrimination
// in one wave.
func knowledgeQuality(inst *questions.Instrument, wave db.Wave, pass *wavePass) []KnowledgeQuality {
	m := len(inst.Knowledge)
	answers, correct := make([]int, m), make([]int, m)
	var complete [][]float64 // responses that answered every item: 0/1 per item
	for _, id := range pass.order {
		judged := pass.responses[id].judged
		all := true
		for i, j := range judged {
			if j < 0 {
				all = false
				continue
			}
			answers[i]++
			correct[i] += int(j)
		}
		if all && m > 0 {
			row := make([]float64, m)
			for i, j := range judged {
				row[i] = float64(j)
			}
			complete = append(complete, row)
		}
	}
	out := make([]KnowledgeQuality, m)
	item, rest := make([]float64, len(complete)), make([]float64, len(complete))
	for i, k := range inst.Knowledge {
		kq := KnowledgeQuality{Item: k.ID, Wave: wave, N: answers[i], NComplete: len(complete)}
		if answers[i] > 0 {
			kq.Difficulty = stats.Finite(float64(correct[i]) / float64(answers[i]))
		}
		if m >= 2 {
			for r, row := range complete {
				sum := 0.0
				for j, v := range row {
					if j != i {
						sum += v
					}
				}
				item[r], rest[r] = row[i], sum/float64(m-1)
			}
			kq.Discrimination = stats.Pearson(item, rest)
		}
		out[i] = kq
	}
	return out
}

// shift is the response shift over the participants with a pre and a then
// score: the paired analysis of then − pre.
func shift(dim string, pre, then []float64) Shift {
	s := Shift{Dimension: dim, N: len(pre)}
	if len(pre) > 0 {
		s.MeanPre, s.MeanThen = stats.Finite(stats.Mean(pre)), stats.Finite(stats.Mean(then))
	}
	p := stats.PairTest(pre, then)
	s.MeanDiff, s.SDDiff, s.T, s.DF, s.P, s.DZ = p.MeanDiff, p.SDDiff, p.T, p.DF, p.PT, p.DZ
	return s
}

// The flags of the quality page: each names a weakness of an item in
// plain terms; the thresholds are here, once.
type Flag string

// The flags and their thresholds.
const (
	FlagWeak          Flag = "weak"           // r_drop below 0.30
	FlagBetterWithout Flag = "better_without" // α higher by more than 0.02 without the item
	FlagFloorCeiling  Flag = "floor_ceiling"  // more than 15 % of answers at one end of the scale
	FlagMissing       Flag = "missing"        // more than 10 % missing
	FlagEasy          Flag = "easy"           // more than 90 % correct
	FlagNegative      Flag = "negative"       // negative discrimination
)

// ItemFlags are the flags of item j of a scale; none for a withheld scale.
func (s ScaleQuality) ItemFlags(j int) []Flag {
	it := s.Items[j]
	var fs []Flag
	if it.RDrop != nil && *it.RDrop < 0.30 {
		fs = append(fs, FlagWeak)
	}
	if it.AlphaIfDropped != nil && s.Alpha != nil && *it.AlphaIfDropped > *s.Alpha+0.02 {
		fs = append(fs, FlagBetterWithout)
	}
	if (it.Floor != nil && *it.Floor > 0.15) || (it.Ceiling != nil && *it.Ceiling > 0.15) {
		fs = append(fs, FlagFloorCeiling)
	}
	if it.Missing != nil && *it.Missing > 0.10 {
		fs = append(fs, FlagMissing)
	}
	return fs
}

// Flags are the flags of a knowledge item in a wave.
func (k KnowledgeQuality) Flags() []Flag {
	var fs []Flag
	if k.Difficulty != nil && *k.Difficulty > 0.90 {
		fs = append(fs, FlagEasy)
	}
	if k.Discrimination != nil && *k.Discrimination < 0 {
		fs = append(fs, FlagNegative)
	}
	return fs
}
