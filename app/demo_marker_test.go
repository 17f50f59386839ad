package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"einordnung/db"
)

// TestDemoCohortIsMarkedWhereverItAppears: a cohort of synthetic answers
// (serve --demo, the demo command) carries a visible „Demo" in the cohort
// list, on its page and dashboard (also saved as a file), in the
// comparison, in report.json and in every download's name; a real cohort
// nowhere.
func TestDemoCohortIsMarkedWhereverItAppears(t *testing.T) {
	e := newEnv(t)
	fake := e.demoCohort("ws26", 40, 2)
	if err := e.store.MarkDemo(fake.ID); err != nil {
		t.Fatal(err)
	}
	real := e.demoCohort("ws27", 40, 3) // synthetic too, but not marked: stands for a real one
	cl := e.lead(t, dashLead, fake.ID, real.ID)
	badge := `<span class="demo-badge">Demo</span>`
	note := `id="demo-note"`

	list := cl.get("/admin/cohorts")
	expect(t, list, http.StatusOK)
	rows := regexp.MustCompile(`(?s)<tr>\s*<th scope="row">(.*?)</th>`).FindAllStringSubmatch(list.Body, -1)
	marked := map[string]bool{}
	for _, r := range rows {
		marked[regexp.MustCompile(`>([^<]*)</a>`).FindStringSubmatch(r[1])[1]] = strings.Contains(r[1], badge)
	}
	if !marked["Jahrgang ws26"] || marked["Jahrgang ws27"] || len(marked) != 2 {
		t.Errorf("cohort list: marked %v, want only Jahrgang ws26", marked)
	}
	for _, c := range []struct {
		path string
		demo bool
	}{{cohortPath(fake), true}, {reportPath(fake), true}, {cohortPath(real), false}, {reportPath(real), false}} {
		p := cl.get(c.path)
		expect(t, p, http.StatusOK)
		if got := strings.Contains(p.Body, badge) && strings.Contains(p.Body, note) && strings.Contains(p.Body, "synthetisch"); got != c.demo {
			t.Errorf("%s: demo badge and note %v, want %v", c.path, got, c.demo)
		}
	}
	p := cl.get(fmt.Sprintf("/admin/compare?cohort=%d&cohort=%d&lang=en", fake.ID, real.ID))
	expect(t, p, http.StatusOK, badge, `<th scope="col">Jahrgang ws26 (Demo): Before`)
	if strings.Contains(p.Body, "Jahrgang ws27 (Demo)") {
		t.Errorf("compare marks the real cohort as a demo")
	}
	cl.get("/admin/cohorts?lang=de")

	for _, f := range dashFormats {
		resp, body := cl.full(httptest.NewRequest(http.MethodGet, exportPath(fake, f.name), nil))
		if got, want := resp.Header.Get("Content-Disposition"), `attachment; filename="ws26-demo-`+f.file+`"`; got != want {
			t.Errorf("%s: Content-Disposition %q, want %q", f.name, got, want)
		}
		switch f.name {
		case "json":
			if !bytes.Contains(body, []byte(`"demo": true`)) {
				t.Errorf("report.json of the demo cohort does not say \"demo\": true")
			}
		case "html":
			if !bytes.Contains(body, []byte(badge)) {
				t.Errorf("the dashboard saved as a file lacks the demo badge")
			}
		}
	}
	_, body := cl.full(httptest.NewRequest(http.MethodGet, exportPath(real, "json"), nil))
	if bytes.Contains(body, []byte(`"demo"`)) {
		t.Errorf("report.json of a real cohort mentions demo")
	}
}

func cohortPath(c *db.Cohort) string { return fmt.Sprintf("/admin/cohorts/%d", c.ID) }
