package app

import (
	"errors"
	"fmt"
	"math"

	"github.com/gofiber/fiber/v2"

	"einordnung/questions"
	"einordnung/reports"
	"einordnung/reports/charts"
)

type scoreRow struct {
	Title   string
	Pre     string
	Then    string
	Post    string
	Reading string
}

type outcomeView struct {
	Text        string
	Answer      string
	Confidence  string
	Right       bool
	Answered    bool
	Explanation string
}

type knowledgeSummary struct {
	Wave       string
	Correct    int
	Answered   int
	Accuracy   string
	Confidence string
	Reading    string
}

type feedbackData struct {
	CohortName string
	HasPost    bool
	Chart      charts.Chart
	Rows       []scoreRow
	Knowledge  []knowledgeSummary
	Outcomes   []outcomeView
	ReturnCode string
	Waiting    bool // pre submitted, post not yet
}

// showFeedback shows the participant's personal profile.
func (h *handler) showFeedback(c *fiber.Ctx) error {
	p, err := h.participant(c)
	if err != nil {
		return err
	}
	cohort, err := h.store.CohortByID(p.CohortID)
	if err != nil {
		return err
	}
	inst, ok := h.set.Get(cohort.Instrument)
	if !ok {
		return errors.New("app: instrument " + cohort.Instrument + " is not loaded")
	}
	profile, err := reports.BuildProfile(h.store, inst, p.ID)
	if err != nil {
		return err
	}
	if !profile.HasPre && !profile.HasPost {
		return c.Redirect("/survey", fiber.StatusSeeOther)
	}
	l := lang(c)
	d := feedbackData{CohortName: cohort.Name, HasPost: profile.HasPost, Waiting: !profile.HasPost,
		Chart: charts.Profile(profile, l, charts.ProfileText{
			Pre: h.t(c, "wave_pre"), Then: h.t(c, "wave_then"), Post: h.t(c, "wave_post"), Title: h.t(c, "feedback_chart_title"),
		})}
	for _, dim := range profile.Dimensions {
		d.Rows = append(d.Rows, scoreRow{Title: dim.Dimension.Title.In(l),
			Pre: h.number(c, dim.Pre), Then: h.number(c, dim.Then), Post: h.number(c, dim.Post),
			Reading: h.readScore(c, dim)})
	}
	if profile.KnowledgePre != nil {
		d.Knowledge = append(d.Knowledge, h.knowledgeSummary(c, "wave_pre", profile.KnowledgePre))
	}
	if profile.KnowledgePost != nil {
		d.Knowledge = append(d.Knowledge, h.knowledgeSummary(c, "wave_post", profile.KnowledgePost))
	}
	for _, o := range profile.Outcomes {
		ov := outcomeView{Text: o.Item.Text.In(l), Answered: o.Answered, Right: o.Right, Explanation: o.Item.Explanation.In(l)}
		if o.Answered {
			ov.Answer = h.t(c, fmt.Sprintf("survey_%t", o.Value))
			ov.Confidence = fmt.Sprintf("%d %%", o.Confidence)
		}
		d.Outcomes = append(d.Outcomes, ov)
	}
	d.ReturnCode = questions.FormatReturnCode(h.sessionValue(c, sessReturnCode))
	return h.render(c, "pages/feedback", "feedback_title", d)
}

// number formats a score with one decimal in the page's notation.
func (h *handler) number(c *fiber.Ctx, v *float64) string {
	if v == nil {
		return "–"
	}
	rounded := math.Round(*v*10) / 10
	return formatNumber(lang(c), &rounded, 1)
}

// readScore is the plain-language reading of one dimension: the level of the
// latest score, and after the post wave the change.
func (h *handler) readScore(c *fiber.Ctx, d reports.DimensionProfile) string {
	latest := d.Post
	if latest == nil {
		latest = d.Pre
	}
	if latest == nil {
		return h.t(c, "feedback_level_missing")
	}
	level := "feedback_level_high"
	switch {
	case *latest < 4:
		level = "feedback_level_low"
	case *latest < 7:
		level = "feedback_level_mid"
	}
	reading := h.t(c, level)
	if d.Post == nil {
		return reading
	}
	base := d.Pre
	key := "feedback_change_"
	if base == nil {
		base, key = d.Then, "feedback_change_then_"
	}
	if base == nil {
		return reading
	}
	diff := *d.Post - *base
	switch {
	case diff >= 1:
		key += "up"
	case diff <= -1:
		key += "down"
	default:
		key += "same"
	}
	reading += " " + h.t(c, key)
	if d.Pre != nil && d.Then != nil && *d.Pre-*d.Then >= 1 {
		reading += " " + h.t(c, "feedback_response_shift")
	}
	return reading
}

// knowledgeSummary reads one wave's knowledge result in plain words.
func (h *handler) knowledgeSummary(c *fiber.Ctx, waveKey string, r *questions.KnowledgeResult) knowledgeSummary {
	key := "feedback_calibrated"
	switch {
	case r.Bias > 0.1:
		key = "feedback_overconfident"
	case r.Bias < -0.1:
		key = "feedback_underconfident"
	}
	return knowledgeSummary{
		Wave: h.t(c, waveKey), Correct: r.Correct, Answered: r.Answered,
		Accuracy:   fmt.Sprintf("%.0f %%", r.Accuracy*100),
		Confidence: fmt.Sprintf("%.0f %%", r.Confidence*100),
		Reading:    h.t(c, key),
	}
}
