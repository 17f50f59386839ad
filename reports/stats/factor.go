package stats

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// The one-factor maximum-likelihood factor analysis as R's factanal(covmat
// = S, factors = 1) fits it (factanal.fit.mle): the uniquenesses Ψ minimise
//
//	F(Ψ) = −Σ_{j>1} (log e_j − e_j) − 1 + p
//
// over [uniquenessFloor, 1], where e_1 ≥ … ≥ e_p are the eigenvalues of
// Ψ^−½ S Ψ^−½; the loadings are Ψ^½ v_1 √max(e_1 − 1, 0) with v_1 the first
// eigenvector, signed so that they sum to a positive number. R's start is
// (1 − 0.5/p)/diag(S⁻¹) and its optimiser L-BFGS-B; here a projected Newton
// method runs from the same start to a far tighter tolerance, so that the
// two agree to R's own precision (about 1e-5 in the loadings).
const uniquenessFloor = 0.005

// OneFactorML fits one factor to the correlation matrix corr; ok is false
// when corr is singular or the fit does not converge.
func OneFactorML(corr [][]float64) (loadings []float64, ok bool) {
	p := len(corr)
	if p < 3 {
		return nil, false
	}
	s := mat.NewSymDense(p, nil)
	for i := range p {
		for j := i; j < p; j++ {
			s.SetSym(i, j, corr[i][j])
		}
	}
	var inv mat.Dense
	if err := inv.Inverse(s); err != nil {
		return nil, false
	}
	fa := factorFit{s: s, p: p}
	psi := make([]float64, p)
	for i := range psi {
		psi[i] = clamp((1-0.5/float64(p))/inv.At(i, i), uniquenessFloor, 1)
		if math.IsNaN(psi[i]) {
			return nil, false
		}
	}
	psi, ok = fa.minimise(psi)
	if !ok {
		return nil, false
	}
	loadings, _ = fa.loadings(psi)
	sum := 0.0
	for _, l := range loadings {
		sum += l
	}
	if sum < 0 {
		for i := range loadings {
			loadings[i] = -loadings[i]
		}
	}
	for _, l := range loadings {
		if math.IsNaN(l) {
			return nil, false
		}
	}
	return loadings, true
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

type factorFit struct {
	s *mat.SymDense
	p int
}

// eigen returns the eigenvalues (ascending) and eigenvectors of Ψ^−½ S Ψ^−½.
func (fa factorFit) eigen(psi []float64) ([]float64, *mat.Dense, bool) {
	scaled := mat.NewSymDense(fa.p, nil)
	for i := range fa.p {
		for j := i; j < fa.p; j++ {
			scaled.SetSym(i, j, fa.s.At(i, j)/math.Sqrt(psi[i]*psi[j]))
		}
	}
	var e mat.EigenSym
	if !e.Factorize(scaled, true) {
		return nil, nil, false
	}
	var v mat.Dense
	e.VectorsTo(&v)
	return e.Values(nil), &v, true
}

// objective is F(Ψ); NaN when the eigenvalues cannot be computed.
func (fa factorFit) objective(psi []float64) float64 {
	vals, _, ok := fa.eigen(psi)
	if !ok {
		return math.NaN()
	}
	f := 0.0
	for _, e := range vals[:fa.p-1] { // all but the largest
		f += math.Log(e) - e
	}
	return -(f - 1 + float64(fa.p))
}

// loadings are the loadings at Ψ (unsigned).
func (fa factorFit) loadings(psi []float64) ([]float64, bool) {
	vals, vecs, ok := fa.eigen(psi)
	if !ok {
		return nil, false
	}
	top := fa.p - 1
	scale := math.Sqrt(math.Max(vals[top]-1, 0))
	l := make([]float64, fa.p)
	for i := range l {
		l[i] = math.Sqrt(psi[i]) * vecs.At(i, top) * scale
	}
	return l, true
}

// gradient of F at Ψ, as R's FAgr: diag(ΛΛ' + Ψ − S)/Ψ².
func (fa factorFit) gradient(psi []float64) ([]float64, bool) {
	l, ok := fa.loadings(psi)
	if !ok {
		return nil, false
	}
	g := make([]float64, fa.p)
	for i := range g {
		g[i] = (l[i]*l[i] + psi[i] - fa.s.At(i, i)) / (psi[i] * psi[i])
	}
	return g, true
}

// free reports which coordinates may move: not held at a bound by a
// gradient pointing outwards.
func free(psi, g []float64) []bool {
	f := make([]bool, len(psi))
	for i := range psi {
		atLow := psi[i] <= uniquenessFloor && g[i] > 0
		atHigh := psi[i] >= 1 && g[i] < 0
		f[i] = !atLow && !atHigh
	}
	return f
}

// hessian is the Hessian of F on the free coordinates, by central
// differences of the analytic gradient.
func (fa factorFit) hessian(psi []float64, isFree []bool) (*mat.SymDense, []int, bool) {
	var idx []int
	for i, f := range isFree {
		if f {
			idx = append(idx, i)
		}
	}
	m := len(idx)
	h := mat.NewDense(m, m, nil)
	x := append([]float64(nil), psi...)
	for a, i := range idx {
		step := 1e-6 * math.Max(psi[i], 1e-2)
		x[i] = psi[i] + step
		gp, ok1 := fa.gradient(x)
		x[i] = psi[i] - step
		gm, ok2 := fa.gradient(x)
		x[i] = psi[i]
		if !ok1 || !ok2 {
			return nil, nil, false
		}
		for b, j := range idx {
			h.Set(b, a, (gp[j]-gm[j])/(2*step))
		}
	}
	sym := mat.NewSymDense(m, nil)
	for a := range m {
		for b := a; b < m; b++ {
			sym.SetSym(a, b, (h.At(a, b)+h.At(b, a))/2)
		}
	}
	return sym, idx, true
}

// minimise runs projected Newton steps (gradient steps where the Hessian is
// not positive definite) with a backtracking line search until the
// projected gradient vanishes.
func (fa factorFit) minimise(psi []float64) ([]float64, bool) {
	f := fa.objective(psi)
	for range 200 {
		g, ok := fa.gradient(psi)
		if !ok || math.IsNaN(f) {
			return nil, false
		}
		pg := 0.0
		for i := range psi {
			pg = math.Max(pg, math.Abs(clamp(psi[i]-g[i], uniquenessFloor, 1)-psi[i]))
		}
		if pg < 1e-11 {
			return psi, true
		}
		isFree := free(psi, g)
		dir := make([]float64, len(psi))
		newton := false
		if h, idx, ok := fa.hessian(psi, isFree); ok && len(idx) > 0 {
			var chol mat.Cholesky
			if chol.Factorize(h) {
				rhs := mat.NewVecDense(len(idx), nil)
				for a, i := range idx {
					rhs.SetVec(a, -g[i])
				}
				var d mat.VecDense
				if chol.SolveVecTo(&d, rhs) == nil {
					for a, i := range idx {
						dir[i] = d.AtVec(a)
					}
					newton = true
				}
			}
		}
		if !newton {
			for i := range dir {
				if isFree[i] {
					dir[i] = -g[i] * psi[i] * psi[i]
				}
			}
		}
		next, fNext, moved := fa.lineSearch(psi, f, g, dir)
		if !moved && newton {
			// The Newton step failed to descend: try the gradient.
			for i := range dir {
				dir[i] = 0
				if isFree[i] {
					dir[i] = -g[i] * psi[i] * psi[i]
				}
			}
			next, fNext, moved = fa.lineSearch(psi, f, g, dir)
		}
		if !moved {
			// No step lowers F any more: at the optimum within rounding.
			return psi, pg < 1e-6
		}
		psi, f = next, fNext
	}
	return nil, false
}

// lineSearch halves the step along dir, projected onto the bounds, until
// F decreases enough (Armijo).
func (fa factorFit) lineSearch(psi []float64, f float64, g, dir []float64) ([]float64, float64, bool) {
	next := make([]float64, len(psi))
	for t := 1.0; t > 1e-12; t /= 2 {
		slope := 0.0
		same := true
		for i := range psi {
			next[i] = clamp(psi[i]+t*dir[i], uniquenessFloor, 1)
			slope += g[i] * (next[i] - psi[i])
			if next[i] != psi[i] {
				same = false
			}
		}
		if same {
			return nil, 0, false
		}
		if fn := fa.objective(next); !math.IsNaN(fn) && fn <= f+1e-4*slope {
			return next, fn, true
		}
	}
	return nil, 0, false
}
