package app

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports"
	"einordnung/reports/charts"
)

// formatNumber formats v with digits decimals in the page's notation; "–"
// for a figure that cannot be computed.
func formatNumber(lang string, v *float64, digits int) string {
	if v == nil {
		return "–"
	}
	s := fmt.Sprintf("%.*f", digits, *v)
	if lang == "de" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// formatP formats a p-value as leads expect it: "< 0,001" for tiny ones.
func formatP(lang string, p *float64) string {
	if p != nil && *p < 0.001 {
		return "< " + formatNumber(lang, ptrTo(0.001), 3)
	}
	return formatNumber(lang, p, 3)
}

func ptrTo(v float64) *float64 { return &v }

// hiddenText says in lang why a figure is withheld ("weniger als 5 Paare"),
// or "" for a figure that is shown.
func hiddenText(lang string, h reports.Hidden, minGroup int) string {
	if h == reports.Shown {
		return ""
	}
	return fmt.Sprintf(msg(lang, hiddenKeys[h]), minGroup)
}

// hiddenKeys are the texts of the privacy rule's reasons.
var hiddenKeys = map[reports.Hidden]string{
	reports.FewPeople: "report_hidden_few_people",
	reports.FewPairs:  "report_hidden_few_pairs",
}

// figureText formats a figure, or says why it is withheld.
func figureText(lang string, v *float64, h reports.Hidden, minGroup, digits int) string {
	if h != reports.Shown {
		return hiddenText(lang, h, minGroup)
	}
	return formatNumber(lang, v, digits)
}

// hiddenReasons joins the distinct reasons of a row's withheld parts.
func hiddenReasons(lang string, minGroup int, hs ...reports.Hidden) string {
	var out []string
	for _, h := range hs {
		if t := hiddenText(lang, h, minGroup); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return strings.Join(out, ", ")
}

type dimensionRow struct {
	Title                          string
	NPre, NPost, NPairs            int
	Pre, PreCI, Then, Post, PostCI string
	Change, ChangeCI               string
	ThenChange, ThenChangeCI       string
	PT, PTHolm, PW, DZ, DAv, RRB   string
	AlphaPre, AlphaPost            string
	Reading                        string
	Hidden                         string // why parts of the row are withheld, "" if none
}

type spreadRow struct {
	Title string
	Waves []string // per wave: "median (Q1–Q3)"
}

type itemRow struct {
	ID, Text               string
	Pre, Post              string // "low / mid / high %"
	NPre, NPost, NoAnswers int
}

type knowledgeRow struct {
	Wave                                 string
	N                                    int
	Accuracy, Confidence, Bias, Brier, R string
	Reading                              string
}

type binRow struct {
	Confidence  string
	Pre, Post   string
	NPre, NPost int
}

type groupRow struct {
	Label    string
	N, Pairs int
	Changes  []string
	Hidden   string // why the whole group is withheld, "" if it is shown
}

type histogramRow struct {
	Change string
	Count  int
}

type itemTable struct {
	Title string
	Chart charts.Chart
	Rows  []itemRow
}

type groupTable struct {
	Title     string
	Chart     charts.Chart
	DimTitles []string
	Rows      []groupRow
}

type reportView struct {
	Cohort     *db.Cohort
	URL        string
	C          *reports.Cohort
	Charts     map[string]charts.Chart
	Rows       []dimensionRow
	Spread     []spreadRow
	Histogram  []histogramRow
	Items      []itemTable
	Knowledge  []knowledgeRow
	Bins       []binRow
	Groups     []groupTable
	DropLeft   string
	DropStayed string
	// HistogramHidden says why the individual changes are withheld.
	HistogramHidden string
	Downloads       []download
	MinGroup        int
	Summary         summaryView
}

type download struct {
	What, Label string
}

// showCohortReport shows a cohort's dashboard.
func (h *handler) showCohortReport(c *fiber.Ctx) error {
	cohort := c.Locals("cohort").(*db.Cohort)
	inst, err := h.instrumentOf(cohort)
	if err != nil {
		return err
	}
	rep, err := reports.Build(h.store, inst, cohort)
	if err != nil {
		return err
	}
	return h.renderAdmin(c, "admin/report", "report_title", buildReportView(lang(c), cohort, inst, rep), "")
}

// msg returns the interface text for key in lang.
func msg(lang, key string) string { return messages[lang][key] }

// buildReportView turns a cohort's figures into the dashboard's tables and charts.
func buildReportView(l string, cohort *db.Cohort, inst *questions.Instrument, rep *reports.Cohort) reportView {
	v := reportView{Cohort: cohort, URL: cohortURL(cohort), C: rep, Charts: map[string]charts.Chart{}, MinGroup: cohort.MinGroup}
	for _, ch := range charts.Dashboard(rep, l, dashboardText(l)) {
		v.Charts[ch.ID] = ch
	}
	f := figures{lang: l, min: cohort.MinGroup}
	var dimTitles []string
	for d, dim := range inst.Dimensions {
		dimTitles = append(dimTitles, dim.Title.In(l))
		v.Items = append(v.Items, itemTable{Title: v.Charts["items-"+dim.ID].Title, Chart: v.Charts["items-"+dim.ID]})
		v.Rows = append(v.Rows, f.dimensionRow(dim.Title.In(l), rep, d))
		v.Spread = append(v.Spread, f.spreadRow(dim.Title.In(l), rep, d))
	}
	v.Summary = f.summary(rep, dimTitles)
	centres, counts := reports.HistogramBins(rep.Overall)
	for i := range centres {
		v.Histogram = append(v.Histogram, histogramRow{Change: formatNumber(l, &centres[i], 1), Count: counts[i]})
	}
	v.HistogramHidden = hiddenText(l, rep.OverallHidden, f.min)
	for _, it := range rep.Items {
		for d, dim := range inst.Dimensions {
			if dim.ID == it.Item.Dimension {
				v.Items[d].Rows = append(v.Items[d].Rows, f.itemRow(it))
			}
		}
	}
	for _, w := range []db.Wave{db.Pre, db.Post} {
		v.Knowledge = append(v.Knowledge, f.knowledgeRow(rep, w))
	}
	for i, b := range rep.Calibration[db.Pre] {
		post := rep.Calibration[db.Post][i]
		v.Bins = append(v.Bins, binRow{Confidence: fmt.Sprintf("%d %%", b.Confidence),
			Pre: pctOr(l, b.Correct, b.Hidden, f.min), Post: pctOr(l, post.Correct, post.Hidden, f.min), NPre: b.N, NPost: post.N})
	}
	for _, b := range rep.Breakdowns {
		chart := v.Charts[charts.BreakdownID(b.Question)]
		v.Groups = append(v.Groups, groupTable{Title: chart.Title, Chart: chart, DimTitles: dimTitles, Rows: groupRows(l, b.Groups, f.min)})
	}
	v.DropLeft = f.fig(rep.DropOut.PreMeanLeft, rep.DropOut.LeftHidden, 2)
	v.DropStayed = f.fig(rep.DropOut.PreMeanStayed, rep.DropOut.StayedHidden, 2)
	for _, e := range exportFormats {
		v.Downloads = append(v.Downloads, download{What: e.name, Label: msg(l, "report_download_"+e.name)})
	}
	return v
}

// figures formats a cohort's figures for the dashboard in one language,
// with the reason in place of every withheld figure.
type figures struct {
	lang string
	min  int // the cohort's privacy threshold, named in the reasons
}

func (f figures) num(p *float64, digits int) string { return formatNumber(f.lang, p, digits) }

func (f figures) fig(p *float64, h reports.Hidden, digits int) string {
	return figureText(f.lang, p, h, f.min, digits)
}

// ci is a confidence interval "[lo; hi]", empty when it cannot be given.
func (f figures) ci(lo, hi *float64) string {
	if lo == nil || hi == nil {
		return ""
	}
	return "[" + f.num(lo, 2) + "; " + f.num(hi, 2) + "]"
}

// dimensionRow is dimension d's row of the means and change tables.
func (f figures) dimensionRow(title string, rep *reports.Cohort, d int) dimensionRow {
	l := f.lang
	r, th := rep.Dimensions[d], rep.Then[d]
	pre, post := rep.Waves[db.Pre][d], rep.Waves[db.Post][d]
	// The paired figures of a withheld pair set: the reason stands in the
	// change cell and in the reading, the other cells stay empty.
	paired := func(p *float64, digits int) string {
		if r.HiddenPairs != reports.Shown {
			return "–"
		}
		return f.num(p, digits)
	}
	row := dimensionRow{
		Title: title, NPre: r.NPre, NPost: r.NPost, NPairs: r.NPairs,
		Pre: f.fig(r.MeanPre, r.HiddenPre, 2), PreCI: f.ci(pre.CILow, pre.CIHigh), Then: f.fig(th.MeanPre, th.HiddenPre, 2),
		Post: f.fig(r.MeanPost, r.HiddenPost, 2), PostCI: f.ci(post.CILow, post.CIHigh),
		Change: f.fig(r.MeanDiff, r.HiddenPairs, 2), ChangeCI: f.ci(r.CILow, r.CIHigh), ThenChange: f.fig(th.MeanDiff, th.HiddenPairs, 2), ThenChangeCI: f.ci(th.CILow, th.CIHigh),
		PT: formatP(l, r.PT), PTHolm: formatP(l, r.PTHolm), PW: formatP(l, r.PW),
		DZ: paired(r.DZ, 2), DAv: paired(r.DAv, 2), RRB: paired(r.RRB, 2),
		AlphaPre: f.num(r.AlphaPre, 2), AlphaPost: f.num(r.AlphaPost, 2),
		Hidden: hiddenReasons(l, f.min, r.HiddenPre, r.HiddenPost, r.HiddenPairs),
	}
	if row.Hidden != "" {
		row.Hidden = fmt.Sprintf(msg(l, "report_suppressed"), row.Hidden)
	}
	if r.HiddenPairs != reports.Shown {
		row.PT, row.PTHolm, row.PW = "–", "–", "–"
	} else {
		row.Reading = readChange(l, r)
	}
	return row
}

// spreadRow is dimension d's median and quartiles per wave.
func (f figures) spreadRow(title string, rep *reports.Cohort, d int) spreadRow {
	row := spreadRow{Title: title}
	for _, w := range []db.Wave{db.Pre, db.Then, db.Post} {
		s := rep.Waves[w][d]
		if s.Hidden != reports.Shown || s.Median == nil {
			row.Waves = append(row.Waves, f.fig(s.Median, s.Hidden, 1))
			continue
		}
		row.Waves = append(row.Waves, f.num(s.Median, 1)+" ("+f.num(s.Q1, 1)+"–"+f.num(s.Q3, 1)+")")
	}
	return row
}

// itemRow is an item's shares of low, middle and high answers before and after.
func (f figures) itemRow(it reports.ItemDistribution) itemRow {
	shares := func(w db.Wave) (string, int) {
		s := it.Shares[w]
		if s.Hidden != reports.Shown || s.Low == nil {
			return f.fig(nil, s.Hidden, 0), s.N
		}
		return fmt.Sprintf("%.0f / %.0f / %.0f %%", *s.Low*100, *s.Mid*100, *s.High*100), s.N
	}
	row := itemRow{ID: it.Item.ID, Text: it.Item.Text.In(f.lang)}
	if it.Item.Reverse {
		row.Text += " " + msg(f.lang, "report_reversed")
	}
	row.Pre, row.NPre = shares(db.Pre)
	row.Post, row.NPost = shares(db.Post)
	row.NoAnswers = it.Counts[db.Pre][len(it.Counts[db.Pre])-1] + it.Counts[db.Post][len(it.Counts[db.Post])-1]
	return row
}

// knowledgeRow is wave w's knowledge, calibration and correlation figures.
func (f figures) knowledgeRow(rep *reports.Cohort, w db.Wave) knowledgeRow {
	l := f.lang
	k := rep.Knowledge[string(w)]
	corr := rep.SelfVsKnow[w]
	row := knowledgeRow{Wave: msg(l, "wave_"+string(w)), N: k.N,
		Accuracy: pctOr(l, k.Accuracy, k.Hidden, f.min), Confidence: pct(l, k.Confidence), Bias: f.num(k.Bias, 2), Brier: f.num(k.Brier, 3),
		R: f.fig(corr.R, corr.Hidden, 2), Reading: readCalibration(l, k)}
	if k.Hidden != reports.Shown {
		row.Reading = fmt.Sprintf(msg(l, "report_hidden"), hiddenText(l, k.Hidden, f.min))
	}
	return row
}

func pct(lang string, v *float64) string {
	if v == nil {
		return "–"
	}
	p := math.Round(*v * 100)
	return formatNumber(lang, &p, 0) + " %"
}

// pctOr formats a share in percent, or says why it is withheld.
func pctOr(lang string, v *float64, h reports.Hidden, minGroup int) string {
	if h != reports.Shown {
		return hiddenText(lang, h, minGroup)
	}
	return pct(lang, v)
}

func groupRows(l string, groups []reports.Group, minGroup int) []groupRow {
	var rows []groupRow
	for _, g := range groups {
		row := groupRow{Label: g.Label.In(l), N: g.N, Pairs: g.Pairs}
		if g.Suppressed {
			row.Hidden = fmt.Sprintf(msg(l, "report_hidden"), hiddenText(l, g.Hidden, minGroup))
		}
		for d, ch := range g.MeanChange {
			row.Changes = append(row.Changes, figureText(l, ch, g.ChangeHidden[d], minGroup, 2))
		}
		rows = append(rows, row)
	}
	return rows
}

// readChange says a dimension's change in plain words: direction, size and
// whether it holds after Holm's correction (reports.ReadChange).
func readChange(l string, r reports.DimensionReport) string {
	reading, ok := reports.ReadChange(r)
	if !ok {
		return msg(l, "report_read_none")
	}
	sure := "report_not_sure"
	if reading.Significant {
		sure = "report_sure"
	}
	return msg(l, directionKeys[reading.Direction]) + ", " + msg(l, effectKeys[reading.Effect]) + "; " + msg(l, sure) + "."
}

// directionKeys and effectKeys are the texts of a cohort's change.
var (
	directionKeys = map[reports.Direction]string{
		reports.DirectionUp:   "report_dir_up",
		reports.DirectionDown: "report_dir_down",
	}
	effectKeys = map[reports.Effect]string{
		reports.EffectNone:   "report_size_none",
		reports.EffectSmall:  "report_size_small",
		reports.EffectMedium: "report_size_medium",
		reports.EffectLarge:  "report_size_large",
	}
)

// readCalibration says a wave's bias in plain words.
func readCalibration(l string, k reports.KnowledgeReport) string {
	if k.Bias == nil {
		return "–" // no knowledge answers to read
	}
	return msg(l, calibrationKeys[reports.ReadCalibration(*k.Bias)])
}

// calibrationKeys are the texts of a cohort's calibration.
var calibrationKeys = map[reports.Calibration]string{
	reports.Overconfident:  "report_overconfident",
	reports.Underconfident: "report_underconfident",
	reports.Calibrated:     "report_calibrated",
}

func dashboardText(l string) charts.Text {
	t := func(k string) string { return msg(l, k) }
	return charts.Text{
		Pre: t("wave_pre"), Then: t("wave_then"), Post: t("wave_post"),
		Means: t("report_chart_means"), Change: t("report_chart_change"), Radar: t("report_chart_radar"),
		Spread: t("report_chart_spread"), Histogram: t("report_chart_histogram"), Items: t("report_chart_items"),
		Knowledge: t("report_chart_knowledge"), Calibration: t("report_chart_calibration"),
		Accuracy: t("report_accuracy"), Confidence: t("report_confidence"), Perfect: t("report_perfect"),
		By:  t("report_by"),
		Low: t("report_low"), Mid: t("report_mid"), High: t("report_high"),
		People: t("report_people"), Share: t("report_share"), MeanLabel: t("report_mean_ci"), Interval: t("report_change_axis"),
	}
}
