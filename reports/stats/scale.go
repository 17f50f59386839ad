package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// ScaleAnalysis is the item analysis of one scale over complete cases:
// reliability with its interval, ω, and per item the figures below.
type ScaleAnalysis struct {
	N, K      int
	Alpha     *float64
	AlphaLow  *float64 // Feldt's 95 % interval
	AlphaHigh *float64
	Omega     *float64 // from the one-factor ML loadings; nil when k < 3 or the fit fails
	Items     []ItemAnalysis
}

// ItemAnalysis describes one item of a scale over the scale's complete cases.
type ItemAnalysis struct {
	Mean, SD       *float64
	RDrop          *float64 // corrected item-total correlation: with the sum of the other items
	AlphaIfDropped *float64 // α of the other items; nil when fewer than two remain
	Loading        *float64 // one-factor ML loading
}

// AnalyseScale analyses rows of keyed values, one complete case per row,
// k columns each.
func AnalyseScale(rows [][]float64, k int) ScaleAnalysis {
	a := ScaleAnalysis{N: len(rows), K: k, Items: make([]ItemAnalysis, k)}
	a.Alpha = alphaOf(rows, k, -1)
	if a.Alpha != nil {
		a.AlphaLow, a.AlphaHigh = FeldtCI(*a.Alpha, a.N, k)
	}
	col := make([]float64, len(rows))
	rest := make([]float64, len(rows))
	for j := range k {
		for i, r := range rows {
			col[i], rest[i] = r[j], 0
			for jj, v := range r {
				if jj != j {
					rest[i] += v
				}
			}
		}
		it := &a.Items[j]
		if len(rows) > 0 {
			it.Mean = Finite(Mean(col))
		}
		it.SD = Finite(math.Sqrt(variance(col)))
		it.RDrop = Pearson(col, rest)
		if k-1 >= 2 {
			it.AlphaIfDropped = alphaOf(rows, k, j)
		}
	}
	if k < 3 {
		return a
	}
	corr, ok := Correlations(rows, k)
	if !ok {
		return a
	}
	loadings, ok := OneFactorML(corr)
	if !ok {
		return a
	}
	for j, l := range loadings {
		a.Items[j].Loading = Finite(l)
	}
	a.Omega = Finite(Omega(loadings))
	return a
}

// alphaOf is Cronbach's α of the columns of rows except column skip (−1: none).
func alphaOf(rows [][]float64, k, skip int) *float64 {
	kk := k
	if skip >= 0 {
		kk--
	}
	acc := NewAlpha(kk)
	keyed := make([]float64, 0, k)
	for _, r := range rows {
		keyed = keyed[:0]
		for j, v := range r {
			if j != skip {
				keyed = append(keyed, v)
			}
		}
		acc.Add(keyed)
	}
	return acc.Value()
}

// FeldtCI is Feldt's 95 % interval of α over n cases and k items:
// 1 − (1 − α)·F(0.975; n − 1, (n − 1)(k − 1)) to
// 1 − (1 − α)·F(0.025; n − 1, (n − 1)(k − 1)).
func FeldtCI(alpha float64, n, k int) (low, high *float64) {
	if n < 2 || k < 2 {
		return nil, nil
	}
	f := distuv.F{D1: float64(n - 1), D2: float64((n - 1) * (k - 1))}
	return Finite(1 - (1-alpha)*f.Quantile(0.975)), Finite(1 - (1-alpha)*f.Quantile(0.025))
}

// Correlations is the Pearson correlation matrix of the k columns of rows;
// ok is false when a column does not vary or there are fewer than two rows.
func Correlations(rows [][]float64, k int) (corr [][]float64, ok bool) {
	n := len(rows)
	if n < 2 {
		return nil, false
	}
	mean := make([]float64, k)
	for _, r := range rows {
		for j := range k {
			mean[j] += r[j]
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	cov := make([][]float64, k)
	for j := range cov {
		cov[j] = make([]float64, k)
	}
	d := make([]float64, k)
	for _, r := range rows {
		for j := range k {
			d[j] = r[j] - mean[j]
		}
		for j := range k {
			for l := j; l < k; l++ {
				cov[j][l] += d[j] * d[l]
			}
		}
	}
	for j := range k {
		if cov[j][j] == 0 {
			return nil, false
		}
	}
	corr = make([][]float64, k)
	for j := range corr {
		corr[j] = make([]float64, k)
	}
	for j := range k {
		corr[j][j] = 1
		for l := j + 1; l < k; l++ {
			r := cov[j][l] / math.Sqrt(cov[j][j]*cov[l][l])
			corr[j][l], corr[l][j] = r, r
		}
	}
	return corr, true
}

// Omega is McDonald's ω of standardised one-factor loadings:
// (Σλ)² / ((Σλ)² + Σ(1 − λ²)).
func Omega(loadings []float64) float64 {
	sum, unique := 0.0, 0.0
	for _, l := range loadings {
		sum += l
		unique += 1 - l*l
	}
	return sum * sum / (sum*sum + unique)
}
