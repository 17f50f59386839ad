package reports

import (
	"math"
	"testing"

	"einordnung/questions"
)

// below and above are the floats next to a boundary.
func below(x float64) float64 { return math.Nextafter(x, math.Inf(-1)) }
func above(x float64) float64 { return math.Nextafter(x, math.Inf(1)) }

// reads is a table of readings: what a figure reads as.
type reads[Out comparable] []struct {
	in   float64
	want Out
}

// checkReads checks every case of a table against read.
func checkReads[Out comparable](t *testing.T, name string, read func(float64) Out, tests reads[Out]) {
	t.Helper()
	for _, tt := range tests {
		if got := read(tt.in); got != tt.want {
			t.Errorf("%s(%v) = %v, want %v", name, tt.in, got, tt.want)
		}
	}
}

func TestReadEffectAtCohensBoundaries(t *testing.T) {
	checkReads(t, "ReadEffect", ReadEffect, reads[Effect]{
		{0, EffectNone}, {below(0.2), EffectNone},
		{0.2, EffectSmall}, {above(0.2), EffectSmall}, {below(0.5), EffectSmall},
		{0.5, EffectMedium}, {above(0.5), EffectMedium}, {below(0.8), EffectMedium},
		{0.8, EffectLarge}, {above(0.8), EffectLarge}, {3, EffectLarge},
		// The size does not depend on the direction.
		{-below(0.2), EffectNone}, {-0.2, EffectSmall}, {-below(0.5), EffectSmall},
		{-0.5, EffectMedium}, {-below(0.8), EffectMedium}, {-0.8, EffectLarge},
	})
}

func TestReadDirectionBySign(t *testing.T) {
	checkReads(t, "ReadDirection", ReadDirection, reads[Direction]{
		{-1, DirectionDown}, {below(0), DirectionDown}, {0, DirectionUp}, {above(0), DirectionUp}, {1, DirectionUp},
	})
}

func TestReadPersonalChangeAtOnePoint(t *testing.T) {
	checkReads(t, "ReadPersonalChange", ReadPersonalChange, reads[Direction]{
		{0, DirectionSame},
		{0.999999, DirectionSame}, {1, DirectionUp}, {above(1), DirectionUp}, {4, DirectionUp},
		{-0.999999, DirectionSame}, {-1, DirectionDown}, {below(-1), DirectionDown}, {-4, DirectionDown},
		// Means of items: a whole point computed as 8/3 − 5/3 is a hair below 1.
		{8.0/3 - 5.0/3, DirectionUp}, {5.0/3 - 8.0/3, DirectionDown}, {below(1), DirectionUp},
	})
}

func TestSignificantBelowFivePercent(t *testing.T) {
	checkReads(t, "Significant", Significant, reads[bool]{
		{0, true}, {0.001, true}, {below(0.05), true}, {0.05, false}, {above(0.05), false}, {1, false},
	})
}

func TestReadCalibrationAtATenthEitherWay(t *testing.T) {
	checkReads(t, "ReadCalibration", ReadCalibration, reads[Calibration]{
		{0, Calibrated},
		{below(0.1), Calibrated}, {0.1, Calibrated}, {above(0.1), Overconfident}, {0.5, Overconfident},
		{above(-0.1), Calibrated}, {-0.1, Calibrated}, {below(-0.1), Underconfident}, {-0.5, Underconfident},
	})
}

func TestReadLevelAtFourAndSeven(t *testing.T) {
	checkReads(t, "ReadLevel", ReadLevel, reads[Level]{
		{0, LevelLow}, {below(4), LevelLow},
		{4, LevelMid}, {above(4), LevelMid}, {below(7), LevelMid},
		{7, LevelHigh}, {above(7), LevelHigh}, {10, LevelHigh},
	})
}

func TestReadResponseShiftFromOnePoint(t *testing.T) {
	tests := []struct {
		pre, then float64
		want      bool
	}{
		{5, 4, true}, {5, 4.000001, false}, {5, below(4), true}, {5, 5, false}, {4, 5, false}, {8, 2, true},
		{8.0 / 3, 5.0 / 3, true},
	}
	for _, tt := range tests {
		if got := ReadResponseShift(tt.pre, tt.then); got != tt.want {
			t.Errorf("ReadResponseShift(%v, %v) = %t, want %t", tt.pre, tt.then, got, tt.want)
		}
	}
}

func TestReadChange(t *testing.T) {
	p := func(v float64) *float64 { return &v }
	tests := []struct {
		name string
		r    DimensionReport
		want ChangeReading
		ok   bool
	}{
		{"withheld pairs", DimensionReport{HiddenPairs: FewPairs}, ChangeReading{}, false},
		{"no effect size", DimensionReport{MeanDiff: p(0)}, ChangeReading{}, false},
		{"up, large, established", DimensionReport{MeanDiff: p(1.2), DZ: p(0.8), PTHolm: p(below(0.05))},
			ChangeReading{Direction: DirectionUp, Effect: EffectLarge, Significant: true}, true},
		{"down, medium, not established", DimensionReport{MeanDiff: p(-0.4), DZ: p(-0.5), PTHolm: p(0.05)},
			ChangeReading{Direction: DirectionDown, Effect: EffectMedium}, true},
		{"no p-value", DimensionReport{MeanDiff: p(0.1), DZ: p(0.1)},
			ChangeReading{Direction: DirectionUp, Effect: EffectNone}, true},
	}
	for _, tt := range tests {
		got, ok := ReadChange(tt.r)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: ReadChange = %+v, %t; want %+v, %t", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// tenPoints is the built-in instrument's scale, where the readings are
// defined.
var tenPoints = questions.Scale{Min: 0, Max: 10}

// On another scale the readings hold in proportion: a 1–5 scale's levels
// split at 2.6 and 3.8, and a change counts from 0.4.
func TestReadProfileOnAFivePointScale(t *testing.T) {
	p := func(v float64) *float64 { return &v }
	five := questions.Scale{Min: 1, Max: 5}
	tests := []struct {
		name string
		d    DimensionProfile
		want ProfileReading
	}{
		{"low below 2.6", DimensionProfile{Scale: five, Pre: p(below(2.6))}, ProfileReading{Level: LevelLow}},
		{"mid from 2.6", DimensionProfile{Scale: five, Pre: p(2.6)}, ProfileReading{Level: LevelMid}},
		{"high from 3.8", DimensionProfile{Scale: five, Pre: p(3.8)}, ProfileReading{Level: LevelHigh}},
		{"up from 0.4", DimensionProfile{Scale: five, Pre: p(3), Then: p(3), Post: p(3.4)},
			ProfileReading{Level: LevelMid, HasChange: true, Change: DirectionUp}},
		{"the same below 0.4", DimensionProfile{Scale: five, Pre: p(3), Then: p(3), Post: p(3.3)},
			ProfileReading{Level: LevelMid, HasChange: true, Change: DirectionSame}},
		{"a shift from 0.4", DimensionProfile{Scale: five, Pre: p(3), Then: p(2.6), Post: p(3)},
			ProfileReading{Level: LevelMid, HasChange: true, Change: DirectionSame, Shift: true}},
	}
	for _, tt := range tests {
		if got := ReadProfile(tt.d); got != tt.want {
			t.Errorf("%s: ReadProfile = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestReadProfile(t *testing.T) {
	p := func(v float64) *float64 { return &v }
	tests := []struct {
		name string
		d    DimensionProfile
		want ProfileReading
	}{
		{"no score", DimensionProfile{Scale: tenPoints}, ProfileReading{Level: LevelMissing}},
		{"pre only", DimensionProfile{Scale: tenPoints, Pre: p(3)}, ProfileReading{Level: LevelLow}},
		{"the latest score sets the level", DimensionProfile{Scale: tenPoints, Pre: p(3), Then: p(3), Post: p(7)},
			ProfileReading{Level: LevelHigh, HasChange: true, Change: DirectionUp}},
		{"the same within a point", DimensionProfile{Scale: tenPoints, Pre: p(5), Then: p(5), Post: p(5.9)},
			ProfileReading{Level: LevelMid, HasChange: true, Change: DirectionSame}},
		{"down by a point", DimensionProfile{Scale: tenPoints, Pre: p(5), Post: p(4)},
			ProfileReading{Level: LevelMid, HasChange: true, Change: DirectionDown}},
		{"response shift", DimensionProfile{Scale: tenPoints, Pre: p(5), Then: p(4), Post: p(5)},
			ProfileReading{Level: LevelMid, HasChange: true, Change: DirectionSame, Shift: true}},
		{"post only: against the retrospective rating", DimensionProfile{Scale: tenPoints, Then: p(2), Post: p(3)},
			ProfileReading{Level: LevelLow, HasChange: true, Change: DirectionUp, FromThen: true}},
		{"post only, no earlier rating", DimensionProfile{Scale: tenPoints, Post: p(8)}, ProfileReading{Level: LevelHigh}},
	}
	for _, tt := range tests {
		if got := ReadProfile(tt.d); got != tt.want {
			t.Errorf("%s: ReadProfile = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
