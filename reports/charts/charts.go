// Package charts draws a cohort's dashboard, a comparison of cohorts and a
// participant's profile as go-echarts options. It draws the figures as
// reports leaves them and decides nothing about privacy: a withheld figure
// is nil and drawn as echarts' gap "-", a withheld breakdown group
// (Group.Suppressed) is left out.
package charts

import (
	"encoding/json"
	"math"
	"strings"
	"unicode/utf8"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"einordnung/reports"
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

// ProfileText is the wording of a participant's profile chart in the page's
// language: the waves' legend names and the title.
type ProfileText struct {
	Pre, Then, Post string
	Title           string
}

// Profile draws a participant's dimension scores as horizontal bars, one
// bar per submitted wave (pre; then and post after the post wave).
func Profile(p *reports.Profile, lang string, tx ProfileText) Chart {
	bar := echarts.NewBar()
	bar.AssetsHost = AssetsHost
	lo, hi := p.Instrument.ScaleSpan()
	bar.SetGlobalOptions(
		echarts.WithInitializationOpts(opts.Initialization{AssetsHost: AssetsHost, Renderer: "canvas"}),
		echarts.WithTitleOpts(opts.Title{Title: tx.Title}),
		echarts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom"}),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "value", Min: lo, Max: hi, SplitNumber: 5}),
		categoryY(),
		echarts.WithGridOpts(opts.Grid{Left: "2%", Right: "4%", Top: "40", Bottom: "40", ContainLabel: opts.Bool(true)}),
		echarts.WithAnimation(false),
	)
	names := make([]string, len(p.Dimensions))
	for i, d := range p.Dimensions {
		names[i] = wrapLabel(d.Dimension.Title.In(lang), 16)
	}
	bar.SetXAxis(names)
	series := func(name string, pick func(reports.DimensionProfile) *float64) {
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
		series(tx.Pre, func(d reports.DimensionProfile) *float64 { return d.Pre })
	}
	if p.HasPost {
		series(tx.Then, func(d reports.DimensionProfile) *float64 { return d.Then })
		series(tx.Post, func(d reports.DimensionProfile) *float64 { return d.Post })
	}
	bar.XYReversal()
	return finish("profile", tx.Title, bar.Validate, bar.JSON)
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
	// echarts' default tooltip is an HTML element styled through its style
	// attribute, which the pages' CSP (style-src 'self', no inline styles)
	// refuses: tooltips would appear unstyled and every hover would report
	// a violation. richText draws the tooltip on the canvas instead.
	if tooltip, ok := options["tooltip"].(map[string]any); ok {
		tooltip["renderMode"] = "richText"
	}
	return Chart{ID: id, Title: title, Options: options}
}

// categoryY is the category axis of a horizontal bar chart: every label,
// the first category on top.
func categoryY() echarts.GlobalOpts {
	return echarts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true),
		AxisLabel: &opts.AxisLabel{Interval: "0", FontSize: 11}})
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
		panic("charts: chart options do not marshal: " + err.Error())
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		panic("charts: chart options do not unmarshal: " + err.Error())
	}
	return out
}
