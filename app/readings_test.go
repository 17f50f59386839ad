package app

import (
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"einordnung/questions"
	"einordnung/reports"
)

// TestEveryReadingHasAText checks that every code a reading can return has
// a message in both languages, so no page shows an empty reading.
func TestEveryReadingHasAText(t *testing.T) {
	check := func(what string, code any, key string) {
		t.Helper()
		for _, l := range []string{"de", "en"} {
			if key == "" || messages[l][key] == "" {
				t.Errorf("%s %q: no %s text (key %q)", what, code, l, key)
			}
		}
	}
	for _, e := range []reports.Effect{reports.EffectNone, reports.EffectSmall, reports.EffectMedium, reports.EffectLarge} {
		check("effect", e, effectKeys[e])
	}
	for _, d := range []reports.Direction{reports.DirectionUp, reports.DirectionDown} {
		check("cohort direction", d, directionKeys[d])
	}
	for _, d := range []reports.Direction{reports.DirectionUp, reports.DirectionDown, reports.DirectionSame} {
		check("personal change", d, changeKeys[d])
		check("personal change against the look back", d, thenChangeKeys[d])
	}
	for _, c := range []reports.Calibration{reports.Overconfident, reports.Underconfident, reports.Calibrated} {
		check("cohort calibration", c, calibrationKeys[c])
		check("personal calibration", c, feedbackCalibrationKeys[c])
	}
	for _, lv := range []reports.Level{reports.LevelMissing, reports.LevelLow, reports.LevelMid, reports.LevelHigh} {
		check("level", lv, levelKeys[lv])
	}
}

// TestReadingsInGerman pins the German words of the dashboard's and the
// feedback's readings, one case per code.
func TestReadingsInGerman(t *testing.T) {
	p := func(v float64) *float64 { return &v }
	changes := []struct {
		r    reports.DimensionReport
		want string
	}{
		{reports.DimensionReport{MeanDiff: p(1.2), DZ: p(0.9), PTHolm: p(0.001)}, "Zuwachs, großer Effekt; statistisch gesichert."},
		{reports.DimensionReport{MeanDiff: p(0.5), DZ: p(0.6), PTHolm: p(0.05)}, "Zuwachs, mittlerer Effekt; statistisch nicht gesichert."},
		{reports.DimensionReport{MeanDiff: p(-0.3), DZ: p(-0.3), PTHolm: p(0.01)}, "Rückgang, kleiner Effekt; statistisch gesichert."},
		{reports.DimensionReport{MeanDiff: p(-0.1), DZ: p(-0.1)}, "Rückgang, kaum ein Effekt; statistisch nicht gesichert."},
		{reports.DimensionReport{MeanDiff: p(0.1)}, "Zu wenige verknüpfte Paare für eine Aussage"},
	}
	for _, tt := range changes {
		if got := readChange("de", tt.r); got != tt.want {
			t.Errorf("readChange(%+v) = %q, want %q", tt.r, got, tt.want)
		}
	}
	calibrations := []struct {
		bias *float64
		want string
	}{
		{p(0.2), "Im Mittel übersicher."}, {p(-0.2), "Im Mittel untersicher."},
		{p(0.1), "Sicherheit und Treffer passen gut zusammen."}, {nil, "–"},
	}
	for _, tt := range calibrations {
		if got := readCalibration("de", reports.KnowledgeReport{Bias: tt.bias}); got != tt.want {
			t.Errorf("readCalibration(%v) = %q, want %q", tt.bias, got, tt.want)
		}
	}

	fa := fiber.New()
	c := fa.AcquireCtx(&fasthttp.RequestCtx{})
	defer fa.ReleaseCtx(c)
	h := &handler{}
	tenPoints := questions.Scale{Min: 0, Max: 10}
	scores := []struct {
		d    reports.DimensionProfile
		want string
	}{
		{reports.DimensionProfile{Scale: tenPoints}, "Zu wenige Antworten für einen Wert."},
		{reports.DimensionProfile{Scale: tenPoints, Pre: p(3.9)}, "Hier sehen Sie sich noch am Anfang."},
		{reports.DimensionProfile{Scale: tenPoints, Pre: p(4), Then: p(4), Post: p(4.5)}, "Hier sehen Sie eine solide Grundlage. Gegenüber vorher ist Ihre Einschätzung etwa gleich."},
		{reports.DimensionProfile{Scale: tenPoints, Pre: p(6), Then: p(5), Post: p(7)}, "Hier fühlen Sie sich sicher. Gegenüber vorher schätzen Sie sich deutlich höher ein. " +
			"Rückblickend sehen Sie Ihren Anfangsstand niedriger als damals: Ihr Maßstab hat sich verschoben."},
		{reports.DimensionProfile{Scale: tenPoints, Pre: p(5), Post: p(3)}, "Hier sehen Sie sich noch am Anfang. Gegenüber vorher schätzen Sie sich niedriger ein – oft ein Zeichen, dass man ein Thema genauer kennt."},
		{reports.DimensionProfile{Scale: tenPoints, Then: p(6), Post: p(5)}, "Hier sehen Sie eine solide Grundlage. Gegenüber Ihrem Rückblick schätzen Sie sich niedriger ein."},
		{reports.DimensionProfile{Scale: tenPoints, Then: p(2), Post: p(5)}, "Hier sehen Sie eine solide Grundlage. Gegenüber Ihrem Rückblick schätzen Sie sich deutlich höher ein."},
		{reports.DimensionProfile{Scale: tenPoints, Then: p(5), Post: p(5)}, "Hier sehen Sie eine solide Grundlage. Gegenüber Ihrem Rückblick ist Ihre Einschätzung etwa gleich."},
		{reports.DimensionProfile{Scale: tenPoints, Post: p(8)}, "Hier fühlen Sie sich sicher."},
	}
	for _, tt := range scores {
		if got := h.readScore(c, tt.d); got != tt.want {
			t.Errorf("readScore(%v, %v, %v) = %q, want %q", tt.d.Pre, tt.d.Then, tt.d.Post, got, tt.want)
		}
	}
	for _, tt := range []struct {
		bias float64
		want string
	}{
		{0.11, "Sie waren sicherer, als Ihre Treffer rechtfertigen – prüfen lohnt sich."},
		{-0.11, "Sie wussten mehr, als Sie sich zugetraut haben."},
		{-0.1, "Ihre Sicherheit passte gut zu Ihren Treffern."},
	} {
		if got := h.knowledgeSummary(c, "wave_pre", &questions.KnowledgeResult{Bias: tt.bias}).Reading; got != tt.want {
			t.Errorf("knowledgeSummary(bias %v) = %q, want %q", tt.bias, got, tt.want)
		}
	}
}
