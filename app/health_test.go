package app_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"einordnung/app"
	"einordnung/db"
)

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := e.app.Test(httptest.NewRequest(http.MethodGet, path, nil))
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || len(resp.Cookies()) != 0 {
			t.Errorf("%s: %d, cookies %v: probes must answer without a session", path, resp.StatusCode, resp.Cookies())
		}
	}
	// With the database gone the server is alive but not ready.
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	resp, err := e.app.Test(httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with a closed database: %d, want 503", resp.StatusCode)
	}
	resp, _ = e.app.Test(httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz with a closed database: %d, want 200 (alive)", resp.StatusCode)
	}
}

func TestMetricsCountRequestsByRouteWithoutCodes(t *testing.T) {
	e := newEnv(t)
	m := app.NewMetrics()
	web, err := app.New(app.Config{Secret: testSecret, Metrics: m}, e.store, e.set)
	if err != nil {
		t.Fatal(err)
	}
	e.app = web
	e.cohort("ws26", db.Pre)
	c := e.client()
	returnCode := c.startPre("ws26", code("M", "K", "7", "H", "1", "A"))
	expect(t, c.post("/survey/1", c.firstPage("6")), http.StatusSeeOther)
	other := e.client()
	other.get("/")
	other.post("/resume", url.Values{"return_code": {returnCode}})

	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	for _, want := range []string{
		`einordnung_http_requests_total{method="POST",route="/survey/:page",status="303"} 1`,
		`einordnung_page_saves_total 1`,
		`einordnung_http_request_duration_seconds_bucket{method="GET",route="/c/:slug"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s:\n%s", want, grepLines(text, "einordnung_"))
		}
	}
	// The group commit's counters: the participant, their response, the
	// session and the page above were written through it (on SQLite).
	commits, writes := metricValue(t, text, "einordnung_db_commits_total"), metricValue(t, text, "einordnung_db_commit_writes_total")
	if !e.store.Shared() && (commits < 1 || writes < 4 || writes < commits) {
		t.Errorf("group commit counters: %v commits, %v writes; want at least 1 and 4, writes ≥ commits", commits, writes)
	}
	for _, secret := range []string{returnCode, strings.ReplaceAll(returnCode, "-", ""), "ws26"} {
		if strings.Contains(text, secret) {
			t.Errorf("metrics contain %q: labels must be route patterns", secret)
		}
	}
}

func grepLines(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) && !strings.Contains(l, "_bucket") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// metricValue reads an unlabelled metric's value from Prometheus' text format.
func metricValue(t *testing.T, text, name string) float64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				t.Fatalf("metric %s: %q", name, line)
			}
			return v
		}
	}
	t.Fatalf("metric %s missing", name)
	return 0
}
