package reports

import (
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"einordnung/db"
	"einordnung/questions"
)

// DashboardText is the wording of the dashboard's charts in the page's language.
type DashboardText struct {
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

// DashboardCharts returns every chart of a cohort's dashboard. Groups under
// the privacy threshold are left out of every chart (their tables say why).
func DashboardCharts(c *Cohort, lang string, tx DashboardText) []Chart {
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
		out = append(out, groupChart(BreakdownChartID(b.Question), fmt.Sprintf(tx.By, b.Question.Breakdown.In(lang)), b.Groups, names, lang))
	}
	return out
}

// BreakdownChartID is the id of the chart of a breakdown by question q.
func BreakdownChartID(q questions.BackgroundQuestion) string { return "by-" + q.ID }

// round1 rounds for display; charts never need more than two decimals.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// value is a chart value: the rounded number, or "-" (echarts' gap) for nil.
func value(v *float64) any {
	if v == nil {
		return "-"
	}
	return round2(*v)
}

// finish validates a chart and returns its options as plain JSON data.
func finish(id, title string, validate func(), json func() map[string]any) Chart {
	validate()
	options := plain(json())
	// go-echarts types lineHeight as a string, which echarts adds to the
	// y position instead of using as a number: labels of several lines
	// then overprint each other. Set it as a number on every category axis.
	for _, key := range []string{"xAxis", "yAxis"} {
		if axes, ok := options[key].([]any); ok {
			for _, a := range axes {
				if label, ok := a.(map[string]any)["axisLabel"].(map[string]any); ok {
					label["lineHeight"] = 14
				}
			}
		}
	}
	return Chart{ID: id, Title: title, Options: options}
}

func base(title string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: AssetsHost, Renderer: "canvas"}),
		charts.WithTitleOpts(opts.Title{Title: title}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithAnimation(false),
		charts.WithGridOpts(opts.Grid{Left: "2%", Right: "4%", Top: "48", Bottom: "48", ContainLabel: opts.Bool(true)}),
	}
}

func categoryY() charts.GlobalOpts {
	return charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true),
		AxisLabel: &opts.AxisLabel{Interval: "0", FontSize: 11}})
}

// meansChart: pre, retrospective and post means per dimension.
func meansChart(c *Cohort, names []string, tx DashboardText) Chart {
	bar := charts.NewBar()
	bar.AssetsHost = AssetsHost
	bar.SetGlobalOptions(append(base(tx.Means),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Min: c.Inst.Scale.Min, Max: c.Inst.Scale.Max}), categoryY())...)
	bar.SetXAxis(names)
	for _, w := range []struct {
		wave db.Wave
		name string
	}{{db.Pre, tx.Pre}, {db.Then, tx.Then}, {db.Post, tx.Post}} {
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
func changeChart(c *Cohort, names []string, tx DashboardText) Chart {
	box := charts.NewBoxPlot()
	box.AssetsHost = AssetsHost
	box.SetGlobalOptions(append(base(tx.Change),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(false)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Interval: "0", FontSize: 11}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: tx.Interval}))...)
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

// radarChart: the same means as a profile.
func radarChart(c *Cohort, lang string, tx DashboardText) Chart {
	radar := charts.NewRadar()
	radar.AssetsHost = AssetsHost
	var indicators []*opts.Indicator
	for _, d := range c.Inst.Dimensions {
		indicators = append(indicators, &opts.Indicator{Name: wrapLabel(d.Title.In(lang), 14), Max: float32(c.Inst.Scale.Max)})
	}
	radar.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: AssetsHost, Renderer: "canvas"}),
		charts.WithTitleOpts(opts.Title{Title: tx.Radar}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		charts.WithAnimation(false),
		charts.WithRadarComponentOpts(opts.RadarComponent{Indicator: indicators}),
	)
	for _, w := range []struct {
		wave db.Wave
		name string
	}{{db.Pre, tx.Pre}, {db.Then, tx.Then}, {db.Post, tx.Post}} {
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
				for _, ind := range inds {
					ind.(map[string]any)["min"] = c.Inst.Scale.Min
				}
			}
		}
	}
	return chart
}

// spreadChart: boxplots of the dimension scores per wave (minimum, quartiles,
// median, maximum).
func spreadChart(c *Cohort, names []string, tx DashboardText) Chart {
	box := charts.NewBoxPlot()
	box.AssetsHost = AssetsHost
	box.SetGlobalOptions(append(base(tx.Spread),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Interval: "0", FontSize: 11}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Min: c.Inst.Scale.Min, Max: c.Inst.Scale.Max}))...)
	box.SetXAxis(names)
	for _, w := range []struct {
		wave db.Wave
		name string
	}{{db.Pre, tx.Pre}, {db.Then, tx.Then}, {db.Post, tx.Post}} {
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
func histogramChart(c *Cohort, tx DashboardText) Chart {
	bar := charts.NewBar()
	bar.AssetsHost = AssetsHost
	bar.SetGlobalOptions(append(base(tx.Histogram),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Name: tx.Interval}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: tx.People, MinInterval: 1}))...)
	centres, counts := HistogramBins(c.Overall)
	labels := make([]string, len(centres))
	data := make([]opts.BarData, len(centres))
	for i := range centres {
		labels[i] = fmt.Sprintf("%+.1f", centres[i])
		data[i] = opts.BarData{Value: counts[i]}
	}
	bar.SetXAxis(labels)
	bar.AddSeries(tx.People, data, charts.WithBarChartOpts(opts.BarChart{BarCategoryGap: "5%"}))
	return finish("histogram", tx.Histogram, bar.Validate, bar.JSON)
}

// itemsChart: per item of a dimension, the share of low answers to the left
// and of middle and high answers to the right, before and after.
func itemsChart(c *Cohort, d int, title string, tx DashboardText) Chart {
	dim := c.Inst.Dimensions[d]
	bar := charts.NewBar()
	bar.AssetsHost = AssetsHost
	bar.SetGlobalOptions(append(base(title),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Min: -100, Max: 100, Name: tx.Share}), categoryY())...)
	var cats []string
	var low, mid, high []opts.BarData
	for _, it := range c.Items {
		if it.Item.Dimension != dim.ID {
			continue
		}
		for _, w := range []struct {
			wave db.Wave
			name string
		}{{db.Pre, tx.Pre}, {db.Post, tx.Post}} {
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
	stack := charts.WithBarChartOpts(opts.BarChart{Stack: "shares"})
	bar.AddSeries(tx.Low, low, stack)
	bar.AddSeries(tx.Mid, mid, stack)
	bar.AddSeries(tx.High, high, stack)
	bar.XYReversal()
	return finish("items-"+dim.ID, title, bar.Validate, bar.JSON)
}

// knowledgeChart: share correct and mean confidence, before and after.
func knowledgeChart(c *Cohort, tx DashboardText) Chart {
	bar := charts.NewBar()
	bar.AssetsHost = AssetsHost
	bar.SetGlobalOptions(append(base(tx.Knowledge),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Min: 0, Max: 100, Name: "%"}))...)
	bar.SetXAxis([]string{tx.Pre, tx.Post})
	pct := func(v *float64) any {
		if v == nil {
			return "-"
		}
		return math.Round(*v * 100)
	}
	pre, post := c.Knowledge[string(db.Pre)], c.Knowledge[string(db.Post)]
	bar.AddSeries(tx.Accuracy, []opts.BarData{{Value: pct(pre.Accuracy)}, {Value: pct(post.Accuracy)}})
	bar.AddSeries(tx.Confidence, []opts.BarData{{Value: pct(pre.Confidence)}, {Value: pct(post.Confidence)}})
	return finish("knowledge", tx.Knowledge, bar.Validate, bar.JSON)
}

// calibrationChart: share correct per confidence level, against the
// diagonal of perfect calibration.
func calibrationChart(c *Cohort, tx DashboardText) Chart {
	line := charts.NewLine()
	line.AssetsHost = AssetsHost
	line.SetGlobalOptions(append(base(tx.Calibration),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Name: tx.Confidence}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Min: 0, Max: 100, Name: tx.Accuracy}))...)
	var labels []string
	var perfect []opts.LineData
	for _, b := range c.Calibration[db.Pre] {
		labels = append(labels, fmt.Sprintf("%d %%", b.Confidence))
		perfect = append(perfect, opts.LineData{Value: b.Confidence})
	}
	line.SetXAxis(labels)
	for _, w := range []struct {
		wave db.Wave
		name string
	}{{db.Pre, tx.Pre}, {db.Post, tx.Post}} {
		var data []opts.LineData
		for _, b := range c.Calibration[w.wave] {
			if b.Correct == nil {
				data = append(data, opts.LineData{Value: "-"})
				continue
			}
			data = append(data, opts.LineData{Value: math.Round(*b.Correct * 100)})
		}
		line.AddSeries(w.name, data)
	}
	line.AddSeries(tx.Perfect, perfect, charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	return finish("calibration", tx.Calibration, line.Validate, line.JSON)
}

// groupChart: mean change per dimension for each group large enough to show.
func groupChart(id, title string, groups []Group, names []string, lang string) Chart {
	bar := charts.NewBar()
	bar.AssetsHost = AssetsHost
	bar.SetGlobalOptions(append(base(title),
		charts.WithXAxisOpts(opts.XAxis{Type: "value"}), categoryY())...)
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

// CompareChart: the mean change per dimension of several cohorts side by
// side (dimensions matched by id; a cohort without one shows a gap).
func CompareChart(inst *questions.Instrument, cohorts []*Cohort, names []string, lang, title string) Chart {
	dims := make([]string, len(inst.Dimensions))
	for i, d := range inst.Dimensions {
		dims[i] = wrapLabel(d.Title.In(lang), 16)
	}
	bar := charts.NewBar()
	bar.AssetsHost = AssetsHost
	bar.SetGlobalOptions(append(base(title), charts.WithXAxisOpts(opts.XAxis{Type: "value"}), categoryY())...)
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
