package charts

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports"
	"einordnung/reports/stats"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares what with testdata/name.golden, or rewrites the file
// with -update.
func golden(t *testing.T, name string, what any) {
	t.Helper()
	got, err := json.MarshalIndent(what, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: the chart options changed; if that is meant, run the test with -update and review the diff.\ngot:\n%.2000s", path, got)
	}
}

func f(v float64) *float64 { return &v }

// goldenInstrument has a long dimension title that wraps, one with markup,
// three items and a breakdown question of three options.
func goldenInstrument() *questions.Instrument {
	t := func(de, en string) questions.Text { return questions.Text{"de": de, "en": en} }
	return &questions.Instrument{
		ID: "g", Version: 1,
		Scale: questions.Scale{Min: 0, Max: 10},
		Dimensions: []questions.Dimension{
			{ID: "a", Title: t("Gesellschaft, Vertrauen und Kommunikation", "Society, trust and communication")},
			{ID: "b", Title: t("Beta </script>", "Beta </script>")},
		},
		Items: []questions.Item{
			{ID: "a1", Dimension: "a", Text: t("Ich kann in eigenen Worten erklären, wie ein Sprachmodell einen Text Stück für Stück erzeugt.", "I can explain in my own words how a language model produces a text piece by piece.")},
			{ID: "a2", Dimension: "a", Reverse: true, Text: t("Kurz <b>", "Short <b>")},
			{ID: "b1", Dimension: "b", Text: t("Beta-Aussage", "Beta statement")}},
		Background: []questions.BackgroundQuestion{{ID: "field", Type: questions.BackgroundChoice, Text: t("Feld", "Field"),
			Options:   []questions.Option{{Value: "x", Text: t("Technik", "Engineering")}, {Value: "y", Text: t("Soziales", "Social")}, {Value: "z", Text: t("Klein", "Small")}},
			Breakdown: questions.Breakdown{On: true, Label: questions.Text{"de": "Arbeitsfeld", "en": "field of work"}}}},
	}
}

// goldenCohort is a small cohort's figures as Build leaves them: dimension
// b's pairs and the then wave of b are withheld, one item share, one
// knowledge accuracy and one calibration bin are missing, and one
// breakdown group is suppressed.
func goldenCohort() *reports.Cohort {
	inst := goldenInstrument()
	summary := func(mean, sd, min, q1, med, q3, max float64) reports.WaveScores {
		return reports.WaveScores{Summary: stats.Summary{N: 12, Mean: f(mean), SD: f(sd), Min: f(min), Q1: f(q1), Median: f(med), Q3: f(q3), Max: f(max),
			CILow: f(mean - 0.5), CIHigh: f(mean + 0.5)}}
	}
	c := &reports.Cohort{Inst: inst, Participants: 14, OverallHidden: reports.Shown,
		Waves: map[db.Wave][]reports.WaveScores{
			db.Pre:  {summary(4.123, 1.5, 1, 3.25, 4, 5.5, 8), summary(5.456, 1.2, 2, 4.5, 5.5, 6.25, 9)},
			db.Then: {summary(3.6, 1.4, 0.5, 2.75, 3.5, 4.5, 7), {Summary: stats.Summary{N: 3}, Hidden: reports.FewPeople}},
			db.Post: {summary(6.789, 1.1, 3, 6, 7, 7.75, 10), summary(6.015, 1.3, 2.5, 5, 6, 7, 9.5)},
		},
		Overall: []float64{-1.2, -0.3, 0, 0.2, 0.6, 0.74, 1.1, 1.6, 2.4, 2.5},
		Items: []reports.ItemDistribution{
			{Item: inst.Items[0], Shares: map[db.Wave]reports.ItemShare{db.Pre: {N: 12, Low: f(0.25), Mid: f(0.5), High: f(0.25)}, db.Post: {N: 10, Low: f(0.104), Mid: f(0.3), High: f(0.596)}}},
			{Item: inst.Items[1], Shares: map[db.Wave]reports.ItemShare{db.Pre: {N: 12, Low: f(0.5), Mid: f(0.335), High: f(0.165)}, db.Post: {N: 3, Hidden: reports.FewPeople}}},
			{Item: inst.Items[2], Shares: map[db.Wave]reports.ItemShare{db.Pre: {N: 12, Low: f(0.0), Mid: f(0.5), High: f(0.5)}, db.Post: {N: 10, Low: f(0), Mid: f(0.2), High: f(0.8)}}},
		},
		Calibration: map[db.Wave][]reports.CalibrationBin{
			db.Pre:  {{Confidence: 50, N: 20, People: 8, Correct: f(0.55)}, {Confidence: 60, N: 3, People: 2, Hidden: reports.FewPeople}, {Confidence: 100, N: 10, People: 6, Correct: f(0.874)}},
			db.Post: {{Confidence: 50, N: 12, People: 7, Correct: f(0.5)}, {Confidence: 60, N: 15, People: 9, Correct: f(0.666)}, {Confidence: 100, N: 8, People: 5, Correct: f(1)}},
		},
		Breakdowns: []reports.Breakdown{{Question: inst.Background[0], Groups: []reports.Group{
			{Value: "x", Label: inst.Background[0].Options[0].Text, N: 7, Pairs: 6, MeanPre: []*float64{f(4), f(5.25)}, MeanChange: []*float64{f(1.333), f(-0.25)},
				ChangeCI: []reports.Interval{{Low: f(0.412), High: f(2.254)}, {Low: f(-1.1), High: f(0.6)}}},
			{Value: "y", Label: inst.Background[0].Options[1].Text, N: 5, Pairs: 5, MeanPre: []*float64{f(4.5), nil}, MeanChange: []*float64{f(2.1), nil},
				ChangeCI: []reports.Interval{{Low: f(1.05), High: f(3.15)}, {}}},
			{Value: "z", Label: inst.Background[0].Options[2].Text, N: 2, Pairs: 1, MeanPre: []*float64{nil, nil}, MeanChange: []*float64{nil, nil}, Suppressed: true, Hidden: reports.FewPeople},
		}}},
	}
	c.Report = reports.Report{Cohort: "gold", Instrument: "g@1", MinGroup: 5,
		Dimensions: []reports.DimensionReport{
			{Dimension: "a", NPre: 12, NPost: 10, NPairs: 9, MeanPre: f(4.123), MeanPost: f(6.789), MeanDiff: f(2.345), CILow: f(1.234), CIHigh: f(3.456), DZ: f(0.91)},
			{Dimension: "b", NPre: 12, NPost: 10, NPairs: 4, MeanPre: f(5.456), MeanPost: f(6.015), HiddenPairs: reports.FewPairs, Suppressed: true},
		},
		Knowledge: map[string]reports.KnowledgeReport{
			string(db.Pre):  {N: 12, Accuracy: f(0.634), Confidence: f(0.785), Bias: f(0.151)},
			string(db.Post): {N: 10, Confidence: f(0.7)},
		},
	}
	return c
}

func goldenText() Text {
	return Text{
		Pre: "Vorher", Then: "Rückblick", Post: "Nachher",
		Means: "Mittelwerte", Change: "Veränderung", Radar: "Profil", Spread: "Streuung", Histogram: "Verteilung",
		Items: "Aussagen: %s", Knowledge: "Wissen", Calibration: "Kalibrierung",
		Accuracy: "Anteil richtig", Confidence: "Sicherheit", Perfect: "perfekt", By: "Nach %s",
		Low: "niedrig", Mid: "mittel", High: "hoch", People: "Personen", Share: "Anteil", MeanLabel: "Mittel", Interval: "Punkte",
	}
}

func TestDashboardGolden(t *testing.T) {
	golden(t, "dashboard", Dashboard(goldenCohort(), "de", goldenText()))
}

func TestCompareGolden(t *testing.T) {
	other := goldenCohort()
	other.Dimensions = other.Dimensions[:1] // a cohort without dimension b shows a gap
	other.Dimensions[0].MeanDiff = f(-0.456)
	golden(t, "compare", Compare(goldenInstrument(), []*reports.Cohort{goldenCohort(), other}, []string{"Jahrgang 1", "Jahrgang 2"}, "en", "Change"))
}

func TestProfileGolden(t *testing.T) {
	inst := goldenInstrument()
	p := &reports.Profile{Instrument: inst, HasPre: true, HasPost: true, Dimensions: []reports.DimensionProfile{
		{Dimension: inst.Dimensions[0], Pre: f(4), Then: f(3.333), Post: f(6.667)},
		{Dimension: inst.Dimensions[1], Pre: f(5.55)},
	}}
	golden(t, "profile", Profile(p, "de", ProfileText{Pre: "Vorher", Then: "Rückblick", Post: "Nachher", Title: "Ihre Werte"}))
	p.HasPost = false
	golden(t, "profile-pre", Profile(p, "en", ProfileText{Pre: "Before", Then: "Looking back", Post: "After", Title: "Your scores"}))
}
