package browser_test

// TestBrowserJourney drives the real application in a real (headless)
// Chromium, the way a participant on a phone would: typing, clicking and
// submitting forms, through both waves of a cohort. It needs a Chromium
// binary; without one it is skipped, unless E2E_REQUIRED=1 demands it.
//
//	go test ./app/browser -run TestBrowser -v -count=1
//
// TestBrowserLeadSetsUpCohort does the same for a program lead on a desktop
// browser: sign-in, password change, a new cohort, its pre wave, QR code and
// participant link.
//
// E2E_CHROMIUM=/path/to/chrome picks the browser binary explicitly (and only
// that one); otherwise /usr/bin/chromium and then chromium, chromium-browser
// and google-chrome in PATH are tried.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	qrcode "github.com/skip2/go-qrcode"
	"github.com/xuri/excelize/v2"

	"einordnung/app"
	"einordnung/db"
	"einordnung/db/dbtest"
	"einordnung/questions"
	"einordnung/reports/demo"
)

// demoDay is the reference day of the demo cohorts the browser tests
// generate: fixed, so that no test depends on the calendar.
var demoDay = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

const (
	journeySecret   = "browser-journey-test-secret-0123456789"
	journeySlug     = "ws26"
	journeyCohort   = "Jahrgang 2026/27"
	journeyTimeout  = 90 * time.Second
	leadTimeout     = 60 * time.Second
	leadSlug        = "so27"
	leadCohortName  = "Sommer 2027 <b>"
	stepTimeout     = 20 * time.Second
	phoneWidth      = 360
	phoneHeight     = 800
	desktopWidth    = 1280
	desktopHeight   = 900
	journeyFreeText = "Ich möchte KI-Ergebnisse prüfen können – Größe, Übermaß & Co. <script>alert(1)</script>"
)

// The six code elements as the participant types them in the pre wave.
var journeyCode = map[string]string{
	"mother": "M", "father": "K", "birthday": "7", "birthplace": "H", "siblings": "1", "lastletter": "A",
}

// browserBinary returns the browser binary to drive, or "" if there is none.
func browserBinary() string {
	if p, ok := os.LookupEnv("E2E_CHROMIUM"); ok {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
		return ""
	}
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && !fi.IsDir() {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserRecorder collects, from every browser context, each request URL the pages
// make and each JavaScript dialog that opens.
type browserRecorder struct {
	mu       sync.Mutex
	requests []string
	perTab   map[string]int
	dialogs  []string
}

func (r *browserRecorder) snapshot() (requests, dialogs []string, perTab map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	perTab = map[string]int{}
	for k, v := range r.perTab {
		perTab[k] = v
	}
	return append([]string(nil), r.requests...), append([]string(nil), r.dialogs...), perTab
}

// browserTab is one browser tab with its own context (and so its own cookies when
// it was opened in a new browser context).
type browserTab struct {
	name string
	ctx  context.Context
	base string
}

// listener records requests and dialogs of the tab. It must not run commands
// itself (see chromedp.Listen), so a dialog is dismissed from a goroutine;
// an alert would otherwise stall the page.
func (r *browserRecorder) listener(tb *browserTab) func(ev any) {
	return func(ev any) {
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if ev.Request != nil {
				r.mu.Lock()
				r.requests = append(r.requests, ev.Request.URL)
				r.perTab[tb.name]++
				r.mu.Unlock()
			}
		case *page.EventJavascriptDialogOpening:
			r.mu.Lock()
			r.dialogs = append(r.dialogs, fmt.Sprintf("%s dialog on %s: %q", ev.Type, ev.URL, ev.Message))
			r.mu.Unlock()
			go func() {
				ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
				defer cancel()
				_ = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
					_, err := cdp.Call(ctx, t, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
					return err
				}))
			}()
		}
	}
}

// describe is a short account of the page the tab shows, for failure messages.
func (b *browserTab) describe() string {
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`location.href + "\n" + (document.body ? document.body.innerText.slice(0, 1200) : "(no body)")`))
	if err != nil {
		return "(" + b.name + ": page unavailable: " + err.Error() + ")"
	}
	return "--- " + b.name + " shows " + s + "\n---"
}

// brRun runs one action with the step timeout and fails the test on error.
func brRun[T any](t *testing.T, b *browserTab, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %s: %v\n%s", b.name, what, err, b.describe())
	}
	return v
}

func (b *browserTab) do(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	brRun(t, b, what, chromedp.Steps(actions...))
}

// brEval evaluates JavaScript in the page and decodes its result.
func brEval[T any](t *testing.T, b *browserTab, js string) T {
	t.Helper()
	return brRun(t, b, "evaluate "+js, chromedp.Evaluate[T](js))
}

// open navigates to path and checks the HTTP status of the document.
func (b *browserTab) open(t *testing.T, path string, status int64) {
	t.Helper()
	resp := brRun(t, b, "open "+path, chromedp.NavigateResponse(b.base+path))
	if resp == nil || resp.Status != status {
		got := "no response"
		if resp != nil {
			got = strconv.FormatInt(resp.Status, 10)
		}
		t.Fatalf("%s: GET %s: status %s, want %d\n%s", b.name, path, got, status, b.describe())
	}
}

// submit clicks the button (or link) matched by the CSS selector click like a
// user, waits until the next document has loaded, checks its HTTP status
// (after redirects) and waits until the element want is visible on it.
func (b *browserTab) submit(t *testing.T, click string, status int64, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(click)))
	if err != nil {
		t.Fatalf("%s: click %s: %v\n%s", b.name, click, err, b.describe())
	}
	if resp == nil || resp.Status != status {
		got := "no response"
		if resp != nil {
			got = strconv.FormatInt(resp.Status, 10) + " " + resp.URL
		}
		t.Fatalf("%s: after clicking %s: status %s, want %d\n%s", b.name, click, got, status, b.describe())
	}
	// The document has loaded: fail at once if it shows an error instead.
	b.waitVisible(t, want+`, article.notice [role="alert"], .error[role="alert"]`)
	if !brEval[bool](t, b, "document.querySelector("+browserJS(want)+") !== null") {
		t.Fatalf("%s: after clicking %s: no %s on the page\n%s", b.name, click, want, b.describe())
	}
	b.waitVisible(t, want)
}

func (b *browserTab) waitVisible(t *testing.T, sel string) {
	t.Helper()
	b.do(t, "wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// typeInto focuses the field and types text with real key events.
func (b *browserTab) typeInto(t *testing.T, sel, text string) {
	t.Helper()
	b.do(t, "type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
	if got := brRun(t, b, "read "+sel, chromedp.Value(chromedp.CSS(sel))); got != text {
		t.Fatalf("%s: %s holds %q after typing %q", b.name, sel, got, text)
	}
}

// clickRadio clicks the radio button of group name with value, and checks
// that it is then checked.
func (b *browserTab) clickRadio(t *testing.T, name, value string) {
	t.Helper()
	sel := fmt.Sprintf(`input[type="radio"][name=%q][value=%q]`, name, value)
	b.do(t, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
	if !brEval[bool](t, b, "document.querySelector("+browserJS(sel)+").checked") {
		t.Fatalf("%s: %s is not checked after a click\n%s", b.name, sel, b.describe())
	}
}

func browserJS(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// radioGroups lists the radio groups of the questionnaire form in page
// order, one name per fieldset.
func (b *browserTab) radioGroups(t *testing.T) []string {
	t.Helper()
	return brEval[[]string](t, b, `Array.from(document.querySelectorAll("form.survey fieldset.scale, form.survey fieldset.choices"))
		.map(fs => { const r = fs.querySelector("input[type=radio]"); return r ? r.name : ""; })`)
}

// answerAll clicks, in every radio group of the page, the value that pick
// chooses for the group's name, and checks that no group is left open.
func (b *browserTab) answerAll(t *testing.T, pick func(name string) string) []string {
	t.Helper()
	groups := b.radioGroups(t)
	if len(groups) == 0 {
		t.Fatalf("%s: no radio groups on the page\n%s", b.name, b.describe())
	}
	for _, name := range groups {
		if name == "" {
			t.Fatalf("%s: a fieldset without radio buttons\n%s", b.name, b.describe())
		}
		b.clickRadio(t, name, pick(name))
	}
	open := brEval[[]string](t, b, `Array.from(document.querySelectorAll("form.survey fieldset.scale, form.survey fieldset.choices"))
		.filter(fs => !fs.querySelector("input[type=radio]:checked")).map(fs => fs.querySelector("legend").textContent)`)
	if len(open) > 0 {
		t.Fatalf("%s: groups left unanswered: %q", b.name, open)
	}
	return groups
}

type browserProgress struct {
	Value int    `json:"value"`
	Max   int    `json:"max"`
	Label string `json:"label"`
}

// progress reads the questionnaire's progress element and its label.
func (b *browserTab) progress(t *testing.T) browserProgress {
	t.Helper()
	return brEval[browserProgress](t, b, `({value: Number(document.querySelector("#progress").getAttribute("value")),
		max: Number(document.querySelector("#progress").getAttribute("max")),
		label: document.querySelector("label[for=progress]").textContent.trim()})`)
}

// expectPage checks that the tab shows questionnaire page n of total.
func (b *browserTab) expectPage(t *testing.T, n, total int) {
	t.Helper()
	p := b.progress(t)
	want := fmt.Sprintf("Seite %d von %d", n, total)
	if p.Value != n || p.Max != total || p.Label != want {
		t.Fatalf("%s: progress shows value=%d max=%d label=%q, want %d of %d (%q)\n%s",
			b.name, p.Value, p.Max, p.Label, n, total, want, b.describe())
	}
}

// next presses "Speichern und weiter" and waits for page n+1.
func (b *browserTab) next(t *testing.T, n, total int) {
	t.Helper()
	label := strings.TrimSpace(brRun(t, b, "read the next button", chromedp.TextContent(chromedp.CSS(`button[name="nav"][value="next"]`))))
	if label != "Speichern und weiter" {
		t.Fatalf("%s: the next button says %q", b.name, label)
	}
	b.submit(t, `button[name="nav"][value="next"]`, 200, fmt.Sprintf(`progress#progress[value="%d"]`, n+1))
	b.expectPage(t, n+1, total)
}

// browserRating picks a rating for a scale group of a dimension page.
func browserRating(retro string, now string) func(string) string {
	return func(name string) string {
		if strings.HasPrefix(name, "t_") {
			return retro
		}
		return now
	}
}

// browserKnowledge judges the statements alternately true and false, with 80 %
// confidence.
func browserKnowledge(name string) string {
	if strings.HasPrefix(name, "c_") {
		return "80"
	}
	n, _ := strconv.Atoi(strings.TrimLeft(strings.TrimPrefix(name, "k_k"), "0"))
	if n%2 == 1 {
		return "true"
	}
	return "false"
}

// startParticipation goes from the start page through consent to the code
// form and submits the code; the caller checks where it leads.
func (b *browserTab) startParticipation(t *testing.T, code map[string]string, status int64, want string) {
	t.Helper()
	b.open(t, "/", 200)
	if w := brEval[int](t, b, "window.innerWidth"); w != phoneWidth {
		t.Fatalf("%s: the viewport is %d px wide, want %d (a phone)", b.name, w, phoneWidth)
	}
	b.typeInto(t, "#cohort-code", journeySlug)
	b.submit(t, `form[action="/c"] button[type="submit"]`, 200, "#agree")

	if h := brEval[string](t, b, `document.querySelector("hgroup p").textContent`); !strings.Contains(h, journeyCohort) {
		t.Fatalf("%s: the consent page names %q, want the cohort %q", b.name, h, journeyCohort)
	}
	b.do(t, "tick consent", chromedp.Click(chromedp.CSS("#agree")))
	if !brEval[bool](t, b, `document.querySelector("#agree").checked`) {
		t.Fatalf("%s: the consent checkbox is not ticked after a click", b.name)
	}
	b.submit(t, `form[action="/c/`+journeySlug+`/consent"] button[type="submit"]`, 200, "#emother")

	for _, el := range questions.CodeElements {
		b.typeInto(t, "#e"+el.ID, code[el.ID])
	}
	b.submit(t, `form[action="/c/`+journeySlug+`/code"] button[type="submit"]`, status, want)
}

// checkFeedback checks the feedback page: the chart is drawn on a canvas and
// the score table has a row with numbers for every dimension.
func (b *browserTab) checkFeedback(t *testing.T, dims int, wantHeads []string, numberCols int) {
	t.Helper()
	b.waitVisible(t, `[data-chart][data-drawn="true"]`)
	if !brEval[bool](t, b, `document.querySelector("[data-chart] canvas") !== null`) {
		t.Fatalf("%s: the chart has no <canvas>\n%s", b.name, b.describe())
	}
	heads := brEval[[]string](t, b, `Array.from(document.querySelectorAll("table.scores thead th")).map(th => th.textContent.trim())`)
	for _, h := range wantHeads {
		found := false
		for _, got := range heads {
			found = found || got == h
		}
		if !found {
			t.Errorf("%s: the score table has columns %q, missing %q", b.name, heads, h)
		}
	}
	rows := brEval[[][]string](t, b, `Array.from(document.querySelectorAll("table.scores tbody tr"))
		.map(tr => Array.from(tr.querySelectorAll("td")).map(td => td.textContent.trim()))`)
	if len(rows) != dims {
		t.Fatalf("%s: the score table has %d body rows, want %d: %q", b.name, len(rows), dims, rows)
	}
	number := regexp.MustCompile(`^\d{1,2},\d$`)
	for i, cells := range rows {
		if len(cells) != numberCols {
			t.Fatalf("%s: score row %d has cells %q, want %d numbers", b.name, i+1, cells, numberCols)
		}
		for _, c := range cells {
			if !number.MatchString(c) {
				t.Errorf("%s: score row %d: %q is not a score like 7,0 (row %q)", b.name, i+1, c, cells)
			}
		}
	}
}

// Widths every participant page is checked at: a small phone, a common one,
// a desktop.
var layoutWidths = []int64{360, 390, desktopWidth}

// checkLayout checks the page shown at every width of layoutWidths: nothing
// wider than the screen (no sideways scrolling), the header's brand
// uncut; extra checks more at each width. The tab is a phone again after.
func (b *browserTab) checkLayout(t *testing.T, what string, extra func(t *testing.T, width int)) {
	t.Helper()
	defer b.do(t, "back to the phone", phoneViewport)
	for _, w := range layoutWidths {
		b.do(t, fmt.Sprintf("viewport %d px", w), chromedp.EmulateViewport(w, phoneHeight, chromedp.EmulateMobile))
		if w == desktopWidth {
			b.do(t, "desktop viewport", desktopViewport)
		}
		wide := brEval[[]string](t, b, `Array.from(document.querySelectorAll("body *"))
			.filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && el.checkVisibility() && !el.closest(".table-wrap"))
			.slice(0, 5).map(el => el.tagName + "." + el.className + " " + Math.round(el.getBoundingClientRect().right))`)
		if scroll := brEval[int](t, b, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); scroll > 0 || len(wide) > 0 {
			t.Errorf("%s at %d px: the page scrolls sideways by %d px; too wide: %q", what, w, scroll, wide)
		}
		if !brEval[bool](t, b, `(a => a.scrollWidth <= a.clientWidth + 1 && a.getBoundingClientRect().right <= document.documentElement.clientWidth)(document.querySelector(".site-header .brand"))`) {
			t.Errorf("%s at %d px: the header's „Einordnung“ is cut", what, w)
		}
		if extra != nil {
			extra(t, int(w))
		}
	}
}

// checkScales checks every rating of a questionnaire page: its scale,
// „k. A.“ included, on one line, each target at least 44 px high, and the
// scale's end labels visible at the item.
func (b *browserTab) checkScales(t *testing.T, width int) {
	t.Helper()
	type scaleLayout struct {
		Name    string  `json:"name"`
		Tops    int     `json:"tops"`
		Options int     `json:"options"`
		Lowest  float64 `json:"lowest"`
		Ends    bool    `json:"ends"`
	}
	scales := brEval[[]scaleLayout](t, b, `Array.from(document.querySelectorAll("fieldset.scale")).map(fs => {
		const opts = Array.from(fs.querySelectorAll(".scale-option"));
		const ids = (fs.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
		const ends = ids.map(id => document.getElementById(id)).filter(el => el && el.classList.contains("scale-ends"));
		return {name: fs.id, options: opts.length,
			tops: new Set(opts.map(o => Math.round(o.getBoundingClientRect().top))).size,
			lowest: Math.min(...opts.map(o => o.getBoundingClientRect().height)),
			ends: ends.length === 1 && ends[0].checkVisibility() && /0 = /.test(ends[0].textContent) && /10 = /.test(ends[0].textContent)};
	})`)
	if len(scales) == 0 {
		t.Fatalf("%s at %d px: no rating scales on the page", b.name, width)
	}
	for _, sc := range scales {
		switch {
		case sc.Options != 12:
			t.Errorf("%s at %d px: %s has %d options, want 0–10 and „k. A.“", b.name, width, sc.Name, sc.Options)
		case sc.Tops != 1:
			t.Errorf("%s at %d px: the scale of %s runs over %d lines, want one", b.name, width, sc.Name, sc.Tops)
		case sc.Lowest < 44:
			t.Errorf("%s at %d px: a target of %s is %.1f px high, want at least 44", b.name, width, sc.Name, sc.Lowest)
		case !sc.Ends:
			t.Errorf("%s at %d px: %s shows no end labels at the item", b.name, width, sc.Name)
		}
	}
}

// browserEnv is the real application on a fresh database, served on
// 127.0.0.1, and one headless Chromium to drive it. Every tab records its
// requests and dialogs in rec; finish checks them.
type browserEnv struct {
	store    *db.Store
	set      *questions.Set
	base     string
	chromium string
	started  time.Time
	timeout  time.Duration
	ctx      context.Context // ends at the timeout
	browser  context.Context // has the running browser; tabs are its children
	rec      *browserRecorder
	tabs     []string
	// Tabs close before the browser stops.
	closeTabs []context.CancelFunc
}

// startBrowserEnv starts the application and the browser, or skips the test
// without a Chromium. Everything ends when the test does, or at timeout.
func startBrowserEnv(t *testing.T, timeout time.Duration) *browserEnv {
	t.Helper()
	chromium := browserBinary()
	if chromium == "" {
		if os.Getenv("E2E_REQUIRED") == "1" {
			t.Fatal("no Chromium found (/usr/bin/chromium, chromium, chromium-browser, google-chrome in PATH, or E2E_CHROMIUM), and E2E_REQUIRED=1")
		}
		t.Skip("no Chromium found; set E2E_REQUIRED=1 to make this a failure")
	}
	env := &browserEnv{chromium: chromium, started: time.Now(), timeout: timeout, rec: &browserRecorder{perTab: map[string]int{}}}

	set, err := questions.Load()
	if err != nil {
		t.Fatal(err)
	}
	env.set = set
	store, _ := dbtest.Open(t)
	env.store = store
	web, err := app.New(app.Config{Secret: []byte(journeySecret)}, store, set)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- web.Listener(ln) }()
	t.Cleanup(func() {
		if err := web.ShutdownWithTimeout(5 * time.Second); err != nil {
			t.Errorf("shutting the server down: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	env.base = "http://" + ln.Addr().String()

	// One browser for the whole test; it cannot outlive the timeout.
	// Cleanups run last in, first out: the tabs close, then the browser
	// stops, then the server.
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	env.ctx = ctx
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		// A German participant's browser: the pages follow Accept-Language.
		chromedp.Flag("accept-lang", "de-DE,de"),
		chromedp.WindowSize(phoneWidth, phoneHeight),
	)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	// The first Run starts the browser. It must not run under a step
	// timeout, which would end the browser with it.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("starting the browser (%s): %v", chromium, err)
	}
	env.browser = browserCtx
	t.Cleanup(func() {
		for i := len(env.closeTabs) - 1; i >= 0; i-- {
			env.closeTabs[i]()
		}
	})
	return env
}

// Viewports for newTab.
var (
	phoneViewport   = chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulatePortrait)
	desktopViewport = chromedp.EmulateViewport(desktopWidth, desktopHeight)
)

// newTab opens a tab with the given viewport. A fresh tab gets a browser
// context of its own, so no cookie carries over from another tab; the
// others share the browser's default context.
func (env *browserEnv) newTab(t *testing.T, name string, fresh bool, viewport chromedp.Action[chromedp.Void]) *browserTab {
	t.Helper()
	tb := &browserTab{name: name, base: env.base}
	opts := []chromedp.ContextOption{chromedp.WithListener(env.rec.listener(tb))}
	if fresh {
		opts = append(opts, chromedp.WithNewBrowserContext())
	}
	tabCtx, cancelTab := chromedp.NewContext(env.browser, opts...)
	tb.ctx = tabCtx
	env.closeTabs = append(env.closeTabs, cancelTab)
	env.tabs = append(env.tabs, name)
	// The first Run opens the tab; not under a step timeout, which would
	// close it again.
	if err := chromedp.Do(tabCtx, viewport); err != nil {
		t.Fatalf("%s: opening a tab: %v", name, err)
	}
	return tb
}

// finish checks what every tab did: each made requests, all of them to the
// app itself (127.0.0.1), and no JavaScript dialog opened. Deferred, it runs
// even when a step failed.
func (env *browserEnv) finish(t *testing.T) {
	t.Helper()
	requests, dialogs, perTab := env.rec.snapshot()
	for _, name := range env.tabs {
		if perTab[name] == 0 {
			t.Errorf("no network requests were recorded in the %s", name)
		}
	}
	foreign := 0
	for _, raw := range requests {
		if strings.HasPrefix(raw, "data:") {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || u.Hostname() != "127.0.0.1" {
			foreign++
			t.Errorf("a page requested %s, which is not the app (127.0.0.1)", raw)
		}
	}
	t.Logf("%d requests recorded (%v), %d to other hosts", len(requests), perTab, foreign)
	for _, d := range dialogs {
		t.Errorf("a JavaScript dialog opened (typed text executed?): %s", d)
	}
	if errors.Is(env.ctx.Err(), context.DeadlineExceeded) {
		t.Errorf("the test ran into its %s timeout", env.timeout)
	}
	t.Logf("%s took %s", t.Name(), time.Since(env.started).Round(time.Millisecond))
}

func TestBrowserJourney(t *testing.T) {
	env := startBrowserEnv(t, journeyTimeout)
	defer env.finish(t)
	store := env.store

	inst, err := env.set.Resolve(questions.DefaultID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateCohort(journeySlug, journeyCohort, inst.Ref()); err != nil {
		t.Fatal(err)
	}
	if err := store.SetWaveOpen(journeySlug, db.Pre, true); err != nil {
		t.Fatal(err)
	}

	pages := inst.Pages()
	total := len(pages)
	dims := len(inst.Dimensions)
	if total < 4 || pages[0].Kind != questions.PageDimension || pages[1].Kind != questions.PageDimension ||
		pages[total-2].Kind != questions.PageKnowledge || pages[total-1].Kind != questions.PageBackground {
		t.Fatalf("the test expects dimension pages, then a knowledge and a background page; the instrument has %d pages", total)
	}

	var returnCode string
	ok := t.Run("pre wave: code and first pages", func(t *testing.T) {
		b := env.newTab(t, "pre tab", false, phoneViewport)
		b.startParticipation(t, journeyCode, 200, "#return-code-value")

		returnCode = strings.TrimSpace(brRun(t, b, "read the return code", chromedp.Text(chromedp.CSS("#return-code-value"))))
		if !regexp.MustCompile(`^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$`).MatchString(returnCode) {
			t.Fatalf("the return code %q is not four groups of four characters", returnCode)
		}
		t.Logf("return code %s", returnCode)
		b.submit(t, `.return-code a[href="/survey"]`, 200, `progress#progress[value="1"]`)
		b.expectPage(t, 1, total)
		b.checkLayout(t, "questionnaire page 1", b.checkScales)

		// Moving on with a rating left open asks once, with the count, and
		// offers to go on anyway; what was chosen stays.
		b.clickRadio(t, "r_"+pages[0].Items[0].ID, "6")
		b.submit(t, `button[name="nav"][value="next"]`, 200, "#open-items")
		b.expectPage(t, 1, total)
		if got := brEval[string](t, b, `document.activeElement.id`); got != "open-items" {
			t.Errorf("after the question about open items the focus is on %q, want #open-items", got)
		}
		want := fmt.Sprintf("noch %d Fragen offen", len(pages[0].Items)-1)
		if got := brEval[string](t, b, `document.querySelector("#open-items").textContent`); !strings.Contains(got, want) {
			t.Errorf("the note on open items says %q, want %q", got, want)
		}
		if !brEval[bool](t, b, `document.querySelector("#r_`+pages[0].Items[0].ID+`-6").checked`) {
			t.Fatalf("the rating chosen before the question was lost")
		}
		b.checkLayout(t, "questionnaire page 1 with open items", nil)

		for n := 1; n <= 2; n++ {
			groups := b.answerAll(t, browserRating("", strconv.Itoa(5+n)))
			if want := len(pages[n-1].Items); len(groups) != want {
				t.Fatalf("page %d has %d rating groups, want one per item (%d): %q", n, len(groups), want, groups)
			}
			b.next(t, n, total)
		}
	})
	if !ok {
		return
	}
	ok = t.Run("pre wave: resume with return code and submit", func(t *testing.T) {
		b := env.newTab(t, "resume tab", true, phoneViewport)
		// Nothing of the first tab's session is known here.
		b.open(t, "/survey", 403)
		b.open(t, "/", 200)
		b.typeInto(t, "#return-code", returnCode)
		b.submit(t, `form[action="/resume"] button[type="submit"]`, 200, `progress#progress[value="3"]`)
		b.expectPage(t, 3, total)

		for n := 3; n < total-1; n++ {
			b.answerAll(t, browserRating("", strconv.Itoa(n%4+5)))
			b.next(t, n, total)
		}
		// Knowledge page: a judgement without its confidence is marked; the
		// summary at the top links to it and has the focus.
		first := inst.Knowledge[0].ID
		b.clickRadio(t, "k_"+first, "true")
		b.submit(t, `button[name="nav"][value="next"]`, 422, "#error-summary")
		if got := brEval[string](t, b, `document.activeElement.id`); got != "error-summary" {
			t.Errorf("after a validation error the focus is on %q, want #error-summary", got)
		}
		links := brEval[[]string](t, b, `Array.from(document.querySelectorAll("#error-summary a")).map(a => a.getAttribute("href"))`)
		if len(links) != 1 || links[0] != "#c_"+first+"-50" {
			t.Fatalf("the error summary links to %q, want the confidence of %s", links, first)
		}
		if !brEval[bool](t, b, `document.querySelector("#c_`+first+`-50").closest("fieldset[aria-invalid=true]") !== null`) {
			t.Errorf("the summary's link does not lead to the marked question")
		}
		b.checkLayout(t, "knowledge page with an error summary", nil)
		groups := b.answerAll(t, browserKnowledge)
		if want := 2 * len(inst.Knowledge); len(groups) != want {
			t.Fatalf("the knowledge page has %d radio groups, want %d", len(groups), want)
		}
		b.next(t, total-1, total)

		// Background page. First sent without the frequency of AI use: the
		// page comes back asking about it and keeps the text as typed, inert.
		if !brEval[bool](t, b, `!!(document.querySelector("#submit-warning").compareDocumentPosition(document.querySelector("button[value=submit]")) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
			t.Errorf("no warning before „Absenden“ that answers cannot be changed afterwards")
		}
		b.clickRadio(t, "b_field", "education")
		b.typeInto(t, "#x_expectations", journeyFreeText)
		label := strings.TrimSpace(brRun(t, b, "read the submit button", chromedp.TextContent(chromedp.CSS(`button[name="nav"][value="submit"]`))))
		if label != "Absenden" {
			t.Fatalf("the submit button says %q, want Absenden", label)
		}
		b.submit(t, `button[name="nav"][value="submit"]`, 200, `#open-items`)
		b.expectPage(t, total, total)
		if got := brRun(t, b, "read the text", chromedp.Value(chromedp.CSS("#x_expectations"))); got != journeyFreeText {
			t.Fatalf("after the page came back the text reads %q, want %q", got, journeyFreeText)
		}
		if n := brEval[int](t, b, `Array.from(document.scripts).filter(s => s.textContent.includes("alert(")).length`); n != 0 {
			t.Fatalf("the typed <script> became %d script element(s) in the page", n)
		}
		b.clickRadio(t, "b_ai_use", "weekly")
		if !brEval[bool](t, b, `document.querySelector("#b_field-education").checked`) {
			t.Fatalf("the field of work chosen before was lost when the page came back")
		}
		b.submit(t, `button[name="nav"][value="submit"]`, 200, "[data-chart]")

		b.checkFeedback(t, dims, []string{"Vorher"}, 1)
		if n := brEval[int](t, b, `document.querySelectorAll("table.scores thead th").length`); n != 2 {
			t.Errorf("after the pre wave the score table has %d columns, want 2 (dimension, Vorher)", n)
		}
		b.checkLayout(t, "pre feedback", nil)
	})
	if !ok {
		return
	}

	ok = t.Run("post wave: code one element off, linked by the return code, and submit", func(t *testing.T) {
		env.postWave(t, journeySlug)
		b := env.newTab(t, "post tab", true, phoneViewport)
		typo := map[string]string{}
		for k, v := range journeyCode {
			typo[k] = v
		}
		typo["birthplace"] = "G" // one element mistyped
		// One element off never links by itself: only the return code does.
		b.startParticipation(t, typo, 200, "#tolerant-return-code")
		b.typeInto(t, "#tolerant-return-code", returnCode)
		b.submit(t, "#tolerant-return", 200, `progress#progress[value="1"]`)
		if !brEval[bool](t, b, `document.querySelector("#found-note") !== null`) {
			t.Errorf("the post wave does not confirm that the answers from before were found")
		}
		b.checkLayout(t, "post questionnaire page 1", b.checkScales)
		if n := brEval[int](t, b, `document.querySelectorAll("button[name=confirm_new]").length`); n != 0 {
			t.Fatalf("the questionnaire offers to take part without a link")
		}
		b.expectPage(t, 1, total)

		for n := 1; n < total-1; n++ {
			items := len(pages[n-1].Items)
			pairs := brEval[int](t, b, `document.querySelectorAll("form.survey fieldset.item-pair").length`)
			if pairs != items {
				t.Fatalf("post page %d has %d item pairs, want %d (today and looking back)", n, pairs, items)
			}
			groups := b.answerAll(t, browserRating("4", "8"))
			var now, then int
			for _, g := range groups {
				switch {
				case strings.HasPrefix(g, "r_"):
					now++
				case strings.HasPrefix(g, "t_"):
					then++
				}
			}
			if now != items || then != items {
				t.Fatalf("post page %d has %d r_ and %d t_ groups, want %d each: %q", n, now, then, items, groups)
			}
			b.next(t, n, total)
		}
		b.answerAll(t, browserKnowledge)
		b.next(t, total-1, total)
		b.clickRadio(t, "b_field", "education")
		b.clickRadio(t, "b_ai_use", "daily")
		b.typeInto(t, "#x_reflection", "Für Übersetzungen genutzt, für Gutachten bewusst nicht.")
		b.submit(t, `button[name="nav"][value="submit"]`, 200, "[data-chart]")

		b.checkFeedback(t, dims, []string{"Vorher", "Rückblickend vorher", "Nachher"}, 3)
		b.checkLayout(t, "post feedback", func(t *testing.T, width int) {
			if !brEval[bool](t, b, `(w => w.scrollWidth <= w.clientWidth)(document.querySelector("table.scores").closest(".table-wrap"))`) {
				t.Errorf("post feedback at %d px: the score table is wider than its box", width)
			}
		})
		if got := brEval[string](t, b, `document.querySelector("#feedback-return-code").textContent`); !strings.Contains(got, returnCode) {
			t.Errorf("the post feedback shows %q, want the return code %s", got, returnCode)
		}

		// Without JavaScript the table is the content: no empty chart box.
		nojs := env.newTab(t, "no-JavaScript tab", false, phoneViewport)
		nojs.do(t, "turn JavaScript off", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}))
		nojs.open(t, "/feedback", 200)
		box := brEval[map[string]float64](t, nojs, `(r => ({height: r.height, width: r.width}))(document.querySelector("[data-chart]").getBoundingClientRect())`)
		if box["height"] != 0 || brEval[bool](t, nojs, `document.querySelector("#feedback-chart").checkVisibility()`) {
			t.Errorf("without JavaScript the feedback shows a chart area of %v px", box)
		}
		if !brEval[bool](t, nojs, `document.querySelector("table.scores").checkVisibility()`) {
			t.Errorf("without JavaScript the score table is not shown")
		}
	})
	if !ok {
		return
	}

	t.Run("store: one linked participant", func(t *testing.T) {
		cohort, err := store.CohortBySlug(journeySlug)
		if err != nil {
			t.Fatal(err)
		}
		all, err := store.Participants(cohort.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 {
			t.Fatalf("the cohort has %d participants, want 1", len(all))
		}
		p := all[0]
		norm, ok := questions.NormalizeReturnCode(returnCode)
		if !ok {
			t.Fatalf("the return code %q shown does not read back", returnCode)
		}
		byCode, err := store.ParticipantByReturnCode(questions.HashReturnCode([]byte(journeySecret), norm))
		if err != nil || byCode.ID != p.ID {
			t.Fatalf("the return code does not lead to the participant: %v", err)
		}
		rs, err := store.ResponsesOf(p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 2 {
			t.Fatalf("the participant has %d responses, want 2", len(rs))
		}
		byWave := map[db.Wave]db.Response{}
		for _, r := range rs {
			byWave[r.Wave] = r
		}
		pre, post := byWave[db.Pre], byWave[db.Post]
		if pre.ID == 0 || post.ID == 0 {
			t.Fatalf("responses %+v: want one pre and one post", rs)
		}
		if !pre.Submitted() || !post.Submitted() {
			t.Errorf("submitted: pre %v, post %v; want both", pre.Submitted(), post.Submitted())
		}
		if pre.Link != db.LinkNew {
			t.Errorf("pre response link %q, want %q", pre.Link, db.LinkNew)
		}
		if post.Link != db.LinkReturnCode {
			t.Errorf("post response link %q, want %q", post.Link, db.LinkReturnCode)
		}
		var text string
		for _, a := range pre.Answers {
			if a.Kind == db.KindText && a.Item == "expectations" && a.Value != nil {
				text = *a.Value
			}
		}
		if text != journeyFreeText {
			t.Errorf("the stored text is %q, want %q as typed", text, journeyFreeText)
		}
		var retro int
		for _, a := range post.Answers {
			if a.Kind == db.KindRating && a.Retro {
				retro++
			}
		}
		if retro != len(inst.Items) {
			t.Errorf("the post response has %d retrospective ratings, want %d", retro, len(inst.Items))
		}
	})
}

// TestBrowserLeadSetsUpCohort drives the program leads' area on a desktop
// browser: a lead with a one-time password signs in, sets a password of
// their own, creates a cohort, opens its pre wave, and the cohort's QR code
// and participant link work. A lead of other cohorts cannot see it.
func TestBrowserLeadSetsUpCohort(t *testing.T) {
	env := startBrowserEnv(t, leadTimeout)
	defer env.finish(t)
	store := env.store

	const (
		email       = "leitung@example.org"
		oneTime     = "Einmal-Passwort-2027"
		ownPassword = "Mein eigenes Passwort 27!"
		otherEmail  = "andere.leitung@example.org"
		otherPass   = "Anderes Passwort 2027"
	)
	for _, acc := range []struct {
		email, password string
		mustChange      bool
	}{{email, oneTime, true}, {otherEmail, otherPass, false}} {
		hash, err := app.HashPassword(acc.password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.CreateUser(acc.email, db.RoleLead, hash, acc.mustChange); err != nil {
			t.Fatal(err)
		}
	}

	var cohortID uint
	ok := t.Run("lead: sign in, set password, create cohort, open pre wave", func(t *testing.T) {
		b := env.newTab(t, "lead tab", true, desktopViewport)
		b.open(t, "/admin", 200)
		if w := brEval[int](t, b, "window.innerWidth"); w != desktopWidth {
			t.Fatalf("the viewport is %d px wide, want %d (a desktop)", w, desktopWidth)
		}
		b.expectPath(t, "/admin/login")
		b.waitVisible(t, `form[action="/admin/login"]`)
		b.typeInto(t, "#email", email)
		b.typeInto(t, "#password", oneTime)
		b.submit(t, `form[action="/admin/login"] button[type="submit"]`, 200, `form[action="/admin/password"]`)
		b.expectPath(t, "/admin/password")

		// Until the password is changed, every other page leads back here.
		b.open(t, "/admin/cohorts", 200)
		b.expectPath(t, "/admin/password")
		b.typeInto(t, "#current", oneTime)
		b.typeInto(t, "#new", ownPassword)
		b.typeInto(t, "#repeat", ownPassword)
		b.submit(t, `form[action="/admin/password"] button[type="submit"]`, 200, `a[href="/admin/cohorts/new"]`)
		b.expectPath(t, "/admin/cohorts")
		if u, err := store.UserByEmail(email); err != nil || u.MustChangePassword {
			t.Fatalf("after the password change the account reads %+v, %v; want MustChangePassword false", u, err)
		}

		b.submit(t, `a[href="/admin/cohorts/new"]`, 200, `form[action="/admin/cohorts"]`)
		b.typeInto(t, "#name", leadCohortName)
		b.typeInto(t, "#slug", leadSlug)
		if inst := brRun(t, b, "read the instrument", chromedp.Value(chromedp.CSS("#instrument"))); inst == "" {
			t.Fatalf("no instrument is preselected\n%s", b.describe())
		}
		b.submit(t, `form[action="/admin/cohorts"] button[type="submit"]`, 200, "#participant-link")
		cohort, err := store.CohortBySlug(leadSlug)
		if err != nil {
			t.Fatalf("the cohort was not stored: %v", err)
		}
		cohortID = cohort.ID
		b.expectPath(t, fmt.Sprintf("/admin/cohorts/%d", cohortID))
		if cohort.Name != leadCohortName {
			t.Errorf("the stored name is %q, want %q as typed", cohort.Name, leadCohortName)
		}
		// The name is shown as typed, as text: no <b> element made of it.
		if h := brEval[string](t, b, `document.querySelector("hgroup h1").textContent`); h != leadCohortName {
			t.Errorf("the cohort page is headed %q, want %q", h, leadCohortName)
		}
		if n := brEval[int](t, b, `document.getElementsByTagName("b").length`); n != 0 {
			t.Errorf("the typed name became %d <b> element(s) on the cohort page", n)
		}

		// Open the pre wave.
		wave := func() string {
			return strings.Join(strings.Fields(brEval[string](t, b, `document.querySelector("#wave-pre h3").textContent`)), " ")
		}
		if w := wave(); !strings.HasSuffix(w, ": geschlossen") {
			t.Fatalf("a new cohort's pre wave shows %q, want it closed", w)
		}
		openButton := `#wave-pre button[name="action"][value="open"]`
		if label, want := strings.TrimSpace(brRun(t, b, "read the open button", chromedp.TextContent(chromedp.CSS(openButton)))), "Öffnen"; label != want {
			t.Fatalf("the pre wave's button says %q, want %q", label, want)
		}
		b.submit(t, openButton, 200, `#wave-pre button[name="action"][value="close"]`)
		b.expectPath(t, fmt.Sprintf("/admin/cohorts/%d", cohortID))
		if w := wave(); !strings.HasSuffix(w, ": offen") {
			t.Errorf("after Öffnen the pre wave shows %q, want it open (offen)", w)
		}
		if w := strings.Join(strings.Fields(brEval[string](t, b, `document.querySelector("#wave-post h3").textContent`)), " "); !strings.HasSuffix(w, ": geschlossen") {
			t.Errorf("after opening the pre wave the post wave shows %q, want it closed", w)
		}
		if cohort, err := store.CohortBySlug(leadSlug); err != nil {
			t.Fatal(err)
		} else if w, open := cohort.OpenWave(time.Now()); !open || w != db.Pre {
			t.Errorf("the store has the open wave %q (%v), want pre", w, open)
		}

		// The QR code: the image has loaded, and it is the PNG of the
		// participant link.
		link := env.base + "/c/" + leadSlug
		qrSrc := brEval[string](t, b, `document.querySelector("#cohort-qr").src`)
		if want := fmt.Sprintf("%s/admin/cohorts/%d/qr.png", env.base, cohortID); qrSrc != want {
			t.Errorf("the QR image loads %q, want %q", qrSrc, want)
		}
		size := brRun(t, b, "wait for the QR image", chromedp.Evaluate[[2]int](
			`(async () => { const img = document.querySelector("#cohort-qr"); await img.decode(); return [img.naturalWidth, img.naturalHeight]; })()`,
			chromedp.EvalAwaitPromise))
		if size[0] <= 0 || size[0] != size[1] {
			t.Errorf("the QR image is %dx%d px, want a square that loaded", size[0], size[1])
		}
		type fetched struct {
			Status int    `json:"status"`
			Type   string `json:"type"`
			Body   string `json:"body"`
		}
		qr := brRun(t, b, "fetch the QR image", chromedp.Evaluate[fetched](`(async () => {
			const r = await fetch(document.querySelector("#cohort-qr").src);
			const bytes = new Uint8Array(await r.arrayBuffer());
			let s = "";
			for (const c of bytes) s += String.fromCharCode(c);
			return {status: r.status, type: r.headers.get("content-type"), body: btoa(s)};
		})()`, chromedp.EvalAwaitPromise))
		if qr.Status != 200 || qr.Type != "image/png" {
			t.Errorf("fetching the QR image: status %d, type %q; want 200 image/png", qr.Status, qr.Type)
		}
		png, err := base64.StdEncoding.DecodeString(qr.Body)
		if err != nil {
			t.Fatal(err)
		}
		want, err := qrcode.Encode(link, qrcode.Medium, 512)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(png, want) {
			t.Errorf("the QR image (%d bytes, starts %q) is not the QR code of %s", len(png), png[:min(8, len(png))], link)
		}

		// The participant link leads to the cohort's consent page.
		href := brEval[string](t, b, `document.querySelector("#participant-link").getAttribute("href")`)
		if href != link {
			t.Fatalf("the participant link is %q, want %q", href, link)
		}
		if text := strings.TrimSpace(brRun(t, b, "read the link", chromedp.TextContent(chromedp.CSS("#participant-link")))); text != link {
			t.Errorf("the participant link reads %q, want %q", text, link)
		}
		b.submit(t, "#participant-link", 200, "#agree")
		b.expectPath(t, "/c/"+leadSlug)
		if h := brEval[string](t, b, `document.querySelector("hgroup p").textContent`); !strings.Contains(h, leadCohortName+" · Befragung vor dem Zertifikat") {
			t.Errorf("the consent page names %q, want the cohort %q and the pre wave", h, leadCohortName)
		}
		if n := brEval[int](t, b, `document.getElementsByTagName("b").length`); n != 0 {
			t.Errorf("the cohort name became %d <b> element(s) on the consent page", n)
		}
	})
	if !ok {
		return
	}

	t.Run("other lead: the cohort does not exist for them", func(t *testing.T) {
		b := env.newTab(t, "other lead tab", true, desktopViewport)
		b.open(t, "/admin/login", 200)
		b.typeInto(t, "#email", otherEmail)
		b.typeInto(t, "#password", otherPass)
		b.submit(t, `form[action="/admin/login"] button[type="submit"]`, 200, `a[href="/admin/cohorts/new"]`)
		b.expectPath(t, "/admin/cohorts")
		if n := brEval[int](t, b, fmt.Sprintf(`document.querySelectorAll('a[href="/admin/cohorts/%d"]').length`, cohortID)); n != 0 {
			t.Errorf("the other lead's cohort list links to %s", leadSlug)
		}

		for _, path := range []string{fmt.Sprintf("/admin/cohorts/%d", cohortID), fmt.Sprintf("/admin/cohorts/%d/qr.png", cohortID)} {
			b.open(t, path, 404)
			if body := brEval[string](t, b, "document.body.innerText"); !strings.Contains(body, "gibt es nicht") {
				t.Errorf("GET %s shows no not-found page\n%s", path, b.describe())
			}
			if strings.Contains(brEval[string](t, b, "document.body.innerText"), "Sommer 2027") {
				t.Errorf("GET %s shows the cohort's name to a lead not assigned to it", path)
			}
		}
		// Nor can they close the wave, with a valid CSRF token of their own.
		b.open(t, "/admin/cohorts", 200)
		status := brRun(t, b, "post to the wave", chromedp.Evaluate[int](fmt.Sprintf(`(async () => {
			const token = document.querySelector('input[name="_csrf"]').value;
			const r = await fetch("/admin/cohorts/%d/waves/pre", {method: "POST", body: new URLSearchParams({_csrf: token, action: "close"})});
			return r.status;
		})()`, cohortID), chromedp.EvalAwaitPromise))
		if status != 404 {
			t.Errorf("another lead closing the wave: status %d, want 404", status)
		}
		if cohort, err := store.CohortBySlug(leadSlug); err != nil {
			t.Fatal(err)
		} else if w, open := cohort.OpenWave(time.Now()); !open || w != db.Pre {
			t.Errorf("after another lead's attempt the open wave is %q (%v), want pre still open", w, open)
		}
	})
}

// expectPath checks the path of the page the tab shows.
func (b *browserTab) expectPath(t *testing.T, path string) {
	t.Helper()
	loc := brRun(t, b, "read the location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil || u.Scheme+"://"+u.Host != b.base || u.Path != path {
		t.Fatalf("%s: the tab shows %s, want %s%s\n%s", b.name, loc, b.base, path, b.describe())
	}
}

// TestBrowserDashboard opens the dashboard of a demo cohort as its lead on a
// desktop browser: every chart is drawn on a canvas, and the XLSX download
// arrives as a workbook with its four sheets.
func TestBrowserDashboard(t *testing.T) {
	env := startBrowserEnv(t, leadTimeout)
	defer env.finish(t)
	store := env.store

	const (
		email    = "auswertung@example.org"
		password = "Ein Passwort für die Auswertung"
	)
	inst, err := env.set.Resolve(questions.DefaultID)
	if err != nil {
		t.Fatal(err)
	}
	cohort, err := store.CreateCohort("demo26", "Demo-Jahrgang 2026", inst.Ref())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(store, inst, cohort, 300, 2, demoDay); err != nil {
		t.Fatal(err)
	}
	hash, err := app.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	lead, err := store.CreateUser(email, db.RoleLead, hash, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetLeadCohorts(lead.ID, []uint{cohort.ID}); err != nil {
		t.Fatal(err)
	}

	b := env.newTab(t, "dashboard tab", true, desktopViewport)
	b.open(t, "/admin/login", 200)
	if w := brEval[int](t, b, "window.innerWidth"); w != desktopWidth {
		t.Fatalf("the viewport is %d px wide, want %d (a desktop)", w, desktopWidth)
	}
	b.signIn(t, email, password)
	report := fmt.Sprintf("/admin/cohorts/%d/report", cohort.ID)
	b.open(t, report, 200)
	b.waitVisible(t, "#downloads")

	// Every chart drawn: marked by charts.js, on a canvas with pixels.
	type chartState struct {
		ID     string `json:"id"`
		Drawn  bool   `json:"drawn"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
		Inked  bool   `json:"inked"`
	}
	const allDrawn = `Array.from(document.querySelectorAll("[data-chart]")).every(el => {
		const c = el.querySelector("canvas");
		return el.getAttribute("data-drawn") === "true" && c !== null && c.width > 0 && c.height > 0;
	})`
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](allDrawn, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
	cancel()
	charts := brEval[[]chartState](t, b, `Array.from(document.querySelectorAll("[data-chart]")).map(el => {
		const c = el.querySelector("canvas");
		let inked = false;
		if (c && c.width > 0 && c.height > 0) {
			const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
			for (let i = 3; i < px.length && !inked; i += 4) inked = px[i] > 0;
		}
		return {id: el.getAttribute("data-chart"), drawn: el.getAttribute("data-drawn") === "true",
			width: c ? c.width : 0, height: c ? c.height : 0, inked: inked};
	})`)
	if err != nil {
		t.Fatalf("not every chart was drawn (%v): %+v\n%s", err, charts, b.describe())
	}
	if want := 5 + len(inst.Dimensions) + 4; len(charts) != want {
		t.Errorf("the dashboard has %d charts, want %d", len(charts), want)
	}
	for _, c := range charts {
		if !c.Drawn || c.Width == 0 || c.Height == 0 || !c.Inked {
			t.Errorf("chart %s is not drawn: %+v", c.ID, c)
		}
	}

	// Download the workbook by clicking its link.
	link := fmt.Sprintf(`#downloads + ul a[href="%s/export/xlsx"]`, strings.TrimSuffix(report, "/report"))
	if label := strings.TrimSpace(brRun(t, b, "read the XLSX link", chromedp.TextContent(chromedp.CSS(link)))); !strings.HasPrefix(label, "Excel-Arbeitsmappe") {
		t.Errorf("the XLSX link says %q", label)
	}
	dir := t.TempDir()
	ctx, cancel = context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	begins := chromedp.Events(ctx, browser.DownloadWillBegin)
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	err = chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			eventsEnabled := true
			_, err := cdp.Call(ctx, tg, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior:         browser.SetDownloadBehaviorBehaviorAllowAndName,
				BrowserContextID: chromedp.FromContext(b.ctx).BrowserContextID,
				DownloadPath:     dir,
				EventsEnabled:    &eventsEnabled,
			})
			return err
		}),
		chromedp.Click(chromedp.CSS(link)),
	)
	if err != nil {
		t.Fatalf("click the XLSX link: %v\n%s", err, b.describe())
	}
	for ev, err := range begins {
		if err != nil {
			t.Fatalf("waiting for the download to begin: %v", err)
		}
		if want := "demo26-einordnung.xlsx"; ev.SuggestedFilename != want {
			t.Errorf("the download is named %q, want %q", ev.SuggestedFilename, want)
		}
		break
	}
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatalf("the download was canceled: %+v", ev)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(dir, ev.GUID)
			break
		}
	}

	wb, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatalf("the downloaded workbook does not open: %v", err)
	}
	defer wb.Close()
	if got, want := strings.Join(wb.GetSheetList(), ","), "wide,long,codebook,report,Qualität"; got != want {
		t.Errorf("the workbook has the sheets %s, want %s", got, want)
	}
	rows, err := wb.GetRows("long")
	if err != nil {
		t.Fatal(err)
	}
	answers := 0
	if err := store.EachAnswer(cohort.ID, func(*db.AnswerRow) error { answers++; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != answers+1 || answers == 0 || strings.Join(rows[0], ",") != "cohort,wave,participant,response,submitted_at,item,kind,dimension,value,confidence" {
		t.Errorf("the long sheet has %d rows, want %d answers and the contract's header: %.200q", len(rows), answers, rows)
	}
	for _, sheet := range []string{"wide", "codebook", "report"} {
		if rows, err := wb.GetRows(sheet); err != nil || len(rows) < 2 {
			t.Errorf("sheet %s: %d rows, %v", sheet, len(rows), err)
		}
	}
	entries, err := store.AuditLog(5, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 || entries[0].Action != db.AuditExport || entries[0].Actor != email || entries[0].Target != "demo26" || entries[0].Detail != "xlsx" {
		t.Errorf("the audit log ends %+v, want the lead's xlsx export", entries)
	}
}

// ---------------------------------------------------------------------------
// Accessibility: axe-core on every page, and the questionnaire by keyboard.

const (
	a11yTimeout     = 300 * time.Second
	keyboardTimeout = 120 * time.Second
	// axeSHA256 is the hash of testdata/axe/axe.min.js (axe-core 4.14.1 from
	// npm, see testdata/axe/README.md): the tests inject nothing else.
	axeSHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
)

// axeRun runs the WCAG 2.1 A and AA rules of axe-core on the whole document
// and returns what the test reports: each violation with its nodes, and how
// many rules passed or need a human's review.
const axeRun = `axe.run(document, {
	runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'%s]},
	resultTypes: ['violations', 'incomplete']
}).then(r => ({
	url: location.pathname + location.search,
	version: axe.version,
	passes: r.passes.length,
	incomplete: r.incomplete.map(v => v.id),
	review: r.incomplete.flatMap(v => v.nodes.map(n => v.id + " at " + n.target.map(String).join(" ") + ": " +
		[...n.any, ...n.all, ...n.none].map(c => c.message).join("; "))),
	violations: r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({target: n.target.map(String).join(' '), html: n.html.slice(0, 160), summary: n.failureSummary || ''}))
	}))
}))`

// reflowJS lists the innermost elements that reach beyond the right edge of
// the viewport, when the page can be scrolled sideways.
const reflowJS = `(() => {
	const width = document.documentElement.clientWidth;
	if (document.documentElement.scrollWidth <= width) return [];
	const out = [];
	document.querySelectorAll("body *").forEach(e => {
		const r = e.getBoundingClientRect();
		if (r.right > width + 1 && r.width > 0 && !Array.from(e.children).some(c => c.getBoundingClientRect().right > width + 1)) {
			out.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + " " + JSON.stringify((e.textContent || "").trim().slice(0, 40)) + " reaches " + Math.round(r.right) + " px");
		}
	});
	return out.slice(0, 8);
})()`

// idrefJS lists what WCAG 2.1's 4.1.1 (Parsing) and 1.3.1 ask of ids and
// axe 4.14 no longer checks: ids used twice, and aria-describedby,
// aria-labelledby, aria-controls or label for naming an id the page lacks.
const idrefJS = `(() => {
	const out = [], seen = new Set();
	document.querySelectorAll("[id]").forEach(e => { if (seen.has(e.id)) out.push("id " + JSON.stringify(e.id) + " is used twice"); seen.add(e.id); });
	document.querySelectorAll("[aria-describedby], [aria-labelledby], [aria-controls], label[for]").forEach(e => {
		for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls", "for"]) {
			for (const id of (e.getAttribute(attr) || "").split(/\s+/).filter(Boolean)) {
				if (!document.getElementById(id)) out.push(e.tagName.toLowerCase() + " " + attr + "=" + JSON.stringify(id) + " names no element");
			}
		}
	});
	return out;
})()`

type axeNode struct {
	Target  string `json:"target"`
	HTML    string `json:"html"`
	Summary string `json:"summary"`
}

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

type axeResult struct {
	URL        string         `json:"url"`
	Version    string         `json:"version"`
	Passes     int            `json:"passes"`
	Incomplete []string       `json:"incomplete"`
	Review     []string       `json:"review"`
	Violations []axeViolation `json:"violations"`
}

// axeAudit checks pages with axe-core and keeps the tally for the summary.
type axeAudit struct {
	src string

	mu         sync.Mutex // the tally below; tabs check pages in parallel
	pages      []string
	violations int
	took       time.Duration
	inject     time.Duration
	incomplete map[string]int
}

// loadAxe reads the vendored axe-core and checks it is the reviewed file.
func loadAxe(t *testing.T) *axeAudit {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is vendored for the tests in app/browser/testdata/axe: %v", err)
	}
	if sum := sha256.Sum256(src); hex.EncodeToString(sum[:]) != axeSHA256 {
		t.Fatalf("testdata/axe/axe.min.js has sha256 %x, want %s (see testdata/axe/README.md)", sum, axeSHA256)
	}
	return &axeAudit{src: string(src), incomplete: map[string]int{}}
}

// run injects axe-core into the page the tab shows and runs it. It goes in
// through the DevTools protocol, which the page's CSP does not limit; the
// page itself never loads axe.
func (a *axeAudit) run(t *testing.T, b *browserTab, page string) axeResult {
	t.Helper()
	start := time.Now()
	brRun(t, b, "inject axe-core", chromedp.Evaluate[chromedp.Void](`if (typeof axe === "undefined") {`+a.src+"\n}"))
	a.mu.Lock()
	a.inject += time.Since(start)
	a.mu.Unlock()
	// AXE_BEST_PRACTICE=1 adds axe's best-practice rules (landmarks,
	// heading order and the like), which go beyond WCAG.
	extra := ""
	if os.Getenv("AXE_BEST_PRACTICE") == "1" {
		extra = ", 'best-practice'"
	}
	return brRun(t, b, "axe.run on "+page, chromedp.Evaluate[axeResult](fmt.Sprintf(axeRun, extra), chromedp.EvalAwaitPromise))
}

// selfTest makes sure the check can fail: an image without a text
// alternative, added to the page, must come back as a violation.
func (a *axeAudit) selfTest(t *testing.T, b *browserTab) {
	t.Helper()
	brEval[bool](t, b, `(() => { const i = document.createElement("img"); i.src = "data:,"; i.id = "axe-canary"; document.querySelector("main").append(i); return true; })()`)
	for _, v := range a.run(t, b, "the self-test").Violations {
		for _, n := range v.Nodes {
			if v.ID == "image-alt" && n.Target == "#axe-canary" {
				brEval[bool](t, b, `(document.querySelector("#axe-canary").remove(), true)`)
				return
			}
		}
	}
	t.Fatalf("axe-core did not report an image without alt text: the check is broken")
}

// check injects axe-core into the page the tab shows and fails the test with
// every WCAG 2.1 A/AA violation on it. It keeps going, so one run lists the
// violations of every page.
func (a *axeAudit) check(t *testing.T, b *browserTab, page string) {
	t.Helper()
	start := time.Now()
	res := a.run(t, b, page)
	a.mu.Lock()
	a.took += time.Since(start)
	a.pages = append(a.pages, page)
	shot := len(a.pages)
	for _, id := range res.Incomplete {
		a.incomplete[id]++
	}
	a.violations += len(res.Violations)
	a.mu.Unlock()
	// E2E_SCREENSHOTS=dir keeps a picture of every checked page, to review
	// the look by eye.
	if dir := os.Getenv("E2E_SCREENSHOTS"); dir != "" {
		png := brRun(t, b, "screenshot", chromedp.FullScreenshot(100))
		name := fmt.Sprintf("%02d-%s.png", shot, regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(page), "-"))
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Error(err)
		}
	}
	// Reflow (WCAG 1.4.10), which axe does not check: nothing may stick out
	// of the viewport sideways; a wide table scrolls in its own wrapper.
	if wide := brEval[[]string](t, b, reflowJS); len(wide) > 0 {
		t.Errorf("%s: %s is wider than the %d px viewport: %s", b.name, page, brEval[int](t, b, "document.documentElement.clientWidth"), strings.Join(wide, "; "))
	}
	if bad := brEval[[]string](t, b, idrefJS); len(bad) > 0 {
		t.Errorf("%s: %s: %s", b.name, page, strings.Join(bad, "; "))
	}
	for _, r := range res.Review {
		t.Logf("axe %s: for review by hand: %s", page, r)
	}
	if len(res.Violations) == 0 {
		t.Logf("axe %s: %s (%s): 0 violations, %d rules passed, %d to review by hand %v, %s",
			res.Version, page, res.URL, res.Passes, len(res.Incomplete), res.Incomplete, time.Since(start).Round(time.Millisecond))
		return
	}
	var msg strings.Builder
	for _, v := range res.Violations {
		fmt.Fprintf(&msg, "\n  [%s] %s: %s (%s)", v.Impact, v.ID, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&msg, "\n      at %s: %s\n        %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n        "))
		}
	}
	t.Errorf("%s: axe found %d WCAG 2.1 A/AA violation(s) on %s (%s):%s", b.name, len(res.Violations), page, res.URL, msg.String())
}

// fillSurvey answers every open radio group of the questionnaire page and
// every empty text field (not the way a participant does it: the journey and
// keyboard tests do that).
func (b *browserTab) fillSurvey(t *testing.T) {
	t.Helper()
	brEval[bool](t, b, `(() => {
		const groups = {};
		document.querySelectorAll("form.survey input[type=radio]").forEach(r => (groups[r.name] = groups[r.name] || []).push(r));
		for (const rs of Object.values(groups)) {
			if (!rs.some(r => r.checked)) rs[Math.min(6, rs.length - 2)].checked = true;
		}
		document.querySelectorAll("form.survey textarea").forEach(t => { if (!t.value) t.value = "Zum Prüfen der Barrierefreiheit."; });
		return true;
	})()`)
}

// waitCharts waits until charts.js has drawn every chart of the page.
// signIn signs in to the leads' area from the login page, already open,
// and waits for the cohort list.
func (b *browserTab) signIn(t *testing.T, email, password string) {
	t.Helper()
	b.typeInto(t, "#email", email)
	b.typeInto(t, "#password", password)
	b.submit(t, `form[action="/admin/login"] button[type="submit"]`, 200, `a[href="/admin/cohorts/new"]`)
}

func (b *browserTab) waitCharts(t *testing.T) {
	t.Helper()
	brRun(t, b, "wait for the charts", chromedp.Poll[bool](`Array.from(document.querySelectorAll("[data-chart]")).every(el => el.getAttribute("data-drawn") === "true")`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
}

// TestBrowserAccessibility injects axe-core into every page a participant
// sees, in a phone's viewport, and into the program leads' pages on a
// desktop, error states included, and fails on any WCAG 2.1 A/AA violation
// (and on a page wider than the viewport). Three tabs check side by side:
// the pre wave of one cohort, the post wave of another, and the leads' area.
func TestBrowserAccessibility(t *testing.T) {
	t.Parallel() // with TestBrowserKeyboardOnly, after the other tests
	env := startBrowserEnv(t, a11yTimeout)
	defer env.finish(t)
	store := env.store
	axe := loadAxe(t)
	defer func() {
		t.Logf("axe-core checked %d pages in %s (%s of it injecting axe): %d violation(s); rules left for review by hand: %v",
			len(axe.pages), axe.took.Round(time.Millisecond), axe.inject.Round(time.Millisecond), axe.violations, axe.incomplete)
	}()

	inst, err := env.set.Resolve(questions.DefaultID)
	if err != nil {
		t.Fatal(err)
	}
	const preSlug, postSlug = "a11y26", "a11y27"
	for _, slug := range []string{preSlug, postSlug} {
		if _, err := store.CreateCohort(slug, "Barrierefreiheit "+slug, inst.Ref()); err != nil {
			t.Fatal(err)
		}
		if err := store.SetWaveOpen(slug, db.Pre, true); err != nil {
			t.Fatal(err)
		}
	}
	total := len(inst.Pages())
	consentButton := func(slug string) string { return `form[action="/c/` + slug + `/consent"] button[type="submit"]` }
	codeButton := func(slug string) string {
		return `form[action="/c/` + slug + `/code"] button[type="submit"]:not([name])`
	}

	// answerPages answers and sends every questionnaire page of the open
	// wave and waits for the feedback. With check, axe checks each page
	// first, and the knowledge and background pages also with their
	// validation errors, and then the feedback page.
	answerPages := func(t *testing.T, b *browserTab, wave string, check bool) {
		for n := 1; n <= total; n++ {
			b.expectPage(t, n, total)
			kind := brEval[string](t, b, `document.querySelector("form.survey fieldset.choices") ? (document.querySelector("textarea") ? "background" : "knowledge") : "dimension"`)
			if check {
				axe.check(t, b, fmt.Sprintf("%s questionnaire page %d of %d (%s)", wave, n, total, kind))
				switch {
				case kind == "knowledge":
					// A judgement without its confidence: the page comes
					// back with the error summary and a message at the statement.
					b.do(t, "judge one statement", chromedp.Click(chromedp.CSS(`form.survey input[type="radio"][name^="k_"][value="true"]`)))
					b.submit(t, `button[name="nav"][value="next"]`, 422, `#error-summary`)
					axe.check(t, b, wave+" knowledge page with a validation error")
				case kind == "background":
					b.submit(t, `button[name="nav"][value="submit"]`, 200, `#open-items`)
					axe.check(t, b, wave+" background page asking about open questions")
				case n == 1 && wave == "pre":
					b.submit(t, `button[name="nav"][value="next"]`, 200, `#open-items`)
					axe.check(t, b, wave+" questionnaire page 1 asking about open questions")
				}
			}
			b.fillSurvey(t)
			if n < total {
				b.submit(t, `button[name="nav"][value="next"]`, 200, fmt.Sprintf(`progress#progress[value="%d"]`, n+1))
			} else {
				b.submit(t, `button[name="nav"][value="submit"]`, 200, "[data-chart]")
			}
		}
		b.waitCharts(t)
		if check {
			axe.check(t, b, "feedback page after the "+wave+" wave")
		}
	}

	preTab := env.newTab(t, "pre tab", true, phoneViewport)
	seedTab := env.newTab(t, "seed tab", true, phoneViewport)
	postTab := env.newTab(t, "post tab", true, phoneViewport)
	leadTab := env.newTab(t, "admin tab", true, desktopViewport)
	// The three run at the same time, whatever -test.parallel says (it is
	// the number of cores, and most of the time here is spent waiting).
	// Violations fail a subtest but do not stop it: one run lists the
	// violations of every page.
	var wg sync.WaitGroup
	concurrently := func(name string, f func(t *testing.T)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(name, f)
		}()
	}
	concurrently("pre wave and other pages at 360x800", func(t *testing.T) {
		b := preTab
		slug := preSlug
		b.open(t, "/", 200)
		if w := brEval[int](t, b, "window.innerWidth"); w != phoneWidth {
			t.Fatalf("the viewport is %d px wide, want %d", w, phoneWidth)
		}
		axe.selfTest(t, b)
		axe.check(t, b, "start page")
		b.open(t, "/c?code=gibtsnicht", 404)
		axe.check(t, b, "start page with an unknown cohort")

		b.open(t, "/c/"+slug, 200)
		axe.check(t, b, "consent page")
		// A browser that checks required fields itself never sends the
		// form unticked; others do, and get the server's message.
		brEval[bool](t, b, `document.querySelector("#agree").form.noValidate = true`)
		b.submit(t, consentButton(slug), 422, "#agree-error")
		axe.check(t, b, "consent page with its error")
		b.do(t, "tick consent", chromedp.Click(chromedp.CSS("#agree")))
		b.submit(t, consentButton(slug), 200, "#emother")
		axe.check(t, b, "code page")

		// Invalid elements: a word for a letter, a letter for a number.
		bad := map[string]string{"mother": "Maria", "father": "K", "birthday": "x", "birthplace": "H", "siblings": "99", "lastletter": "A"}
		for _, el := range questions.CodeElements {
			b.typeInto(t, "#e"+el.ID, bad[el.ID])
		}
		b.submit(t, codeButton(slug), 422, "#code-error")
		axe.check(t, b, "code page with invalid elements")
		for _, el := range questions.CodeElements {
			b.do(t, "correct #e"+el.ID, chromedp.SetValue(chromedp.CSS("#e"+el.ID), journeyCode[el.ID]))
		}
		b.submit(t, codeButton(slug), 200, "#return-code-value")
		axe.check(t, b, "return-code page")
		b.submit(t, `.return-code a[href="/survey"]`, 200, `progress#progress[value="1"]`)

		answerPages(t, b, "pre", true)

		b.open(t, "/privacy", 200)
		axe.check(t, b, "privacy page")
		b.open(t, "/accessibility", 200)
		axe.check(t, b, "accessibility statement")
		b.open(t, "/accessibility?lang=en", 200)
		axe.check(t, b, "accessibility statement in English")
		b.open(t, "/?lang=de", 200)
		b.open(t, "/gibt-es-nicht", 404)
		axe.check(t, b, "error page (404)")
	})

	concurrently("post wave and deletion at 360x800", func(t *testing.T) {
		b := seedTab
		slug := postSlug
		// The pre wave of this cohort only to have something to link
		// to; its pages are checked in the other tab.
		b.open(t, "/c/"+slug, 200)
		b.do(t, "tick consent", chromedp.Click(chromedp.CSS("#agree")))
		b.submit(t, consentButton(slug), 200, "#emother")
		for _, el := range questions.CodeElements {
			b.typeInto(t, "#e"+el.ID, journeyCode[el.ID])
		}
		b.submit(t, codeButton(slug), 200, "#return-code-value")
		returnCode := strings.TrimSpace(brRun(t, b, "read the return code", chromedp.Text(chromedp.CSS("#return-code-value"))))
		b.submit(t, `.return-code a[href="/survey"]`, 200, `progress#progress[value="1"]`)
		answerPages(t, b, "pre", false)

		env.postWave(t, slug)
		// The post wave in a browser that knows nothing of the first.
		b = postTab
		b.open(t, "/c/"+slug, 200)
		b.do(t, "tick consent", chromedp.Click(chromedp.CSS("#agree")))
		b.submit(t, consentButton(slug), 200, "#emother")
		axe.check(t, b, "code page of the post wave")
		for _, el := range questions.CodeElements {
			b.typeInto(t, "#e"+el.ID, journeyCode[el.ID])
		}
		b.submit(t, codeButton(slug), 200, `progress#progress[value="1"]`)
		if n := brEval[int](t, b, `document.querySelectorAll("form.survey fieldset.item-pair").length`); n == 0 {
			t.Fatalf("the post wave shows no item pairs (two scales per item)\n%s", b.describe())
		}
		answerPages(t, b, "post", true)
		if n := brEval[int](t, b, `document.querySelectorAll("table.scores thead th").length`); n != 4 {
			t.Errorf("the feedback after the post wave has %d score columns, want 4 (dimension, before, looking back, after; the readings follow the table)", n)
		}

		b.open(t, "/delete", 200)
		axe.check(t, b, "delete page")
		b.typeInto(t, "#return-code", "ZZZZ-ZZZZ-ZZZZ-ZZZZ")
		b.submit(t, `form[action="/delete"] button[type="submit"]`, 404, `p.error[role="alert"]`)
		axe.check(t, b, "delete page with an unknown return code")
		b.do(t, "correct the return code", chromedp.SetValue(chromedp.CSS("#return-code"), returnCode))
		b.submit(t, `form[action="/delete"] button[type="submit"]`, 200, `form[action="/delete/confirm"]`)
		axe.check(t, b, "delete confirmation page")
		b.submit(t, `form[action="/delete/confirm"] button[type="submit"]`, 200, "article.notice h1")
		axe.check(t, b, "deleted page")
	})

	concurrently("program leads' pages at 1280x900", func(t *testing.T) {
		const (
			email    = "a11y-admin@example.org"
			password = "Ein Passwort für die Prüfung"
		)
		demo26, err := store.CreateCohort("demo26", "Demo-Jahrgang 2026", inst.Ref())
		if err != nil {
			t.Fatal(err)
		}
		other, err := store.CreateCohort("demo25", "Demo-Jahrgang 2025", inst.Ref())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Generate(store, inst, demo26, 80, 2, demoDay); err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Generate(store, inst, other, 40, 3, demoDay); err != nil {
			t.Fatal(err)
		}
		// Marked as serve --demo marks its cohort: the badge and note are checked too.
		if err := store.MarkDemo(demo26.ID); err != nil {
			t.Fatal(err)
		}
		hash, err := app.HashPassword(password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.CreateUser(email, db.RoleAdmin, hash, false); err != nil {
			t.Fatal(err)
		}
		lead, err := store.CreateUser("a11y-lead@example.org", db.RoleLead, hash, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.SetLeadCohorts(lead.ID, []uint{demo26.ID}); err != nil {
			t.Fatal(err)
		}

		b := leadTab
		b.open(t, "/admin/login", 200)
		if w := brEval[int](t, b, "window.innerWidth"); w != desktopWidth {
			t.Fatalf("the viewport is %d px wide, want %d", w, desktopWidth)
		}
		axe.check(t, b, "admin login page")
		b.typeInto(t, "#email", email)
		b.typeInto(t, "#password", "falsch-falsch-falsch")
		b.submit(t, `form[action="/admin/login"] button[type="submit"]`, 401, `p.error[role="alert"]`)
		axe.check(t, b, "admin login page with its error")
		b.typeInto(t, "#password", password)
		b.submit(t, `form[action="/admin/login"] button[type="submit"]`, 200, `a[href="/admin/cohorts/new"]`)
		axe.check(t, b, "cohorts list")

		cohortURL := fmt.Sprintf("/admin/cohorts/%d", demo26.ID)
		for _, p := range []struct {
			path, name, wait string
			status           int64
		}{
			{cohortURL, "cohort page", "#participant-link", 200},
			{cohortURL + "/report", "dashboard of a demo cohort", "#downloads", 200},
			{cohortURL + "/quality", "quality page of a demo cohort", "#shift", 200},
			{fmt.Sprintf("/admin/compare?cohort=%d&cohort=%d", demo26.ID, other.ID), "compare page", "[data-chart]", 200},
			{"/admin/compare", "compare page before a choice", "form[action='/admin/compare']", 200},
			{"/admin/cohorts/new", "new cohort page", "#slug", 200},
			{cohortURL + "/import", "import page", "#file", 200},
			{cohortURL + "/poster", "poster page", ".poster", 200},
			{"/admin/users", "users page", "#new-email", 200},
			{fmt.Sprintf("/admin/users/%d", lead.ID), "user page", "h1", 200},
			{"/admin/audit", "audit page", "table", 200},
			{"/admin/operator", "operator and privacy page", "#controller_name", 200},
			{"/admin/operator/record", "record of processing activities", "h2", 200},
			{"/admin/password", "password page", "#new", 200},
			{"/admin/cohorts/99999", "admin error page (404)", "article.notice", 404},
		} {
			b.open(t, p.path, p.status)
			b.waitVisible(t, p.wait)
			b.waitCharts(t)
			axe.check(t, b, p.name)
		}
		// A form's confirmation on the page it leads to.
		b.open(t, cohortURL, 200)
		b.submit(t, `form[action$="/settings"] button[type="submit"]`, 200, "#flash")
		axe.check(t, b, "cohort page with a confirmation")
		// The quality page's wide tables scroll in their own region on a phone.
		b.do(t, "phone viewport", phoneViewport)
		b.open(t, cohortURL+"/quality", 200)
		b.waitVisible(t, "#shift")
		axe.check(t, b, "quality page at 360 px")
	})
	wg.Wait()
}

// focusState describes the element that has the keyboard focus and whether
// it is visibly marked.
type focusState struct {
	Desc     string `json:"desc"`
	Name     string `json:"name"`
	Value    string `json:"value"`
	Checked  bool   `json:"checked"`
	Match    bool   `json:"match"`
	Marked   bool   `json:"marked"`
	OnScreen bool   `json:"onScreen"`
	Style    string `json:"style"`
}

// focusJS reads the focused element. An element counts as visibly focused
// when its computed outline or box-shadow draws something: an outline style
// other than none with a width and a colour, or a shadow with a spread,
// blur or offset in a colour that is not transparent. match is the
// predicate %s applied to the element e.
const focusJS = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body || e === document.documentElement) return {desc: "(nothing)", name: "", value: "", checked: false, match: false, marked: false, onScreen: false, style: ""};
	// Pico fades the focus ring in (0.2 s): read the style it ends with.
	e.getAnimations().forEach(a => a.finish());
	const s = getComputedStyle(e);
	const alpha = c => { const m = /rgba?\(([^)]*)\)/.exec(c || ""); if (!m) return c && c !== "transparent" ? 1 : 0; const p = m[1].split(/[ ,\/]+/).filter(Boolean); return p.length > 3 ? parseFloat(p[3]) : 1; };
	const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0 && alpha(s.outlineColor) > 0;
	const shadow = s.boxShadow !== "none" && s.boxShadow.split(/,(?![^(]*\))/).some(sh => {
		const color = (/rgba?\([^)]*\)/.exec(sh) || ["rgb(0,0,0)"])[0];
		const lengths = sh.replace(color, "").match(/-?[\d.]+px/g) || [];
		return alpha(color) > 0 && lengths.some(l => parseFloat(l) !== 0);
	});
	const r = e.getBoundingClientRect();
	return {
		desc: e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.name ? "[name=" + e.name + "]" : "") + (e.type === "radio" ? "[value=" + e.value + "]" : "") +
			(e.getAttribute("href") ? "[href=" + e.getAttribute("href") + "]" : "") + " " + JSON.stringify((e.innerText || e.value || "").trim().slice(0, 40)),
		name: e.name || "", value: e.value || "", checked: !!e.checked,
		match: ((e) => (%s))(e),
		marked: outline || shadow,
		onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
		style: "outline: " + s.outlineStyle + " " + s.outlineWidth + " " + s.outlineColor + "; box-shadow: " + s.boxShadow
	};
})()`

// keyboardRun drives a tab with key presses only and checks, at every
// focus change, that the focused element is marked and on screen.
type keyboardRun struct {
	b       *browserTab
	keys    int
	stops   int
	unclear []string
}

func (k *keyboardRun) press(t *testing.T, what, keys string, opts ...chromedp.KeyOption) {
	t.Helper()
	k.b.do(t, "press "+what, chromedp.KeyEvent(keys, opts...))
	k.keys += len([]rune(keys))
}

// focused reads the focused element; match is a JavaScript predicate on e.
func (k *keyboardRun) focused(t *testing.T, match string) focusState {
	t.Helper()
	f := brEval[focusState](t, k.b, fmt.Sprintf(focusJS, match))
	return f
}

// check records a focused element that is not visibly marked.
func (k *keyboardRun) check(t *testing.T, f focusState) {
	t.Helper()
	k.stops++
	if !f.Marked || !f.OnScreen {
		k.unclear = append(k.unclear, fmt.Sprintf("%s (marked %v, on screen %v; %s)", f.Desc, f.Marked, f.OnScreen, f.Style))
	}
}

// tabTo presses Tab until the focused element matches the predicate.
func (k *keyboardRun) tabTo(t *testing.T, what, match string) focusState {
	t.Helper()
	var seen []string
	for i := 0; i < 80; i++ {
		k.press(t, "Tab", kb.Tab)
		f := k.focused(t, match)
		k.check(t, f)
		if f.Match {
			return f
		}
		seen = append(seen, f.Desc)
	}
	t.Fatalf("%s: Tab never reached %s; focus went %s\n%s", k.b.name, what, strings.Join(seen, " → "), k.b.describe())
	return focusState{}
}

// enter presses Enter, which must load a page with the status and the
// element want.
func (k *keyboardRun) enter(t *testing.T, status int64, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(k.b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
	k.keys++
	if err != nil {
		t.Fatalf("%s: press Enter: %v\n%s", k.b.name, err, k.b.describe())
	}
	if resp == nil || resp.Status != status {
		got := "no response"
		if resp != nil {
			got = strconv.FormatInt(resp.Status, 10) + " " + resp.URL
		}
		t.Fatalf("%s: after Enter: status %s, want %d\n%s", k.b.name, got, status, k.b.describe())
	}
	k.b.waitVisible(t, want)
}

// TestBrowserKeyboardOnly completes a whole pre-wave questionnaire on a phone
// with nothing but key presses — Tab, Shift+Tab, Space, arrow keys, Enter
// and typed characters; no click, and no script that sets a value — and
// checks at every step that the focused element is visibly marked.
func TestBrowserKeyboardOnly(t *testing.T) {
	t.Parallel() // with TestBrowserAccessibility, after the other tests
	env := startBrowserEnv(t, keyboardTimeout)
	defer env.finish(t)
	store := env.store
	inst, err := env.set.Resolve(questions.DefaultID)
	if err != nil {
		t.Fatal(err)
	}
	const slug = "tastatur"
	if _, err := store.CreateCohort(slug, "Tastatur 2026", inst.Ref()); err != nil {
		t.Fatal(err)
	}
	if err := store.SetWaveOpen(slug, db.Pre, true); err != nil {
		t.Fatal(err)
	}
	total := len(inst.Pages())

	b := env.newTab(t, "keyboard tab", true, phoneViewport)
	// A headless window never has the operating system's focus; emulate it,
	// so :focus and :focus-visible apply as they do for a person.
	b.do(t, "emulate a focused window", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}))
	k := &keyboardRun{b: b}
	started := time.Now()
	defer func() {
		t.Logf("keyboard only: %d key presses, %d focus stops checked, %s", k.keys, k.stops, time.Since(started).Round(time.Millisecond))
		for _, u := range k.unclear {
			t.Errorf("focus is not visible on %s", u)
		}
	}()

	// Start page: the first Tab reaches the skip link, which shows itself.
	b.open(t, "/", 200)
	f := k.tabTo(t, "the skip link", `e.classList.contains("skip-link")`)
	if !f.OnScreen {
		t.Errorf("the focused skip link is off screen")
	}
	k.tabTo(t, "the cohort field", `e.id === "cohort-code"`)
	k.press(t, "the cohort code", slug)
	k.enter(t, 200, "#agree")

	// Consent: to the checkbox, past it to the button and back with
	// Shift+Tab, tick it with Space, and send with Enter on the button.
	k.tabTo(t, "the consent checkbox", `e.id === "agree"`)
	k.press(t, "Tab", kb.Tab)
	if f := k.focused(t, `e.type === "submit"`); !f.Match {
		t.Fatalf("after the consent checkbox Tab reaches %s, want the button", f.Desc)
	} else {
		k.check(t, f)
	}
	k.press(t, "Shift+Tab", kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
	if f := k.focused(t, `e.id === "agree"`); !f.Match {
		t.Fatalf("Shift+Tab from the button reaches %s, want the checkbox", f.Desc)
	} else {
		k.check(t, f)
	}
	k.press(t, "Space", " ")
	if f := k.focused(t, `e.id === "agree"`); !f.Checked {
		t.Fatalf("Space did not tick the consent checkbox (%s)", f.Desc)
	}
	k.tabTo(t, "the consent button", `e.type === "submit"`)
	k.enter(t, 200, "#emother")

	// Code: type each element into its field; Enter in the last one sends.
	for _, el := range questions.CodeElements {
		k.tabTo(t, "#e"+el.ID, `e.id === "e`+el.ID+`"`)
		k.press(t, el.ID, journeyCode[el.ID])
	}
	k.enter(t, 200, "#return-code-value")
	k.tabTo(t, "the continue link", `e.getAttribute("href") === "/survey"`)
	k.enter(t, 200, `progress#progress[value="1"]`)

	// Every page: each radio group is one tab stop. Tab into it (the first
	// option gets the focus, unchosen), then choose with the arrow keys:
	// Right n times for the n-th option, Left once for the last ("keine
	// Angabe"), Space for the first.
	chosen := map[string]string{}
	const note = "Mehr Sicherheit im Umgang mit KI."
	for n := 1; n <= total; n++ {
		b.expectPage(t, n, total)
		type stop struct {
			Name    string   `json:"name"`
			Text    bool     `json:"text"`
			Options []string `json:"options"`
		}
		stops := brEval[[]stop](t, b, `(() => {
			const out = [], seen = new Set();
			document.querySelectorAll("form.survey input[type=radio], form.survey textarea").forEach(e => {
				if (e.tagName === "TEXTAREA") { out.push({name: e.name, text: true, options: []}); return; }
				if (seen.has(e.name)) return;
				seen.add(e.name);
				out.push({name: e.name, text: false, options: Array.from(document.getElementsByName(e.name)).map(r => r.value)});
			});
			return out;
		})()`)
		if len(stops) == 0 {
			t.Fatalf("page %d has nothing to answer\n%s", n, b.describe())
		}
		for g, s := range stops {
			f := k.tabTo(t, s.Name, fmt.Sprintf(`e.name === %s`, browserJS(s.Name)))
			if s.Text {
				k.press(t, "text into "+s.Name, note)
				chosen[s.Name] = note
				continue
			}
			if f.Checked || f.Value != s.Options[0] {
				t.Fatalf("tabbing into the group %s focused %s, want its first option, unchosen", s.Name, f.Desc)
			}
			pick := (3*n + g) % (len(s.Options) + 1)
			switch {
			case pick == 0:
				k.press(t, "Space", " ")
			case pick == len(s.Options):
				pick = len(s.Options) - 1
				k.press(t, "ArrowLeft", kb.ArrowLeft)
			default:
				k.press(t, "ArrowRight", strings.Repeat(kb.ArrowRight, pick))
			}
			f = k.focused(t, "e.checked")
			k.check(t, f)
			if !f.Match || f.Name != s.Name || f.Value != s.Options[pick] {
				t.Fatalf("page %d, group %s: after the keys %s is focused (checked %v), want %s chosen", n, s.Name, f.Desc, f.Checked, s.Options[pick])
			}
			chosen[s.Name] = s.Options[pick]
		}
		if n < total {
			k.tabTo(t, "the next button", `e.name === "nav" && e.value === "next"`)
			k.enter(t, 200, fmt.Sprintf(`progress#progress[value="%d"]`, n+1))
		} else {
			k.tabTo(t, "the submit button", `e.name === "nav" && e.value === "submit"`)
			k.enter(t, 200, "[data-chart]")
		}
	}

	// The feedback page: every element Tab reaches is marked, to the end.
	b.waitCharts(t)
	if h := brEval[string](t, b, `document.querySelector("h1").textContent`); !strings.Contains(h, "Rückmeldung") {
		t.Errorf("after submitting, the page is headed %q, want the feedback", h)
	}
	k.tabTo(t, "the end of the feedback page", `e.closest("footer") !== null && e.getAttribute("href") === "/delete"`)

	// What the keys chose is what was stored.
	cohort, err := store.CohortBySlug(slug)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := store.Participants(cohort.ID)
	if err != nil || len(ps) != 1 {
		t.Fatalf("the cohort has %d participants (%v), want 1", len(ps), err)
	}
	rs, err := store.ResponsesOf(ps[0].ID)
	if err != nil || len(rs) != 1 || !rs[0].Submitted() {
		t.Fatalf("responses %+v (%v): want one, submitted", rs, err)
	}
	stored := map[string]string{}
	for _, a := range rs[0].Answers {
		v := "na"
		if a.Value != nil {
			v = *a.Value
		}
		switch a.Kind {
		case db.KindRating:
			stored["r_"+a.Item] = v
		case db.KindKnowledge:
			stored["k_"+a.Item] = v
			if a.Confidence != nil {
				stored["c_"+a.Item] = strconv.Itoa(*a.Confidence)
			}
		case db.KindBackground:
			stored["b_"+a.Item] = v
		case db.KindText:
			stored["x_"+a.Item] = v
		}
	}
	for name, v := range chosen {
		if stored[name] != v {
			t.Errorf("%s: chosen %q by keyboard, stored %q", name, v, stored[name])
		}
	}
	if len(stored) != len(chosen) {
		t.Errorf("stored %d answers, chose %d", len(stored), len(chosen))
	}
	t.Logf("keyboard only: %d answers chosen and stored on %d pages", len(chosen), total)
}
