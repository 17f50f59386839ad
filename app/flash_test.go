package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"einordnung/db"
)

var flashLine = regexp.MustCompile(`<p class="flash no-print" role="status" id="flash">([^<]*)</p>`)

// flashOf is the confirmation a page shows, "" for none.
func flashOf(p reply) string {
	if m := flashLine.FindStringSubmatch(p.Body); m != nil {
		return m[1]
	}
	return ""
}

// TestAdminFormsConfirmWhatTheyDid: every admin form that redirects says on
// the next page what happened (Post/Redirect/Get, no JavaScript), once: a
// reload shows nothing, nor does another browser of the same account.
func TestAdminFormsConfirmWhatTheyDid(t *testing.T) {
	e := newEnv(t)
	const onetime = "EINMALPASSWORT-1234"
	e.account("admin@example.org", db.RoleAdmin, onetime, true)
	a := e.clientFor(t)
	expectRedirect(t, a.login("admin@example.org", onetime), "/admin/password")
	var other *client // another browser of the same account, once it can sign in

	step := func(name string, p reply, want string) {
		t.Helper()
		if p.Status != http.StatusSeeOther {
			t.Fatalf("%s: %d, want a redirect: %s", name, p.Status, excerpt(p.Body))
		}
		if other != nil {
			if got := flashOf(other.get("/admin/cohorts")); got != "" {
				t.Errorf("%s: another browser of the account shows %q", name, got)
			}
		}
		next := a.follow(p)
		if got := flashOf(next); got != want {
			t.Errorf("%s: confirmation %q, want %q", name, got, want)
		}
		if again := flashOf(a.get(p.Location)); again != "" {
			t.Errorf("%s: the confirmation %q shows again on reload", name, again)
		}
	}
	step("password", a.post("/admin/password", url.Values{"current": {onetime}, "new": {adminPassword}, "repeat": {adminPassword}}),
		"Ihr Passwort ist geändert. Melden Sie sich künftig mit dem neuen an.")
	other = e.signIn(t, "admin@example.org", adminPassword)
	p := a.post("/admin/cohorts", url.Values{"slug": {"ws26"}, "name": {"Jahrgang <2026>"}, "instrument": {e.inst.Ref()}})
	base := p.Location
	step("cohort", p, "Der Jahrgang „Jahrgang &lt;2026&gt;“ ist angelegt. Alle Befragungen sind noch geschlossen: Öffnen Sie die Vorher-Befragung unten, wenn es losgeht.")
	wave := func(w, action, starts string) reply {
		return a.post(base+"/waves/"+w, url.Values{"action": {action}, "starts_at": {starts}, "ends_at": {""}})
	}
	step("open pre", wave("pre", "open", ""), "Die Befragung „Vorher“ ist geöffnet: Teilnehmende können ab jetzt über den Link antworten.")
	expect(t, a.get(base), http.StatusOK, ">Zeitraum speichern</button>")
	step("dates", wave("pre", "open", "2020-01-01T08:00"), "Der Zeitraum der Befragung „Vorher“ ist gespeichert; sie bleibt geöffnet.")
	step("open post", wave("post", "open", ""), "Die Befragung „Nachher“ ist geöffnet; „Vorher“ wurde dabei geschlossen (es ist immer nur eine offen).")
	step("close post", wave("post", "close", ""), "Die Befragung „Nachher“ ist geschlossen: Niemand kann mehr antworten.")
	step("scheduled", wave("pre", "open", "2999-01-01T08:00"), "Die Befragung „Vorher“ ist geöffnet und nimmt Antworten im eingetragenen Zeitraum an.")
	step("settings", a.post(base+"/settings", url.Values{"retention_days": {"365"}, "min_group": {"7"}}),
		"Gespeichert: Daten werden 365 Tage nach der letzten Antwort gelöscht, Gruppen unter 7 Personen werden nicht gezeigt.")
	step("keep", a.post(base+"/settings", url.Values{"retention_days": {"0"}, "min_group": {"5"}}),
		"Gespeichert: Daten werden aufbewahrt, bis sie jemand löscht; Gruppen unter 5 Personen werden nicht gezeigt.")

	lead := e.account("lead@example.org", db.RoleLead, leadPassword, false)
	cohort, err := e.store.CohortBySlug("ws26")
	if err != nil {
		t.Fatal(err)
	}
	userURL := fmt.Sprintf("/admin/users/%d", lead.ID)
	a.get(userURL)
	step("assign", a.post(userURL, url.Values{"action": {"cohorts"}, "cohort": {strconv.FormatUint(uint64(cohort.ID), 10)}}),
		"Die Jahrgänge von lead@example.org sind gespeichert.")
	step("disable", a.post(userURL, url.Values{"action": {"disable"}}), "Das Konto lead@example.org ist gesperrt.")
	a.get("/admin/cohorts?lang=en")
	step("enable", a.post(userURL, url.Values{"action": {"enable"}}), "The account lead@example.org has been enabled again.")
}
