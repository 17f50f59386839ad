package app_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"einordnung/db"
)

// summaryOf is the dashboard's first-screen block.
func summaryOf(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<section aria-labelledby="summary" class="summary">(.*?)</section>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the dashboard has no summary")
	}
	return m[1]
}

// summaryLine is the text of one item of the summary, tags removed.
func summaryLine(t *testing.T, summary, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<li id="summary-` + id + `">(.*?)</li>`).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("the summary has no line %s:\n%s", id, summary)
	}
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], ""))
}

// changeRows are the change table's cells per dimension title: change with
// interval, post − then, p (t) / Holm, p (Wilcoxon), dz / dav.
func changeRows(t *testing.T, body string) map[string][]string {
	t.Helper()
	i := strings.Index(body, `id="table-change"`)
	if i < 0 {
		t.Fatal("no change table")
	}
	table := body[i : i+strings.Index(body[i:], "</table>")]
	rows := map[string][]string{}
	for _, m := range regexp.MustCompile(`(?s)<tr><th scope="row">([^<]*)</th>(.*?)</tr>`).FindAllStringSubmatch(table, -1) {
		for _, c := range tableCell.FindAllStringSubmatch(m[2], -1) {
			rows[html.UnescapeString(m[1])] = append(rows[html.UnescapeString(m[1])], html.UnescapeString(c[1]))
		}
	}
	return rows
}

// TestDashboardSummaryAnswersTheQuestion: the first screen says per
// dimension the change, how sure and how large, on how many pairs, with
// the very numbers of the change table; post − then beside it with the
// response-shift sentence; the knowledge; in German and English.
func TestDashboardSummaryAnswersTheQuestion(t *testing.T) {
	e := newEnv(t)
	c := e.demoCohort("ws26", 300, 2)
	rep := e.report(c)
	cl := e.lead(t, dashLead, c.ID)
	for _, lang := range []struct {
		code, rose, sure, large, pairs, shift, knowledge string
	}{
		{"de", "stieg im Mittel um", "statistisch gesichert (p nach Holm", "Effektstärke: großer Effekt", "Grundlage: %d Paare.", "Der Maßstab hat sich verschoben (response shift)", "Wissen: Vorher waren %s der Aussagen richtig beurteilt, nachher %s"},
		{"en", "rose by", "statistically reliable (Holm-adjusted p", "Effect size: large effect", "Based on %d pairs.", "the yardstick has moved (response shift)", "Knowledge: before, %s of the statements were judged right, after %s"},
	} {
		p := cl.get(reportPath(c) + "?lang=" + lang.code)
		expect(t, p, http.StatusOK)
		summary := summaryOf(t, p.Body)
		if i, j := strings.Index(p.Body, `id="summary"`), strings.Index(p.Body, `id="participation"`); i < 0 || i > j {
			t.Errorf("%s: the summary is not the first section", lang.code)
		}
		rows := changeRows(t, p.Body)
		shifts := 0
		for d, dim := range e.inst.Dimensions {
			line := summaryLine(t, summary, dim.ID)
			row := rows[dim.Title.In(lang.code)]
			if len(row) < 5 {
				t.Fatalf("%s: change table row of %s: %q", lang.code, dim.ID, row)
			}
			// "1,92 [1,78; 2,05]": the change and its interval as the table shows them.
			change, ci, _ := strings.Cut(row[0], " ")
			holm := strings.TrimSpace(strings.Split(row[2], "/")[1])
			dz := strings.TrimSpace(strings.Split(row[4], "/")[0])
			thenChange, thenCI, _ := strings.Cut(row[1], " ")
			for _, want := range []string{
				dim.Title.In(lang.code) + ": ", lang.rose + " " + strings.TrimPrefix(change, "-") + " ", ci, lang.sure + " " + holm + ")",
				lang.large + " (dz = " + dz + ")", fmt.Sprintf(lang.pairs, rep.Dimensions[d].NPairs),
				": " + thenChange + " ", thenCI, "(dz = " + strings.TrimSpace(strings.Split(row[4], "/")[0]) + ")",
			} {
				if !strings.Contains(line, want) {
					t.Errorf("%s, %s: the summary %q lacks the table's %q", lang.code, dim.ID, line, want)
				}
			}
			if strings.Contains(line, lang.shift) {
				shifts++
			}
		}
		// The demo's retrospective ratings lie half a point below pre: the
		// yardstick moved in most dimensions.
		if shifts < len(e.inst.Dimensions)/2 {
			t.Errorf("%s: the response shift is named in %d of %d dimensions", lang.code, shifts, len(e.inst.Dimensions))
		}
		know := summaryLine(t, summary, "knowledge")
		pct := func(v *float64) string { return strings.Replace(fmt.Sprintf("%.0f %%", *v*100), ".", ",", 1) }
		if want := fmt.Sprintf(lang.knowledge, pct(rep.Knowledge["pre"].Accuracy), pct(rep.Knowledge["post"].Accuracy)); !strings.Contains(know, want) {
			t.Errorf("%s: knowledge line %q lacks %q", lang.code, know, want)
		}
		if strings.Contains(summary, `class="caution"`) {
			t.Errorf("%s: a caution on 240 pairs and a drop-out that starts alike: %s", lang.code, summary)
		}
	}
}

// TestDashboardSummaryCautions: few pairs, a drop-out that started lower,
// and a cohort without a post wave each say so on the first screen.
func TestDashboardSummaryCautions(t *testing.T) {
	e := newEnv(t)
	few := e.demoCohort("ws26", 20, 2)
	// Ten who left rated themselves 3 before, ten who stayed 6, then 8.
	leaving := e.cohort("ws27", "")
	if err := e.store.ImportResponses(leaving.ID, append(append(e.ratedResponses("L", db.Pre, 10, "3"),
		e.ratedResponses("S", db.Pre, 10, "6")...), e.ratedResponses("S", db.Post, 10, "8")...)); err != nil {
		t.Fatal(err)
	}
	preOnly := e.cohort("ws28", "")
	if err := e.store.ImportResponses(preOnly.ID, e.ratedResponses("P", db.Pre, 6, "5")); err != nil {
		t.Fatal(err)
	}
	cl := e.lead(t, dashLead, few.ID, leaving.ID, preOnly.ID)

	rep := e.report(few)
	p := cl.get(reportPath(few))
	summary := summaryOf(t, p.Body)
	fewest := rep.Dimensions[0].NPairs
	for _, r := range rep.Dimensions {
		fewest = min(fewest, r.NPairs)
	}
	if want := fmt.Sprintf("Vorsicht: Manche Veränderungen beruhen auf nur %d Paaren (weniger als 30).", fewest); !strings.Contains(summary, want) {
		t.Errorf("cohort of 20: the summary lacks %q:\n%s", want, summary)
	}
	if line := summaryLine(t, summary, e.inst.Dimensions[0].ID); !strings.Contains(line, fmt.Sprintf("Vorsicht: nur %d Paare.", rep.Dimensions[0].NPairs)) {
		t.Errorf("cohort of 20: the first dimension's line has no caution: %q", line)
	}

	rep = e.report(leaving)
	p = cl.get(reportPath(leaving))
	want := fmt.Sprintf("Vorsicht: 10 Personen haben nur vorher teilgenommen und schätzten sich vorher im Mittel niedriger ein (%s) als die Gebliebenen (%s).",
		de(rep.DropOut.PreMeanLeft, 2), de(rep.DropOut.PreMeanStayed, 2))
	if summary := summaryOf(t, p.Body); !strings.Contains(summary, want) {
		t.Errorf("drop-out that started lower: the summary lacks %q:\n%s", want, summary)
	}
	// The same two figures the participation section shows.
	expect(t, p, http.StatusOK, de(rep.DropOut.PreMeanLeft, 2)+" / "+de(rep.DropOut.PreMeanStayed, 2))

	p = cl.get(reportPath(preOnly))
	line := summaryLine(t, summaryOf(t, p.Body), e.inst.Dimensions[0].ID)
	if want := "Noch keine Aussage zur Veränderung: noch keine Nachher-Befragung abgeschlossen."; !strings.HasSuffix(line, want) {
		t.Errorf("cohort without a post wave: %q, want it to end %q", line, want)
	}
}
