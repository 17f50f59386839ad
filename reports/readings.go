package reports

import (
	"math"

	"einordnung/db"
	"einordnung/questions"
)

// Readings turn figures into plain terms: every threshold that decides
// which words a page shows for a number is here, once, for the cohort
// dashboard and the personal feedback alike. A reading is a code; the app
// says it in the page's language.

// Effect is the size of a change by Cohen's conventions for |d_z|.
type Effect string

// The sizes of a change.
const (
	EffectNone   Effect = "none"   // |d_z| < 0.2
	EffectSmall  Effect = "small"  // from 0.2
	EffectMedium Effect = "medium" // from 0.5
	EffectLarge  Effect = "large"  // from 0.8
)

// ReadEffect reads the size of a change from its standardised mean
// difference d_z; the sign does not matter.
func ReadEffect(dz float64) Effect {
	switch d := math.Abs(dz); {
	case d >= 0.8:
		return EffectLarge
	case d >= 0.5:
		return EffectMedium
	case d >= 0.2:
		return EffectSmall
	}
	return EffectNone
}

// Direction is which way a score moved.
type Direction string

// The directions of a change.
const (
	DirectionUp   Direction = "up"
	DirectionDown Direction = "down"
	DirectionSame Direction = "same" // a personal change of less than a point either way
)

// ReadDirection reads the direction of a cohort's mean change from its
// sign alone (its size is the Effect): down when negative, else up.
func ReadDirection(meanDiff float64) Direction {
	if meanDiff < 0 {
		return DirectionDown
	}
	return DirectionUp
}

// pointTolerance lets a change of a whole point count as one: scores are
// means of items, so 8/3 − 5/3 comes out a hair below 1.
const pointTolerance = 1e-9

// ReadPersonalChange reads a participant's change of a score: up or down
// by at least a whole point, else the same.
func ReadPersonalChange(diff float64) Direction {
	switch {
	case diff >= 1-pointTolerance:
		return DirectionUp
	case diff <= -1+pointTolerance:
		return DirectionDown
	}
	return DirectionSame
}

// SignificanceLevel is the level a Holm-adjusted p-value must fall below
// for a change to count as statistically established.
const SignificanceLevel = 0.05

// Significant reports whether a Holm-adjusted p-value establishes a change.
func Significant(pHolm float64) bool { return pHolm < SignificanceLevel }

// ChangeReading is a dimension's change in a cohort in plain terms.
type ChangeReading struct {
	Direction   Direction // DirectionUp or DirectionDown
	Effect      Effect
	Significant bool // after Holm's correction
}

// ReadChange reads a dimension's change, post against pre; false when
// there is no change to read (the paired figures are missing or withheld).
func ReadChange(r DimensionReport) (ChangeReading, bool) {
	if r.MeanDiff == nil || r.DZ == nil {
		return ChangeReading{}, false
	}
	return ChangeReading{
		Direction:   ReadDirection(*r.MeanDiff),
		Effect:      ReadEffect(*r.DZ),
		Significant: r.PTHolm != nil && Significant(*r.PTHolm),
	}, true
}

// Calibration is how confidence matched hits: the bias (mean confidence −
// share correct) read in plain terms.
type Calibration string

// The readings of a bias.
const (
	Overconfident  Calibration = "overconfident"  // bias above 0.1
	Underconfident Calibration = "underconfident" // bias below −0.1
	Calibrated     Calibration = "calibrated"     // within ±0.1
)

// ReadCalibration reads a bias, of a cohort's wave or of one participant.
func ReadCalibration(bias float64) Calibration {
	switch {
	case bias > 0.1:
		return Overconfident
	case bias < -0.1:
		return Underconfident
	}
	return Calibrated
}

// Level is where a participant sees themselves on a dimension.
type Level string

// The levels of a score.
const (
	LevelMissing Level = "missing" // no score to read
	LevelLow     Level = "low"     // below 4
	LevelMid     Level = "mid"     // from 4, below 7
	LevelHigh    Level = "high"    // from 7
)

// onTenPoints is a score on sc moved onto 0–10, where the readings of a
// participant's profile are defined; a change uses changeOnTenPoints.
func onTenPoints(score float64, sc questions.Scale) float64 {
	return changeOnTenPoints(score-float64(sc.Min), sc)
}

// changeOnTenPoints is a change of a score on sc in tenths of the scale's
// range: a point of the built-in 0–10 scale, 0.4 of a 1–5 scale.
func changeOnTenPoints(diff float64, sc questions.Scale) float64 {
	return diff * 10 / float64(sc.Max-sc.Min)
}

// ReadLevel reads a dimension score on 0–10 (onTenPoints).
func ReadLevel(score float64) Level {
	switch {
	case score < 4:
		return LevelLow
	case score < 7:
		return LevelMid
	}
	return LevelHigh
}

// ReadResponseShift reports a response shift: the retrospective rating of
// the start (then) at least a point below the rating given at the start
// (pre), so that the yardstick itself has moved.
func ReadResponseShift(pre, then float64) bool { return pre-then >= 1-pointTolerance }

// ProfileReading is one dimension of a participant's profile in plain terms.
type ProfileReading struct {
	Level Level // of the latest score
	// HasChange is set after the post wave when there is an earlier rating
	// to compare with: pre, or without it the retrospective rating.
	HasChange bool
	Change    Direction
	FromThen  bool // the change is against the retrospective rating
	Shift     bool // a response shift (ReadResponseShift)
}

// ReadProfile reads one dimension of a participant's profile: the level of
// the latest score, and after the post wave the change and whether the
// yardstick has shifted.
func ReadProfile(d DimensionProfile) ProfileReading {
	latest := d.Post
	if latest == nil {
		latest = d.Pre
	}
	if latest == nil {
		return ProfileReading{Level: LevelMissing}
	}
	sc := d.Scale
	r := ProfileReading{Level: ReadLevel(onTenPoints(*latest, sc))}
	if d.Post == nil {
		return r
	}
	base := d.Pre
	if base == nil {
		base, r.FromThen = d.Then, true
	}
	if base == nil {
		return ProfileReading{Level: r.Level}
	}
	r.HasChange, r.Change = true, ReadPersonalChange(changeOnTenPoints(*d.Post-*base, sc))
	r.Shift = d.Pre != nil && d.Then != nil && ReadResponseShift(onTenPoints(*d.Pre, sc), onTenPoints(*d.Then, sc))
	return r
}

// ShiftReading is a cohort's response shift on one dimension in plain
// terms: whether the retrospective rating of the start differs from the
// rating given at the start by more than chance (two-sided p below
// SignificanceLevel), and which way.
type ShiftReading struct {
	Shifted   bool
	Direction Direction // DirectionDown: looking back, the start is rated lower
}

// ReadShift reads a dimension's response shift; false when there is none
// to read (the figures are missing or withheld).
func ReadShift(s Shift) (ShiftReading, bool) {
	if s.MeanDiff == nil || s.P == nil {
		return ShiftReading{}, false
	}
	return ShiftReading{Shifted: Significant(*s.P), Direction: ReadDirection(*s.MeanDiff)}, true
}

// FewPairsForCertainty is the number of matched pairs below which the
// dashboard's summary warns that a change, though shown, rests on few
// people: its interval is wide and one person moves the mean visibly.
const FewPairsForCertainty = 30

// DropOutGap is how far apart (in points of the overall pre score) those
// who left after the pre wave and those who stayed may start before the
// summary warns that the drop-out differs: the pairs are then no longer a
// fair sample of who began.
const DropOutGap = 0.5

// Summary is the dashboard's first screen in plain terms: per dimension
// the change and how to read it, the knowledge and calibration per wave,
// and the cautions. It holds the report's own figure objects (copies of
// the same structs, with the same pointers), never a figure of its own, so
// that a sentence and the table beside it cannot disagree.
type Summary struct {
	Dimensions []DimensionSummary
	Knowledge  [2]KnowledgeSummary // pre, post
	DropOut    DropOut
	// DropOutDiffers is set when both groups' pre means are shown and lie
	// DropOutGap or more apart; LeftLower says which way.
	DropOutDiffers, LeftLower bool
}

// DimensionSummary is one dimension's change, post − pre, and, where
// retrospective ratings exist, post − then beside it.
type DimensionSummary struct {
	Change   DimensionReport // Report.Dimensions[d]
	Reading  ChangeReading
	Readable bool // false: no change to read (missing or withheld)
	// FewPairs: readable, but on fewer than FewPairsForCertainty pairs.
	FewPairs     bool
	Then         DimensionReport // Report.Then[d]
	ThenReading  ChangeReading
	ThenReadable bool
	// Shifted: both changes are readable and their 95 % intervals do not
	// overlap (ChangesDiffer). Post and then are given on the same day with
	// the same yardstick, pre with the one of back then: when the two
	// changes differ, the yardstick has moved (response shift).
	Shifted bool
}

// KnowledgeSummary is one wave's knowledge figures and their calibration.
type KnowledgeSummary struct {
	KnowledgeReport
	Calibration Calibration
	Readable    bool // shown and with a bias to read
}

// Summarize reads a cohort's report for the dashboard's first screen.
func Summarize(c *Cohort) Summary {
	s := Summary{DropOut: c.DropOut}
	for d := range c.Dimensions {
		ds := DimensionSummary{Change: c.Dimensions[d]}
		ds.Reading, ds.Readable = ReadChange(ds.Change)
		ds.FewPairs = ds.Readable && ds.Change.NPairs < FewPairsForCertainty
		if d < len(c.Then) {
			ds.Then = c.Then[d]
			ds.ThenReading, ds.ThenReadable = ReadChange(ds.Then)
		}
		ds.Shifted = ds.Readable && ds.ThenReadable && ChangesDiffer(ds.Change, ds.Then)
		s.Dimensions = append(s.Dimensions, ds)
	}
	for i, w := range []string{string(db.Pre), string(db.Post)} {
		k := KnowledgeSummary{KnowledgeReport: c.Knowledge[w]}
		if k.Readable = k.Hidden == Shown && k.Bias != nil && k.Accuracy != nil; k.Readable {
			k.Calibration = ReadCalibration(*k.Bias)
		}
		s.Knowledge[i] = k
	}
	if left, stayed := c.DropOut.PreMeanLeft, c.DropOut.PreMeanStayed; left != nil && stayed != nil {
		s.DropOutDiffers = math.Abs(*left-*stayed) >= DropOutGap-pointTolerance
		s.LeftLower = *left < *stayed
	}
	return s
}

// ChangesDiffer reports whether two changes of a cohort differ beyond
// doubt: both have a 95 % interval and the two do not overlap. That is
// stricter than a test of the difference (non-overlapping intervals imply
// one), so a shift it reports is not noise; overlapping ones may still
// differ a little.
func ChangesDiffer(a, b DimensionReport) bool {
	if a.CILow == nil || a.CIHigh == nil || b.CILow == nil || b.CIHigh == nil {
		return false
	}
	return *a.CIHigh < *b.CILow || *b.CIHigh < *a.CILow
}
