package reports

import "math"

// HistogramBins counts individual changes (Cohort.Overall) in bins of half a
// scale point, centred on whole and half points, from the lowest bin with a
// change to the highest; it returns the bin centres and counts. The
// dashboard's histogram and its table both show these bins; withheld
// changes (nil) have none.
func HistogramBins(changes []float64) (centres []float64, counts []int) {
	if len(changes) == 0 {
		return nil, nil
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range changes {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	// Bins are counted in half points as integers: a centre computed as
	// k/2 is never -0 (math.Round(-0.2) is), which would be shown as "−0,0".
	first, last := int(math.Round(lo*2)), int(math.Round(hi*2))
	for k := first; k <= last; k++ {
		centres = append(centres, float64(k)/2)
	}
	counts = make([]int, len(centres))
	for _, x := range changes {
		counts[int(math.Round(x*2))-first]++
	}
	return centres, counts
}
