package questions

// MinAnswered is how many of a dimension's k items must be answered for it to
// get a score: two thirds, rounded up (k = 3: 2, 4: 3, 5: 4, 6: 4).
func MinAnswered(k int) int { return (2*k + 2) / 3 }

// DimensionScore is one dimension's score in one response.
type DimensionScore struct {
	Dimension Dimension
	Answered  int      // items answered
	Items     int      // items in the dimension
	Score     *float64 // nil when fewer than MinAnswered(Items) were answered
}

// Scores returns every dimension's score, in instrument order, from raw
// ratings keyed by item id (an absent key is a missing answer). Values are
// keyed before averaging; values outside the scale are ignored.
func (in *Instrument) Scores(ratings map[string]int) []DimensionScore {
	out := make([]DimensionScore, 0, len(in.Dimensions))
	for _, d := range in.Dimensions {
		ds := DimensionScore{Dimension: d}
		sum := 0
		for _, it := range in.ItemsOf(d.ID) {
			ds.Items++
			v, ok := ratings[it.ID]
			if !ok || v < in.Scale.Min || v > in.Scale.Max {
				continue
			}
			ds.Answered++
			sum += in.Scale.Keyed(v, it.Reverse)
		}
		if ds.Answered > 0 && ds.Answered >= MinAnswered(ds.Items) {
			mean := float64(sum) / float64(ds.Answered)
			ds.Score = &mean
		}
		out = append(out, ds)
	}
	return out
}

// KnowledgeAnswer is one answered knowledge item: the participant's
// true/false judgement and their confidence in percent (50–100).
type KnowledgeAnswer struct {
	Value      bool
	Confidence int
}

// Confidence bounds of a knowledge answer, in percent.
const (
	MinConfidence = 50
	MaxConfidence = 100
)

// KnowledgeResult summarises one response's knowledge answers.
type KnowledgeResult struct {
	Answered   int     // items with both a judgement and a confidence
	Correct    int     // of those, judged correctly
	Accuracy   float64 // Correct / Answered
	Confidence float64 // mean confidence as a proportion (0.5–1)
	Bias       float64 // Confidence − Accuracy; positive = overconfident
	Brier      float64 // mean (confidence − correct)²
}

// ScoreKnowledge scores the answered knowledge items; ok is false when none
// was answered. Unknown item ids and confidences outside 50–100 are ignored.
func (in *Instrument) ScoreKnowledge(answers map[string]KnowledgeAnswer) (res KnowledgeResult, ok bool) {
	var confSum, brierSum float64
	for _, k := range in.Knowledge {
		a, found := answers[k.ID]
		if !found || a.Confidence < MinConfidence || a.Confidence > MaxConfidence {
			continue
		}
		res.Answered++
		conf := float64(a.Confidence) / 100
		correct := 0.0
		if a.Value == k.Correct {
			res.Correct++
			correct = 1
		}
		confSum += conf
		brierSum += (conf - correct) * (conf - correct)
	}
	if res.Answered == 0 {
		return res, false
	}
	n := float64(res.Answered)
	res.Accuracy = float64(res.Correct) / n
	res.Confidence = confSum / n
	res.Bias = res.Confidence - res.Accuracy
	res.Brier = brierSum / n
	return res, true
}
