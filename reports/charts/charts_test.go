package charts

import (
	"encoding/json"
	"strings"
	"testing"

	"einordnung/reports"
)

func TestProfileOptions(t *testing.T) {
	six, nine := 6.0, 26.0/3
	inst := goldenInstrument()
	p := &reports.Profile{Instrument: inst, HasPre: true, HasPost: true, Dimensions: []reports.DimensionProfile{
		{Dimension: inst.Dimensions[1], Pre: &six, Post: &nine},
		{Dimension: inst.Dimensions[0]},
	}}
	chart := Profile(p, "de", ProfileText{Pre: "Vorher", Then: "Rückblick", Post: "Nachher", Title: "T"})
	data, err := json.Marshal(chart.Options)
	if err != nil {
		t.Fatal(err)
	}
	js := string(data)
	for _, want := range []string{`"name":"Vorher"`, `"name":"Rückblick"`, `"name":"Nachher"`, `"value":6`, `"value":8.7`,
		`"value":"-"`, `"lineHeight":14`, `"max":10`, `"min":0`} {
		if !strings.Contains(js, want) {
			t.Errorf("chart options lack %s: %s", want, js)
		}
	}
	// Options are data: a title with markup stays text and json escapes "<".
	if strings.Contains(js, "</script>") {
		t.Errorf("options contain a raw </script>: %s", js)
	}
	if strings.Contains(js, "go-echarts.github.io") || strings.Contains(js, "cdn") {
		t.Errorf("options point to a CDN: %s", js)
	}
}

func TestWrapLabel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Kurz", "Kurz"},
		{"Verstehen, wie KI funktioniert", "Verstehen, wie\nKI funktioniert"},
		{"Gesellschaft, Vertrauen und Kommunikation", "Gesellschaft,\nVertrauen und\nKommunikation"},
		{"Überlangeswortohneleerzeichen bleibt", "Überlangeswortohneleerzeichen\nbleibt"},
	}
	for _, tt := range tests {
		if got := wrapLabel(tt.in, 16); got != tt.want {
			t.Errorf("wrapLabel(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
