package app_test

// Tests of a cohort's dashboard, its downloads, the import page and the
// comparison of cohorts, through the real app (app.Test) on a fresh
// database filled with demo data.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"einordnung/db"
	"einordnung/reports"
	"einordnung/reports/demo"
)

const (
	dashLead     = "leitung@example.org"
	dashOther    = "andere@example.org"
	dashEvilName = `</script><script>alert(1)</script>`
	// responsesHeader is the long export's header, as the documentation of
	// package reports/exchange fixes it.
	responsesHeader = "cohort,wave,participant,response,submitted_at,item,kind,dimension,value,confidence"
	codebookHead    = "item,kind,dimension,reverse,min,max,correct,text_de,text_en"
)

// dashFormat is one download as a lead gets it, and how to recognise its content.
type dashFormat struct {
	name, file, mime string
	check            func(t *testing.T, body []byte)
}

// dashFormats are the downloads in the order the dashboard lists them.
var dashFormats = []dashFormat{
	{"responses", "responses.csv", "text/csv; charset=utf-8", func(t *testing.T, body []byte) {
		if h := firstLine(body); h != responsesHeader {
			t.Errorf("responses.csv starts %q, want the contract's header %q", h, responsesHeader)
		}
	}},
	{"excel", "responses-excel.csv", "text/csv; charset=utf-8", func(t *testing.T, body []byte) {
		// German Excel: UTF-8 only with the byte order mark, fields split at semicolons.
		if h, want := firstLine(body), "\uFEFF"+strings.ReplaceAll(responsesHeader, ",", ";"); h != want {
			t.Errorf("responses-excel.csv starts %q, want %q", h, want)
		}
	}},
	{"wide", "wide.csv", "text/csv; charset=utf-8", func(t *testing.T, body []byte) {
		if h := firstLine(body); !strings.HasPrefix(h, "cohort,participant,wave,submitted_at,und1,") {
			t.Errorf("wide.csv starts %q", h)
		}
	}},
	{"xlsx", "einordnung.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", func(t *testing.T, body []byte) {
		if !bytes.HasPrefix(body, []byte("PK")) {
			t.Fatalf("the workbook starts %q, not as a zip file (PK)", body[:min(8, len(body))])
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("the workbook does not open: %v", err)
		}
		defer f.Close()
		if got, want := f.GetSheetList(), []string{"wide", "long", "codebook", "report", "Qualität"}; !reflect.DeepEqual(got, want) {
			t.Errorf("the workbook has the sheets %q, want %q", got, want)
		}
	}},
	{"codebook", "codebook.csv", "text/csv; charset=utf-8", func(t *testing.T, body []byte) {
		if h := firstLine(body); h != codebookHead {
			t.Errorf("codebook.csv starts %q, want %q", h, codebookHead)
		}
	}},
	{"sps", "einordnung.sps", "text/plain; charset=utf-8", func(t *testing.T, body []byte) {
		if !bytes.HasPrefix(body, []byte("* Einordnung – SPSS-Syntax")) || !bytes.Contains(body, []byte("/FILE='ws26-wide.csv'")) {
			t.Errorf("the SPSS syntax starts %q", firstLine(body))
		}
	}},
	{"r", "einordnung.R", "text/plain; charset=utf-8", func(t *testing.T, body []byte) {
		if !bytes.HasPrefix(body, []byte("# Einordnung – R-Skript")) || !bytes.Contains(body, []byte(`datei <- "ws26-wide.csv"`)) {
			t.Errorf("the R script starts %q", firstLine(body))
		}
	}},
	{"json", "report.json", "application/json; charset=utf-8", func(t *testing.T, body []byte) {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil {
			t.Fatalf("report.json does not parse: %v", err)
		}
		var keys []string
		for k := range top {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if want := []string{"cohort", "dimensions", "instrument", "knowledge", "min_group", "then"}; !reflect.DeepEqual(keys, want) {
			t.Errorf("report.json has the keys %q, want %q", keys, want)
		}
	}},
	{"quality", "quality.json", "application/json; charset=utf-8", func(t *testing.T, body []byte) {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil {
			t.Fatalf("quality.json does not parse: %v", err)
		}
		var keys []string
		for k := range top {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if want := []string{"cohort", "instrument", "knowledge", "min_group", "scales", "shift"}; !reflect.DeepEqual(keys, want) {
			t.Errorf("quality.json has the keys %q, want %q", keys, want)
		}
	}},
	{"html", "report.html", "text/html; charset=utf-8", func(t *testing.T, body []byte) {
		if !bytes.HasPrefix(body, []byte("<!doctype html>")) {
			t.Errorf("report.html starts %q", body[:min(40, len(body))])
		}
		if bytes.Contains(body, []byte(`src="/static`)) || bytes.Contains(body, []byte(`href="/static`)) {
			t.Errorf("report.html loads files from the server; it must be self-contained")
		}
		// Its look and its charts travel with it.
		for _, inline := range []string{".chart-title {", "echarts"} {
			if !bytes.Contains(body, []byte(inline)) {
				t.Errorf("report.html lacks %q inline", inline)
			}
		}
		if n := bytes.Count(body, []byte(`data-chart="chart-`)); n != 16 {
			t.Errorf("report.html has %d charts, want 16", n)
		}
	}},
}

func firstLine(body []byte) string {
	line, _, _ := bytes.Cut(body, []byte("\n"))
	return strings.TrimSuffix(string(line), "\r")
}

// demoCohort creates a cohort and fills it with demo participants.
func (e *env) demoCohort(slug string, participants int, seed int64) *db.Cohort {
	e.t.Helper()
	c := e.cohort(slug, "")
	if _, err := demo.Generate(e.store, e.inst, c, participants, seed, e.demoDay); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// report builds a cohort's figures as the dashboard does, for comparison.
func (e *env) report(c *db.Cohort) *reports.Cohort {
	e.t.Helper()
	fresh, err := e.store.CohortByID(c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	rep, err := reports.Build(e.store, e.inst, fresh)
	if err != nil {
		e.t.Fatal(err)
	}
	return rep
}

// lead creates a lead assigned to the cohorts and signs them in.
func (e *env) lead(t *testing.T, email string, cohorts ...uint) *client {
	t.Helper()
	e.account(email, db.RoleLead, leadPassword, false, cohorts...)
	return e.signIn(t, email, leadPassword)
}

func reportPath(c *db.Cohort) string { return fmt.Sprintf("/admin/cohorts/%d/report", c.ID) }
func exportPath(c *db.Cohort, what string) string {
	return fmt.Sprintf("/admin/cohorts/%d/export/%s", c.ID, what)
}

// de formats a figure as the dashboard should: German decimal comma.
func de(v *float64, digits int) string {
	if v == nil {
		return "–"
	}
	return strings.Replace(strconv.FormatFloat(*v, 'f', digits, 64), ".", ",", 1)
}

var (
	chartElement = regexp.MustCompile(`<div class="chart" data-chart="chart-([^"]*)"`)
	chartScript  = regexp.MustCompile(`(?s)<script type="application/json" id="chart-([^"]*)">(.*?)</script>`)
	scriptSrc    = regexp.MustCompile(`<script[^>]*\ssrc="([^"]*)"`)
	tableCell    = regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`)
	downloadLink = regexp.MustCompile(`href="/admin/cohorts/(\d+)/export/([^"]*)"`)
	scriptClose  = regexp.MustCompile(`(?i)</script`)
)

// pageCharts checks that every chart element of a page has its options, as
// JSON that parses, and returns the options by chart id in page order.
func pageCharts(t *testing.T, body string) (ids []string, options map[string]map[string]any) {
	t.Helper()
	elements := chartElement.FindAllStringSubmatch(body, -1)
	scripts := chartScript.FindAllStringSubmatch(body, -1)
	if n := strings.Count(body, "data-chart="); n != len(elements) {
		t.Fatalf("%d data-chart attributes, %d chart elements", n, len(elements))
	}
	if n := strings.Count(body, `<script type="application/json" id="chart-`); n != len(scripts) || n != len(elements) {
		t.Fatalf("%d chart elements, %d chart scripts (%d parsed)", len(elements), n, len(scripts))
	}
	options = map[string]map[string]any{}
	for i, s := range scripts {
		if elements[i][1] != s[1] {
			t.Errorf("chart element %d is %q, its options are %q", i, elements[i][1], s[1])
		}
		var o map[string]any
		if err := json.Unmarshal([]byte(s[2]), &o); err != nil {
			t.Fatalf("chart %s: options do not parse: %v\n%.300s", s[1], err, s[2])
		}
		if _, dup := options[s[1]]; dup {
			t.Errorf("chart id %s twice", s[1])
		}
		options[s[1]] = o
		ids = append(ids, s[1])
	}
	return ids, options
}

// scriptsWellFormed checks that every </script> of a page closes a script
// element the page means to have: one per chart, one per script file and
// inline more. A text that broke out of a script element would add one.
func scriptsWellFormed(t *testing.T, what, body string, inline int) {
	t.Helper()
	closes := len(scriptClose.FindAllString(body, -1))
	want := len(chartScript.FindAllString(body, -1)) + len(scriptSrc.FindAllString(body, -1)) + inline
	if closes != want {
		t.Errorf("%s: %d </script> tags, want %d (charts, script files, %d inline)", what, closes, want, inline)
	}
}

// seriesData returns the data values of every series of a chart by series name.
func seriesData(t *testing.T, o map[string]any) map[string][]any {
	t.Helper()
	out := map[string][]any{}
	series, _ := o["series"].([]any)
	for _, s := range series {
		m := s.(map[string]any)
		name, _ := m["name"].(string)
		data, _ := m["data"].([]any)
		for _, d := range data {
			if dm, ok := d.(map[string]any); ok {
				out[name] = append(out[name], dm["value"])
			} else {
				out[name] = append(out[name], d)
			}
		}
		if _, ok := out[name]; !ok {
			out[name] = nil
		}
	}
	return out
}

func TestDashboardOfADemoCohort(t *testing.T) {
	e := newEnv(t)
	c := e.demoCohort("ws26", 300, 2)
	cl := e.lead(t, dashLead, c.ID)
	p := cl.get(reportPath(c))
	expect(t, p, http.StatusOK, "Auswertung: Jahrgang ws26")
	rep := e.report(c)

	// Every chart: a container and its options, which parse.
	ids, options := pageCharts(t, p.Body)
	dims := e.inst.Dimensions
	if want := 5 + len(dims) + 4; len(ids) != want || want != 16 {
		t.Fatalf("%d charts (%q), want 5 + %d dimensions + 4 = 16", len(ids), ids, len(dims))
	}
	want := []string{"means", "change", "radar", "spread", "histogram"}
	for _, d := range dims {
		want = append(want, "items-"+d.ID)
	}
	want = append(want, "knowledge", "calibration", "by-field", "by-ai_use")
	got := append([]string(nil), ids...)
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("chart ids %q, want %q", got, want)
	}
	for id, o := range options {
		if len(seriesData(t, o)) == 0 {
			t.Errorf("chart %s has no series", id)
		}
	}
	means := seriesData(t, options["means"])["Vorher"]
	if len(means) != len(dims) {
		t.Fatalf("the means chart has %d pre means, want %d", len(means), len(dims))
	}
	for d, v := range means {
		if m := rep.Waves[db.Pre][d].Mean; m == nil || v != math.Round(*m*100)/100 {
			t.Errorf("means chart: %s pre %v, report %v", dims[d].ID, v, m)
		}
	}
	scriptsWellFormed(t, "dashboard", p.Body, 0)

	// Only the app's own scripts: no CDN, nothing inline but chart data.
	for _, m := range scriptSrc.FindAllStringSubmatch(p.Body, -1) {
		if !strings.HasPrefix(m[1], "/static/") {
			t.Errorf("the dashboard loads the script %q", m[1])
		}
	}
	if strings.Contains(p.Body, "<script>") {
		t.Errorf("the dashboard has an inline script")
	}
	if m := regexp.MustCompile(`(?i)<(script|link|img)\b[^>]*\s(src|href)="(https?:)?//[^"]*"`).FindString(p.Body); m != "" {
		t.Errorf("the dashboard loads from another host: %s", m)
	}

	// Tables: German numbers, the report's figures.
	cells := tableCell.FindAllStringSubmatch(p.Body, -1)
	decimalComma := 0
	for _, c := range cells {
		if regexp.MustCompile(`\d\.\d`).MatchString(c[1]) {
			t.Errorf("a table cell has a decimal point: %q", c[1])
		}
		if regexp.MustCompile(`\d,\d`).MatchString(c[1]) {
			decimalComma++
		}
	}
	if decimalComma < 10*len(dims) {
		t.Errorf("only %d table cells have numbers with a decimal comma", decimalComma)
	}
	for d, r := range rep.Dimensions {
		pre := rep.Waves[db.Pre][d]
		cell := "<td>" + de(r.MeanPre, 2) + " [" + de(pre.CILow, 2) + "; " + de(pre.CIHigh, 2) + "]</td>"
		change := "<td>" + de(r.MeanDiff, 2) + " [" + de(r.CILow, 2) + "; " + de(r.CIHigh, 2) + "]</td>"
		if r.MeanPre == nil || r.MeanDiff == nil || !strings.Contains(p.Body, cell) || !strings.Contains(p.Body, change) {
			t.Errorf("dimension %s: the table lacks %q or %q", r.Dimension, cell, change)
		}
	}
	if !strings.Contains(p.Body, fmt.Sprintf(`<strong id="report-pairs">%d</strong>`, rep.Stats.Pairs)) || rep.Stats.Pairs < 100 {
		t.Errorf("the dashboard does not say on how many pairs (%d) it rests", rep.Stats.Pairs)
	}
	for _, s := range []string{"&lt; 0,001", "großer Effekt", "statistisch gesichert"} {
		if !strings.Contains(p.Body, s) {
			t.Errorf("the dashboard lacks %q", s)
		}
	}

	// The downloads: every format, in order, as visible links.
	var links []string
	for _, m := range downloadLink.FindAllStringSubmatch(p.Body, -1) {
		if m[1] != strconv.FormatUint(uint64(c.ID), 10) {
			t.Errorf("a download link of cohort %s", m[1])
		}
		links = append(links, m[2])
	}
	var names []string
	for _, f := range dashFormats {
		names = append(names, f.name)
	}
	if !reflect.DeepEqual(links, names) {
		t.Errorf("the dashboard links the downloads %q, want %q", links, names)
	}
	// Opening the dashboard is no download: nothing is audited.
	if n := len(audited(t, e, db.AuditExport)); n != 0 {
		t.Errorf("%d export entries after opening the dashboard", n)
	}
}

// TestDashboardHidesGroupsBelowThePrivacyThreshold runs on demo cohorts
// generated for three reference days, a weekend among them: what is hidden,
// and why, must not depend on the day.
func TestDashboardHidesGroupsBelowThePrivacyThreshold(t *testing.T) {
	for _, day := range []time.Time{
		time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), // Wednesday
		time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), // Saturday
		time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC), // Sunday
	} {
		t.Run(day.Format(time.DateOnly), func(t *testing.T) { dashboardHidesSmallGroups(t, day) })
	}
}

func dashboardHidesSmallGroups(t *testing.T, day time.Time) {
	e := newEnv(t)
	e.demoDay = day
	tiny := e.demoCohort("tiny", 3, 2)
	mid := e.demoCohort("mid", 40, 2)
	cl := e.lead(t, dashLead, tiny.ID, mid.ID)

	t.Run("three participants", func(t *testing.T) {
		p := cl.get(reportPath(tiny))
		expect(t, p, http.StatusOK, "weniger als 5 Personen", "Ausgeblendet: weniger als 5 Personen.",
			"Teilweise ausgeblendet: weniger als 5 Personen, weniger als 5 Paare.", "Mindestgruppe 5")
		ids, options := pageCharts(t, p.Body)
		if len(ids) != 16 {
			t.Errorf("%d charts, want all 16 (empty)", len(ids))
		}
		// No figure of the three people in any table or chart.
		for _, c := range tableCell.FindAllStringSubmatch(p.Body, -1) {
			if regexp.MustCompile(`\d[,.]\d`).MatchString(c[1]) {
				t.Errorf("a table cell shows a figure of fewer than 5 people: %q", c[1])
			}
		}
		for id, o := range options {
			if id == "calibration" {
				continue // below, as a known bug
			}
			for name, values := range seriesData(t, o) {
				for _, v := range values {
					if s, ok := v.([]any); (ok && len(s) == 0) || v == "-" {
						continue
					}
					t.Errorf("chart %s, series %q shows %v", id, name, v)
				}
			}
		}

		resp, body := cl.full(httptest.NewRequest(http.MethodGet, exportPath(tiny, "json"), nil))
		if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"suppressed": true`)) {
			t.Fatalf("report.json: %d\n%s", resp.StatusCode, body)
		}
		var r reports.Report
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Dimensions) != len(e.inst.Dimensions) || len(r.Then) != len(e.inst.Dimensions) {
			t.Fatalf("report.json has %d dimensions, %d then", len(r.Dimensions), len(r.Then))
		}
		for _, d := range append(r.Dimensions, r.Then...) {
			if !d.Suppressed || d.MeanPre != nil || d.MeanPost != nil || d.MeanDiff != nil || d.SDPre != nil || d.PT != nil || d.DZ != nil || d.AlphaPre != nil {
				t.Errorf("report.json shows figures of fewer than 5 people: %+v", d)
			}
		}
		for w, k := range r.Knowledge {
			if !k.Suppressed || k.Accuracy != nil || k.Confidence != nil || k.Bias != nil || k.Brier != nil {
				t.Errorf("report.json knowledge %s: %+v, want suppressed", w, k)
			}
		}

		// The calibration chart and table: a share correct per confidence
		// level is an aggregate of the knowledge answers of the three, too.
		var shown []string
		for name, values := range seriesData(t, options["calibration"]) {
			if name == "perfekt kalibriert" {
				continue // the diagonal, not data
			}
			for _, v := range values {
				if v != "-" {
					shown = append(shown, fmt.Sprintf("%s %v %%", name, v))
				}
			}
		}
		for _, c := range tableCell.FindAllStringSubmatch(p.Body, -1) {
			if regexp.MustCompile(`\d %`).MatchString(c[1]) {
				shown = append(shown, "table: "+c[1])
			}
		}
		if len(shown) > 0 {
			t.Errorf("calibration bins of a cohort of 3 (threshold 5) are shown: %q", shown)
		}
	})

	t.Run("breakdown groups", func(t *testing.T) {
		p := cl.get(reportPath(mid))
		expect(t, p, http.StatusOK)
		rep := e.report(mid)
		i := strings.Index(p.Body, `id="breakdowns"`)
		if i < 0 {
			t.Fatal("no breakdowns section")
		}
		row := regexp.MustCompile(`(?s)<tr><th scope="row">([^<]*)</th><td>(\d+) \((\d+)\)</td>(.*?)</tr>`)
		rows := row.FindAllStringSubmatch(p.Body[i:], -1)
		if len(rep.Breakdowns) != 2 || rep.Breakdowns[0].Question.ID != "field" || rep.Breakdowns[1].Question.ID != "ai_use" {
			t.Fatalf("breakdowns %+v, want field and ai_use as the instrument marks them", rep.Breakdowns)
		}
		groups := append(append([]reports.Group(nil), rep.Breakdowns[0].Groups...), rep.Breakdowns[1].Groups...)
		if len(rows) != len(groups) {
			t.Fatalf("%d breakdown rows, want %d", len(rows), len(groups))
		}
		// Three cases: a group of fewer than 5 people is hidden whole; in a
		// larger group, a change over fewer than 5 pairs names that reason;
		// every other change is a figure. No cell is a bare dash.
		hidden, fewPairs, shown := 0, 0, 0
		cell := regexp.MustCompile(`<td>([^<]*)</td>`)
		for k, g := range groups {
			r := rows[k]
			if g.Suppressed != (g.N < 5) {
				t.Errorf("group %s of %d people: suppressed %v, want it hidden exactly below 5", g.Value, g.N, g.Suppressed)
			}
			if r[2] != strconv.Itoa(g.N) || r[3] != strconv.Itoa(g.Pairs) {
				t.Errorf("group %s: row %q, want n %d (%d)", g.Value, r[0], g.N, g.Pairs)
			}
			if g.Suppressed {
				hidden++
				if !strings.Contains(r[4], "Ausgeblendet: weniger als 5 Personen.") || regexp.MustCompile(`\d,\d`).MatchString(r[4]) {
					t.Errorf("group %s of %d people: %q, want the reason and no figure", g.Value, g.N, r[4])
				}
				continue
			}
			cells := cell.FindAllStringSubmatch(r[4], -1)
			if len(cells) != len(e.inst.Dimensions) {
				t.Fatalf("group %s: %d cells, want one per dimension: %q", g.Value, len(cells), r[4])
			}
			for d, c := range cells {
				switch {
				case g.NChange[d] < 5:
					fewPairs++
					if c[1] != "weniger als 5 Paare" {
						t.Errorf("group %s of %d people, %d pairs on dimension %d: %q, want the reason", g.Value, g.N, g.NChange[d], d, c[1])
					}
				default:
					shown++
					if !regexp.MustCompile(`^-?\d+,\d\d$`).MatchString(c[1]) {
						t.Errorf("group %s, %d pairs on dimension %d: %q, want its figure", g.Value, g.NChange[d], d, c[1])
					}
				}
			}
		}
		if hidden == 0 || fewPairs == 0 || shown == 0 {
			t.Fatalf("the demo cohort has %d hidden groups, %d changes over too few pairs and %d shown; the test needs all three", hidden, fewPairs, shown)
		}
		// The charts leave hidden groups out.
		_, options := pageCharts(t, p.Body)
		for id, gs := range map[string][]reports.Group{"by-field": rep.Breakdowns[0].Groups, "by-ai_use": rep.Breakdowns[1].Groups} {
			var want []string
			for _, g := range gs {
				if !g.Suppressed {
					want = append(want, g.Label.In("de"))
				}
			}
			// A row per group in every dimension's panel: "label (n = pairs)".
			var got []string
			ys, _ := options[id]["yAxis"].([]any)
			if len(ys) == 0 {
				t.Fatalf("chart %s has no group rows", id)
			}
			for _, l := range ys[0].(map[string]any)["data"].([]any) {
				got = append(got, groupRowLabel.ReplaceAllString(strings.ReplaceAll(l.(string), "\n", " "), ""))
			}
			sort.Strings(got)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("chart %s shows the groups %q, want %q", id, got, want)
			}
		}
	})
}

var groupRowLabel = regexp.MustCompile(` \(n = \d+\)$`)

func TestDashboardAndCompareEscapeTheCohortName(t *testing.T) {
	e := newEnv(t)
	evil, err := e.store.CreateCohort("evil", dashEvilName, e.inst.Ref())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(e.store, e.inst, evil, 40, 3, fixedDemoDay); err != nil {
		t.Fatal(err)
	}
	plain := e.demoCohort("plain", 40, 4)
	cl := e.lead(t, dashLead, evil.ID, plain.ID)
	escaped := "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"

	pages := map[string]string{}
	p := cl.get(reportPath(evil))
	expect(t, p, http.StatusOK, "<h1>Auswertung: "+escaped+"</h1>")
	pages["dashboard"] = p.Body
	p = cl.get(fmt.Sprintf("/admin/compare?cohort=%d&cohort=%d", evil.ID, plain.ID))
	expect(t, p, http.StatusOK, escaped)
	pages["compare"] = p.Body
	resp, body := cl.full(httptest.NewRequest(http.MethodGet, exportPath(evil, "html"), nil))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("report.html: %d", resp.StatusCode)
	}
	pages["report.html"] = string(body)

	for what, body := range pages {
		if strings.Contains(body, "</script><script>alert") || strings.Contains(body, "<script>alert") {
			t.Errorf("%s: the cohort name is in the page as markup", what)
		}
		inline := 0
		if what == "report.html" {
			inline = 1 // echarts and the app's scripts, inline by design
		}
		scriptsWellFormed(t, what, body, inline)
		_, options := pageCharts(t, body)
		if what == "compare" {
			// The name reaches the chart as data, intact once parsed.
			if _, ok := seriesData(t, options["compare"])[dashEvilName]; !ok {
				t.Errorf("the compare chart has no series named as the cohort: %v", seriesData(t, options["compare"]))
			}
		}
	}
}

func TestDownloadsAreAttachmentsAndAudited(t *testing.T) {
	e := newEnv(t)
	c := e.demoCohort("ws26", 300, 2)
	other := e.cohort("other", "")
	cl := e.lead(t, dashLead, c.ID)

	for i, f := range dashFormats {
		t.Run(f.name, func(t *testing.T) {
			resp, body := cl.full(httptest.NewRequest(http.MethodGet, exportPath(c, f.name), nil))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %.300s", resp.StatusCode, body)
			}
			if got, want := resp.Header.Get("Content-Disposition"), `attachment; filename="ws26-`+f.file+`"`; got != want {
				t.Errorf("Content-Disposition %q, want %q", got, want)
			}
			if len(body) == 0 {
				t.Fatal("empty body")
			}
			f.check(t, body)
			entries := audited(t, e, db.AuditExport)
			if len(entries) != i+1 {
				t.Fatalf("%d export entries after %d downloads", len(entries), i+1)
			}
			if last, want := entries[i], (auditRow{Actor: dashLead, Action: db.AuditExport, Target: "ws26", Detail: f.name}); last != want {
				t.Errorf("audit entry %+v, want %+v", last, want)
			}
			// Last, as it may skip: exportCohort sets the format's type, and
			// then c.Attachment replaces it with one guessed from the file
			// name's extension.
			if got := resp.Header.Get("Content-Type"); got != f.mime {
				t.Errorf("Content-Type %q, want the format's %q", got, f.mime)
			}
		})
	}
	before := len(audited(t, e, db.AuditExport))

	// The export rows are the cohort's answers: one per stored answer.
	_, body := cl.full(httptest.NewRequest(http.MethodGet, exportPath(c, "responses"), nil))
	var answers int64
	if err := e.sql.QueryRow(`SELECT COUNT(*) FROM answers a JOIN responses r ON r.id = a.response_id WHERE r.submitted_at IS NOT NULL`).Scan(&answers); err != nil {
		t.Fatal(err)
	}
	if rows := bytes.Count(body, []byte("\r\nws26,")); int64(rows) != answers {
		t.Errorf("responses.csv has %d rows, the database %d submitted answers", rows, answers)
	}
	before++

	for _, path := range []string{exportPath(c, "pdf"), exportPath(c, ""), exportPath(c, "RESPONSES")} {
		if p := cl.get(path); p.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, p.Status)
		}
	}
	// A lead of another cohort: not found, and nothing is logged.
	stranger := e.lead(t, dashOther, other.ID)
	for _, f := range dashFormats {
		p := stranger.get(exportPath(c, f.name))
		if p.Status != http.StatusNotFound || strings.Contains(p.Body, "cohort,wave") || strings.Contains(p.Body, "Jahrgang ws26") {
			t.Errorf("another lead downloading %s: %d %.200q, want 404", f.name, p.Status, p.Body)
		}
	}
	if p := stranger.get(reportPath(c)); p.Status != http.StatusNotFound {
		t.Errorf("another lead opening the dashboard: %d, want 404", p.Status)
	}
	// Not signed in: to the login.
	if p := e.client().get(exportPath(c, "responses")); p.Status != http.StatusSeeOther || p.Location != "/admin/login" {
		t.Errorf("anonymous download: %d %q, want 303 to the login", p.Status, p.Location)
	}
	if n := len(audited(t, e, db.AuditExport)); n != before {
		t.Errorf("%d export entries, want %d: failed downloads were logged", n, before)
	}
}

// multipartImport is an import form: the CSRF token and, unless name is
// empty, a file.
func multipartImport(path, csrf, name string, content []byte) *http.Request {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if csrf != "" {
		w.WriteField("_csrf", csrf)
	}
	if name != "" {
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(content)
	}
	w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return req
}

// numbersEqual compares two decoded JSON values, numbers to 1e-9 (relative
// to their size when above 1).
func numbersEqual(path string, a, b any, diffs *[]string) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v vs %v", path, a, b))
			return
		}
		for k := range x {
			numbersEqual(path+"."+k, x[k], y[k], diffs)
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v vs %v", path, a, b))
			return
		}
		for i := range x {
			numbersEqual(fmt.Sprintf("%s[%d]", path, i), x[i], y[i], diffs)
		}
	case float64:
		y, ok := b.(float64)
		if !ok || math.Abs(x-y) > 1e-9*math.Max(1, math.Max(math.Abs(x), math.Abs(y))) {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v vs %v", path, a, b))
		}
	default:
		if a != b {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v vs %v", path, a, b))
		}
	}
}

// TestReportEqualsTheReportOfItsOwnExport downloads a demo cohort's long
// export, uploads it through the import form into a cohort of the same
// instrument on another database (pseudonyms are unique per database), and
// compares both report.json files.
func TestReportEqualsTheReportOfItsOwnExport(t *testing.T) {
	e := newEnv(t)
	c := e.demoCohort("ws26", 300, 2)
	cl := e.lead(t, dashLead, c.ID)
	_, long := cl.full(httptest.NewRequest(http.MethodGet, exportPath(c, "responses"), nil))
	_, original := cl.full(httptest.NewRequest(http.MethodGet, exportPath(c, "json"), nil))

	e2 := newEnv(t)
	c2 := e2.cohort("ws26", "")
	cl2 := e2.lead(t, dashLead, c2.ID)
	importPath := fmt.Sprintf("/admin/cohorts/%d/import", c2.ID)
	expect(t, cl2.get(importPath), http.StatusOK, `enctype="multipart/form-data"`, `name="file"`)
	var responses int64
	if err := e.sql.QueryRow(`SELECT COUNT(*) FROM responses WHERE submitted_at IS NOT NULL`).Scan(&responses); err != nil {
		t.Fatal(err)
	}
	p := cl2.do(multipartImport(importPath, cl2.csrf, "ws26-responses.csv", long))
	expect(t, p, http.StatusOK, fmt.Sprintf("Importierte Befragungen: %d", responses))
	if entries := audited(t, e2, db.AuditImport); len(entries) != 1 || entries[0].Target != "ws26" ||
		entries[0].Detail != fmt.Sprintf("%d responses from ws26-responses.csv", responses) {
		t.Errorf("import audit entries %+v", entries)
	}
	_, imported := cl2.full(httptest.NewRequest(http.MethodGet, exportPath(c2, "json"), nil))

	var a, b map[string]any
	if err := json.Unmarshal(original, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(imported, &b); err != nil {
		t.Fatal(err)
	}
	delete(a, "cohort")
	delete(b, "cohort")
	var diffs []string
	numbersEqual("report", a, b, &diffs)
	if len(diffs) > 0 {
		t.Errorf("the report of the re-imported export differs in %d places:\n%s", len(diffs), strings.Join(diffs[:min(20, len(diffs))], "\n"))
	}
	// Not trivially equal: the report has figures.
	dims, _ := a["dimensions"].([]any)
	if len(dims) != len(e.inst.Dimensions) || dims[0].(map[string]any)["mean_diff"] == nil {
		t.Errorf("the report has no figures to compare: %v", a["dimensions"])
	}

	// And the dashboard of the imported cohort shows the same tables.
	cell := regexp.MustCompile(`(?s)<tbody>.*?</tbody>`)
	p1, p2 := cl.get(reportPath(c)), cl2.get(reportPath(c2))
	t1, t2 := cell.FindAllString(p1.Body, -1), cell.FindAllString(p2.Body, -1)
	if len(t1) == 0 || !reflect.DeepEqual(t1[1:], t2[1:]) { // the first, participation, counts started responses too
		t.Errorf("the dashboards of the cohort and of its re-imported export show different tables")
	}
}

func TestImportPage(t *testing.T) {
	e := newEnv(t)
	c := e.cohort("ws26", "")
	cl := e.lead(t, dashLead, c.ID)
	path := fmt.Sprintf("/admin/cohorts/%d/import", c.ID)
	expect(t, cl.get(path), http.StatusOK, "Antworten importieren", `action="`+path+`"`)

	const at = "2026-03-02T09:00:00Z"
	csv := func(rows ...string) []byte {
		return []byte(strings.Join(append([]string{responsesHeader}, rows...), "\r\n") + "\r\n")
	}
	stored := func() [3]int64 {
		return [3]int64{countRows(t, e, "participants"), countRows(t, e, "responses"), countRows(t, e, "answers")}
	}
	nothing := [3]int64{}

	bad := csv(
		"ws26,pre,P1,1,"+at+",und1,rating,understanding,7,",
		"ws26,pre,P1,1,"+at+",und2,rating,understanding,11,",
		"ws26,pre,P1,1,"+at+",und3,rating,understanding,5,",
		"ws26,pre,P1,1,"+at+",k01,knowledge,,true,30",
		"ws26,pre,P1,1,"+at+",field,background,,astronaut,",
		"ws26,pre,P2,2,"+at+",und1,rating,understanding,3,",
	)
	p := cl.do(multipartImport(path, cl.csrf, "bad.csv", bad))
	expect(t, p, http.StatusUnprocessableEntity, "Die Datei wurde nicht importiert. Es wurde nichts gespeichert.", `<ul id="import-problems">`,
		"<li>Zeile 3: Wert 11 liegt außerhalb der Skala 0–10</li>",
		"<li>Zeile 5: Sicherheit „30“: erlaubt ist eine ganze Zahl von 50 bis 100</li>",
		"<li>Zeile 6: „astronaut“ ist keine Antwort auf field (erlaubt: engineering, social_work, design, administration, health, education, other)</li>")
	if n := strings.Count(p.Body, "<li>Zeile "); n != 3 {
		t.Errorf("%d problems listed, want 3", n)
	}
	if s := stored(); s != nothing {
		t.Errorf("after a rejected file: %v participants, responses, answers stored", s)
	}

	p = cl.do(multipartImport(path, cl.csrf, "", nil))
	expect(t, p, http.StatusUnprocessableEntity, "Bitte wählen Sie eine Datei aus.")
	p = cl.do(multipartImport(path, cl.csrf, "empty.csv", nil))
	expect(t, p, http.StatusUnprocessableEntity, "Zeile 1: ")
	p = cl.do(multipartImport(path, cl.csrf, "other.csv", csv("ws27,pre,P1,1,"+at+",und1,rating,understanding,7,")))
	expect(t, p, http.StatusUnprocessableEntity, "<li>Zeile 2: Jahrgang „ws27“ statt „ws26“</li>")
	if s := stored(); s != nothing {
		t.Errorf("after rejected files: %v stored", s)
	}
	if n := len(audited(t, e, db.AuditImport)); n != 0 {
		t.Errorf("%d import entries after rejected files", n)
	}

	good := csv(
		"ws26,pre,P1,1,"+at+",und1,rating,understanding,7,",
		"ws26,pre,P1,1,"+at+",und2,rating,understanding,,",
		"ws26,pre,P1,1,"+at+",k01,knowledge,,true,80",
		"ws26,pre,P2,2,"+at+",und1,rating,understanding,3,",
		"ws26,post,P1,3,2026-06-02T09:00:00Z,und1,rating,understanding,9,",
		"ws26,then,P1,3,2026-06-02T09:00:00Z,und1,rating,understanding,5,",
	)
	// Without the CSRF token: refused, nothing stored.
	p = cl.do(multipartImport(path, "", "good.csv", good))
	if p.Status != http.StatusForbidden || stored() != nothing {
		t.Errorf("an import without CSRF token: %d, stored %v", p.Status, stored())
	}
	cl.get(path)
	p = cl.do(multipartImport(path, cl.csrf, "good.csv", good))
	expect(t, p, http.StatusOK, `<p class="right" role="status">Importierte Befragungen: 3</p>`)
	if strings.Contains(p.Body, "import-problems") {
		t.Errorf("a good file shows problems")
	}
	if s, want := stored(), [3]int64{2, 3, 6}; s != want {
		t.Errorf("stored %v participants, responses, answers; want %v", s, want)
	}
	if entries := audited(t, e, db.AuditImport); len(entries) != 1 ||
		entries[0] != (auditRow{Actor: dashLead, Action: db.AuditImport, Target: "ws26", Detail: "3 responses from good.csv"}) {
		t.Errorf("import audit entries %+v", entries)
	}

	// The same file again: the responses exist; nothing more is stored, and
	// the page says why in German, by line.
	p = cl.do(multipartImport(path, cl.csrf, "good.csv", good))
	expect(t, p, http.StatusConflict, "Es wurde nichts gespeichert.",
		"<li>Zeile 2: P1 hat in diesem Jahrgang schon eine Vorher-Befragung (pre)</li>",
		"<li>Zeile 5: P2 hat in diesem Jahrgang schon eine Vorher-Befragung (pre)</li>",
		"<li>Zeile 6: P1 hat in diesem Jahrgang schon eine Nachher-Befragung (post)</li>")
	if s, want := stored(), [3]int64{2, 3, 6}; s != want {
		t.Errorf("after importing twice: %v stored, want %v", s, want)
	}
	if n := len(audited(t, e, db.AuditImport)); n != 1 {
		t.Errorf("%d import entries, want 1", n)
	}

	// A pseudonym of another cohort reads like any this cohort cannot use.
	c2 := e.cohort("ws27", "")
	if u, err := e.store.UserByEmail(dashLead); err != nil || e.store.AssignLead(u.ID, c2.ID) != nil {
		t.Fatalf("assign %s to ws27: %v", dashLead, err)
	}
	path2 := fmt.Sprintf("/admin/cohorts/%d/import", c2.ID)
	p = cl.do(multipartImport(path2, cl.csrf, "p1.csv", csv("ws27,pre,P3,1,"+at+",und1,rating,understanding,7,", "ws27,pre,P1,1,"+at+",und1,rating,understanding,7,")))
	expect(t, p, http.StatusConflict, "<li>Zeile 3: Pseudonym „P1“ kann in diesem Jahrgang nicht verwendet werden</li>")
	for _, leak := range []string{"ws26", "another cohort", "anderen"} {
		if strings.Contains(p.Body, leak) {
			t.Errorf("the import page of ws27 names %q", leak)
		}
	}

	// Another lead cannot import into the cohort.
	stranger := e.lead(t, dashOther)
	stranger.get("/admin/cohorts")
	p = stranger.do(multipartImport(path, stranger.csrf, "good2.csv", csv("ws26,pre,P9,1,"+at+",und1,rating,understanding,7,")))
	if p.Status != http.StatusNotFound || countRows(t, e, "participants") != 2 {
		t.Errorf("another lead importing: %d, %d participants", p.Status, countRows(t, e, "participants"))
	}
}

func TestCompareCohorts(t *testing.T) {
	e := newEnv(t)
	// A cohort of another questionnaire family. Only one instrument is
	// embedded, so its reference names one that is not loaded; the store
	// takes any. It is the oldest: the page lists (and checks) the cohorts
	// newest first, and the family check must come before the instrument
	// is looked up (see the report on admin_compare.go).
	foreign, err := e.store.CreateCohort("fremd", "Fremder Fragebogen", "anderes@1")
	if err != nil {
		t.Fatal(err)
	}
	a := e.demoCohort("ws26", 60, 2)
	b := e.demoCohort("ws27", 80, 3)
	hidden := e.demoCohort("ws28", 20, 4)
	cl := e.lead(t, dashLead, a.ID, b.ID, foreign.ID)

	p := cl.get("/admin/compare")
	expect(t, p, http.StatusOK, fmt.Sprintf(`id="cmp-%d"`, a.ID), fmt.Sprintf(`id="cmp-%d"`, b.ID))
	if strings.Contains(p.Body, fmt.Sprintf(`value="%d"`, hidden.ID)) || strings.Contains(p.Body, "ws28") {
		t.Errorf("the compare page offers a cohort the lead may not see")
	}
	if strings.Contains(p.Body, "data-chart") {
		t.Errorf("a chart before any cohort is chosen")
	}

	p = cl.get(fmt.Sprintf("/admin/compare?cohort=%d&cohort=%d", a.ID, b.ID))
	expect(t, p, http.StatusOK, `data-chart="chart-compare"`)
	ids, options := pageCharts(t, p.Body)
	if len(ids) != 1 || ids[0] != "compare" {
		t.Fatalf("charts %q, want the compare chart", ids)
	}
	series := seriesData(t, options["compare"])
	if len(series) != 2 || series["Jahrgang ws26"] == nil || series["Jahrgang ws27"] == nil {
		t.Errorf("the compare chart has the series %v", series)
	}
	table, cells := compareTable(t, p.Body, len(e.inst.Dimensions))
	if n := strings.Count(table, `<th scope="col">`); n != 1+2 {
		t.Errorf("the table has %d columns, want the dimension and one per cohort", n)
	}
	// One column per cohort, newest first.
	var columns []string
	for _, m := range regexp.MustCompile(`<th scope="col">(Jahrgang ws2\d): Vorher → Nachher`).FindAllStringSubmatch(table, -1) {
		columns = append(columns, m[1])
	}
	if want := []string{"Jahrgang ws27", "Jahrgang ws26"}; !reflect.DeepEqual(columns, want) {
		t.Fatalf("the table has the cohort columns %q, want %q", columns, want)
	}
	reps := []*reports.Cohort{e.report(b), e.report(a)}
	for d, row := range cells {
		for k, rep := range reps {
			r := rep.Dimensions[d]
			want := fmt.Sprintf("%s → %s (%s, %s, %d)", de(r.MeanPre, 2), de(r.MeanPost, 2), de(r.MeanDiff, 2), de(r.DZ, 2), r.NPairs)
			if row[k] != want {
				t.Errorf("dimension %s, cohort %d: %q, want %q", r.Dimension, k, row[k], want)
			}
		}
	}

	// Cohorts the lead may not see: not found, whichever way.
	for _, q := range []string{
		fmt.Sprintf("cohort=%d", hidden.ID),
		fmt.Sprintf("cohort=%d&cohort=%d", a.ID, hidden.ID),
		"cohort=99999",
	} {
		p := cl.get("/admin/compare?" + q)
		if p.Status != http.StatusNotFound || strings.Contains(p.Body, "ws28") {
			t.Errorf("compare %s: %d, want 404", q, p.Status)
		}
	}
	if p := cl.get("/admin/compare?cohort=abc"); p.Status != http.StatusBadRequest {
		t.Errorf("compare with a bad id: %d, want 400", p.Status)
	}
	// Another questionnaire family: refused with the reason, no chart.
	p = cl.get(fmt.Sprintf("/admin/compare?cohort=%d&cohort=%d", a.ID, foreign.ID))
	expect(t, p, http.StatusUnprocessableEntity, "Nur Jahrgänge mit demselben Fragebogen lassen sich vergleichen.")
	if strings.Contains(p.Body, "data-chart") {
		t.Errorf("a chart of cohorts of different questionnaires")
	}
}

// TestCompareSaysWhyASmallCohortIsHidden: a cohort under the threshold
// shows the reason in every cell of the comparison, never a figure.
func TestCompareSaysWhyASmallCohortIsHidden(t *testing.T) {
	e := newEnv(t)
	big := e.demoCohort("ws26", 60, 2)
	small := e.demoCohort("ws27", 4, 3)
	cl := e.lead(t, dashLead, big.ID, small.ID)
	p := cl.get(fmt.Sprintf("/admin/compare?cohort=%d&cohort=%d", big.ID, small.ID))
	expect(t, p, http.StatusOK, `data-chart="chart-compare"`)
	_, rows := compareTable(t, p.Body, len(e.inst.Dimensions))
	for d, cells := range rows {
		// Newest first: the small cohort is the first column.
		want := "– → – (–, –, 4)<br><small class=\"why\">Vorher: weniger als 5 Personen; Nachher: weniger als 5 Personen; Veränderung: weniger als 5 Paare.</small>"
		if got := cells[0]; got != want {
			t.Errorf("row %d, the cohort of 4: %q, want %q", d, got, want)
		}
		if !regexp.MustCompile(`^\d,\d\d → \d,\d\d \(-?\d,\d\d, -?\d,\d\d, \d+\)$`).MatchString(cells[1]) {
			t.Errorf("row %d, the cohort of 60: %q, want its figures", d, cells[1])
		}
	}
}

// compareTable finds the comparison table of a compare page with two
// cohorts and returns it with the text of each row's two cells, one row per
// dimension.
func compareTable(t *testing.T, body string, dims int) (table string, rows [][]string) {
	t.Helper()
	i := strings.Index(body, `<table class="report-table">`)
	if i < 0 {
		t.Fatal("no comparison table")
	}
	table = body[i : i+strings.Index(body[i:], "</table>")]
	for d, row := range regexp.MustCompile(`(?s)<tr><th scope="row">[^<]*</th>(.*?)</tr>`).FindAllStringSubmatch(table, -1) {
		var cells []string
		for _, c := range tableCell.FindAllStringSubmatch(row[1], -1) {
			cells = append(cells, c[1])
		}
		if len(cells) != 2 {
			t.Fatalf("row %d has %d cells, want 2", d, len(cells))
		}
		rows = append(rows, cells)
	}
	if len(rows) != dims {
		t.Fatalf("%d table rows, want %d", len(rows), dims)
	}
	return table, rows
}
