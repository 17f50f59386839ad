package reports

import (
	"math"
	"slices"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports/stats"
)

// perResponse is what the streaming pass keeps of one response: scores, not answers.
type perResponse struct {
	wave       db.Wave
	scores     []float64 // per dimension, NaN = missing
	thenScores []float64 // post only
	overall    float64   // mean of the dimension scores, NaN if none
	accuracy   float64   // share of knowledge answers correct, NaN if none
	background []string  // per breakdown question: the answer, "" if none
	// Kept only for the quality build (scanCohort with keepItems): the ratings in
	// item order (NaN = missing), and per knowledge item −1 unanswered, 0
	// wrong, 1 right.
	items, thenItems []float64
	judged           []int8
}

// calibrationBins groups confidences in steps of ten: 50–59 %, …, 100 %.
const calibrationBins = (questions.MaxConfidence-questions.MinConfidence)/10 + 1

func binOf(confidence int) int { return (confidence - questions.MinConfidence) / 10 }

// wavePass is what one streaming pass over a wave's answers collects.
type wavePass struct {
	order      []uint // participants in the order their response first appears
	responses  map[uint]*perResponse
	itemCounts map[db.Wave][][]int        // the wave's, and for post also then's
	alpha      map[db.Wave][]*stats.Alpha // likewise
	know       knowledgeSums
	bins       [calibrationBins][3]int // answers, correct answers, people
}

// addAlpha adds one response's keyed ratings to every dimension it answered completely.
func addAlpha(inst *questions.Instrument, sums []*stats.Alpha, values []float64) {
	scales := inst.ItemScales()
	for d, dim := range inst.Dimensions {
		var keyed []float64
		for i, it := range inst.Items {
			if it.Dimension != dim.ID {
				continue
			}
			if math.IsNaN(values[i]) {
				keyed = nil
				break
			}
			keyed = append(keyed, float64(scales[i].Keyed(int(values[i]), it.Reverse)))
		}
		if keyed == nil {
			continue
		}
		sums[d].Add(keyed)
	}
}

// scanParts is how many slices of participants each wave is read in.
const scanParts = 2

// mergePasses joins the slices of one wave's pass; participants come out
// in id order, as each slice read them, so the result never depends on
// which slice finished first.
func mergePasses(ps []*wavePass) *wavePass {
	m := ps[0]
	for _, p := range ps[1:] {
		m.order = append(m.order, p.order...)
		for id, r := range p.responses {
			m.responses[id] = r
		}
		for w, counts := range p.itemCounts {
			for i := range counts {
				for v := range counts[i] {
					m.itemCounts[w][i][v] += counts[i][v]
				}
			}
		}
		for w, sums := range p.alpha {
			for d := range sums {
				m.alpha[w][d].Merge(sums[d])
			}
		}
		m.know.merge(&p.know)
		for b := range p.bins {
			for k := range p.bins[b] {
				m.bins[b][k] += p.bins[b][k]
			}
		}
	}
	slices.Sort(m.order)
	return m
}

// scanCohort reads a cohort's pre and post waves. Each wave is read in
// scanParts slices of its participants, side by side: the post wave has
// twice the answers of the pre wave, and equal slices keep both cores busy
// to the end.
// keepItems keeps each response's item values too (perResponse.items).
func scanCohort(store *db.Store, inst *questions.Instrument, cohortID uint, keepItems bool) (pre, post *wavePass, err error) {
	parts := map[db.Wave][]*wavePass{db.Pre: make([]*wavePass, scanParts), db.Post: make([]*wavePass, scanParts)}
	errs := make(chan error, 2*scanParts)
	for _, w := range []db.Wave{db.Pre, db.Post} {
		for part := range scanParts {
			go func() {
				p, err := scanWave(store, inst, cohortID, w, part, keepItems)
				parts[w][part] = p // each goroutine writes its own slot
				errs <- err
			}()
		}
	}
	for range 2 * scanParts {
		if e := <-errs; e != nil && err == nil {
			err = e
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return mergePasses(parts[db.Pre]), mergePasses(parts[db.Post]), nil
}

// scanWave reads one slice of a wave's submitted answers once, response by
// response, and keeps each response's scores and the running sums.
func scanWave(store *db.Store, inst *questions.Instrument, cohortID uint, wave db.Wave, part int, keepItems bool) (*wavePass, error) {
	s := newScanner(inst, wave)
	if keepItems {
		s.knowledgeIndex = make(map[string]int, len(inst.Knowledge))
		for i, k := range inst.Knowledge {
			s.knowledgeIndex[k.ID] = i
		}
		s.reset()
	}
	if err := store.EachScoreRow(cohortID, wave, part, scanParts, s.row); err != nil {
		return nil, err
	}
	s.flush()
	return s.pass, nil
}

// scanner is one streaming pass: the lookups it needs, what it collects,
// and the response it is reading.
type scanner struct {
	inst           *questions.Instrument
	wave           db.Wave
	pass           *wavePass
	itemIndex      map[string]int
	knowledge      map[string]questions.KnowledgeItem
	breakdownIndex map[string]int
	scales         []questions.Scale // each item's, in item order
	// knowledgeIndex is set when the items are kept (the quality build).
	knowledgeIndex map[string]int

	current, participant uint
	cur                  perResponse
	now, then            []float64 // the response's ratings in item order, NaN = missing
	kAnswered, kCorrect  int
	binHit               [calibrationBins]bool
}

func newScanner(inst *questions.Instrument, wave db.Wave) *scanner {
	s := &scanner{inst: inst, wave: wave, itemIndex: make(map[string]int, len(inst.Items)),
		knowledge: map[string]questions.KnowledgeItem{}, breakdownIndex: map[string]int{},
		scales: inst.ItemScales(),
		now:    make([]float64, len(inst.Items)), then: make([]float64, len(inst.Items))}
	for i, it := range inst.Items {
		s.itemIndex[it.ID] = i
	}
	for _, k := range inst.Knowledge {
		s.knowledge[k.ID] = k
	}
	for b, q := range inst.Breakdowns() {
		s.breakdownIndex[q.ID] = b
	}
	s.pass = &wavePass{responses: map[uint]*perResponse{}, itemCounts: map[db.Wave][][]int{}, alpha: map[db.Wave][]*stats.Alpha{}}
	waves := []db.Wave{wave}
	if wave == db.Post {
		waves = append(waves, db.Then)
	}
	for _, w := range waves {
		s.pass.itemCounts[w] = make([][]int, len(inst.Items))
		for i := range s.pass.itemCounts[w] {
			// One count per scale point, and "keine Angabe" last.
			s.pass.itemCounts[w][i] = make([]int, s.scales[i].Max-s.scales[i].Min+2)
		}
		s.pass.alpha[w] = make([]*stats.Alpha, len(inst.Dimensions))
		for d, dim := range inst.Dimensions {
			s.pass.alpha[w][d] = stats.NewAlpha(len(inst.ItemsOf(dim.ID)))
		}
	}
	s.reset()
	return s
}

// reset starts a new response.
func (s *scanner) reset() {
	for i := range s.now {
		s.now[i], s.then[i] = math.NaN(), math.NaN()
	}
	s.cur = perResponse{wave: s.wave, background: make([]string, len(s.breakdownIndex))}
	if s.knowledgeIndex != nil {
		s.cur.judged = make([]int8, len(s.knowledgeIndex))
		for i := range s.cur.judged {
			s.cur.judged[i] = -1
		}
	}
	s.kAnswered, s.kCorrect = 0, 0
	s.binHit = [calibrationBins]bool{}
}

// flush scores the response read so far and keeps it.
func (s *scanner) flush() {
	if s.current == 0 {
		return
	}
	inst, p := s.inst, s.pass
	s.cur.scores = make([]float64, len(inst.Dimensions))
	inst.ScoreVector(s.now, s.cur.scores)
	addAlpha(inst, p.alpha[s.wave], s.now)
	if s.wave == db.Post {
		s.cur.thenScores = make([]float64, len(inst.Dimensions))
		inst.ScoreVector(s.then, s.cur.thenScores)
		addAlpha(inst, p.alpha[db.Then], s.then)
	}
	s.cur.overall = nanMean(s.cur.scores)
	if s.knowledgeIndex != nil {
		s.cur.items = append([]float64(nil), s.now...)
		if s.wave == db.Post {
			s.cur.thenItems = append([]float64(nil), s.then...)
		}
	}
	s.cur.accuracy = math.NaN()
	if s.kAnswered > 0 {
		s.cur.accuracy = float64(s.kCorrect) / float64(s.kAnswered)
		p.know.responses++
	}
	for b, hit := range s.binHit {
		if hit {
			p.bins[b][2]++
		}
	}
	r := s.cur
	if _, seen := p.responses[s.participant]; !seen {
		p.order = append(p.order, s.participant)
	}
	p.responses[s.participant] = &r
}

// row reads one answer.
func (s *scanner) row(a *db.ScoreRow) error {
	if a.ResponseID != s.current {
		s.flush()
		s.reset()
		s.current, s.participant = a.ResponseID, a.PairID
	}
	// string(bytes) in a map index or comparison does not allocate.
	if i, ok := s.itemIndex[string(a.Item)]; ok {
		s.rating(i, a)
	} else if k, ok := s.knowledge[string(a.Item)]; ok {
		s.judgement(k, a)
	} else if b, ok := s.breakdownIndex[string(a.Item)]; ok && a.Value != nil {
		s.cur.background[b] = string(a.Value)
	}
	return nil
}

// rating counts a self-rating of item i and keeps it for the scores.
func (s *scanner) rating(i int, a *db.ScoreRow) {
	counts := s.pass.itemCounts[s.wave]
	if a.Retro {
		counts = s.pass.itemCounts[db.Then]
		if counts == nil {
			return
		}
	}
	if a.Value == nil {
		counts[i][len(counts[i])-1]++
		return
	}
	v, ok := questions.ParseRating(string(a.Value))
	if !ok || !s.scales[i].Contains(v) {
		return
	}
	counts[i][v-s.scales[i].Min]++
	if a.Retro {
		s.then[i] = float64(v)
	} else {
		s.now[i] = float64(v)
	}
}

// judgement counts a knowledge answer with its confidence.
func (s *scanner) judgement(k questions.KnowledgeItem, a *db.ScoreRow) {
	if a.Value == nil || !a.Confidence.Valid {
		return
	}
	conf := int(a.Confidence.Int64)
	value, ok := questions.ParseJudgement(string(a.Value))
	if !ok || !questions.ValidConfidence(conf) {
		return
	}
	hit := k.Judged(value)
	if s.cur.judged != nil {
		s.cur.judged[s.knowledgeIndex[k.ID]] = 0
		if hit {
			s.cur.judged[s.knowledgeIndex[k.ID]] = 1
		}
	}
	p := s.pass
	p.know.Add(conf, hit)
	s.kAnswered++
	b := binOf(conf)
	s.binHit[b] = true
	p.bins[b][0]++
	if hit {
		s.kCorrect++
		p.bins[b][1]++
	}
}
