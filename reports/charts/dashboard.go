package charts

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports"
)

// Text is the wording of the dashboard's charts in the page's language.
type Text struct {
	Pre, Then, Post        string
	Means, Change, Radar   string
	Spread, Histogram      string
	Items                  string // "%s" = dimension title
	Knowledge, Calibration string
	Accuracy, Confidence   string
	Perfect                string
	By                     string // "%s" = the breakdown's name
	Low, Mid, High         string
	People, Share          string
	MeanLabel, Interval    string
}

// Dashboard returns every chart of a cohort's dashboard. Withheld groups
// are left out of every chart (their tables say why).
func Dashboard(c *reports.Cohort, lang string, tx Text) []Chart {
	names := make([]string, len(c.Inst.Dimensions))
	for i, d := range c.Inst.Dimensions {
		names[i] = wrapLabel(d.Title.In(lang), 16)
	}
	out := []Chart{
		meansChart(c, names, tx),
		changeChart(c, names, tx),
		radarChart(c, lang, tx),
		spreadChart(c, names, tx),
		histogramChart(c, tx),
	}
	for d, dim := range c.Inst.Dimensions {
		out = append(out, itemsChart(c, d, fmt.Sprintf(tx.Items, dim.Title.In(lang)), lang, tx))
	}
	out = append(out, knowledgeChart(c, tx), calibrationChart(c, tx))
	for _, b := range c.Breakdowns {
		out = append(out, groupChart(BreakdownID(b.Question), fmt.Sprintf(tx.By, b.Question.BreakdownLabel().In(lang)), b.Groups, c.Inst, lang, tx))
	}
	return out
}

// BreakdownID is the id of the chart of a breakdown by question q.
func BreakdownID(q questions.BackgroundQuestion) string { return "by-" + q.ID }

// Compare draws the mean change per dimension of several cohorts side by
// side (dimensions matched by id; a cohort without one shows a gap).
func Compare(inst *questions.Instrument, cohorts []*reports.Cohort, names []string, lang, title string) Chart {
	dims := make([]string, len(inst.Dimensions))
	for i, d := range inst.Dimensions {
		dims[i] = wrapLabel(d.Title.In(lang), 16)
	}
	bar := echarts.NewBar()
	bar.AssetsHost = AssetsHost
	bar.SetGlobalOptions(append(base(title), echarts.WithXAxisOpts(opts.XAxis{Type: "value"}), categoryY())...)
	bar.SetXAxis(dims)
	for i, c := range cohorts {
		data := make([]opts.BarData, len(dims))
		for d, dim := range inst.Dimensions {
			data[d] = opts.BarData{Value: "-"}
			for _, r := range c.Dimensions {
				if r.Dimension == dim.ID {
					data[d] = opts.BarData{Value: value(r.MeanDiff)}
				}
			}
		}
		bar.AddSeries(names[i], data)
	}
	bar.XYReversal()
	chart := finish("compare", title, bar.Validate, bar.JSON)
	numberAxis(chart.Options, "xAxis", format(1).signed())
	numberTooltip(chart.Options, format(2).signed())
	return chart
}

// round2 rounds for display; charts never need more than two decimals.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// value is a chart value: the rounded number, or "-" (echarts' gap) for nil.
func value(v *float64) any {
	if v == nil {
		return "-"
	}
	return round2(*v)
}

// percent is a share as a chart value in whole percent, or "-" for nil.
func percent(v *float64) any {
	if v == nil {
		return "-"
	}
	return math.Round(*v * 100)
}

// series is a wave drawn as a chart's series: its figures and its name.
type series struct {
	wave db.Wave
	name string
}

// everyWave: pre, the retrospective pre-rating, post.
func everyWave(tx Text) []series {
	return []series{{db.Pre, tx.Pre}, {db.Then, tx.Then}, {db.Post, tx.Post}}
}

// prePost: the two waves that are answered in full.
func prePost(tx Text) []series { return []series{{db.Pre, tx.Pre}, {db.Post, tx.Post}} }

// base is what every dashboard chart has; the title is the figure's
// caption, not drawn on the canvas.
func base(_ string) []echarts.GlobalOpts {
	return []echarts.GlobalOpts{
		echarts.WithInitializationOpts(opts.Initialization{AssetsHost: AssetsHost, Renderer: "canvas"}),
		echarts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom"}),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		echarts.WithAnimation(false),
		// Room at the top for a vertical axis's name, at the right for the
		// last label of a horizontal one.
		echarts.WithGridOpts(opts.Grid{Left: "2%", Right: "6%", Top: "32", Bottom: "48", ContainLabel: opts.Bool(true)}),
	}
}

// meansChart: pre, retrospective and post means per dimension.
func meansChart(c *reports.Cohort, names []string, tx Text) Chart {
	bar := echarts.NewBar()
	bar.AssetsHost = AssetsHost
	lo, hi := c.Inst.ScaleSpan()
	bar.SetGlobalOptions(append(base(tx.Means),
		echarts.WithXAxisOpts(opts.XAxis{Type: "value", Min: lo, Max: hi}), categoryY())...)
	bar.SetXAxis(names)
	var colors []string
	for _, w := range everyWave(tx) {
		data := make([]opts.BarData, len(names))
		for d := range names {
			data[d] = opts.BarData{Value: value(c.Waves[w.wave][d].Mean)}
		}
		bar.AddSeries(w.name, data)
		colors = append(colors, waveColors[w.wave])
	}
	bar.XYReversal()
	chart := finish("means", tx.Means, bar.Validate, bar.JSON)
	paint(chart.Options, colors...)
	numberAxis(chart.Options, "xAxis", format(1))
	numberTooltip(chart.Options, format(2))
	return chart
}

// intervalBox is a 95 % interval drawn as a box plot's box from the lower
// to the upper limit with the mean as its middle line, or a gap.
func intervalBox(mean, low, high *float64) opts.BoxPlotData {
	if mean == nil || low == nil || high == nil {
		return opts.BoxPlotData{Value: []any{}}
	}
	lo, m, hi := round2(*low), round2(*mean), round2(*high)
	return opts.BoxPlotData{Value: []float64{lo, lo, m, hi, hi}}
}

// changeChart: the mean change per dimension with its 95 % confidence
// interval, one row per dimension: drawn upright, seven dimension names
// overlapped at 390 px and lost the last one at 1280 px.
func changeChart(c *reports.Cohort, names []string, tx Text) Chart {
	box := echarts.NewBoxPlot()
	box.AssetsHost = AssetsHost
	box.SetGlobalOptions(append(base(tx.Change),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "value", Name: tx.Interval}),
		categoryY())...)
	box.SetXAxis(names)
	data := make([]opts.BoxPlotData, len(names))
	for d, r := range c.Dimensions {
		data[d] = intervalBox(r.MeanDiff, r.CILow, r.CIHigh)
	}
	box.AddSeries(tx.MeanLabel, data, zeroLine())
	chart := finish("change", tx.Change, box.Validate, box.JSON)
	categoriesOnY(chart.Options)
	for _, sr := range seriesList(chart.Options) {
		if ml, ok := sr["markLine"].(map[string]any); ok {
			// The axis says where 0 is; a label of its own overprints it.
			ml["label"], ml["symbol"], ml["silent"] = map[string]any{"show": false}, "none", true
			ml["lineStyle"] = map[string]any{"color": guideColor, "type": "solid"}
		}
	}
	roomForAxisName(chart.Options)
	paint(chart.Options, changeColor)
	numberAxis(chart.Options, "xAxis", format(1).signed())
	numberTooltip(chart.Options, format(2).signed().interval())
	return chart
}

// categoriesOnY moves a box plot's categories to its vertical axis (what
// XYReversal does for bars), one row per category: echarts then draws the
// boxes across.
func categoriesOnY(options map[string]any) {
	for _, x := range axes(options, "xAxis") {
		for _, y := range axes(options, "yAxis") {
			y["data"] = x["data"]
		}
		delete(x, "data")
	}
}

// zeroLine marks no change, so a lead sees at once which intervals
// include it.
func zeroLine() echarts.SeriesOpts {
	return echarts.WithMarkLineNameXAxisItemOpts(opts.MarkLineNameXAxisItem{XAxis: 0})
}

// roomForAxisName leaves room below a horizontal axis's labels for its
// name, above the legend.
func roomForAxisName(options map[string]any) {
	for _, g := range axes(options, "grid") {
		g["bottom"] = "64"
	}
}

// radarChart: the same means as a profile; a wave with a mean missing is
// left out.
func radarChart(c *reports.Cohort, lang string, tx Text) Chart {
	radar := echarts.NewRadar()
	radar.AssetsHost = AssetsHost
	var indicators []*opts.Indicator
	for _, d := range c.Inst.Dimensions {
		indicators = append(indicators, &opts.Indicator{Name: wrapLabel(d.Title.In(lang), 14), Max: float32(c.Inst.DimensionScale(d.ID).Max)})
	}
	radar.SetGlobalOptions(
		echarts.WithInitializationOpts(opts.Initialization{AssetsHost: AssetsHost, Renderer: "canvas"}),
		echarts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom"}),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		echarts.WithAnimation(false),
		echarts.WithRadarComponentOpts(opts.RadarComponent{Indicator: indicators}),
	)
	var colors []string
	for _, w := range everyWave(tx) {
		vals := make([]any, len(c.Inst.Dimensions))
		complete := true
		for d := range vals {
			vals[d] = value(c.Waves[w.wave][d].Mean)
			complete = complete && c.Waves[w.wave][d].Mean != nil
		}
		if complete {
			radar.AddSeries(w.name, []opts.RadarData{{Name: w.name, Value: vals}})
			colors = append(colors, waveColors[w.wave])
		}
	}
	chart := finish("radar", tx.Radar, radar.Validate, radar.JSON)
	paint(chart.Options, colors...)
	numberTooltip(chart.Options, format(2))
	// go-echarts drops a minimum of 0 (omitempty); without it echarts may
	// start an axis above the scale's minimum and exaggerate differences.
	for _, r := range axes(chart.Options, "radar") {
		// Multi-line names need a numeric line height here too. The
		// names are text: dark enough for WCAG AA (they were a pale
		// grey), and a radius that leaves them room at 390 px.
		r["axisName"] = map[string]any{"lineHeight": 14, "fontSize": 11, "color": inkColor}
		r["radius"] = "42%"
		r["center"] = []any{"50%", "46%"}
		if inds, ok := r["indicator"].([]any); ok {
			for i, ind := range inds {
				ind.(map[string]any)["min"] = c.Inst.DimensionScale(c.Inst.Dimensions[i].ID).Min
			}
		}
	}
	return chart
}

// spreadChart: boxplots of the dimension scores per wave (minimum, quartiles,
// median, maximum), one row per dimension.
func spreadChart(c *reports.Cohort, names []string, tx Text) Chart {
	box := echarts.NewBoxPlot()
	box.AssetsHost = AssetsHost
	lo, hi := c.Inst.ScaleSpan()
	box.SetGlobalOptions(append(base(tx.Spread),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "value", Min: lo, Max: hi}),
		categoryY())...)
	box.SetXAxis(names)
	var colors []string
	for _, w := range everyWave(tx) {
		data := make([]opts.BoxPlotData, len(names))
		for d := range names {
			s := c.Waves[w.wave][d]
			if s.Median == nil {
				data[d] = opts.BoxPlotData{Value: []any{}}
				continue
			}
			data[d] = opts.BoxPlotData{Value: []float64{round2(*s.Min), round2(*s.Q1), round2(*s.Median), round2(*s.Q3), round2(*s.Max)}}
		}
		box.AddSeries(w.name, data)
		colors = append(colors, waveColors[w.wave])
	}
	chart := finish("spread", tx.Spread, box.Validate, box.JSON)
	categoriesOnY(chart.Options)
	paint(chart.Options, colors...)
	numberAxis(chart.Options, "xAxis", format(1))
	numberTooltip(chart.Options, format(2))
	return chart
}

// histogramChart: how many people changed by how much, over all dimensions.
// The bins stand on a number axis, so echarts labels as many as fit
// (every bin's label overlapped at 390 px).
func histogramChart(c *reports.Cohort, tx Text) Chart {
	bar := echarts.NewBar()
	bar.AssetsHost = AssetsHost
	centres, counts := reports.HistogramBins(c.Overall)
	x := opts.XAxis{Type: "value", Name: tx.Interval}
	if len(centres) > 0 {
		x.Min, x.Max = centres[0]-0.25, centres[len(centres)-1]+0.25
	}
	bar.SetGlobalOptions(append(base(tx.Histogram),
		echarts.WithXAxisOpts(x),
		echarts.WithYAxisOpts(opts.YAxis{Type: "value", Name: tx.People, MinInterval: 1}))...)
	data := make([]opts.BarData, len(centres))
	for i := range centres {
		data[i] = opts.BarData{Value: []any{centres[i], counts[i]}}
	}
	bar.AddSeries(tx.People, data, echarts.WithBarChartOpts(opts.BarChart{BarCategoryGap: "5%", BarWidth: "90%"}))
	chart := finish("histogram", tx.Histogram, bar.Validate, bar.JSON)
	roomForAxisName(chart.Options)
	paint(chart.Options, changeColor)
	numberAxis(chart.Options, "xAxis", format(1).signed())
	for _, a := range axes(chart.Options, "xAxis") {
		// The axis runs a quarter point beyond the outer bins, which
		// labelled would read as bins of their own ("+0,3").
		label := submap(a, "axisLabel")
		label["showMinLabel"], label["showMaxLabel"] = false, false
	}
	numberAxis(chart.Options, "yAxis", format(0))
	numberTooltip(chart.Options, format(0))
	return chart
}

// itemsChart: per item of a dimension, the share of low answers to the left
// and of middle and high answers to the right, before and after. An item is
// named by its text, shortened (the tooltip has it in full).
func itemsChart(c *reports.Cohort, d int, title, lang string, tx Text) Chart {
	dim := c.Inst.Dimensions[d]
	bar := echarts.NewBar()
	bar.AssetsHost = AssetsHost
	bar.SetGlobalOptions(append(base(title),
		echarts.WithXAxisOpts(opts.XAxis{Type: "value", Min: -100, Max: 100, Name: tx.Share}), categoryY())...)
	var cats, full []string
	var low, mid, high []opts.BarData
	for _, it := range c.Items {
		if it.Item.Dimension != dim.ID {
			continue
		}
		text := it.Item.Text.In(lang)
		for i, w := range prePost(tx) {
			s := it.Shares[w.wave]
			// The text once, on the item's first row; its second row is
			// the same item after.
			label := w.name
			if i == 0 {
				label = wrapLabel(shorten(text, 40), 20) + "\n" + w.name
			}
			cats = append(cats, label)
			full = append(full, wrapLabel(text, 44)+"\n"+w.name)
			if s.Low == nil {
				low, mid, high = append(low, opts.BarData{Value: "-"}), append(mid, opts.BarData{Value: "-"}), append(high, opts.BarData{Value: "-"})
				continue
			}
			low = append(low, opts.BarData{Value: -math.Round(*s.Low * 100)})
			mid = append(mid, opts.BarData{Value: math.Round(*s.Mid * 100)})
			high = append(high, opts.BarData{Value: math.Round(*s.High * 100)})
		}
	}
	bar.SetXAxis(cats)
	stack := echarts.WithBarChartOpts(opts.BarChart{Stack: "shares"})
	bar.AddSeries(tx.Low, low, stack)
	bar.AddSeries(tx.Mid, mid, stack)
	bar.AddSeries(tx.High, high, stack)
	bar.XYReversal()
	chart := finish("items-"+dim.ID, title, bar.Validate, bar.JSON)
	roomForAxisName(chart.Options)
	// Shares, not waves: a scale from brown to teal through sand.
	paint(chart.Options, "#A6611A", "#DFC27D", "#018571")
	numberAxis(chart.Options, "xAxis", format(0).absolute().percent())
	numberTooltip(chart.Options, format(0).absolute().percent())
	// Each row is named by the item's full text, which the tooltip shows;
	// the axis shows it shortened (charts.js).
	for _, a := range axes(chart.Options, "yAxis") {
		a["data"], a["shortText"] = toAny(full), toAny(cats)
	}
	return chart
}

// knowledgeChart: share correct and mean confidence, before and after, in
// the waves' colours.
func knowledgeChart(c *reports.Cohort, tx Text) Chart {
	bar := echarts.NewBar()
	bar.AssetsHost = AssetsHost
	bar.SetGlobalOptions(append(base(tx.Knowledge),
		echarts.WithYAxisOpts(opts.YAxis{Type: "value", Min: 0, Max: 100}))...)
	bar.SetXAxis([]string{tx.Accuracy, tx.Confidence})
	var colors []string
	for _, w := range prePost(tx) {
		k := c.Knowledge[string(w.wave)]
		bar.AddSeries(w.name, []opts.BarData{{Value: percent(k.Accuracy)}, {Value: percent(k.Confidence)}})
		colors = append(colors, waveColors[w.wave])
	}
	chart := finish("knowledge", tx.Knowledge, bar.Validate, bar.JSON)
	paint(chart.Options, colors...)
	numberAxis(chart.Options, "yAxis", format(0).percent())
	numberTooltip(chart.Options, format(0).percent())
	return chart
}

// calibrationChart: share correct per confidence level, against the
// diagonal of perfect calibration.
func calibrationChart(c *reports.Cohort, tx Text) Chart {
	line := echarts.NewLine()
	line.AssetsHost = AssetsHost
	line.SetGlobalOptions(append(base(tx.Calibration),
		echarts.WithXAxisOpts(opts.XAxis{Type: "category", Name: tx.Confidence}),
		echarts.WithYAxisOpts(opts.YAxis{Type: "value", Min: 0, Max: 100, Name: tx.Accuracy}))...)
	var labels []string
	var perfect []opts.LineData
	for _, b := range c.Calibration[db.Pre] {
		labels = append(labels, fmt.Sprintf("%d %%", b.Confidence))
		perfect = append(perfect, opts.LineData{Value: b.Confidence})
	}
	line.SetXAxis(labels)
	var colors []string
	for _, w := range prePost(tx) {
		var data []opts.LineData
		for _, b := range c.Calibration[w.wave] {
			data = append(data, opts.LineData{Value: percent(b.Correct)})
		}
		line.AddSeries(w.name, data)
		colors = append(colors, waveColors[w.wave])
	}
	line.AddSeries(tx.Perfect, perfect, echarts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	chart := finish("calibration", tx.Calibration, line.Validate, line.JSON)
	roomForAxisName(chart.Options)
	for _, g := range axes(chart.Options, "grid") {
		g["top"] = "36"
	}
	paint(chart.Options, append(colors, guideColor)...)
	numberAxis(chart.Options, "yAxis", format(0).percent())
	numberTooltip(chart.Options, format(0).percent())
	return chart
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// withN adds the pairs behind a group's change to its label, on the last
// line if it fits there ("Bildung (n = 29)"), else on a line of its own.
func withN(label string, n int) string {
	last := label[strings.LastIndexByte(label, '\n')+1:]
	if utf8.RuneCountInString(last) <= 10 {
		return nOf(label, n)
	}
	return label + "\n" + nOf("", n)[1:]
}

// Heights of the breakdown's small multiples, in px.
const (
	groupRow    = 22 // one group's interval
	panelHead   = 28 // a dimension's name above its panel
	panelFoot   = 10
	groupsFoot  = 64 // the last panel's axis labels, the axis name and the legend
	groupsWidth = 140
)

// groupChart: the change per group with its 95 % interval, as small
// multiples: one panel per dimension, the groups shown as rows, all panels
// on one scale with no change marked. One chart of 49 thin bars (seven
// groups times seven dimensions) without intervals could not be read.
func groupChart(id, title string, groups []reports.Group, inst *questions.Instrument, lang string, tx Text) Chart {
	var shown []reports.Group
	for _, g := range groups {
		if !g.Suppressed {
			shown = append(shown, g)
		}
	}
	labels := make([]any, len(shown))
	row := groupRow
	for i, g := range shown {
		l := withN(wrapLabel(g.Label.In(lang), 18), g.Pairs)
		labels[i] = l
		// Rows as tall as the longest label, which would overprint the next.
		row = max(row, (strings.Count(l, "\n")+1)*14+6)
	}
	// One scale for every panel, from the intervals shown, including 0.
	lo, hi := 0.0, 0.0
	ciOf := func(g reports.Group, d int) reports.Interval {
		if d < len(g.ChangeCI) {
			return g.ChangeCI[d]
		}
		return reports.Interval{}
	}
	for _, g := range shown {
		for d := range inst.Dimensions {
			if ci := ciOf(g, d); ci.Low != nil && ci.High != nil {
				lo, hi = math.Min(lo, *ci.Low), math.Max(hi, *ci.High)
			}
		}
	}
	lo, hi = math.Floor(lo*2)/2, math.Ceil(hi*2)/2
	if lo == hi {
		hi = lo + 1
	}
	var grids, xs, ys, series, titles []any
	top := 8
	panel := len(shown) * row
	for d, dim := range inst.Dimensions {
		last := d == len(inst.Dimensions)-1
		titles = append(titles, map[string]any{"text": dim.Title.In(lang), "top": top, "left": 0,
			"textStyle": map[string]any{"fontSize": 13, "fontWeight": "bold", "color": inkColor}})
		top += panelHead
		grids = append(grids, map[string]any{"top": top, "height": panel, "left": groupsWidth, "right": 24, "containLabel": false})
		x := map[string]any{"type": "value", "gridIndex": d, "min": lo, "max": hi, "format": format(1).signed(),
			"axisLabel": map[string]any{"show": last, "color": inkColor}, "splitLine": map[string]any{"show": true}}
		if last {
			x["name"], x["nameLocation"], x["nameGap"] = tx.Interval, "middle", 26
			x["nameTextStyle"] = map[string]any{"color": inkColor}
		}
		xs = append(xs, x)
		ys = append(ys, map[string]any{"type": "category", "gridIndex": d, "data": labels, "inverse": true,
			"axisLabel": map[string]any{"interval": 0, "fontSize": 11, "lineHeight": 14, "color": inkColor}, "axisTick": map[string]any{"show": false}})
		data := make([]any, len(shown))
		for i, g := range shown {
			ci := ciOf(g, d)
			box := intervalBox(g.MeanChange[d], ci.Low, ci.High)
			data[i] = map[string]any{"value": box.Value}
		}
		series = append(series, map[string]any{"type": "boxplot", "name": tx.MeanLabel, "xAxisIndex": d, "yAxisIndex": d,
			"data": data, "boxWidth": []any{6, 14},
			"markLine": map[string]any{"silent": true, "symbol": "none", "label": map[string]any{"show": false},
				"lineStyle": map[string]any{"color": guideColor, "type": "solid"}, "data": []any{map[string]any{"xAxis": 0}}}})
		top += panel + panelFoot
	}
	height := top - panelFoot + groupsFoot
	options := map[string]any{
		"animation": false, "color": []any{changeColor},
		"title": titles, "grid": grids, "xAxis": xs, "yAxis": ys, "series": series,
		"legend":  map[string]any{"show": true, "bottom": 0, "data": []any{tx.MeanLabel}, "textStyle": map[string]any{"color": inkColor}},
		"tooltip": map[string]any{"show": true, "trigger": "item", "renderMode": "richText", "format": format(2).signed().interval()},
	}
	return Chart{ID: id, Title: title, Height: height, Options: plain(options)}
}
