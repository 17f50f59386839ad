package app

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/questions/clean"
)

// radio is one choice of a radio group.
type radio struct {
	ID      string
	Value   string
	Label   string
	Checked bool
}

// group is a radio group: a fieldset with a legend.
type group struct {
	Name    string
	Legend  string
	Options []radio
	Problem string
	// Markup is the options' HTML (see optionsHTML).
	Markup template.HTML
}

// Option layouts: a scale shows its labels under the buttons (partials/scale),
// other choices beside them (partials/choices).
const (
	scaleLayout  = `<label for="%[1]s" class="scale-option"><input type="radio" id="%[1]s" name="%[2]s" value="%[3]s"%[4]s><span>%[5]s</span></label>`
	choiceLayout = `<label for="%[1]s"><input type="radio" id="%[1]s" name="%[2]s" value="%[3]s"%[4]s> %[5]s</label>`
)

// optionsHTML writes a group's radio buttons. A questionnaire page is
// mostly radio buttons, and html/template makes a reflective call for every
// value it escapes (five per button): under load that was a quarter of the
// server's CPU time. Here every value is escaped with
// template.HTMLEscapeString, which is right in text and in quoted
// attributes, and the template prints the result once per group.
func (g *group) optionsHTML(layout string) template.HTML {
	var b strings.Builder
	name := template.HTMLEscapeString(g.Name)
	for _, o := range g.Options {
		checked := ""
		if o.Checked {
			checked = " checked"
		}
		fmt.Fprintf(&b, layout, template.HTMLEscapeString(o.ID), name, template.HTMLEscapeString(o.Value),
			checked, template.HTMLEscapeString(o.Label))
	}
	return template.HTML(b.String())
}

type ratingView struct {
	ID   string
	Text string
	Now  group
	Then *group // post wave only
}

type knowledgeView struct {
	ID         string
	Text       string
	Judgement  group
	Confidence group
}

type backgroundView struct {
	ID      string
	Text    string
	Choice  *group
	Name    string // text questions
	Value   string
	Problem string
	Max     int
}

type pageView struct {
	Number, Total int
	Kind          string
	Title         string
	Intro         string
	Action        string
	Rev           int
	Retro         bool
	ScaleMin      string
	ScaleMax      string
	Ratings       []ratingView
	Knowledge     []knowledgeView
	Background    []backgroundView
	IsFirst       bool
	IsLast        bool
	Error         string
	ReturnCode    string
	CohortName    string
	Wave          string
	// Preview: the page shown in the leads' area, sent nowhere; its
	// neighbours' preview addresses and the instrument's page.
	Preview                   bool
	PrevURL, NextURL, BackURL string
}

// renderPage shows page index with the given field values and problems.
func (h *handler) renderPage(c *fiber.Ctx, pr *progress, index int, values, problems map[string]string, message string) error {
	v := h.questionnairePage(c, pr.inst, index, pr.response.Wave, values, problems)
	v.Action, v.Rev, v.Error = pageURL(index), pr.response.Rev, message
	v.ReturnCode = questions.FormatReturnCode(h.returnCode(c, pr.participantID))
	v.CohortName = pr.cohort.Name
	return h.render(c, "pages/survey", "survey_title", v)
}

// questionnairePage is page index of inst in a wave as a participant sees
// it, filled in with values: everything of the page but where it is sent,
// so that the leads' preview shows the same page.
func (h *handler) questionnairePage(c *fiber.Ctx, inst *questions.Instrument, index int, wave db.Wave, values, problems map[string]string) pageView {
	l := textLang(c)
	pages := inst.Pages()
	page := pages[index]
	retro := wave == db.Post
	v := pageView{
		Number: index + 1, Total: len(pages), Kind: string(page.Kind), Retro: retro,
		IsFirst: index == 0, IsLast: index == len(pages)-1,
		Wave: h.t(c, "wave_"+string(wave)),
	}
	b := pageBuilder{h: h, c: c, lang: l, inst: inst, values: values, problems: problems}
	switch page.Kind {
	case questions.PageDimension:
		b.dimension(&v, page, retro)
	case questions.PageKnowledge:
		b.knowledge(&v)
	case questions.PageBackground:
		b.background(&v)
	}
	return v
}

// pageBuilder fills a questionnaire page's view with its questions, each
// with what the participant sent and what was wrong with it.
type pageBuilder struct {
	h        *handler
	c        *fiber.Ctx
	lang     string
	inst     *questions.Instrument
	values   map[string]string
	problems map[string]string
}

func (b pageBuilder) problem(name string) string {
	if key, ok := b.problems[name]; ok {
		return b.h.t(b.c, key)
	}
	return ""
}

// radios is one radio group; opts are value and label pairs.
func (b pageBuilder) radios(name string, opts [][2]string, layout string) group {
	g := group{Name: name, Problem: b.problem(name)}
	for _, o := range opts {
		g.Options = append(g.Options, radio{ID: name + "-" + o[0], Value: o[0], Label: o[1], Checked: b.values[name] == o[0]})
	}
	g.Markup = g.optionsHTML(layout)
	return g
}

// dimension is a page of self-ratings, in the post wave each rated twice.
func (b pageBuilder) dimension(v *pageView, page questions.Page, retro bool) {
	inst, l := b.inst, b.lang
	sc := inst.DimensionScale(page.Dimension.ID)
	v.ScaleMin, v.ScaleMax = sc.PointLabel(sc.Min).In(l), sc.PointLabel(sc.Max).In(l)
	// A scale with a label on every point lists them like choices; one
	// with end labels shows a row of numbers under the anchors.
	layout := scaleLayout
	var scale [][2]string
	for n := sc.Min; n <= sc.Max; n++ {
		label := strconv.Itoa(n)
		if sc.LabelsEveryPoint() {
			label, layout = label+" – "+sc.PointLabel(n).In(l), choiceLayout
		}
		scale = append(scale, [2]string{strconv.Itoa(n), label})
	}
	scale = append(scale, [2]string{notAnswered, b.h.t(b.c, "survey_no_answer")})
	v.Title = page.Dimension.Title.In(l)
	v.Intro = page.Dimension.Description.In(l) + " " + inst.RatingPrompt.In(l)
	if retro {
		v.Intro += " " + inst.ThenPrompt.In(l)
	}
	for _, it := range page.Items {
		rv := ratingView{ID: it.ID, Text: it.Text.In(l), Now: b.radios(prefixRating+it.ID, scale, layout)}
		rv.Now.Legend = rv.Text
		if retro {
			rv.Now.Legend = b.h.t(b.c, "survey_now")
			then := b.radios(prefixThen+it.ID, scale, layout)
			then.Legend = b.h.t(b.c, "survey_then")
			rv.Then = &then
		}
		v.Ratings = append(v.Ratings, rv)
	}
}

// knowledge is the page of true/false statements with their confidence.
func (b pageBuilder) knowledge(v *pageView) {
	t := func(key string) string { return b.h.t(b.c, key) }
	v.Title = t("survey_knowledge_title")
	v.Intro = b.inst.KnowledgePrompt.In(b.lang)
	judgements := [][2]string{{"true", t("survey_true")}, {"false", t("survey_false")}}
	var confidences [][2]string
	for p := questions.MinConfidence; p <= questions.MaxConfidence; p += 10 {
		confidences = append(confidences, [2]string{strconv.Itoa(p), strconv.Itoa(p) + " %"})
	}
	for _, k := range b.inst.Knowledge {
		kv := knowledgeView{ID: k.ID, Text: k.Text.In(b.lang),
			Judgement:  b.radios(prefixKnowledge+k.ID, judgements, choiceLayout),
			Confidence: b.radios(prefixConfidence+k.ID, confidences, choiceLayout)}
		kv.Judgement.Legend = t("survey_judgement")
		kv.Confidence.Legend = t("survey_confidence")
		v.Knowledge = append(v.Knowledge, kv)
	}
}

// background is the page of background questions and free texts.
func (b pageBuilder) background(v *pageView) {
	v.Title = b.h.t(b.c, "survey_background_title")
	v.Intro = b.h.t(b.c, "survey_background_intro")
	for _, q := range b.inst.Background {
		text := q.Text.In(b.lang)
		if q.Optional {
			text += " " + b.h.t(b.c, "survey_optional")
		}
		bv := backgroundView{ID: q.ID, Text: text}
		if q.Type == questions.BackgroundChoice {
			var opts [][2]string
			for _, o := range q.Options {
				opts = append(opts, [2]string{o.Value, o.Text.In(b.lang)})
			}
			g := b.radios(prefixChoice+q.ID, opts, choiceLayout)
			g.Legend = text
			bv.Choice = &g
		} else {
			bv.Name = prefixText + q.ID
			bv.Value = b.values[bv.Name]
			bv.Problem = b.problem(bv.Name)
			bv.Max = clean.MaxText
		}
		v.Background = append(v.Background, bv)
	}
}
