// Package rgolden compares figures with the values R printed for the golden
// tests (reports/stats/testdata/golden.R, reports/testdata/report_golden.R).
//
// Tolerance: |got − want| ≤ 1e-9 + 1e-7·|want|, i.e. absolute 1e-9 for
// values of order one and relative 1e-7 for tiny p-values, which differ
// between gonum's and R's distribution functions in the last digits only.
package rgolden

import (
	"math"
	"strconv"
)

// Close reports whether got equals R's printed value want within the
// tolerance; R's "NA" (no value) equals only a nil figure.
func Close(got *float64, want string) bool {
	if want == "NA" {
		return got == nil
	}
	w, err := strconv.ParseFloat(want, 64)
	if err != nil || got == nil {
		return false
	}
	return math.Abs(*got-w) <= 1e-9+1e-7*math.Abs(w)
}

// Within is Close with an absolute tolerance of its own, for figures R
// itself finds only to a few digits (factanal's optimiser stops at a
// relative change of about 1e-8 in its objective, so loadings and ω agree
// to about 1e-5).
func Within(got *float64, want string, tol float64) bool {
	if want == "NA" {
		return got == nil
	}
	w, err := strconv.ParseFloat(want, 64)
	if err != nil || got == nil {
		return false
	}
	return math.Abs(*got-w) <= tol
}
