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
	// Detail is a scale point's own label, shown under its number.
	Detail string
}

// group is a radio group: a fieldset with a legend.
type group struct {
	Name    string
	Legend  string
	Options []radio
	Problem string
	// Markup is the options' HTML (see optionsHTML).
	Markup template.HTML
	// Ends are a scale's end labels, shown under its buttons (at every
	// item, so they never scroll away); DescribedBy names them for the
	// group when they are shown elsewhere (once for a pair of ratings).
	Ends        []string
	DescribedBy string
}

// Describe lists the ids of what describes the group: its end labels and
// its problem.
func (g *group) Describe() string {
	var ids []string
	switch {
	case len(g.Ends) > 0:
		ids = append(ids, g.Name+"-ends")
	case g.DescribedBy != "":
		ids = append(ids, g.DescribedBy)
	}
	if g.Problem != "" {
		ids = append(ids, g.Name+"-problem")
	}
	return strings.Join(ids, " ")
}

// Anchor is the id a link to the group leads to: its first button.
func (g *group) Anchor() string {
	if len(g.Options) == 0 {
		return g.Name
	}
	return g.Options[0].ID
}

// Option layouts: a scale shows its labels under the buttons (partials/scale),
// other choices beside them (partials/choices).
const (
	scaleLayout  = `<label for="%[1]s" class="scale-option"><input type="radio" id="%[1]s" name="%[2]s" value="%[3]s"%[4]s><span>%[5]s</span>%[6]s</label>`
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
		detail := ""
		if o.Detail != "" {
			detail = `<small>` + template.HTMLEscapeString(o.Detail) + `</small>`
		}
		fmt.Fprintf(&b, layout, template.HTMLEscapeString(o.ID), name, template.HTMLEscapeString(o.Value),
			checked, template.HTMLEscapeString(o.Label), detail)
	}
	return template.HTML(b.String())
}

type ratingView struct {
	ID   string
	Text string
	Now  group
	Then *group // post wave only
	// Ends and EndsID: the scale's end labels, once for a pair.
	Ends   []string
	EndsID string
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
	Ratings       []ratingView
	Knowledge     []knowledgeView
	Background    []backgroundView
	IsFirst       bool
	IsLast        bool
	Error         string
	// Problems link to every marked question, in page order (the error
	// summary at the top, which gets the focus).
	Problems []problemLink
	// Open: questions left without an answer on the way forward.
	Open *openView
	// Found: in the post wave, the answers from before were found.
	Found      bool
	ReturnCode string
	CohortName string
	Wave       string
	// Preview: the page shown in the leads' area, sent nowhere; its
	// neighbours' preview addresses and the instrument's page.
	Preview                   bool
	PrevURL, NextURL, BackURL string
}

// problemLink leads from the error summary to a marked question.
type problemLink struct {
	Anchor string
	Text   string
}

// openView says how many questions are open and offers to go on anyway.
type openView struct {
	Count   int
	Message string
	Anchor  string // the first open question
	Nav     string
	Submit  bool
}

// renderPage shows page index with the given field values and problems,
// and the questions left open, if it asks about them.
func (h *handler) renderPage(c *fiber.Ctx, pr *progress, index int, values, problems map[string]string, message string, open *openItems) error {
	v := h.questionnairePage(c, pr.inst, index, pr.response.Wave, values, problems)
	v.Action, v.Rev, v.Error = pageURL(index), pr.response.Rev, message
	if open != nil {
		anchors := v.anchors()
		v.Open = &openView{Count: len(open.Fields), Anchor: anchors[open.Fields[0]], Nav: open.Nav,
			Submit:  strings.HasPrefix(open.Nav, "submit"),
			Message: fmt.Sprintf(h.t(c, plural(len(open.Fields), "survey_open_one", "survey_open_many")), len(open.Fields))}
	}
	v.Found = index == 0 && pr.response.Wave == db.Post &&
		(pr.response.Link == db.LinkCode || pr.response.Link == db.LinkReturnCode)
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
	v.Problems = v.problemLinks(problems)
	return v
}

// groups are the page's questions in order, each with the form field that
// names it and the text that says which it is.
func (v *pageView) groups(visit func(name, anchor, text string)) {
	for _, r := range v.Ratings {
		visit(r.Now.Name, r.Now.Anchor(), r.Text)
		if r.Then != nil {
			visit(r.Then.Name, r.Then.Anchor(), r.Text+" – "+r.Then.Legend)
		}
	}
	for _, k := range v.Knowledge {
		visit(k.Judgement.Name, k.Judgement.Anchor(), k.Text)
		visit(k.Confidence.Name, k.Confidence.Anchor(), k.Text+" – "+k.Confidence.Legend)
	}
	for _, q := range v.Background {
		if q.Choice != nil {
			visit(q.Choice.Name, q.Choice.Anchor(), q.Text)
		} else {
			visit(q.Name, q.Name, q.Text)
		}
	}
}

// anchors maps each question's field to the id a link to it leads to.
func (v *pageView) anchors() map[string]string {
	m := map[string]string{}
	v.groups(func(name, anchor, _ string) { m[name] = anchor })
	return m
}

// problemLinks are the marked questions in page order.
func (v *pageView) problemLinks(problems map[string]string) []problemLink {
	var links []problemLink
	v.groups(func(name, anchor, text string) {
		if _, ok := problems[name]; ok {
			links = append(links, problemLink{Anchor: anchor, Text: text})
		}
	})
	return links
}

// plural picks the message key for n things.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
	v.Title = page.Dimension.Title.In(l)
	v.Intro = page.Dimension.Description.In(l) + " " + inst.RatingPrompt.In(l)
	if retro {
		v.Intro += " " + inst.ThenPrompt.In(l)
	}
	for _, it := range page.Items {
		scale := inst.ScaleOf(it)
		rv := ratingView{ID: it.ID, Text: it.Text.In(l), Now: b.scale(prefixRating+it.ID, scale)}
		rv.Now.Legend = rv.Text
		if retro {
			rv.Now.Legend = b.h.t(b.c, "survey_now")
			then := b.scale(prefixThen+it.ID, scale)
			then.Legend = b.h.t(b.c, "survey_then")
			// The pair shows its end labels once, under both scales.
			rv.Ends, rv.EndsID = rv.Now.Ends, prefixRating+it.ID+"-ends"
			rv.Now.Ends, then.Ends = nil, nil
			rv.Now.DescribedBy, then.DescribedBy = rv.EndsID, rv.EndsID
			rv.Then = &then
		}
		v.Ratings = append(v.Ratings, rv)
	}
}

// scale is one rating's radio group: the points of its scale, then „keine
// Angabe“. A scale that labels every point shows each label under its
// number; one that labels its ends shows those under the row.
func (b pageBuilder) scale(name string, scale questions.Scale) group {
	every := scale.LabelsEveryPoint()
	g := group{Name: name, Problem: b.problem(name)}
	for n := scale.Min; n <= scale.Max; n++ {
		v := strconv.Itoa(n)
		o := radio{ID: name + "-" + v, Value: v, Label: v, Checked: b.values[name] == v}
		if label := scale.PointLabel(n).In(b.lang); label != "" {
			if every {
				o.Detail = label
			} else {
				g.Ends = append(g.Ends, label)
			}
		}
		g.Options = append(g.Options, o)
	}
	g.Options = append(g.Options, radio{ID: name + "-" + notAnswered, Value: notAnswered,
		Label: b.h.t(b.c, "survey_no_answer"), Checked: b.values[name] == notAnswered})
	g.Ends = append(g.Ends, b.h.t(b.c, "survey_no_answer")+" = "+b.h.t(b.c, "survey_no_answer_long"))
	g.Markup = g.optionsHTML(scaleLayout)
	return g
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
			if !q.HasOption(notAnswered) {
				opts = append(opts, [2]string{notAnswered, b.h.t(b.c, "survey_no_answer_long")})
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
