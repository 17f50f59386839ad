package questions

import "math"

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
	values := make([]float64, len(in.Items))
	for i, it := range in.Items {
		values[i] = math.NaN()
		if v, ok := ratings[it.ID]; ok {
			values[i] = float64(v)
		}
	}
	scores := make([]float64, len(in.Dimensions))
	answered := in.ScoreVector(values, scores)
	out := make([]DimensionScore, len(in.Dimensions))
	for d, dim := range in.Dimensions {
		out[d] = DimensionScore{Dimension: dim, Answered: answered[d], Items: len(in.ItemsOf(dim.ID))}
		if !math.IsNaN(scores[d]) {
			out[d].Score = &scores[d]
		}
	}
	return out
}

// ScoreVector is Scores for values given in item order (NaN = missing),
// without maps, for reports over many responses. It writes each dimension's
// score into scores (NaN = missing) and returns the answered counts.
func (in *Instrument) ScoreVector(values, scores []float64) (answered []int) {
	answered = make([]int, len(in.Dimensions))
	sums := make([]float64, len(in.Dimensions))
	items := make([]int, len(in.Dimensions))
	scales := in.ItemScales()
	for i, it := range in.Items {
		d := in.dimensionIndex(it.Dimension)
		items[d]++
		v, sc := values[i], scales[i]
		if math.IsNaN(v) || v < float64(sc.Min) || v > float64(sc.Max) {
			continue
		}
		answered[d]++
		sums[d] += float64(sc.Keyed(int(v), it.Reverse))
	}
	for d := range in.Dimensions {
		scores[d] = math.NaN()
		if answered[d] > 0 && answered[d] >= MinAnswered(items[d]) {
			scores[d] = sums[d] / float64(answered[d])
		}
	}
	return answered
}

// dimensionIndex returns the position of a dimension, or -1.
func (in *Instrument) dimensionIndex(id string) int {
	for d, dim := range in.Dimensions {
		if dim.ID == id {
			return d
		}
	}
	return -1
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

// Judged reports whether judging knowledge item k as value is correct.
func (k KnowledgeItem) Judged(value bool) bool { return value == k.Correct }

// ValidConfidence reports whether c is a confidence a knowledge answer may
// carry (50–100 %).
func ValidConfidence(c int) bool { return c >= MinConfidence && c <= MaxConfidence }

// ParseJudgement reads a stored true/false judgement ("true" or "false").
func ParseJudgement(s string) (value, ok bool) {
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// ParseRating reads a stored rating: a non-negative decimal of up to four
// digits, without allocating; anything else is not a rating. Whether it
// lies on the scale is Scale.Contains's question.
func ParseRating(s string) (int, bool) {
	if len(s) == 0 || len(s) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// KnowledgeTally pools judged knowledge answers, one response's or a whole
// wave's: the one place where a judgement becomes accuracy, confidence,
// bias and Brier score.
type KnowledgeTally struct {
	Answered, Correct int
	confSum, brierSum float64
}

// Add counts one answer given with confidence (in percent) that was correct or not.
func (t *KnowledgeTally) Add(confidence int, correct bool) {
	conf := float64(confidence) / 100
	outcome := 0.0
	if correct {
		t.Correct++
		outcome = 1
	}
	t.Answered++
	t.confSum += conf
	t.brierSum += (conf - outcome) * (conf - outcome)
}

// Merge adds another tally's answers.
func (t *KnowledgeTally) Merge(o KnowledgeTally) {
	t.Answered += o.Answered
	t.Correct += o.Correct
	t.confSum += o.confSum
	t.brierSum += o.brierSum
}

// Result is the tally's figures; ok is false when nothing was answered.
func (t KnowledgeTally) Result() (res KnowledgeResult, ok bool) {
	if t.Answered == 0 {
		return KnowledgeResult{}, false
	}
	n := float64(t.Answered)
	res = KnowledgeResult{Answered: t.Answered, Correct: t.Correct,
		Accuracy: float64(t.Correct) / n, Confidence: t.confSum / n, Brier: t.brierSum / n}
	res.Bias = res.Confidence - res.Accuracy
	return res, true
}

// ScoreKnowledge scores the answered knowledge items; ok is false when none
// was answered. Unknown item ids and confidences outside 50–100 are ignored.
func (in *Instrument) ScoreKnowledge(answers map[string]KnowledgeAnswer) (res KnowledgeResult, ok bool) {
	var t KnowledgeTally
	for _, k := range in.Knowledge {
		if a, found := answers[k.ID]; found && ValidConfidence(a.Confidence) {
			t.Add(a.Confidence, k.Judged(a.Value))
		}
	}
	return t.Result()
}
