package questions

import (
	"math"
	"testing"
)

const tol = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) <= tol }

func TestMinAnswered(t *testing.T) {
	tests := []struct {
		name string
		k    int
		want int
	}{
		{"k=1", 1, 1},
		{"k=2", 2, 2},
		{"k=3", 3, 2},
		{"k=4", 4, 3},
		{"k=5", 5, 4},
		{"k=6", 6, 4},
		{"k=9", 9, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MinAnswered(tt.k); got != tt.want {
				t.Errorf("MinAnswered(%d) = %d, want ⌈2k/3⌉ = %d", tt.k, got, tt.want)
			}
		})
	}
}

func TestScaleKeyed(t *testing.T) {
	zeroTen := Scale{Min: 0, Max: 10}
	oneFive := Scale{Min: 1, Max: 5}
	tests := []struct {
		name    string
		scale   Scale
		v       int
		reverse bool
		want    int
	}{
		{"0–10 forward 7", zeroTen, 7, false, 7},
		{"0–10 reverse 0", zeroTen, 0, true, 10},
		{"0–10 reverse 3", zeroTen, 3, true, 7},
		{"0–10 reverse 5", zeroTen, 5, true, 5},
		{"0–10 reverse 10", zeroTen, 10, true, 0},
		{"1–5 forward 2", oneFive, 2, false, 2},
		{"1–5 reverse 1", oneFive, 1, true, 5},
		{"1–5 reverse 2", oneFive, 2, true, 4},
		{"1–5 reverse 3", oneFive, 3, true, 3},
		{"1–5 reverse 5", oneFive, 5, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.scale.Keyed(tt.v, tt.reverse); got != tt.want {
				t.Errorf("Keyed(%d, reverse=%v) on %d–%d = %d, want %d", tt.v, tt.reverse, tt.scale.Min, tt.scale.Max, got, tt.want)
			}
		})
	}
}

// scoringInstrument has four dimensions of 3, 4, 5 and 6 items on 0–10. Its
// items are listed out of dimension order on purpose.
//
//	d3: x1 x2 x3r           (x3r reverse-keyed)
//	d4: y1 y2r y3 y4r       (y2r, y4r reverse-keyed)
//	d5: z1..z5
//	d6: w1..w6
func scoringInstrument() *Instrument {
	return &Instrument{
		ID: "test", Version: 1,
		Scale: Scale{Min: 0, Max: 10},
		Dimensions: []Dimension{
			{ID: "d3"}, {ID: "d4"}, {ID: "d5"}, {ID: "d6"},
		},
		Items: []Item{
			{ID: "w1", Dimension: "d6"},
			{ID: "x1", Dimension: "d3"},
			{ID: "y1", Dimension: "d4"},
			{ID: "z1", Dimension: "d5"},
			{ID: "x2", Dimension: "d3"},
			{ID: "y2r", Dimension: "d4", Reverse: true},
			{ID: "z2", Dimension: "d5"},
			{ID: "w2", Dimension: "d6"},
			{ID: "x3r", Dimension: "d3", Reverse: true},
			{ID: "y3", Dimension: "d4"},
			{ID: "y4r", Dimension: "d4", Reverse: true},
			{ID: "z3", Dimension: "d5"},
			{ID: "z4", Dimension: "d5"},
			{ID: "z5", Dimension: "d5"},
			{ID: "w3", Dimension: "d6"},
			{ID: "w4", Dimension: "d6"},
			{ID: "w5", Dimension: "d6"},
			{ID: "w6", Dimension: "d6"},
		},
	}
}

// dimWant is the expected outcome for one dimension: answered count and score
// (nil = no score).
type dimWant struct {
	answered int
	score    *float64
}

func fptr(v float64) *float64 { return &v }

func TestScores(t *testing.T) {
	in := scoringInstrument()
	tests := []struct {
		name    string
		ratings map[string]int
		want    map[string]dimWant // by dimension; dimensions not listed: 0 answered, nil
	}{
		{
			name:    "no answers at all",
			ratings: map[string]int{},
		},
		{
			name:    "k=3 with 2 answers gets a score",
			ratings: map[string]int{"x1": 4, "x2": 7},
			want:    map[string]dimWant{"d3": {2, fptr(5.5)}},
		},
		{
			name:    "k=3 with 1 answer gets none",
			ratings: map[string]int{"x1": 4},
			want:    map[string]dimWant{"d3": {1, nil}},
		},
		{
			name:    "k=3 all answered, one reverse-keyed",
			ratings: map[string]int{"x1": 8, "x2": 6, "x3r": 9}, // 8, 6, 10−9=1 → 15/3
			want:    map[string]dimWant{"d3": {3, fptr(5)}},
		},
		{
			name:    "k=3 two answered, reverse-keyed one among them",
			ratings: map[string]int{"x1": 8, "x3r": 3}, // 8, 7 → 7.5
			want:    map[string]dimWant{"d3": {2, fptr(7.5)}},
		},
		{
			name:    "k=4 with 3 answers gets a score",
			ratings: map[string]int{"y1": 8, "y2r": 3, "y3": 6}, // 8, 7, 6 → 7
			want:    map[string]dimWant{"d4": {3, fptr(7)}},
		},
		{
			name:    "k=4 with 2 answers gets none",
			ratings: map[string]int{"y1": 8, "y3": 6},
			want:    map[string]dimWant{"d4": {2, nil}},
		},
		{
			name:    "k=4 all answered, two reverse-keyed",
			ratings: map[string]int{"y1": 8, "y2r": 3, "y3": 6, "y4r": 10}, // 8, 7, 6, 0 → 21/4
			want:    map[string]dimWant{"d4": {4, fptr(5.25)}},
		},
		{
			name:    "k=5 with 4 answers gets a score",
			ratings: map[string]int{"z1": 1, "z2": 2, "z3": 2, "z5": 10}, // 15/4
			want:    map[string]dimWant{"d5": {4, fptr(3.75)}},
		},
		{
			name:    "k=5 with 3 answers gets none",
			ratings: map[string]int{"z1": 1, "z2": 2, "z3": 2},
			want:    map[string]dimWant{"d5": {3, nil}},
		},
		{
			name:    "k=6 with 4 answers gets a score",
			ratings: map[string]int{"w1": 0, "w2": 1, "w4": 1, "w6": 0}, // 2/4
			want:    map[string]dimWant{"d6": {4, fptr(0.5)}},
		},
		{
			name:    "k=6 with 3 answers gets none",
			ratings: map[string]int{"w1": 10, "w2": 10, "w3": 10},
			want:    map[string]dimWant{"d6": {3, nil}},
		},
		{
			name:    "non-integer mean",
			ratings: map[string]int{"x1": 1, "x2": 2, "x3r": 10}, // 1, 2, 0 → 1
			want:    map[string]dimWant{"d3": {3, fptr(1)}},
		},
		{
			name:    "mean of thirds",
			ratings: map[string]int{"x1": 10, "x2": 3, "x3r": 10}, // 10, 3, 0 → 13/3
			want:    map[string]dimWant{"d3": {3, fptr(13.0 / 3.0)}},
		},
		{
			name:    "out-of-scale values count as missing",
			ratings: map[string]int{"x1": 11, "x2": -1, "x3r": 4},
			want:    map[string]dimWant{"d3": {1, nil}},
		},
		{
			name:    "out-of-scale value ignored, rest still scored",
			ratings: map[string]int{"x1": 4, "x2": 6, "x3r": 42}, // 4, 6 → 5 (42 would give −32)
			want:    map[string]dimWant{"d3": {2, fptr(5)}},
		},
		{
			name:    "scale bounds themselves count",
			ratings: map[string]int{"x1": 0, "x2": 10}, // → 5
			want:    map[string]dimWant{"d3": {2, fptr(5)}},
		},
		{
			name:    "unknown item ids are ignored",
			ratings: map[string]int{"x1": 4, "nope": 9, "k1": 10},
			want:    map[string]dimWant{"d3": {1, nil}},
		},
		{
			name: "several dimensions at once",
			ratings: map[string]int{
				"x1": 2, "x2": 4, // d3: 3
				"y1": 10, "y2r": 0, "y3": 10, "y4r": 0, // d4: 10
				"z1": 5,                                              // d5: none
				"w1": 1, "w2": 2, "w3": 3, "w4": 4, "w5": 5, "w6": 6, // d6: 3.5
			},
			want: map[string]dimWant{"d3": {2, fptr(3)}, "d4": {4, fptr(10)}, "d5": {1, nil}, "d6": {6, fptr(3.5)}},
		},
	}
	items := map[string]int{"d3": 3, "d4": 4, "d5": 5, "d6": 6}
	order := []string{"d3", "d4", "d5", "d6"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := in.Scores(tt.ratings)
			if len(got) != len(order) {
				t.Fatalf("Scores returned %d dimensions, want %d", len(got), len(order))
			}
			for i, ds := range got {
				if ds.Dimension.ID != order[i] {
					t.Errorf("dimension %d = %s, want %s (instrument order)", i, ds.Dimension.ID, order[i])
					continue
				}
				w := tt.want[ds.Dimension.ID]
				if ds.Items != items[ds.Dimension.ID] {
					t.Errorf("%s: Items = %d, want %d", ds.Dimension.ID, ds.Items, items[ds.Dimension.ID])
				}
				if ds.Answered != w.answered {
					t.Errorf("%s: Answered = %d, want %d", ds.Dimension.ID, ds.Answered, w.answered)
				}
				switch {
				case w.score == nil && ds.Score != nil:
					t.Errorf("%s: Score = %v, want none", ds.Dimension.ID, *ds.Score)
				case w.score != nil && ds.Score == nil:
					t.Errorf("%s: Score = none, want %v", ds.Dimension.ID, *w.score)
				case w.score != nil && !near(*ds.Score, *w.score):
					t.Errorf("%s: Score = %.12f, want %.12f (±%g)", ds.Dimension.ID, *ds.Score, *w.score, tol)
				}
			}
		})
	}
}

func TestScoresOneToFiveScale(t *testing.T) {
	in := &Instrument{
		Scale:      Scale{Min: 1, Max: 5},
		Dimensions: []Dimension{{ID: "b"}, {ID: "a"}},
		Items: []Item{
			{ID: "a1", Dimension: "a"},
			{ID: "a2", Dimension: "a", Reverse: true},
			{ID: "a3", Dimension: "a", Reverse: true},
			{ID: "b1", Dimension: "b"},
			{ID: "b2", Dimension: "b"},
		},
	}
	tests := []struct {
		name    string
		ratings map[string]int
		wantA   *float64
		wantB   *float64
	}{
		// a: 5, 6−2=4, 6−1=5 → 14/3; b: (1+2)/2
		{"mixed reverse keying", map[string]int{"a1": 5, "a2": 2, "a3": 1, "b1": 1, "b2": 2}, fptr(14.0 / 3.0), fptr(1.5)},
		// 0 is below this scale's minimum: missing, so a has 1 of 3 answered.
		{"0 is out of a 1–5 scale", map[string]int{"a1": 0, "a2": 0, "a3": 3, "b1": 0, "b2": 6}, nil, nil},
		// a: 6−5=1, 6−5=1 → 1
		{"two reverse-keyed answers suffice for k=3", map[string]int{"a2": 5, "a3": 5}, fptr(1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := in.Scores(tt.ratings)
			if len(got) != 2 || got[0].Dimension.ID != "b" || got[1].Dimension.ID != "a" {
				t.Fatalf("Scores dimensions = %+v, want [b a] in instrument order", got)
			}
			check := func(name string, got, want *float64) {
				switch {
				case want == nil && got != nil:
					t.Errorf("%s: Score = %v, want none", name, *got)
				case want != nil && got == nil:
					t.Errorf("%s: Score = none, want %v", name, *want)
				case want != nil && !near(*got, *want):
					t.Errorf("%s: Score = %.12f, want %.12f (±%g)", name, *got, *want, tol)
				}
			}
			check("b", got[0].Score, tt.wantB)
			check("a", got[1].Score, tt.wantA)
		})
	}
}

func TestScoreKnowledge(t *testing.T) {
	in := &Instrument{
		Knowledge: []KnowledgeItem{
			{ID: "k1", Correct: true},
			{ID: "k2", Correct: false},
			{ID: "k3", Correct: true},
			{ID: "k4", Correct: false},
		},
	}
	tests := []struct {
		name    string
		answers map[string]KnowledgeAnswer
		ok      bool
		want    KnowledgeResult
	}{
		{
			name: "correct at 100, wrong at 80, correct at 50",
			answers: map[string]KnowledgeAnswer{
				"k1": {Value: true, Confidence: 100}, // correct
				"k2": {Value: true, Confidence: 80},  // wrong
				"k3": {Value: true, Confidence: 50},  // correct
			},
			ok: true,
			// accuracy 2/3; confidence (1+0.8+0.5)/3 = 0.766…; bias 0.1;
			// Brier ((1−1)² + (0.8−0)² + (0.5−1)²)/3 = 0.89/3.
			want: KnowledgeResult{Answered: 3, Correct: 2, Accuracy: 2.0 / 3.0, Confidence: 2.3 / 3.0, Bias: 0.1, Brier: 0.89 / 3.0},
		},
		{
			name:    "one false statement judged correctly while guessing",
			answers: map[string]KnowledgeAnswer{"k2": {Value: false, Confidence: 50}},
			ok:      true,
			// accuracy 1, confidence 0.5, bias −0.5, Brier (0.5−1)² = 0.25
			want: KnowledgeResult{Answered: 1, Correct: 1, Accuracy: 1, Confidence: 0.5, Bias: -0.5, Brier: 0.25},
		},
		{
			name: "all wrong and sure",
			answers: map[string]KnowledgeAnswer{
				"k1": {Value: false, Confidence: 100},
				"k4": {Value: true, Confidence: 90},
			},
			ok: true,
			// accuracy 0, confidence 0.95, bias 0.95, Brier (1 + 0.81)/2 = 0.905
			want: KnowledgeResult{Answered: 2, Correct: 0, Accuracy: 0, Confidence: 0.95, Bias: 0.95, Brier: 0.905},
		},
		{
			name: "confidence outside 50–100 and unknown ids are ignored",
			answers: map[string]KnowledgeAnswer{
				"k1":   {Value: true, Confidence: 49},
				"k2":   {Value: false, Confidence: 101},
				"k3":   {Value: true, Confidence: 0},
				"k4":   {Value: false, Confidence: 70}, // the only one that counts: correct at 70
				"nope": {Value: true, Confidence: 100},
			},
			ok: true,
			// accuracy 1, confidence 0.7, bias −0.3, Brier (0.7−1)² = 0.09
			want: KnowledgeResult{Answered: 1, Correct: 1, Accuracy: 1, Confidence: 0.7, Bias: -0.3, Brier: 0.09},
		},
		{
			name:    "no answers",
			answers: map[string]KnowledgeAnswer{},
			ok:      false,
		},
		{
			name: "only invalid answers",
			answers: map[string]KnowledgeAnswer{
				"k1": {Value: true, Confidence: 40},
				"k9": {Value: true, Confidence: 80},
			},
			ok: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := in.ScoreKnowledge(tt.answers)
			if ok != tt.ok {
				t.Fatalf("ScoreKnowledge ok = %v, want %v (result %+v)", ok, tt.ok, got)
			}
			if !ok {
				if got.Answered != 0 {
					t.Errorf("Answered = %d, want 0", got.Answered)
				}
				return
			}
			if got.Answered != tt.want.Answered || got.Correct != tt.want.Correct {
				t.Errorf("Answered/Correct = %d/%d, want %d/%d", got.Answered, got.Correct, tt.want.Answered, tt.want.Correct)
			}
			for _, c := range []struct {
				name      string
				got, want float64
			}{
				{"Accuracy", got.Accuracy, tt.want.Accuracy},
				{"Confidence", got.Confidence, tt.want.Confidence},
				{"Bias", got.Bias, tt.want.Bias},
				{"Brier", got.Brier, tt.want.Brier},
			} {
				if !near(c.got, c.want) {
					t.Errorf("%s = %.12f, want %.12f (±%g)", c.name, c.got, c.want, tol)
				}
			}
		})
	}
}

func TestParseStoredValues(t *testing.T) {
	ratings := []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true}, {"7", 7, true}, {"10", 10, true}, {"0010", 10, true},
		{"", 0, false}, {"-1", 0, false}, {"+5", 0, false}, {"5.0", 0, false}, {"12345", 0, false}, {"x", 0, false},
	}
	for _, tt := range ratings {
		if got, ok := ParseRating(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("ParseRating(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	judgements := []struct {
		in        string
		value, ok bool
	}{{"true", true, true}, {"false", false, true}, {"True", false, false}, {"1", false, false}, {"", false, false}}
	for _, tt := range judgements {
		if v, ok := ParseJudgement(tt.in); v != tt.value || ok != tt.ok {
			t.Errorf("ParseJudgement(%q) = %v, %v; want %v, %v", tt.in, v, ok, tt.value, tt.ok)
		}
	}
	for c, want := range map[int]bool{49: false, 50: true, 100: true, 101: false} {
		if ValidConfidence(c) != want {
			t.Errorf("ValidConfidence(%d) = %v", c, !want)
		}
	}
}

// TestKnowledgeTallyMergesLikeOneTally: a wave read in slices must give the
// figures of one pass.
func TestKnowledgeTallyMergesLikeOneTally(t *testing.T) {
	answers := []struct {
		conf    int
		correct bool
	}{{50, true}, {80, false}, {90, true}, {100, true}, {60, false}}
	var all, a, b KnowledgeTally
	for i, x := range answers {
		all.Add(x.conf, x.correct)
		if i < 2 {
			a.Add(x.conf, x.correct)
		} else {
			b.Add(x.conf, x.correct)
		}
	}
	a.Merge(b)
	got, _ := a.Result()
	want, ok := all.Result()
	if !ok || got.Answered != 5 || got.Correct != 3 || math.Abs(got.Accuracy-0.6) > 1e-12 || math.Abs(got.Brier-want.Brier) > 1e-12 ||
		math.Abs(got.Confidence-0.76) > 1e-12 || math.Abs(got.Bias-0.16) > 1e-12 {
		t.Errorf("merged %+v, one pass %+v", got, want)
	}
	if _, ok := (KnowledgeTally{}).Result(); ok {
		t.Error("an empty tally has a result")
	}
}
