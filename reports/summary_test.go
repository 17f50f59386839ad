package reports

import "testing"

func fp(v float64) *float64 { return &v }

// summaryCohort is a report of two dimensions: the first changed on 40
// pairs, with a retrospective change whose interval lies above it; the
// second on 12 pairs, its retrospective change overlapping.
func summaryCohort() *Cohort {
	return &Cohort{Report: Report{
		Dimensions: []DimensionReport{
			{Dimension: "a", NPairs: 40, MeanDiff: fp(1.2), CILow: fp(0.9), CIHigh: fp(1.5), DZ: fp(0.9), PTHolm: fp(0.001)},
			{Dimension: "b", NPairs: 12, MeanDiff: fp(-0.3), CILow: fp(-0.8), CIHigh: fp(0.2), DZ: fp(-0.25), PTHolm: fp(0.4)},
		},
		Then: []DimensionReport{
			{Dimension: "a", NPairs: 40, MeanDiff: fp(1.9), CILow: fp(1.5 + 1e-6), CIHigh: fp(2.2), DZ: fp(1.3), PTHolm: fp(0.001)},
			{Dimension: "b", NPairs: 12, MeanDiff: fp(0.1), CILow: fp(-0.4), CIHigh: fp(0.6), DZ: fp(0.1), PTHolm: fp(0.8)},
		},
		Knowledge: map[string]KnowledgeReport{
			"pre":  {N: 40, Accuracy: fp(0.6), Confidence: fp(0.8), Bias: fp(0.2)},
			"post": {N: 30, Accuracy: fp(0.7), Confidence: fp(0.75), Bias: fp(0.05)},
		}},
		DropOut: DropOut{PreOnly: 10, Both: 40, NLeft: 10, NStayed: 40, PreMeanLeft: fp(4.0), PreMeanStayed: fp(4.5)},
	}
}

// TestSummarizeReadsTheReportsOwnFigures: the summary holds the report's
// figure objects themselves (the same pointers the tables format), reads
// them with the one rule each (ReadChange, ReadCalibration), and sets the
// cautions at their thresholds.
func TestSummarizeReadsTheReportsOwnFigures(t *testing.T) {
	c := summaryCohort()
	s := Summarize(c)
	for d, ds := range s.Dimensions {
		r, th := c.Dimensions[d], c.Then[d]
		if ds.Change.MeanDiff != r.MeanDiff || ds.Change.CILow != r.CILow || ds.Change.DZ != r.DZ || ds.Then.MeanDiff != th.MeanDiff {
			t.Errorf("dimension %s: the summary's figures are not the report's own", r.Dimension)
		}
		if want, _ := ReadChange(r); ds.Reading != want || !ds.Readable {
			t.Errorf("dimension %s: reading %+v, want ReadChange's %+v", r.Dimension, ds.Reading, want)
		}
	}
	a, b := s.Dimensions[0], s.Dimensions[1]
	if a.FewPairs || !b.FewPairs {
		t.Errorf("few pairs: 40 → %v, 12 → %v; want a caution below %d only", a.FewPairs, b.FewPairs, FewPairsForCertainty)
	}
	if !a.Shifted || b.Shifted {
		t.Errorf("shift: separate intervals → %v, overlapping → %v", a.Shifted, b.Shifted)
	}
	if b.Reading.Direction != DirectionDown || b.Reading.Significant || b.Reading.Effect != EffectSmall {
		t.Errorf("dimension b reads %+v", b.Reading)
	}
	if k := s.Knowledge; !k[0].Readable || k[0].Calibration != Overconfident || k[1].Calibration != Calibrated || k[1].Accuracy != c.Knowledge["post"].Accuracy {
		t.Errorf("knowledge %+v", k)
	}
	if !s.DropOutDiffers || !s.LeftLower {
		t.Errorf("drop-out 4.0 against 4.5: differs %v, left lower %v; want both", s.DropOutDiffers, s.LeftLower)
	}

	// At the boundaries: touching intervals overlap; a gap just under
	// DropOutGap is no caution; 30 pairs are enough.
	c.Then[0].CILow = fp(1.5)
	c.DropOut.PreMeanLeft = fp(4.0 + 1e-6)
	c.Dimensions[1].NPairs = FewPairsForCertainty
	s = Summarize(c)
	if s.Dimensions[0].Shifted || s.DropOutDiffers || s.Dimensions[1].FewPairs {
		t.Errorf("at the boundaries: shifted %v, drop-out differs %v, few pairs %v; want none",
			s.Dimensions[0].Shifted, s.DropOutDiffers, s.Dimensions[1].FewPairs)
	}

	// Withheld pairs: nothing to read, no caution about their number.
	c.Dimensions[1] = DimensionReport{Dimension: "b", NPairs: 3, HiddenPairs: FewPairs, Suppressed: true}
	if ds := Summarize(c).Dimensions[1]; ds.Readable || ds.FewPairs || ds.Shifted {
		t.Errorf("withheld change: %+v", ds)
	}
}
