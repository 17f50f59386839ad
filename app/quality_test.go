package app_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"einordnung/db"
	"einordnung/reports"
)

func qualityPath(c *db.Cohort) string { return fmt.Sprintf("/admin/cohorts/%d/quality", c.ID) }

// A lead reads the quality page of their cohort from the dashboard: every
// scale's α with its interval and ω as quality.json has them, in German
// notation, the flags in words, and the response shift with its reading.
func TestQualityPageOfADemoCohort(t *testing.T) {
	e := newEnv(t)
	c := e.demoCohort("ws26", 300, 2)
	cl := e.lead(t, dashLead, c.ID)
	expect(t, cl.get(reportPath(c)), http.StatusOK, `href="`+qualityPath(c)+`"`)

	p := cl.get(qualityPath(c))
	expect(t, p, http.StatusOK, "Qualität des Fragebogens: Jahrgang ws26", "Hat sich der Maßstab verschoben?", "Mindestgruppe 5")
	q, err := reports.BuildQuality(e.store, e.inst, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range q.Scales {
		if s.Alpha == nil || s.Omega == nil || s.AlphaCILow == nil {
			t.Fatalf("demo cohort: %s %s has no α, ω or interval", s.Dimension, s.Wave)
		}
		line := fmt.Sprintf("n = %d · k = %d · α = %s [%s; %s] · ω = %s", s.N, s.K, de(s.Alpha, 2), de(s.AlphaCILow, 2), de(s.AlphaCIHigh, 2), de(s.Omega, 2))
		if !strings.Contains(p.Body, line) {
			t.Errorf("the page lacks %q", line)
		}
	}
	// Each flag in words, once per flagged item.
	flagged := 0
	for _, s := range q.Scales {
		for j := range s.Items {
			flagged += len(s.ItemFlags(j))
		}
	}
	for _, k := range q.Knowledge {
		flagged += len(k.Flags())
	}
	words := regexp.MustCompile(`trennt schwach|ohne dieses Item zuverlässiger|Boden-/Deckeneffekt|oft unbeantwortet|fast alle richtig|trennt verkehrt herum`)
	if got := len(words.FindAllString(p.Body, -1)); got != flagged {
		t.Errorf("the page names %d flags, quality.json has %d", got, flagged)
	}
	// The demo's participants rate their start lower looking back.
	const lower = "Rückblickend schätzen sich die Teilnehmenden zu Beginn schwächer ein, als sie es damals taten: der Maßstab hat sich verschoben."
	want := 0
	for _, s := range q.Shift {
		if r, ok := reports.ReadShift(s); ok && r.Shifted && r.Direction == reports.DirectionDown {
			want++
		}
	}
	if got := strings.Count(p.Body, lower); got != want || want == 0 {
		t.Errorf("%d readings %q, want %d (of %d dimensions)", got, lower, want, len(q.Shift))
	}
	scriptsWellFormed(t, "quality page", p.Body, 0)
}

// Below the minimum group, no figure shows, and the page says why.
func TestQualityPageHidesSmallGroups(t *testing.T) {
	e := newEnv(t)
	tiny := e.demoCohort("tiny", 3, 2)
	other := e.demoCohort("other", 3, 2)
	cl := e.lead(t, dashLead, tiny.ID)
	p := cl.get(qualityPath(tiny))
	expect(t, p, http.StatusOK, "Ausgeblendet: weniger als 5 Personen.", "Ausgeblendet: weniger als 5 Paare.")
	scales := len(e.inst.Dimensions) * 3
	if got := strings.Count(p.Body, "Ausgeblendet: weniger als 5 Personen. (n = "); got != scales {
		t.Errorf("%d scales say why they are withheld, want all %d", got, scales)
	}
	if strings.Contains(p.Body, "α = ") {
		t.Errorf("the page shows an α of three people")
	}
	for _, c := range tableCell.FindAllStringSubmatch(p.Body, -1) {
		if regexp.MustCompile(`\d[,.]\d`).MatchString(c[1]) {
			t.Errorf("a table cell shows a figure of fewer than 5 people: %q", c[1])
		}
	}
	// Another cohort's page is not this lead's.
	if p := cl.get(qualityPath(other)); p.Status == http.StatusOK {
		t.Errorf("a lead reads the quality page of a cohort not theirs: %d", p.Status)
	}
}
