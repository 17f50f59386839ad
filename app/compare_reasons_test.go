package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"einordnung/db"
)

// ratedResponses are n people's submitted responses to one wave, every
// rating item answered with v, under pseudonyms prefix1 … prefixN.
func (e *env) ratedResponses(prefix string, wave db.Wave, n int, v string) []db.ImportedResponse {
	var out []db.ImportedResponse
	for i := 1; i <= n; i++ {
		r := db.ImportedResponse{Participant: fmt.Sprintf("%s%d", prefix, i), Wave: wave, SubmittedAt: fixedDemoDay}
		for _, it := range e.inst.Items {
			value := v
			r.Answers = append(r.Answers, db.Answer{Item: it.ID, Kind: db.KindRating, Value: &value})
		}
		out = append(out, r)
	}
	return out
}

// TestCompareSaysWhyAFigureIsMissing: a cohort without a post wave yet, and
// one whose two waves were answered by different people, say so under the
// dashes instead of leaving "– → – (–, –, 0)" unexplained; figures hidden by
// the privacy rule name it (TestCompareSaysWhyASmallCohortIsHidden).
func TestCompareSaysWhyAFigureIsMissing(t *testing.T) {
	e := newEnv(t)
	preOnly := e.cohort("ws26", "")
	if err := e.store.ImportResponses(preOnly.ID, e.ratedResponses("PRE", db.Pre, 6, "5")); err != nil {
		t.Fatal(err)
	}
	unpaired := e.cohort("ws27", "")
	if err := e.store.ImportResponses(unpaired.ID, append(e.ratedResponses("A", db.Pre, 6, "4"), e.ratedResponses("B", db.Post, 6, "7")...)); err != nil {
		t.Fatal(err)
	}
	cl := e.lead(t, dashLead, preOnly.ID, unpaired.ID)
	for _, lang := range []struct{ code, noPost, noPairs string }{
		{"de", "noch keine Nachher-Befragung abgeschlossen.", "keine Paare: niemand hat beide Befragungen abgeschlossen."},
		{"en", "no after survey completed yet.", "no pairs: nobody has completed both surveys."},
	} {
		p := cl.get(fmt.Sprintf("/admin/compare?cohort=%d&cohort=%d&lang=%s", preOnly.ID, unpaired.ID, lang.code))
		expect(t, p, http.StatusOK)
		_, rows := compareTable(t, p.Body, len(e.inst.Dimensions))
		for d, cells := range rows {
			// Newest first: the unpaired cohort is the first column.
			pre := map[string]string{"de": "5,00", "en": "5.00"}[lang.code]
			if want := pre + ` → – (–, –, 0)<br><small class="why">` + lang.noPost + `</small>`; cells[1] != want {
				t.Errorf("%s row %d, cohort without a post wave: %q, want %q", lang.code, d, cells[1], want)
			}
			if !strings.HasSuffix(cells[0], `(–, –, 0)<br><small class="why">`+lang.noPairs+`</small>`) {
				t.Errorf("%s row %d, cohort without pairs: %q, want the reason %q", lang.code, d, cells[0], lang.noPairs)
			}
		}
	}
}
