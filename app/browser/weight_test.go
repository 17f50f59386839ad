package browser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"einordnung/db"
	"einordnung/questions"
)

// drawClock notes, from a page's first script on, when DOMContentLoaded
// fires (charts.js draws then) and when the last chart is marked drawn:
// charts.js marks each chart right after setOption, which draws it on the
// canvas synchronously, and the observer runs once the drawing task ends.
const drawClock = `window.__draw = {dcl: 0, last: 0};
document.addEventListener("DOMContentLoaded", () => { window.__draw.dcl = performance.now(); }, true);
new MutationObserver(() => { window.__draw.last = performance.now(); })
	.observe(document, {attributes: true, subtree: true, attributeFilter: ["data-drawn"]});`

// pageWeight is what a page cost on a first visit: bytes on the wire (the
// document and everything it loaded, headers included), the same bodies
// decoded, and the time its charts took to draw.
type pageWeight struct {
	Transferred int     `json:"transferred"`
	Decoded     int     `json:"decoded"`
	Requests    int     `json:"requests"`
	Charts      int     `json:"charts"`
	DrawMS      float64 `json:"drawMS"`  // DOMContentLoaded to the last chart drawn
	ReadyMS     float64 `json:"readyMS"` // navigation start to the last chart drawn
	Largest     string  `json:"largest"`
}

const measureWeight = `new Promise(done => {
	const finish = () => {
		const entries = [performance.getEntriesByType("navigation")[0], ...performance.getEntriesByType("resource")];
		let largest = {transferSize: 0};
		for (const e of entries) if (e.transferSize > largest.transferSize) largest = e;
		done({transferred: entries.reduce((s, e) => s + e.transferSize, 0),
			decoded: entries.reduce((s, e) => s + e.decodedBodySize, 0), requests: entries.length,
			charts: document.querySelectorAll("[data-chart]").length,
			drawMS: window.__draw.last ? window.__draw.last - window.__draw.dcl : 0, readyMS: window.__draw.last,
			largest: largest.name ? largest.name.replace(location.origin, "") + " " + largest.transferSize : ""});
	};
	if (document.readyState === "complete") finish(); else addEventListener("load", finish);
})`

// firstVisits makes every page of the tab load as on a first visit (no
// HTTP cache) and starts the draw clock on each.
func (b *browserTab) firstVisits(t *testing.T) {
	b.do(t, "disable the cache, start the draw clock", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: drawClock})
		return err
	}))
}

// weigh measures the page the tab shows, once its charts are drawn.
func (b *browserTab) weigh(t *testing.T) pageWeight {
	t.Helper()
	b.waitCharts(t)
	return brRun(t, b, "weigh the page", chromedp.Evaluate[pageWeight](measureWeight, chromedp.EvalAwaitPromise))
}

// TestBrowserPageWeight loads the start page, a questionnaire page and the
// feedback page as a new participant on a phone, and a cohort's dashboard
// as its lead on a desktop, each as a first visit (no cache), with the
// browser's own Accept-Encoding, and requires the feedback page to
// transfer under 300 KB and the dashboard under 400 KB (issue 12). It
// prints every page's bytes and its charts' draw time (not asserted: a
// time depends on the machine).
func TestBrowserPageWeight(t *testing.T) {
	env := startBrowserEnv(t, leadTimeout)
	defer env.finish(t)
	store := env.store
	const (
		slug     = "gewicht26"
		email    = "gewicht@example.org"
		password = "Ein Passwort für das Gewicht"
	)
	inst, filled := env.filledCohort(t, email, password)
	if _, err := store.CreateCohort(slug, "Gewicht 2026", inst.Ref()); err != nil {
		t.Fatal(err)
	}
	if err := store.SetWaveOpen(slug, db.Pre, true); err != nil {
		t.Fatal(err)
	}

	weights := map[string]pageWeight{}
	var order []string
	note := func(name string, w pageWeight) {
		weights[name] = w
		order = append(order, name)
	}

	b := env.newTab(t, "participant tab", true, phoneViewport)
	b.firstVisits(t)
	b.open(t, "/", 200)
	note("start page", b.weigh(t))
	b.open(t, "/c/"+slug, 200)
	b.do(t, "tick consent", chromedp.Click(chromedp.CSS("#agree")))
	b.submit(t, `form[action="/c/`+slug+`/consent"] button[type="submit"]`, 200, "#emother")
	for _, el := range questions.CodeElements {
		b.typeInto(t, "#e"+el.ID, journeyCode[el.ID])
	}
	b.submit(t, `form[action="/c/`+slug+`/code"] button[type="submit"]:not([name])`, 200, "#return-code-value")
	b.submit(t, `.return-code a[href="/survey"]`, 200, `progress#progress[value="1"]`)
	note("questionnaire page 1", b.weigh(t))
	total := len(inst.Pages())
	for n := 1; n <= total; n++ {
		b.fillSurvey(t)
		if n < total {
			b.submit(t, `button[name="nav"][value="next"]`, 200, fmt.Sprintf(`progress#progress[value="%d"]`, n+1))
		} else {
			b.submit(t, `button[name="nav"][value="submit"]`, 200, "[data-chart]")
		}
	}
	note("feedback page (pre)", b.weigh(t))
	// The feedback's chart, too, needs nothing the modular echarts lacks,
	// and is readable on the phone (360 px).
	if p := brEval[[]string](t, b, chartModelProblems); len(p) > 0 {
		t.Errorf("feedback page: the modular echarts lacks what a chart uses:\n%s", strings.Join(p, "\n"))
	}
	layout := brEval[[]chartLayout](t, b, chartTexts)
	if p := layoutProblems(layout); len(p) > 0 || len(layout) != 1 {
		t.Errorf("feedback page: %d chart(s), label problems:\n%s", len(layout), strings.Join(p, "\n"))
	}
	for _, tx := range layout[0].Texts {
		if numberStyle["de"].MatchString(tx.Text) {
			t.Errorf("feedback page: the chart writes %q, not in the page's notation", tx.Text)
		}
	}

	lead := env.newTab(t, "lead tab", true, desktopViewport)
	lead.firstVisits(t)
	lead.open(t, "/admin/login", 200)
	lead.signIn(t, email, password)
	lead.open(t, fmt.Sprintf("/admin/cohorts/%d/report", filled.ID), 200)
	note("dashboard (300 people)", lead.weigh(t))

	var table strings.Builder
	for _, name := range order {
		w := weights[name]
		fmt.Fprintf(&table, "\n%-24s %8d bytes transferred (%8d decoded) in %2d requests; %2d charts drawn in %6.1f ms (%6.1f ms after navigation start); largest %s",
			name, w.Transferred, w.Decoded, w.Requests, w.Charts, w.DrawMS, w.ReadyMS, w.Largest)
	}
	t.Logf("first visits:%s", table.String())
	for name, limit := range map[string]int{"feedback page (pre)": 300_000, "dashboard (300 people)": 400_000} {
		if w := weights[name]; w.Transferred >= limit || w.Transferred == 0 {
			t.Errorf("the %s transfers %d bytes on a first visit, want under %d", name, w.Transferred, limit)
		}
	}
}
