package app

import (
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

// outcomeView is one statement: whether it is true, what the participant
// answered with what confidence, and whether that was a hit, each said in
// words of its own ("richtig" is only ever the option, never the verdict).
type outcomeView struct {
	Text        string
	Truth       string
	Answer      string
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
	inst, err := h.instrumentOf(cohort)
	if err != nil {
		return err
	}
	speak(c, inst)
	profile, err := reports.BuildProfile(h.store, inst, p.ID)
	if err != nil {
		return err
	}
	if !profile.HasPre && !profile.HasPost {
		return c.Redirect("/survey", fiber.StatusSeeOther)
	}
	l := textLang(c)
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
		ov := outcomeView{Text: o.Item.Text.In(l), Answered: o.Answered, Right: o.Right, Explanation: o.Item.Explanation.In(l),
			Truth: h.t(c, fmt.Sprintf("feedback_statement_%t", o.Item.Correct))}
		if o.Answered {
			ov.Answer = fmt.Sprintf(h.t(c, "feedback_answered"), h.t(c, fmt.Sprintf("survey_%t", o.Value)), fmt.Sprintf("%d %%", o.Confidence))
		}
		d.Outcomes = append(d.Outcomes, ov)
	}
	d.ReturnCode = questions.FormatReturnCode(h.returnCode(c, p.ID))
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
// latest score, and after the post wave the change (reports.ReadProfile).
func (h *handler) readScore(c *fiber.Ctx, d reports.DimensionProfile) string {
	r := reports.ReadProfile(d)
	reading := h.t(c, levelKeys[r.Level])
	if !r.HasChange {
		return reading
	}
	keys := changeKeys
	if r.FromThen {
		keys = thenChangeKeys
	}
	reading += " " + h.t(c, keys[r.Change])
	if r.Shift {
		reading += " " + h.t(c, "feedback_response_shift")
	}
	return reading
}

// The texts of a participant's readings.
var (
	levelKeys = map[reports.Level]string{
		reports.LevelMissing: "feedback_level_missing",
		reports.LevelLow:     "feedback_level_low",
		reports.LevelMid:     "feedback_level_mid",
		reports.LevelHigh:    "feedback_level_high",
	}
	// changeKeys compare post with pre, thenChangeKeys with the
	// retrospective rating when there is no pre score.
	changeKeys = map[reports.Direction]string{
		reports.DirectionUp:   "feedback_change_up",
		reports.DirectionDown: "feedback_change_down",
		reports.DirectionSame: "feedback_change_same",
	}
	thenChangeKeys = map[reports.Direction]string{
		reports.DirectionUp:   "feedback_change_then_up",
		reports.DirectionDown: "feedback_change_then_down",
		reports.DirectionSame: "feedback_change_then_same",
	}
	feedbackCalibrationKeys = map[reports.Calibration]string{
		reports.Overconfident:  "feedback_overconfident",
		reports.Underconfident: "feedback_underconfident",
		reports.Calibrated:     "feedback_calibrated",
	}
)

// knowledgeSummary reads one wave's knowledge result in plain words.
func (h *handler) knowledgeSummary(c *fiber.Ctx, waveKey string, r *questions.KnowledgeResult) knowledgeSummary {
	return knowledgeSummary{
		Wave: h.t(c, waveKey), Correct: r.Correct, Answered: r.Answered,
		Accuracy:   fmt.Sprintf("%.0f %%", r.Accuracy*100),
		Confidence: fmt.Sprintf("%.0f %%", r.Confidence*100),
		Reading:    h.t(c, feedbackCalibrationKeys[reports.ReadCalibration(r.Bias)]),
	}
}
