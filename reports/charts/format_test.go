package charts

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"einordnung/db"
	"einordnung/reports"
)

// everyChart is every chart the app draws, from the golden figures.
func everyChart() []Chart {
	tx := goldenText()
	out := Dashboard(goldenCohort(), "de", tx)
	out = append(out, Compare(goldenInstrument(), []*reports.Cohort{goldenCohort(), goldenCohort()}, []string{"A", "B"}, "de", "Vergleich"))
	return out
}

func goldenProfile() *reports.Profile {
	inst := goldenInstrument()
	return &reports.Profile{Instrument: inst, HasPre: true, HasPost: true, Dimensions: []reports.DimensionProfile{
		{Dimension: inst.Dimensions[0], Pre: f(4), Then: f(3.333), Post: f(6.667)},
		{Dimension: inst.Dimensions[1], Pre: f(5.55)},
	}}
}

// TestChartNumbersFollowTheLanguage: options are JSON, so charts.js formats
// numbers in the page's language where the options mark it. Every value
// axis that shows labels and every tooltip shown must be marked, or its
// numbers come out as "1.5" on a German page.
func TestChartNumbersFollowTheLanguage(t *testing.T) {
	charts := everyChart()
	charts = append(charts, Profile(goldenProfile(), "de", ProfileText{Pre: "Vorher", Then: "Rückblick", Post: "Nachher", Title: "T"}))
	for _, c := range charts {
		for _, key := range []string{"xAxis", "yAxis"} {
			for i, a := range axes(c.Options, key) {
				if a["type"] != "value" {
					continue
				}
				if _, ok := a["format"].(numbers); !ok {
					if _, ok := a["format"].(map[string]any); !ok {
						t.Errorf("%s: %s %d is a value axis without a number format", c.ID, key, i)
					}
				}
			}
		}
		if tip, ok := c.Options["tooltip"].(map[string]any); ok && tip["show"] != false {
			if tip["format"] == nil {
				t.Errorf("%s: its tooltip shows numbers without a number format", c.ID)
			}
		}
		// A number written into a label by the server is in neither
		// language's notation (category labels are texts).
		for _, key := range []string{"xAxis", "yAxis"} {
			for _, a := range axes(c.Options, key) {
				data, _ := a["data"].([]any)
				for _, d := range data {
					if s, ok := d.(string); ok && strings.ContainsAny(s, "0123456789") {
						if _, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64); err == nil && strings.Contains(s, ".") {
							t.Errorf("%s: category %q is a decimal number written by the server", c.ID, s)
						}
					}
				}
			}
		}
	}
}

// TestWaveColoursEverywhere: a wave has one colour on every chart (green
// was "Rückblickend" on one chart and "Nachher" on another): each series
// named after a wave takes that wave's colour from the palette, in order.
func TestWaveColoursEverywhere(t *testing.T) {
	tx := goldenText()
	waveOf := map[string]db.Wave{tx.Pre: db.Pre, tx.Then: db.Then, tx.Post: db.Post}
	charts := everyChart()
	charts = append(charts, Profile(goldenProfile(), "de", ProfileText{Pre: tx.Pre, Then: tx.Then, Post: tx.Post, Title: "T"}))
	seen := map[db.Wave]int{}
	for _, c := range charts {
		palette, _ := c.Options["color"].([]any)
		for i, s := range seriesList(c.Options) {
			name, _ := s["name"].(string)
			if s["type"] == "radar" {
				if data, ok := s["data"].([]any); ok && len(data) == 1 {
					name, _ = data[0].(map[string]any)["name"].(string)
				}
			}
			w, ok := waveOf[name]
			if !ok {
				continue
			}
			seen[w]++
			if i >= len(palette) || palette[i] != WaveColor(w) {
				got := "none"
				if i < len(palette) {
					got = fmt.Sprint(palette[i])
				}
				t.Errorf("%s: series %q is drawn in %s, want %s, the colour of %s everywhere", c.ID, name, got, WaveColor(w), w)
			}
		}
		// No other series wears a wave's colour.
		for i, s := range seriesList(c.Options) {
			name, _ := s["name"].(string)
			if _, ok := waveOf[name]; ok || s["type"] == "radar" || i >= len(palette) {
				continue
			}
			for _, w := range []db.Wave{db.Pre, db.Then, db.Post} {
				if palette[i] == WaveColor(w) {
					t.Errorf("%s: series %q wears %s's colour %s", c.ID, name, w, palette[i])
				}
			}
		}
	}
	for _, w := range []db.Wave{db.Pre, db.Then, db.Post} {
		if seen[w] < 3 {
			t.Errorf("only %d series of wave %s checked", seen[w], w)
		}
	}
}

// luminance is a colour's relative luminance (WCAG 2.1).
func luminance(hex string) float64 {
	v, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	lin := func(c uint64) float64 {
		s := float64(c) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(v>>16&0xff) + 0.7152*lin(v>>8&0xff) + 0.0722*lin(v&0xff)
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

// TestChartColoursContrast: text on a chart (axis labels and names, the
// radar's dimension names, legends) at least 4.5:1 against the white page
// (WCAG AA; the radar's names were pale), the waves' colours at least 3:1
// (WCAG 1.4.11, graphics).
func TestChartColoursContrast(t *testing.T) {
	for _, c := range everyChart() {
		var texts []string
		for _, key := range []string{"xAxis", "yAxis"} {
			for _, a := range axes(c.Options, key) {
				label, _ := a["axisLabel"].(map[string]any)
				if label == nil || label["color"] == nil {
					t.Errorf("%s: %s labels in echarts' default grey", c.ID, key)
					continue
				}
				texts = append(texts, label["color"].(string))
			}
		}
		for _, r := range axes(c.Options, "radar") {
			name, _ := r["axisName"].(map[string]any)
			if name == nil || name["color"] == nil {
				t.Errorf("%s: radar names without a colour", c.ID)
				continue
			}
			texts = append(texts, name["color"].(string))
		}
		for _, col := range texts {
			if r := contrast(col, "#ffffff"); r < 4.5 {
				t.Errorf("%s: text colour %s has %.2f:1 against white, want 4.5:1", c.ID, col, r)
			}
		}
	}
	for _, w := range []db.Wave{db.Pre, db.Then, db.Post} {
		if r := contrast(WaveColor(w), "#ffffff"); r < 3 {
			t.Errorf("wave %s: %s has %.2f:1 against white, want 3:1", w, WaveColor(w), r)
		}
	}
	if r := contrast("#555555", "#ffffff"); r < 4.5 { // the check itself: a known value
		t.Errorf("contrast(#555, white) = %.2f", r)
	}
}

// TestItemChartsNameItemsByText: rows are the items' texts (shortened on the
// axis, in full in the tooltip), never their ids ("und1 Vorher").
func TestItemChartsNameItemsByText(t *testing.T) {
	c := goldenCohort()
	var items Chart
	for _, ch := range Dashboard(c, "de", goldenText()) {
		if ch.ID == "items-a" {
			items = ch
		}
	}
	y := axes(items.Options, "yAxis")
	if len(y) != 1 {
		t.Fatalf("items chart: %d vertical axes", len(y))
	}
	full, _ := y[0]["data"].([]any)
	short, _ := y[0]["shortText"].([]any)
	if len(full) != 4 || len(short) != 4 {
		t.Fatalf("items chart: rows %q, shown as %q; want two items before and after", full, short)
	}
	for i := range full {
		f, s := full[i].(string), short[i].(string)
		if strings.Contains(f, "a1") || strings.Contains(s, "a1") {
			t.Errorf("row %d names the item by its id: %q / %q", i, f, s)
		}
	}
	if f := strings.ReplaceAll(full[0].(string), "\n", " "); !strings.Contains(f, "Stück für Stück erzeugt. Vorher") {
		t.Errorf("first row %q lacks the full text", f)
	}
	if s := short[0].(string); !strings.Contains(s, "…") || !strings.HasPrefix(s, "Ich kann") || len([]rune(s)) > 60 {
		t.Errorf("first row shown as %q, want the text shortened", s)
	}
}

// TestBreakdownChartShowsIntervals: one panel per dimension, a row per
// group shown (the suppressed one left out, each with its pairs), and each
// row the change's 95 % interval with the mean inside, on one scale with
// no change marked.
func TestBreakdownChartShowsIntervals(t *testing.T) {
	c := goldenCohort()
	var by Chart
	for _, ch := range Dashboard(c, "de", goldenText()) {
		if ch.ID == "by-field" {
			by = ch
		}
	}
	ys, series := axes(by.Options, "yAxis"), seriesList(by.Options)
	if len(ys) != len(c.Inst.Dimensions) || len(series) != len(c.Inst.Dimensions) || by.Height == 0 {
		t.Fatalf("breakdown chart: %d panels, %d series, height %d; want one per dimension", len(ys), len(series), by.Height)
	}
	labels := fmt.Sprint(ys[0]["data"])
	if !strings.Contains(labels, "Technik (n = 6)") || !strings.Contains(labels, "Soziales (n = 5)") || strings.Contains(labels, "Klein") {
		t.Errorf("groups %s, want Technik and Soziales with their pairs, not the suppressed Klein", labels)
	}
	box := series[0]["data"].([]any)[0].(map[string]any)["value"].([]any)
	if len(box) != 5 || box[0] != 0.41 || box[2] != 1.33 || box[4] != 2.25 {
		t.Errorf("Technik's first box %v, want the interval 0.41–2.25 around 1.33", box)
	}
	if gap := series[1]["data"].([]any)[1].(map[string]any)["value"].([]any); len(gap) != 0 {
		t.Errorf("a withheld change is drawn: %v", gap)
	}
	xs := axes(by.Options, "xAxis")
	if xs[0]["min"] != xs[1]["min"] || xs[0]["max"] != xs[1]["max"] {
		t.Errorf("panels on different scales: %v–%v and %v–%v", xs[0]["min"], xs[0]["max"], xs[1]["min"], xs[1]["max"])
	}
	if series[0]["markLine"] == nil {
		t.Error("no line at zero change")
	}
}
