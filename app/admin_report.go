package app

import (
	"fmt"
	"math"
	"strings"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports"
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

type dimensionRow struct {
	Title                          string
	NPre, NPost, NPairs            int
	Pre, PreCI, Then, Post, PostCI string
	Change, ChangeCI               string
	ThenChange                     string
	PT, PTHolm, PW, DZ, DAv, RRB   string
	AlphaPre, AlphaPost            string
	Reading                        string
	Suppressed                     bool
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
	Suppressed                           bool
}

type binRow struct {
	Confidence  string
	Pre, Post   string
	NPre, NPost int
}

type groupRow struct {
	Label      string
	N, Pairs   int
	Changes    []string
	Suppressed bool
}

type histogramRow struct {
	Change string
	Count  int
}

type itemTable struct {
	Title string
	Chart reports.Chart
	Rows  []itemRow
}

type groupTable struct {
	Title     string
	Chart     reports.Chart
	DimTitles []string
	Rows      []groupRow
}

type reportView struct {
	Cohort     *db.Cohort
	URL        string
	C          *reports.Cohort
	Charts     map[string]reports.Chart
	Rows       []dimensionRow
	Spread     []spreadRow
	Histogram  []histogramRow
	Items      []itemTable
	Knowledge  []knowledgeRow
	Bins       []binRow
	Groups     []groupTable
	DropLeft   string
	DropStayed string
	Downloads  []download
	MinGroup   int
}

type download struct {
	What, Label string
}

// showCohortReport shows a cohort's dashboard.
func (h *handler) showCohortReport(c *fiber.Ctx) error {
	cohort := c.Locals("cohort").(*db.Cohort)
	inst, ok := h.set.Get(cohort.Instrument)
	if !ok {
		return fmt.Errorf("app: instrument %s is not loaded", cohort.Instrument)
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
	v := reportView{Cohort: cohort, URL: cohortURL(cohort), C: rep, Charts: map[string]reports.Chart{}, MinGroup: cohort.MinGroup}
	for _, ch := range reports.DashboardCharts(rep, l, dashboardText(l)) {
		v.Charts[ch.ID] = ch
	}
	num := func(p *float64, digits int) string { return formatNumber(l, p, digits) }
	ci := func(lo, hi *float64) string {
		if lo == nil || hi == nil {
			return "–"
		}
		return "[" + num(lo, 2) + "; " + num(hi, 2) + "]"
	}
	var dimTitles []string
	for d, dim := range inst.Dimensions {
		dimTitles = append(dimTitles, dim.Title.In(l))
		v.Items = append(v.Items, itemTable{Title: v.Charts["items-"+dim.ID].Title, Chart: v.Charts["items-"+dim.ID]})
		r, th := rep.Dimensions[d], rep.Then[d]
		pre, post := rep.Waves[db.Pre][d], rep.Waves[db.Post][d]
		v.Rows = append(v.Rows, dimensionRow{
			Title: dim.Title.In(l), NPre: r.NPre, NPost: r.NPost, NPairs: r.NPairs,
			Pre: num(r.MeanPre, 2), PreCI: ci(pre.CILow, pre.CIHigh), Then: num(th.MeanPre, 2),
			Post: num(r.MeanPost, 2), PostCI: ci(post.CILow, post.CIHigh),
			Change: num(r.MeanDiff, 2), ChangeCI: ci(r.CILow, r.CIHigh), ThenChange: num(th.MeanDiff, 2),
			PT: formatP(l, r.PT), PTHolm: formatP(l, r.PTHolm), PW: formatP(l, r.PW),
			DZ: num(r.DZ, 2), DAv: num(r.DAv, 2), RRB: num(r.RRB, 2),
			AlphaPre: num(r.AlphaPre, 2), AlphaPost: num(r.AlphaPost, 2),
			Reading: readChange(l, r), Suppressed: r.Suppressed,
		})
		row := spreadRow{Title: dim.Title.In(l)}
		for _, w := range []db.Wave{db.Pre, db.Then, db.Post} {
			s := rep.Waves[w][d]
			if s.Median == nil {
				row.Waves = append(row.Waves, msg(l, "report_too_few"))
				continue
			}
			row.Waves = append(row.Waves, num(s.Median, 1)+" ("+num(s.Q1, 1)+"–"+num(s.Q3, 1)+")")
		}
		v.Spread = append(v.Spread, row)
	}
	centres, counts := reports.HistogramBins(rep.Overall)
	for i := range centres {
		v.Histogram = append(v.Histogram, histogramRow{Change: formatNumber(l, &centres[i], 1), Count: counts[i]})
	}
	for _, it := range rep.Items {
		shares := func(w db.Wave) (string, int) {
			lo, mid, hi, n := reports.ItemShares(it.Counts[w], inst.Scale.Min, inst.Scale.Max)
			if n < cohort.MinGroup {
				return msg(l, "report_too_few"), n
			}
			return fmt.Sprintf("%.0f / %.0f / %.0f %%", lo*100, mid*100, hi*100), n
		}
		row := itemRow{ID: it.Item.ID, Text: it.Item.Text.In(l)}
		if it.Item.Reverse {
			row.Text += " " + msg(l, "report_reversed")
		}
		row.Pre, row.NPre = shares(db.Pre)
		row.Post, row.NPost = shares(db.Post)
		row.NoAnswers = it.Counts[db.Pre][len(it.Counts[db.Pre])-1] + it.Counts[db.Post][len(it.Counts[db.Post])-1]
		for d, dim := range inst.Dimensions {
			if dim.ID == it.Item.Dimension {
				v.Items[d].Rows = append(v.Items[d].Rows, row)
			}
		}
	}
	for _, w := range []db.Wave{db.Pre, db.Post} {
		k := rep.Knowledge[string(w)]
		corr := rep.SelfVsKnow[w]
		v.Knowledge = append(v.Knowledge, knowledgeRow{Wave: msg(l, "wave_"+string(w)), N: k.N,
			Accuracy: pct(l, k.Accuracy), Confidence: pct(l, k.Confidence), Bias: num(k.Bias, 2), Brier: num(k.Brier, 3),
			R: num(corr.R, 2), Reading: readCalibration(l, k), Suppressed: k.Suppressed})
	}
	for i, b := range rep.Calibration[db.Pre] {
		post := rep.Calibration[db.Post][i]
		v.Bins = append(v.Bins, binRow{Confidence: fmt.Sprintf("%d %%", b.Confidence), Pre: pct(l, b.Correct), Post: pct(l, post.Correct), NPre: b.N, NPost: post.N})
	}
	v.Groups = []groupTable{
		{Title: v.Charts["by-field"].Title, Chart: v.Charts["by-field"], DimTitles: dimTitles, Rows: groupRows(l, rep.ByField)},
		{Title: v.Charts["by-use"].Title, Chart: v.Charts["by-use"], DimTitles: dimTitles, Rows: groupRows(l, rep.ByUse)},
	}
	v.DropLeft, v.DropStayed = num(rep.DropOut.PreMeanLeft, 2), num(rep.DropOut.PreMeanStayed, 2)
	for _, f := range exportFormats {
		v.Downloads = append(v.Downloads, download{What: f.name, Label: msg(l, "report_download_"+f.name)})
	}
	return v
}

func pct(lang string, v *float64) string {
	if v == nil {
		return "–"
	}
	p := math.Round(*v * 100)
	return formatNumber(lang, &p, 0) + " %"
}

func groupRows(l string, groups []reports.Group) []groupRow {
	var rows []groupRow
	for _, g := range groups {
		row := groupRow{Label: g.Label.In(l), N: g.N, Pairs: g.Pairs, Suppressed: g.Suppressed}
		for _, ch := range g.MeanChange {
			row.Changes = append(row.Changes, formatNumber(l, ch, 2))
		}
		rows = append(rows, row)
	}
	return rows
}

// readChange reads a dimension's change in plain words: direction, size
// (Cohen's conventions for d_z) and whether it holds after Holm's correction.
func readChange(l string, r reports.DimensionReport) string {
	if r.MeanDiff == nil || r.DZ == nil {
		return msg(l, "report_read_none")
	}
	size := "report_size_none"
	switch d := math.Abs(*r.DZ); {
	case d >= 0.8:
		size = "report_size_large"
	case d >= 0.5:
		size = "report_size_medium"
	case d >= 0.2:
		size = "report_size_small"
	}
	dir := "report_dir_up"
	if *r.MeanDiff < 0 {
		dir = "report_dir_down"
	}
	sure := "report_not_sure"
	if r.PTHolm != nil && *r.PTHolm < 0.05 {
		sure = "report_sure"
	}
	return msg(l, dir) + ", " + msg(l, size) + "; " + msg(l, sure) + "."
}

// readCalibration reads a wave's bias in plain words.
func readCalibration(l string, k reports.KnowledgeReport) string {
	if k.Bias == nil {
		return msg(l, "report_too_few")
	}
	switch {
	case *k.Bias > 0.1:
		return msg(l, "report_overconfident")
	case *k.Bias < -0.1:
		return msg(l, "report_underconfident")
	}
	return msg(l, "report_calibrated")
}

func dashboardText(l string) reports.DashboardText {
	t := func(k string) string { return msg(l, k) }
	return reports.DashboardText{
		Pre: t("wave_pre"), Then: t("wave_then"), Post: t("wave_post"),
		Means: t("report_chart_means"), Change: t("report_chart_change"), Radar: t("report_chart_radar"),
		Spread: t("report_chart_spread"), Histogram: t("report_chart_histogram"), Items: t("report_chart_items"),
		Knowledge: t("report_chart_knowledge"), Calibration: t("report_chart_calibration"),
		Accuracy: t("report_accuracy"), Confidence: t("report_confidence"), Perfect: t("report_perfect"),
		ByField: t("report_by_field"), ByUse: t("report_by_use"),
		Low: t("report_low"), Mid: t("report_mid"), High: t("report_high"),
		People: t("report_people"), Share: t("report_share"), MeanLabel: t("report_mean_ci"), Interval: t("report_change_axis"),
	}
}
