package reports

import "einordnung/reports/stats"

// Hidden says why a figure is withheld under the cohort's privacy rule; the
// zero value Shown means it is not. Every figure object of a Cohort carries
// one, so that every view can say why a number is missing, and none of them
// compares a count with the threshold itself.
type Hidden string

// The reasons a figure is withheld.
const (
	Shown     Hidden = ""
	FewPeople Hidden = "few_people" // fewer people than the cohort's minimum group
	FewPairs  Hidden = "few_pairs"  // fewer matched pre/post pairs than the minimum group
)

// privacy is the cohort's privacy rule: no aggregate over fewer than min
// people (or, for a change, fewer than min matched pairs) is shown or
// exported. It is applied here, once, to a Cohort whose figures were all
// computed: whatever it withholds is set to nil (or left out) before the
// Cohort leaves Build.
type privacy struct{ min int }

func (p privacy) people(n int) Hidden {
	if n < p.min {
		return FewPeople
	}
	return Shown
}

func (p privacy) pairs(n int) Hidden {
	if n < p.min {
		return FewPairs
	}
	return Shown
}

// apply withholds every figure of c that rests on too few people.
func (p privacy) apply(c *Cohort) {
	for _, list := range [][]DimensionReport{c.Dimensions, c.Then} {
		for i := range list {
			p.dimension(&list[i])
		}
	}
	for w, scores := range c.Waves {
		for d := range scores {
			if h := p.people(scores[d].N); h != Shown {
				scores[d] = WaveScores{Summary: stats.Summary{N: scores[d].N}, Hidden: h}
			}
		}
		c.Waves[w] = scores
	}
	if c.OverallHidden = p.pairs(len(c.Overall)); c.OverallHidden != Shown {
		c.Overall = nil // the individual changes themselves
	}
	for w, k := range c.Knowledge {
		if k.Hidden = p.people(k.N); k.Hidden != Shown {
			k = KnowledgeReport{N: k.N, Suppressed: true, Hidden: k.Hidden}
		}
		c.Knowledge[w] = k
	}
	for _, bins := range c.Calibration {
		// The threshold counts people, not answers: a bin resting on few
		// people's answers would show how those people answered.
		for i := range bins {
			if bins[i].Hidden = p.people(bins[i].People); bins[i].Hidden != Shown {
				bins[i].Correct = nil
			}
		}
	}
	for _, corr := range c.SelfVsKnow {
		if corr.Hidden = p.people(corr.N); corr.Hidden != Shown {
			corr.R = nil
		}
	}
	for i := range c.Items {
		for w, s := range c.Items[i].Shares {
			if s.Hidden = p.people(s.N); s.Hidden != Shown {
				s = ItemShare{N: s.N, Hidden: s.Hidden}
			}
			c.Items[i].Shares[w] = s
		}
	}
	d := &c.DropOut
	if d.LeftHidden = p.people(d.NLeft); d.LeftHidden != Shown {
		d.PreMeanLeft = nil
	}
	if d.StayedHidden = p.people(d.NStayed); d.StayedHidden != Shown {
		d.PreMeanStayed = nil
	}
	for _, b := range c.Breakdowns {
		for i := range b.Groups {
			p.group(&b.Groups[i])
		}
	}
}

// dimension withholds the parts of a comparison whose group is too small:
// each wave's description by its people, the paired figures by the pairs.
func (p privacy) dimension(r *DimensionReport) {
	if r.HiddenPre = p.people(r.NPre); r.HiddenPre != Shown {
		r.MeanPre, r.SDPre, r.AlphaPre = nil, nil, nil
	}
	if r.HiddenPost = p.people(r.NPost); r.HiddenPost != Shown {
		r.MeanPost, r.SDPost, r.AlphaPost = nil, nil, nil
	}
	if r.HiddenPairs = p.pairs(r.NPairs); r.HiddenPairs != Shown {
		r.MeanDiff, r.SDDiff, r.CILow, r.CIHigh = nil, nil, nil, nil
		r.T, r.DF, r.PT, r.DZ, r.DAv = nil, nil, nil, nil, nil
		r.WPlus, r.PW, r.RRB = nil, nil, nil
	}
	r.Suppressed = r.HiddenPre != Shown || r.HiddenPost != Shown || r.HiddenPairs != Shown
}

// group withholds a breakdown group: all of it below the threshold in
// people, else each dimension's mean by the people with a pre score and
// each change by the pairs behind it.
func (p privacy) group(g *Group) {
	g.Hidden = p.people(g.N)
	g.Suppressed = g.Hidden != Shown
	g.PreHidden = make([]Hidden, len(g.MeanPre))
	g.ChangeHidden = make([]Hidden, len(g.MeanChange))
	for d := range g.MeanPre {
		g.PreHidden[d], g.ChangeHidden[d] = g.Hidden, g.Hidden
		if !g.Suppressed {
			g.PreHidden[d], g.ChangeHidden[d] = p.people(g.NPre[d]), p.pairs(g.NChange[d])
		}
		if g.PreHidden[d] != Shown {
			g.MeanPre[d] = nil
		}
		if g.ChangeHidden[d] != Shown {
			g.MeanChange[d] = nil
			if d < len(g.ChangeCI) {
				g.ChangeCI[d] = Interval{}
			}
		}
	}
}

// applyQuality withholds every quality figure that rests on too few
// people: a scale by its complete cases, a knowledge item by the answers'
// people (its discrimination by the responses that answered every item),
// a response shift by its pairs. A withheld object keeps its n.
func (p privacy) applyQuality(q *Quality) {
	for i := range q.Scales {
		s := &q.Scales[i]
		if s.Hidden = p.people(s.N); s.Hidden != Shown {
			s.Suppressed = true
			s.Alpha, s.AlphaCILow, s.AlphaCIHigh, s.Omega = nil, nil, nil, nil
			for j := range s.Items {
				s.Items[j] = ItemQuality{Item: s.Items[j].Item}
			}
		}
	}
	for i := range q.Knowledge {
		k := &q.Knowledge[i]
		if k.Hidden = p.people(k.N); k.Hidden != Shown {
			k.Suppressed = true
			k.Difficulty, k.Discrimination = nil, nil
		} else if p.people(k.NComplete) != Shown {
			k.Discrimination = nil
		}
	}
	for i := range q.Shift {
		s := &q.Shift[i]
		if s.Hidden = p.pairs(s.N); s.Hidden != Shown {
			*s = Shift{Dimension: s.Dimension, N: s.N, Suppressed: true, Hidden: s.Hidden}
		}
	}
}
