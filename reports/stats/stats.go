package stats

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Summary describes the scores of one wave.
type Summary struct {
	N      int
	Mean   *float64
	SD     *float64 // n − 1 in the denominator
	Median *float64
	Q1, Q3 *float64 // quartiles as R's quantile() type 7
	Min    *float64
	Max    *float64
	CILow  *float64 // 95 % confidence interval of the mean, t-based
	CIHigh *float64
}

// Finite returns v as a figure, or nil when it cannot be computed (NaN or
// infinite).
func Finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// Mean is the arithmetic mean; NaN for no values.
func Mean(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// variance is the sample variance (n − 1); NaN for fewer than two values.
func variance(xs []float64) float64 {
	if len(xs) < 2 {
		return math.NaN()
	}
	m := Mean(xs)
	ss := 0.0
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return ss / float64(len(xs)-1)
}

// quantile is R's type 7 quantile of sorted values.
func quantile(sorted []float64, p float64) float64 {
	h := float64(len(sorted)-1) * p
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-lo)*(sorted[i+1]-sorted[i])
}

// tCritical is the two-sided 95 % critical value of t with df degrees of freedom.
func tCritical(df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.975)
}

// Describe summarises a wave's scores.
func Describe(xs []float64) Summary {
	s := Summary{N: len(xs)}
	if len(xs) == 0 {
		return s
	}
	sorted := append([]float64(nil), xs...)
	sort.Float64s(sorted)
	m := Mean(xs)
	s.Mean = Finite(m)
	s.Median = Finite(quantile(sorted, 0.5))
	s.Q1 = Finite(quantile(sorted, 0.25))
	s.Q3 = Finite(quantile(sorted, 0.75))
	s.Min, s.Max = Finite(sorted[0]), Finite(sorted[len(sorted)-1])
	if len(xs) >= 2 {
		sd := math.Sqrt(variance(xs))
		s.SD = Finite(sd)
		half := tCritical(float64(len(xs)-1)) * sd / math.Sqrt(float64(len(xs)))
		s.CILow, s.CIHigh = Finite(m-half), Finite(m+half)
	}
	return s
}

// Paired is the paired analysis of post − pre over matched pairs.
type Paired struct {
	N        int
	MeanDiff *float64
	SDDiff   *float64
	CILow    *float64
	CIHigh   *float64
	T        *float64
	DF       *float64
	PT       *float64 // two-sided p of the paired t-test
	DZ       *float64 // mean difference / SD of differences
	DAv      *float64 // mean difference / mean of the two SDs
	WPlus    *float64 // Wilcoxon V: sum of the positive ranks
	PW       *float64 // Wilcoxon signed-rank two-sided p, as R's wilcox.test
	PWExact  bool     // whether PW is exact
	RRB      *float64 // matched-pairs rank-biserial correlation
	SDPre    *float64
	SDPost   *float64
}

// PairTest analyses paired scores; pre[i] and post[i] belong to one person.
func PairTest(pre, post []float64) Paired {
	n := len(pre)
	p := Paired{N: n}
	if n == 0 || len(post) != n {
		return p
	}
	d := make([]float64, n)
	for i := range pre {
		d[i] = post[i] - pre[i]
	}
	md := Mean(d)
	p.MeanDiff = Finite(md)
	p.WPlus, p.PW, p.PWExact, p.RRB = wilcoxon(d)
	if n < 2 {
		return p
	}
	sdd := math.Sqrt(variance(d))
	p.SDDiff = Finite(sdd)
	p.SDPre, p.SDPost = Finite(math.Sqrt(variance(pre))), Finite(math.Sqrt(variance(post)))
	df := float64(n - 1)
	p.DF = Finite(df)
	if sdd > 0 {
		se := sdd / math.Sqrt(float64(n))
		half := tCritical(df) * se
		p.CILow, p.CIHigh = Finite(md-half), Finite(md+half)
		t := md / se
		p.T = Finite(t)
		p.PT = Finite(2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(t)))
		p.DZ = Finite(md / sdd)
	}
	if avg := (*p.SDPre + *p.SDPost) / 2; avg > 0 {
		p.DAv = Finite(md / avg)
	}
	return p
}

// rankTolerance makes differences that are equal up to floating-point noise
// (a mean of three items computed in two ways) tie, as they do on paper.
const rankTolerance = 1e-9

// wilcoxon is the Wilcoxon signed-rank test of differences d against 0 as
// R's wilcox.test(post, pre, paired = TRUE) computes it: zero differences
// dropped; exact p for n < 50 without ties or zeros, otherwise the normal
// approximation with tie and continuity correction.
func wilcoxon(d []float64) (wPlus, p *float64, exact bool, rrb *float64) {
	var nonzero []float64
	zeros := false
	for _, x := range d {
		if math.Abs(x) <= rankTolerance {
			zeros = true
			continue
		}
		nonzero = append(nonzero, x)
	}
	n := len(nonzero)
	if n == 0 {
		// Only zero differences: V is 0 (as R reports it), nothing else is defined.
		return Finite(0), nil, false, nil
	}
	ranks, tieSizes := rankAbs(nonzero)
	v := 0.0
	for i, x := range nonzero {
		if x > 0 {
			v += ranks[i]
		}
	}
	total := float64(n*(n+1)) / 2
	wPlus = Finite(v)
	rrb = Finite((v - (total - v)) / total)
	ties := false
	for _, t := range tieSizes {
		if t > 1 {
			ties = true
		}
	}
	if n < 50 && !ties && !zeros {
		return wPlus, Finite(exactSignedRankP(int(math.Round(v)), n)), true, rrb
	}
	z := v - float64(n*(n+1))/4
	tieTerm := 0.0
	for _, t := range tieSizes {
		tieTerm += float64(t*t*t - t)
	}
	sigma := math.Sqrt(float64(n*(n+1)*(2*n+1))/24 - tieTerm/48)
	if sigma == 0 {
		return wPlus, nil, false, rrb
	}
	correction := 0.0
	switch {
	case z > 0:
		correction = 0.5
	case z < 0:
		correction = -0.5
	}
	z = (z - correction) / sigma
	pv := 2 * math.Min(distuv.UnitNormal.CDF(z), distuv.UnitNormal.Survival(z))
	return wPlus, Finite(math.Min(pv, 1)), false, rrb
}

// rankAbs ranks |x| with average ranks for ties and returns the sizes of the
// tie groups.
func rankAbs(xs []float64) (ranks []float64, tieSizes []int) {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	abs := func(i int) float64 { return math.Abs(xs[idx[i]]) }
	sort.Slice(idx, func(a, b int) bool { return math.Abs(xs[idx[a]]) < math.Abs(xs[idx[b]]) })
	ranks = make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && abs(j+1)-abs(i) <= rankTolerance {
			j++
		}
		avg := float64(i+j+2) / 2 // ranks are 1-based
		for k := i; k <= j; k++ {
			ranks[idx[k]] = avg
		}
		tieSizes = append(tieSizes, j-i+1)
		i = j + 1
	}
	return ranks, tieSizes
}

// exactSignedRankP is the exact two-sided p of the signed-rank statistic v
// for n differences without ties, as R's psignrank gives it.
func exactSignedRankP(v, n int) float64 {
	max := n * (n + 1) / 2
	// counts[s] = number of subsets of {1..n} whose ranks sum to s.
	counts := make([]float64, max+1)
	counts[0] = 1
	for r := 1; r <= n; r++ {
		for s := max; s >= r; s-- {
			counts[s] += counts[s-r]
		}
	}
	total := math.Pow(2, float64(n))
	cdf := func(x int) float64 { // P(V ≤ x)
		sum := 0.0
		for s := 0; s <= x && s <= max; s++ {
			sum += counts[s]
		}
		return sum / total
	}
	var p float64
	if float64(v) > float64(n*(n+1))/4 {
		p = 1 - cdf(v-1) // P(V ≥ v)
	} else {
		p = cdf(v)
	}
	return math.Min(2*p, 1)
}

// Holm adjusts p-values for multiple testing (Holm–Bonferroni); nil values
// stay nil and do not count.
func Holm(ps []*float64) []*float64 {
	type item struct {
		i int
		p float64
	}
	var items []item
	for i, p := range ps {
		if p != nil {
			items = append(items, item{i, *p})
		}
	}
	sort.SliceStable(items, func(a, b int) bool { return items[a].p < items[b].p })
	out := make([]*float64, len(ps))
	m := len(items)
	running := 0.0
	for k, it := range items {
		adj := math.Min(1, float64(m-k)*it.p)
		running = math.Max(running, adj)
		out[it.i] = Finite(running)
	}
	return out
}

// Alpha accumulates what Cronbach's α needs over complete responses, so
// that no response has to be kept: per item Σx and Σx², and the same for
// the response totals. α = k/(k−1)·(1 − Σ item variances / variance of the
// totals), with sample variances (n − 1).
type Alpha struct {
	n                 int
	sum, sumSq        []float64
	totalSum, totalSq float64
}

// NewAlpha returns an empty accumulator for k items.
func NewAlpha(k int) *Alpha {
	return &Alpha{sum: make([]float64, k), sumSq: make([]float64, k)}
}

// Add adds one complete response: its keyed value of each of the k items.
func (s *Alpha) Add(keyed []float64) {
	s.n++
	total := 0.0
	for j, v := range keyed {
		s.sum[j] += v
		s.sumSq[j] += v * v
		total += v
	}
	s.totalSum += total
	s.totalSq += total * total
}

// Merge adds another accumulator's responses (over the same items).
func (s *Alpha) Merge(o *Alpha) {
	s.n += o.n
	for j := range s.sum {
		s.sum[j] += o.sum[j]
		s.sumSq[j] += o.sumSq[j]
	}
	s.totalSum += o.totalSum
	s.totalSq += o.totalSq
}

// Value is α over the responses added; nil for fewer than two responses or
// items, or when the totals do not vary.
func (s *Alpha) Value() *float64 {
	k := len(s.sum)
	if s.n < 2 || k < 2 {
		return nil
	}
	n := float64(s.n)
	v := func(sum, sumSq float64) float64 { return (sumSq - sum*sum/n) / (n - 1) }
	itemVar := 0.0
	for j := range s.sum {
		itemVar += v(s.sum[j], s.sumSq[j])
	}
	totalVar := v(s.totalSum, s.totalSq)
	if totalVar <= 1e-12 {
		return nil
	}
	return Finite(float64(k) / float64(k-1) * (1 - itemVar/totalVar))
}

// Pearson is Pearson's correlation coefficient of paired values; nil when
// either does not vary or there are fewer than two pairs.
func Pearson(xs, ys []float64) *float64 {
	if len(xs) < 2 {
		return nil
	}
	mx, my := Mean(xs), Mean(ys)
	var sxy, sxx, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return nil
	}
	return Finite(sxy / math.Sqrt(sxx*syy))
}
