package reports

import (
	"fmt"

	"einordnung/db"
	"einordnung/questions"
)

// DimensionProfile is one dimension's scores in a participant's profile; a
// nil score is missing (too few items answered, or the wave not taken).
type DimensionProfile struct {
	Dimension questions.Dimension
	Scale     questions.Scale // the dimension's items' scale
	Pre       *float64
	Then      *float64 // retrospective pre-rating, given in the post wave
	Post      *float64
}

// KnowledgeOutcome is one knowledge item as a participant answered it.
type KnowledgeOutcome struct {
	Item       questions.KnowledgeItem
	Answered   bool
	Value      bool
	Confidence int
	Right      bool
}

// Profile is a participant's personal feedback: their submitted waves only.
type Profile struct {
	Instrument   *questions.Instrument
	HasPre       bool
	HasPost      bool
	Dimensions   []DimensionProfile
	KnowledgePre *questions.KnowledgeResult
	// KnowledgePost is nil unless the post wave was submitted.
	KnowledgePost *questions.KnowledgeResult
	// Outcomes are the knowledge answers of the latest submitted wave.
	Outcomes []KnowledgeOutcome
}

// BuildProfile builds the personal profile of a participant from their
// submitted responses.
func BuildProfile(store *db.Store, inst *questions.Instrument, participantID uint) (*Profile, error) {
	responses, err := store.ResponsesOf(participantID)
	if err != nil {
		return nil, fmt.Errorf("reports: profile: %w", err)
	}
	p := &Profile{Instrument: inst}
	for _, d := range inst.Dimensions {
		p.Dimensions = append(p.Dimensions, DimensionProfile{Dimension: d, Scale: inst.DimensionScale(d.ID)})
	}
	set := func(scores []questions.DimensionScore, pick func(*DimensionProfile) **float64) {
		for i, s := range scores {
			*pick(&p.Dimensions[i]) = s.Score
		}
	}
	var latest []db.Answer
	for _, r := range responses {
		if !r.Submitted() {
			continue
		}
		knowledge := KnowledgeAnswers(r.Answers)
		result, ok := inst.ScoreKnowledge(knowledge)
		switch r.Wave {
		case db.Pre:
			p.HasPre = true
			set(inst.Scores(Ratings(r.Answers, false)), func(d *DimensionProfile) **float64 { return &d.Pre })
			if ok {
				p.KnowledgePre = &result
			}
		case db.Post:
			p.HasPost = true
			set(inst.Scores(Ratings(r.Answers, false)), func(d *DimensionProfile) **float64 { return &d.Post })
			set(inst.Scores(Ratings(r.Answers, true)), func(d *DimensionProfile) **float64 { return &d.Then })
			if ok {
				p.KnowledgePost = &result
			}
		}
		latest = r.Answers
	}
	known := KnowledgeAnswers(latest)
	for _, k := range inst.Knowledge {
		a, ok := known[k.ID]
		p.Outcomes = append(p.Outcomes, KnowledgeOutcome{Item: k, Answered: ok, Value: a.Value, Confidence: a.Confidence, Right: ok && k.Judged(a.Value)})
	}
	return p, nil
}

// Ratings returns the self-ratings among answers (retro: the retrospective
// ones) keyed by item; "keine Angabe" and unreadable values are left out.
func Ratings(answers []db.Answer, retro bool) map[string]int {
	out := map[string]int{}
	for _, a := range answers {
		if a.Kind != db.KindRating || a.Retro != retro || a.Value == nil {
			continue
		}
		if v, ok := questions.ParseRating(*a.Value); ok {
			out[a.Item] = v
		}
	}
	return out
}

// KnowledgeAnswers returns the knowledge answers that have both a judgement
// and a confidence, keyed by item.
func KnowledgeAnswers(answers []db.Answer) map[string]questions.KnowledgeAnswer {
	out := map[string]questions.KnowledgeAnswer{}
	for _, a := range answers {
		if a.Kind != db.KindKnowledge || a.Value == nil || a.Confidence == nil {
			continue
		}
		v, ok := questions.ParseJudgement(*a.Value)
		if !ok {
			continue
		}
		out[a.Item] = questions.KnowledgeAnswer{Value: v, Confidence: *a.Confidence}
	}
	return out
}
