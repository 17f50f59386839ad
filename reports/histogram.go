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
	first, last := math.Round(lo*2)/2, math.Round(hi*2)/2
	for c := first; c <= last+1e-9; c += 0.5 {
		centres = append(centres, c)
	}
	counts = make([]int, len(centres))
	for _, x := range changes {
		counts[int(math.Round(x*2)-first*2)]++
	}
	return centres, counts
}
