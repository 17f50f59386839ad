package reports

import (
	"encoding/json"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// AssetsHost is where the binary serves its own copy of echarts; go-echarts'
// default points to a CDN, which must never be contacted.
const AssetsHost = "/static/vendor/"

// Chart is a chart's options, ready to be written as JSON data into a page
// (html/template escapes it) and drawn by the embedded charts.js.
type Chart struct {
	ID      string
	Title   string // also the chart's accessible name
	Options map[string]any
}

// SeriesLabels name the waves in the chart's legend, in the page's language.
type SeriesLabels struct {
	Pre, Then, Post string
	Title           string
}

// ProfileChart draws a participant's dimension scores as horizontal bars,
// one bar per submitted wave (pre; then and post after the post wave).
func ProfileChart(p *Profile, lang string, labels SeriesLabels) Chart {
	bar := charts.NewBar()
	bar.AssetsHost = AssetsHost
	bar.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{AssetsHost: AssetsHost, Renderer: "canvas"}),
		charts.WithTitleOpts(opts.Title{Title: labels.Title}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Min: p.Instrument.Scale.Min, Max: p.Instrument.Scale.Max, SplitNumber: 5}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true),
			AxisLabel: &opts.AxisLabel{Interval: "0", FontSize: 11}}),
		charts.WithGridOpts(opts.Grid{Left: "2%", Right: "4%", Top: "40", Bottom: "40", ContainLabel: opts.Bool(true)}),
		charts.WithAnimation(false),
	)
	names := make([]string, len(p.Dimensions))
	for i, d := range p.Dimensions {
		names[i] = wrapLabel(d.Dimension.Title.In(lang), 16)
	}
	bar.SetXAxis(names)
	series := func(name string, pick func(DimensionProfile) *float64) {
		data := make([]opts.BarData, len(p.Dimensions))
		for i, d := range p.Dimensions {
			if v := pick(d); v != nil {
				data[i] = opts.BarData{Value: math.Round(*v*10) / 10}
			} else {
				data[i] = opts.BarData{Value: "-"}
			}
		}
		bar.AddSeries(name, data)
	}
	if p.HasPre {
		series(labels.Pre, func(d DimensionProfile) *float64 { return d.Pre })
	}
	if p.HasPost {
		series(labels.Then, func(d DimensionProfile) *float64 { return d.Then })
		series(labels.Post, func(d DimensionProfile) *float64 { return d.Post })
	}
	bar.XYReversal()
	bar.Validate()
	options := plain(bar.JSON())
	// go-echarts types lineHeight as a string, which echarts adds to the
	// y position instead of using as a number: labels of several lines then
	// overprint each other. Set it as a number.
	if axes, ok := options["yAxis"].([]any); ok && len(axes) > 0 {
		if label, ok := axes[0].(map[string]any)["axisLabel"].(map[string]any); ok {
			label["lineHeight"] = 14
		}
	}
	return Chart{ID: "profile", Title: labels.Title, Options: options}
}

// wrapLabel breaks a label into lines of about width characters at spaces.
// echarts' own "break" overflow draws the lines of a category label on top of
// each other; explicit line breaks are laid out correctly.
func wrapLabel(s string, width int) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(s) {
		n := utf8.RuneCountInString(word)
		if i > 0 {
			if line+1+n > width {
				b.WriteByte('\n')
				line = 0
			} else {
				b.WriteByte(' ')
				line++
			}
		}
		b.WriteString(word)
		line += n
	}
	return b.String()
}

// plain turns go-echarts' options into plain JSON values (maps, slices,
// numbers, strings), so they can be adjusted where go-echarts' types fall short.
func plain(options map[string]any) map[string]any {
	data, err := json.Marshal(options)
	if err != nil {
		panic("reports: chart options do not marshal: " + err.Error())
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		panic("reports: chart options do not unmarshal: " + err.Error())
	}
	return out
}
