package reports

import (
	"math"
	"reflect"
	"testing"
)

func TestHistogramBins(t *testing.T) {
	tests := []struct {
		changes []float64
		centres []float64
		counts  []int
	}{
		{nil, nil, nil},
		{[]float64{0.3}, []float64{0.5}, []int{1}},
		// A quarter point lies on a bin edge and goes to the bin away from zero.
		{[]float64{-0.25, 0.25}, []float64{-0.5, 0, 0.5}, []int{1, 0, 1}},
		{[]float64{-1.2, -0.3, 0, 0.2, 0.6, 0.74, 1.1, 1.6, 2.4, 2.5},
			[]float64{-1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5}, []int{1, 1, 2, 2, 1, 1, 0, 2}},
	}
	for _, tt := range tests {
		centres, counts := HistogramBins(tt.changes)
		if !reflect.DeepEqual(centres, tt.centres) || !reflect.DeepEqual(counts, tt.counts) {
			t.Errorf("HistogramBins(%v) = %v, %v; want %v, %v", tt.changes, centres, counts, tt.centres, tt.counts)
		}
	}
}

// TestHistogramBinsNoNegativeZero: the lowest change just below zero rounds
// to a bin at -0, which the dashboard wrote as a "−0,0" bin beside "0,0".
func TestHistogramBinsNoNegativeZero(t *testing.T) {
	for _, changes := range [][]float64{{-0.2, 0.1, 0.6}, {-0.1}, {-0.24, -0.2}} {
		centres, _ := HistogramBins(changes)
		for _, c := range centres {
			if c == 0 && math.Signbit(c) {
				t.Errorf("HistogramBins(%v) = %v: a bin at -0", changes, centres)
			}
		}
	}
}
