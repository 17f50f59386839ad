package charts

import (
	"fmt"
	"math"

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
		out = append(out, itemsChart(c, d, fmt.Sprintf(tx.Items, dim.Title.In(lang)), tx))
	}
	out = append(out, knowledgeChart(c, tx), calibrationChart(c, tx))
	for _, b := range c.Breakdowns {
		out = append(out, groupChart(BreakdownID(b.Question), fmt.Sprintf(tx.By, b.Question.BreakdownLabel().In(lang)), b.Groups, names, lang))
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
	return finish("compare", title, bar.Validate, bar.JSON)
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

func base(title string) []echarts.GlobalOpts {
	return []echarts.GlobalOpts{
		echarts.WithInitializationOpts(opts.Initialization{AssetsHost: AssetsHost, Renderer: "canvas"}),
		echarts.WithTitleOpts(opts.Title{Title: title}),
		echarts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom"}),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		echarts.WithAnimation(false),
		echarts.WithGridOpts(opts.Grid{Left: "2%", Right: "4%", Top: "48", Bottom: "48", ContainLabel: opts.Bool(true)}),
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
	for _, w := range everyWave(tx) {
		data := make([]opts.BarData, len(names))
		for d := range names {
			data[d] = opts.BarData{Value: value(c.Waves[w.wave][d].Mean)}
		}
		bar.AddSeries(w.name, data)
	}
	bar.XYReversal()
	return finish("means", tx.Means, bar.Validate, bar.JSON)
}

// changeChart: the mean change per dimension with its 95 % confidence
// interval, drawn as a box from the lower to the upper limit with the mean
// as its middle line.
func changeChart(c *reports.Cohort, names []string, tx Text) Chart {
	box := echarts.NewBoxPlot()
	box.AssetsHost = AssetsHost
	box.SetGlobalOptions(append(base(tx.Change),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(false)}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Interval: "0", FontSize: 11}}),
		echarts.WithYAxisOpts(opts.YAxis{Type: "value", Name: tx.Interval}))...)
	box.SetXAxis(names)
	data := make([]opts.BoxPlotData, len(names))
	for d, r := range c.Dimensions {
		if r.CILow == nil || r.MeanDiff == nil {
			data[d] = opts.BoxPlotData{Value: []any{}}
			continue
		}
		lo, m, hi := round2(*r.CILow), round2(*r.MeanDiff), round2(*r.CIHigh)
		data[d] = opts.BoxPlotData{Value: []float64{lo, lo, m, hi, hi}}
	}
	box.AddSeries(tx.MeanLabel, data)
	return finish("change", tx.Change, box.Validate, box.JSON)
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
		echarts.WithTitleOpts(opts.Title{Title: tx.Radar}),
		echarts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom"}),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		echarts.WithAnimation(false),
		echarts.WithRadarComponentOpts(opts.RadarComponent{Indicator: indicators}),
	)
	for _, w := range everyWave(tx) {
		vals := make([]any, len(c.Inst.Dimensions))
		complete := true
		for d := range vals {
			vals[d] = value(c.Waves[w.wave][d].Mean)
			complete = complete && c.Waves[w.wave][d].Mean != nil
		}
		if complete {
			radar.AddSeries(w.name, []opts.RadarData{{Name: w.name, Value: vals}})
		}
	}
	chart := finish("radar", tx.Radar, radar.Validate, radar.JSON)
	// go-echarts drops a minimum of 0 (omitempty); without it echarts may
	// start an axis above the scale's minimum and exaggerate differences.
	if rs, ok := chart.Options["radar"].([]any); ok {
		for _, r := range rs {
			// Multi-line names need a numeric line height here too.
			r.(map[string]any)["axisName"] = map[string]any{"lineHeight": 14, "fontSize": 11, "color": "#555"}
			if inds, ok := r.(map[string]any)["indicator"].([]any); ok {
				for i, ind := range inds {
					ind.(map[string]any)["min"] = c.Inst.DimensionScale(c.Inst.Dimensions[i].ID).Min
				}
			}
		}
	}
	return chart
}

// spreadChart: boxplots of the dimension scores per wave (minimum, quartiles,
// median, maximum).
func spreadChart(c *reports.Cohort, names []string, tx Text) Chart {
	box := echarts.NewBoxPlot()
	box.AssetsHost = AssetsHost
	lo, hi := c.Inst.ScaleSpan()
	box.SetGlobalOptions(append(base(tx.Spread),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Interval: "0", FontSize: 11}}),
		echarts.WithYAxisOpts(opts.YAxis{Type: "value", Min: lo, Max: hi}))...)
	box.SetXAxis(names)
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
	}
	return finish("spread", tx.Spread, box.Validate, box.JSON)
}

// histogramChart: how many people changed by how much, over all dimensions.
func histogramChart(c *reports.Cohort, tx Text) Chart {
	bar := echarts.NewBar()
	bar.AssetsHost = AssetsHost
	bar.SetGlobalOptions(append(base(tx.Histogram),
		echarts.WithXAxisOpts(opts.XAxis{Type: "category", Name: tx.Interval}),
		echarts.WithYAxisOpts(opts.YAxis{Type: "value", Name: tx.People, MinInterval: 1}))...)
	centres, counts := reports.HistogramBins(c.Overall)
	labels := make([]string, len(centres))
	data := make([]opts.BarData, len(centres))
	for i := range centres {
		labels[i] = fmt.Sprintf("%+.1f", centres[i])
		data[i] = opts.BarData{Value: counts[i]}
	}
	bar.SetXAxis(labels)
	bar.AddSeries(tx.People, data, echarts.WithBarChartOpts(opts.BarChart{BarCategoryGap: "5%"}))
	return finish("histogram", tx.Histogram, bar.Validate, bar.JSON)
}

// itemsChart: per item of a dimension, the share of low answers to the left
// and of middle and high answers to the right, before and after.
func itemsChart(c *reports.Cohort, d int, title string, tx Text) Chart {
	dim := c.Inst.Dimensions[d]
	bar := echarts.NewBar()
	bar.AssetsHost = AssetsHost
	bar.SetGlobalOptions(append(base(title),
		echarts.WithXAxisOpts(opts.XAxis{Type: "value", Min: -100, Max: 100, Name: tx.Share}), categoryY())...)
	var cats []string
	var low, mid, high []opts.BarData
	for _, it := range c.Items {
		if it.Item.Dimension != dim.ID {
			continue
		}
		for _, w := range prePost(tx) {
			s := it.Shares[w.wave]
			cats = append(cats, it.Item.ID+" "+w.name)
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
	return finish("items-"+dim.ID, title, bar.Validate, bar.JSON)
}

// knowledgeChart: share correct and mean confidence, before and after.
func knowledgeChart(c *reports.Cohort, tx Text) Chart {
	bar := echarts.NewBar()
	bar.AssetsHost = AssetsHost
	bar.SetGlobalOptions(append(base(tx.Knowledge),
		echarts.WithYAxisOpts(opts.YAxis{Type: "value", Min: 0, Max: 100, Name: "%"}))...)
	bar.SetXAxis([]string{tx.Pre, tx.Post})
	pre, post := c.Knowledge[string(db.Pre)], c.Knowledge[string(db.Post)]
	bar.AddSeries(tx.Accuracy, []opts.BarData{{Value: percent(pre.Accuracy)}, {Value: percent(post.Accuracy)}})
	bar.AddSeries(tx.Confidence, []opts.BarData{{Value: percent(pre.Confidence)}, {Value: percent(post.Confidence)}})
	return finish("knowledge", tx.Knowledge, bar.Validate, bar.JSON)
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
	for _, w := range prePost(tx) {
		var data []opts.LineData
		for _, b := range c.Calibration[w.wave] {
			data = append(data, opts.LineData{Value: percent(b.Correct)})
		}
		line.AddSeries(w.name, data)
	}
	line.AddSeries(tx.Perfect, perfect, echarts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	return finish("calibration", tx.Calibration, line.Validate, line.JSON)
}

// groupChart: mean change per dimension for each group that is shown.
func groupChart(id, title string, groups []reports.Group, names []string, lang string) Chart {
	bar := echarts.NewBar()
	bar.AssetsHost = AssetsHost
	bar.SetGlobalOptions(append(base(title),
		echarts.WithXAxisOpts(opts.XAxis{Type: "value"}), categoryY())...)
	bar.SetXAxis(names)
	for _, g := range groups {
		if g.Suppressed {
			continue
		}
		data := make([]opts.BarData, len(names))
		for d := range names {
			data[d] = opts.BarData{Value: value(g.MeanChange[d])}
		}
		bar.AddSeries(g.Label.In(lang), data)
	}
	bar.XYReversal()
	return finish(id, title, bar.Validate, bar.JSON)
}
