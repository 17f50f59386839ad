// Package charts draws a cohort's dashboard, a comparison of cohorts and a
// participant's profile as go-echarts options. It draws the figures as
// reports leaves them and decides nothing about privacy: a withheld figure
// is nil and drawn as echarts' gap "-", a withheld breakdown group
// (Group.Suppressed) is left out.
package charts

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"einordnung/db"
	"einordnung/reports"
)

// AssetsHost is where the binary serves its own copy of echarts; go-echarts'
// default points to a CDN, which must never be contacted.
const AssetsHost = "/static/vendor/"

// Chart is a chart's options, ready to be written as JSON data into a page
// (html/template escapes it) and drawn by the embedded charts.js.
type Chart struct {
	ID      string
	Title   string // shown above the chart as its caption, and its accessible name
	Height  int    // px; 0 for the page's usual chart height
	Options map[string]any
}

// The colours of the waves, the same on every chart: pre blue, the
// retrospective pre-rating grey, post orange (Okabe–Ito, told apart with
// the common colour-vision deficiencies; each at least 3:1 against white,
// as WCAG 1.4.11 asks of graphics). A change (post − pre) is neither wave
// and has a colour of its own.
var waveColors = map[db.Wave]string{db.Pre: "#0072B2", db.Then: "#767676", db.Post: "#D55E00"}

const (
	changeColor = "#6A3D9A"
	// inkColor is every text drawn on a chart: 12.6:1 against white (WCAG
	// AA asks 4.5:1); echarts' default grey is paler.
	inkColor = "#333333"
	// guideColor draws references that are not data (perfect calibration).
	guideColor = "#595959"
)

// WaveColor is wave w's colour on every chart.
func WaveColor(w db.Wave) string { return waveColors[w] }

// numbers marks where charts.js formats numbers in the page's language
// (Intl.NumberFormat of <html lang>): options are JSON, so they cannot
// carry formatter functions. On an axis it formats the axis labels and the
// tooltip's axis value, on a tooltip the values it shows. Keys: digits (at
// most that many decimals), sign (always a sign, "+0,5", none on zero),
// abs (without sign, for shares drawn to the left), suffix (" %"), ci (a
// box plot's box is an interval: "mean [low; high]").
type numbers map[string]any

func format(digits int) numbers { return numbers{"digits": digits} }

func (n numbers) signed() numbers { n["sign"] = true; return n }

func (n numbers) percent() numbers { n["suffix"] = " %"; return n }

func (n numbers) absolute() numbers { n["abs"] = true; return n }

func (n numbers) interval() numbers { n["ci"] = true; return n }

// axes returns the components of one kind of plain options ("xAxis",
// "yAxis", "grid", "radar"), given as a list or as one.
func axes(options map[string]any, key string) []map[string]any {
	var out []map[string]any
	switch a := options[key].(type) {
	case []any:
		for _, x := range a {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
	case map[string]any:
		out = append(out, a)
	}
	return out
}

// seriesList returns the series of plain options.
func seriesList(options map[string]any) []map[string]any {
	var out []map[string]any
	if list, ok := options["series"].([]any); ok {
		for _, x := range list {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// submap returns m[key] as a map, creating it.
func submap(m map[string]any, key string) map[string]any {
	if sub, ok := m[key].(map[string]any); ok {
		return sub
	}
	sub := map[string]any{}
	m[key] = sub
	return sub
}

// paint gives the series their colours, in order; echarts takes legend
// and series colours from the palette.
func paint(options map[string]any, colors ...string) {
	palette := make([]any, len(colors))
	for i, c := range colors {
		palette[i] = c
	}
	options["color"] = palette
}

// numberAxis formats an axis's numbers in the page's language.
func numberAxis(options map[string]any, key string, n numbers) {
	for _, a := range axes(options, key) {
		a["format"] = n
	}
}

// numberTooltip formats a tooltip's values in the page's language.
func numberTooltip(options map[string]any, n numbers) {
	if t, ok := options["tooltip"].(map[string]any); ok {
		t["format"] = n
	}
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
		echarts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom"}),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "value", Min: lo, Max: hi, SplitNumber: 5}),
		categoryY(),
		echarts.WithGridOpts(opts.Grid{Left: "2%", Right: "6%", Top: "16", Bottom: "40", ContainLabel: opts.Bool(true)}),
		echarts.WithAnimation(false),
	)
	names := make([]string, len(p.Dimensions))
	for i, d := range p.Dimensions {
		names[i] = wrapLabel(d.Dimension.Title.In(lang), 16)
	}
	bar.SetXAxis(names)
	var colors []string
	series := func(w db.Wave, name string, pick func(reports.DimensionProfile) *float64) {
		colors = append(colors, waveColors[w])
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
		series(db.Pre, tx.Pre, func(d reports.DimensionProfile) *float64 { return d.Pre })
	}
	if p.HasPost {
		series(db.Then, tx.Then, func(d reports.DimensionProfile) *float64 { return d.Then })
		series(db.Post, tx.Post, func(d reports.DimensionProfile) *float64 { return d.Post })
	}
	bar.XYReversal()
	chart := finish("profile", tx.Title, bar.Validate, bar.JSON)
	paint(chart.Options, colors...)
	numberAxis(chart.Options, "xAxis", format(1))
	numberTooltip(chart.Options, format(1))
	return chart
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
	// The title is the figure's caption in the page (partials/chart.html),
	// where it wraps as text does; drawn on the canvas it was cut at 390 px.
	// An empty toolbox is go-echarts' default and not in our echarts build.
	delete(options, "title")
	delete(options, "toolbox")
	for _, key := range []string{"xAxis", "yAxis"} {
		for _, a := range axes(options, key) {
			label := submap(a, "axisLabel")
			label["color"] = inkColor
			if a["name"] == nil {
				continue
			}
			// An axis name at the axis's end ran off the canvas ("Veränd…",
			// "S"): a horizontal axis has its name centred below its
			// labels, a vertical one above its top, starting at the axis.
			style := submap(a, "nameTextStyle")
			style["color"] = inkColor
			if key == "xAxis" {
				a["nameLocation"], a["nameGap"] = "middle", 26
			} else {
				a["nameLocation"], a["nameGap"] = "end", 12
				style["align"] = "left"
			}
		}
	}
	if legend, ok := options["legend"].(map[string]any); ok {
		submap(legend, "textStyle")["color"] = inkColor
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

// shorten cuts s to at most n characters at a word, marked with "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	if i := strings.LastIndexByte(string(r), ' '); i > n/2 {
		return strings.TrimRight(string(r)[:i], " ,;:") + "…"
	}
	return string(r) + "…"
}

// nOf is a group's label with the number of pairs behind its change.
func nOf(label string, n int) string { return fmt.Sprintf("%s (n = %d)", label, n) }

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
