package browser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"einordnung/questions"
)

// cspListener records every CSP violation of a page from its first script
// on (it is added through DevTools, which the CSP does not limit).
const cspListener = `window.__csp = [];
document.addEventListener("securitypolicyviolation", e => {
	window.__csp.push({directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile + ":" + e.lineNumber,
		sample: e.sample, target: (e.target && e.target.id) || ""});
}, true);`

type cspViolation struct {
	Directive string `json:"directive"`
	Blocked   string `json:"blocked"`
	Source    string `json:"source"`
	Sample    string `json:"sample"`
	Target    string `json:"target"`
}

// TestBrowserChartTooltipsKeepTheCSP hovers the mouse over every chart of a
// cohort's dashboard that has a tooltip, until the tooltip shows, and
// requires that no Content-Security-Policy violation happened: echarts'
// HTML tooltips carry style attributes, which the strict CSP refuses
// (style-src-attr), so tooltips must be drawn on the canvas. A style
// attribute added on purpose afterwards must be reported, which shows the
// listener works and, its report coming last, that none is still on the way.
func TestBrowserChartTooltipsKeepTheCSP(t *testing.T) {
	env := startBrowserEnv(t, leadTimeout)
	defer env.finish(t)
	const (
		email    = "tooltip@example.org"
		password = "Ein Passwort für die Tooltips"
	)
	inst, err := env.set.Resolve(questions.DefaultID)
	if err != nil {
		t.Fatal(err)
	}
	cohort := env.demoCohort(t, inst, "tip26", 40, 3)
	env.admin(t, email, password)

	b := env.newTab(t, "tooltip tab", true, desktopViewport)
	b.do(t, "listen for CSP violations", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspListener})
		return err
	}))
	b.open(t, "/admin/login", 200)
	b.signIn(t, email, password)
	b.open(t, fmt.Sprintf("/admin/cohorts/%d/report", cohort.ID), 200)
	b.waitCharts(t)
	if v := brEval[[]cspViolation](t, b, `window.__csp`); len(v) > 0 {
		t.Fatalf("CSP violations before any hover: %+v", v)
	}

	// The charts whose tooltip is on; each notes when echarts shows it.
	ids := brEval[[]string](t, b, `Array.from(document.querySelectorAll("[data-chart]")).filter(el => {
		const chart = echarts.getInstanceByDom(el);
		const tip = (chart.getOption().tooltip || [])[0];
		if (!tip || tip.show === false) return false;
		chart.on("showTip", () => el.setAttribute("data-tip-shown", "true"));
		return true;
	}).map(el => el.getAttribute("data-chart"))`)
	if len(ids) < 5 {
		t.Fatalf("only %d charts with a tooltip on the dashboard: %q", len(ids), ids)
	}
	type point struct{ X, Y float64 }
	// Where to move the mouse over a chart: its centre first, then a grid
	// over its plot (a box plot's centre may fall between two boxes).
	const points = `(sel => { const el = document.querySelector(sel); el.scrollIntoView({block: "center"});
		const r = el.getBoundingClientRect(); const ps = [{x: r.left + r.width / 2, y: r.top + r.height / 2}];
		for (let i = 1; i < 8; i++) for (let j = 2; j < 7; j++) ps.push({x: r.left + r.width * i / 8, y: r.top + r.height * j / 8});
		return ps; })`
	const shown = `(sel => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() =>
		done(document.querySelector(sel).getAttribute("data-tip-shown") === "true")))))`
	var tipless []string
	for _, id := range ids {
		sel := browserJS(fmt.Sprintf(`[data-chart=%q]`, id))
		ok := false
		for _, p := range brEval[[]point](t, b, points+"("+sel+")") {
			b.do(t, "hover "+id, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, p.X, p.Y))
			if ok = brRun(t, b, "tooltip of "+id, chromedp.Evaluate[bool](shown+"("+sel+")", chromedp.EvalAwaitPromise)); ok {
				break
			}
		}
		if !ok {
			tipless = append(tipless, id)
		}
	}
	if len(tipless) > 0 {
		t.Errorf("no tooltip showed on %q", tipless)
	}

	brEval[bool](t, b, `(document.body.insertAdjacentHTML("beforeend", '<div id="csp-canary" style="color: red"></div>'), true)`)
	brRun(t, b, "wait for the canary's report", chromedp.Poll[bool](`window.__csp.some(v => v.target === "csp-canary")`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
	var found []string
	for _, v := range brEval[[]cspViolation](t, b, `window.__csp`) {
		if v.Target != "csp-canary" {
			found = append(found, fmt.Sprintf("%s (%s, %s, %q)", v.Directive, v.Blocked, v.Source, v.Sample))
		}
	}
	if len(found) > 0 {
		t.Errorf("hovering %d charts raised %d CSP violation(s), the first:\n%s", len(ids), len(found), strings.Join(found[:min(len(found), 5)], "\n"))
	}
	t.Logf("%d charts hovered, each showing its tooltip; %d CSP violations", len(ids), len(found))
}
