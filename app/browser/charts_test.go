package browser_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"einordnung/app"
	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports/demo"
)

// chartModelProblems lists, for every chart of the page, each series whose
// type and each option component that echarts did not build: the modular
// echarts (app/echarts-build) ignores a type or component it lacks without
// an error, and the chart then silently misses a part.
const chartModelProblems = `Array.from(document.querySelectorAll("[data-chart]")).flatMap(el => {
	const id = el.getAttribute("data-chart");
	const chart = echarts.getInstanceByDom(el);
	if (!chart) return [id + ": not drawn"];
	const model = chart.getModel();
	const opt = JSON.parse(document.getElementById(id).textContent);
	const problems = [];
	(opt.series || []).forEach((s, i) => {
		const m = model.getSeriesByIndex(i);
		if (!m || m.subType !== s.type) problems.push(id + ": series " + i + " of type " + s.type + " missing");
		for (const part of ["markLine", "markArea", "markPoint"]) {
			if (s[part] && !model.getComponent(part)) problems.push(id + ": " + part + " missing");
		}
	});
	for (const key of Object.keys(opt)) {
		if (["series", "color", "animation", "backgroundColor", "textStyle", "aria"].includes(key)) continue;
		if (!model.getComponent(key)) problems.push(id + ": component " + key + " missing");
	}
	return problems;
})`

// chartTexts is every text echarts drew on each chart's canvas, with its
// box in the chart's pixels and, for an axis, whether it is a label of a
// category axis, and each category axis's number of categories and labels.
const chartTexts = `Array.from(document.querySelectorAll("[data-chart]")).map(el => {
	const chart = echarts.getInstanceByDom(el);
	const texts = [];
	chart.getZr().storage.getDisplayList(true).forEach(d => {
		if (d.type !== "tspan" || !d.style || !d.style.text || d.invisible || d.ignore) return;
		const r = d.getBoundingRect().clone();
		d.updateTransform();
		if (d.transform) r.applyTransform(d.transform);
		texts.push({text: String(d.style.text), x: r.x, y: r.y, w: r.width, h: r.height});
	});
	const axes = [];
	for (const type of ["xAxis", "yAxis"]) {
		chart.getModel().eachComponent(type, m => {
			if (m.axis && m.axis.type === "category") axes.push({categories: m.axis.scale.count(), labels: m.axis.getViewLabels().length});
		});
	}
	return {id: el.getAttribute("data-chart"), width: chart.getWidth(), height: chart.getHeight(), texts: texts, axes: axes};
})`

type chartText struct {
	Text string  `json:"text"`
	RX   float64 `json:"x"`
	RY   float64 `json:"y"`
	RW   float64 `json:"w"`
	RH   float64 `json:"h"`
}

type chartLayout struct {
	ID     string      `json:"id"`
	Width  float64     `json:"width"`
	Height float64     `json:"height"`
	Texts  []chartText `json:"texts"`
	Axes   []struct {
		Categories int `json:"categories"`
		Labels     int `json:"labels"`
	} `json:"axes"`
}

// layoutProblems finds, in each chart, texts cut at the canvas's edge,
// texts drawn over one another, and category axes that skip categories.
func layoutProblems(charts []chartLayout) []string {
	var out []string
	const slack = 1 // px: anti-aliasing, not a defect
	for _, c := range charts {
		for i, a := range c.Texts {
			if a.RX < -slack || a.RY < -slack || a.RX+a.RW > c.Width+slack || a.RY+a.RH > c.Height+slack {
				out = append(out, fmt.Sprintf("%s: %q is cut at the edge (%.0f,%.0f %.0f×%.0f in %.0f×%.0f)", c.ID, a.Text, a.RX, a.RY, a.RW, a.RH, c.Width, c.Height))
			}
			for _, b := range c.Texts[i+1:] {
				w := min(a.RX+a.RW, b.RX+b.RW) - max(a.RX, b.RX)
				h := min(a.RY+a.RH, b.RY+b.RH) - max(a.RY, b.RY)
				if w > 2 && h > 2 {
					out = append(out, fmt.Sprintf("%s: %q and %q overlap (%.0f×%.0f px)", c.ID, a.Text, b.Text, w, h))
				}
			}
		}
		for _, a := range c.Axes {
			if a.Labels < a.Categories {
				out = append(out, fmt.Sprintf("%s: %d of %d category labels shown", c.ID, a.Labels, a.Categories))
			}
		}
	}
	return out
}

// numberStyle matches a decimal number written in the other language's
// notation: "1.5" on a German page, "1,5" on an English one.
var numberStyle = map[string]*regexp.Regexp{
	"de": regexp.MustCompile(`\d\.\d`),
	"en": regexp.MustCompile(`\d,\d`),
}

// filledCohort makes a demo cohort of 300 people and an admin to see its
// dashboard.
func (env *browserEnv) filledCohort(t *testing.T, email, password string) (*questions.Instrument, *db.Cohort) {
	t.Helper()
	inst, err := env.set.Resolve(questions.DefaultID)
	if err != nil {
		t.Fatal(err)
	}
	cohort := env.demoCohort(t, inst, "demo26", 300, 2)
	env.admin(t, email, password)
	return inst, cohort
}

// demoCohort creates a cohort on inst filled with people synthetic
// participants drawn with seed.
func (env *browserEnv) demoCohort(t *testing.T, inst *questions.Instrument, slug string, people int, seed int64) *db.Cohort {
	t.Helper()
	cohort, err := env.store.CreateCohort(slug, "Demo "+slug, inst.Ref())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(env.store, inst, cohort, people, seed, demoDay); err != nil {
		t.Fatal(err)
	}
	return cohort
}

// admin creates an admin account that needs no password change.
func (env *browserEnv) admin(t *testing.T, email, password string) {
	t.Helper()
	hash, err := app.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.store.CreateUser(email, db.RoleAdmin, hash, false); err != nil {
		t.Fatal(err)
	}
}

// postWave closes a cohort's pre wave and opens its post wave.
func (env *browserEnv) postWave(t *testing.T, slug string) {
	t.Helper()
	if err := env.store.SetWaveOpen(slug, db.Pre, false); err != nil {
		t.Fatal(err)
	}
	if err := env.store.SetWaveOpen(slug, db.Post, true); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserChartsReadable draws a filled cohort's dashboard in German at
// 390 and 1280 px and in English at 1280 px, and reads back what echarts
// drew on each canvas: every text inside its chart, none over another,
// every category labelled, every number in the page's notation (and a
// decimal comma seen on the German page), and every series type and
// component of the options built by the modular echarts.
func TestBrowserChartsReadable(t *testing.T) {
	env := startBrowserEnv(t, a11yTimeout)
	defer env.finish(t)
	const (
		email    = "lesbar@example.org"
		password = "Ein Passwort für lesbare Diagramme"
	)
	_, cohort := env.filledCohort(t, email, password)
	shots := os.Getenv("E2E_SHOTS") // a folder for screenshots of every chart, to look at
	for _, view := range []struct {
		lang  string
		width int64
	}{{"de", 390}, {"de", desktopWidth}, {"en", desktopWidth}} {
		name := fmt.Sprintf("%s at %d px", view.lang, view.width)
		b := env.newTab(t, "dashboard "+name, true, chromedp.EmulateViewport(view.width, desktopHeight))
		b.open(t, "/admin/login?lang="+view.lang, 200)
		b.signIn(t, email, password)
		b.open(t, fmt.Sprintf("/admin/cohorts/%d/report", cohort.ID), 200)
		b.waitCharts(t)
		if w := brEval[int64](t, b, "window.innerWidth"); w != view.width {
			t.Fatalf("%s: the viewport is %d px wide", name, w)
		}
		if p := brEval[[]string](t, b, chartModelProblems); len(p) > 0 {
			t.Errorf("%s: the modular echarts lacks what a chart uses:\n%s", name, strings.Join(p, "\n"))
		}
		layout := brEval[[]chartLayout](t, b, chartTexts)
		if len(layout) < 10 {
			t.Fatalf("%s: only %d charts", name, len(layout))
		}
		if p := layoutProblems(layout); len(p) > 0 {
			t.Errorf("%s: %d label problem(s):\n%s", name, len(p), strings.Join(p, "\n"))
		}
		decimals := 0
		for _, c := range layout {
			for _, tx := range c.Texts {
				if numberStyle[view.lang].MatchString(tx.Text) {
					t.Errorf("%s: chart %s writes %q, not in the page's notation", name, c.ID, tx.Text)
				}
				if strings.ContainsAny(tx.Text, "−") || strings.Contains(tx.Text, "-0,0") || strings.Contains(tx.Text, "-0.0") {
					t.Errorf("%s: chart %s writes %q", name, c.ID, tx.Text)
				}
				if regexp.MustCompile(`\d[.,]\d`).MatchString(tx.Text) {
					decimals++
				}
			}
		}
		if decimals == 0 {
			t.Errorf("%s: no chart shows a decimal number; the check above saw nothing", name)
		}
		if shots != "" {
			for _, c := range layout {
				sel := fmt.Sprintf(`[data-chart=%q]`, c.ID)
				png := brRun(t, b, "screenshot "+c.ID, chromedp.Screenshot(chromedp.CSS(sel)))
				_ = os.WriteFile(filepath.Join(shots, fmt.Sprintf("%s-%d-%s.png", view.lang, view.width, c.ID)), png, 0o644)
			}
		}
	}
}
