package app_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"einordnung/app"
	"einordnung/db"
)

// fullOperator gives every detail of the notice.
var fullOperator = app.OperatorFile{
	ControllerName:    "Hochschule Beispielstadt, vertreten durch die Präsidentin",
	ControllerAddress: "Hochschulstraße 1\n12345 Beispielstadt",
	ContactEmail:      "Zertifikat@hs-beispiel.example",
	DPOContact:        "Datenschutzbeauftragte der Hochschule, datenschutz@hs-beispiel.example",
	Purpose:           "Evaluation des Zertifikats „KI-Kompetenz“ und persönliche Rückmeldung",
	LegalBasis:        db.LegalBasisPublicTask,
	LegalBasisLaw:     "§ 3 Abs. 2 Hochschulgesetz des Landes",
	Recipients:        "Keine; nur die Programmleitung sieht Auswertungen.",
	Hosting:           "Rechenzentrum der Hochschule, Server in Deutschland",
}

func (e *env) setOperator(f app.OperatorFile) {
	e.t.Helper()
	if problems, err := app.SetOperator(e.store, f, "test"); err != nil {
		e.t.Fatalf("SetOperator: %v %v", err, problems)
	}
}

// TestPrivacyNoticeShowsOperatorDetailsOrNamesTheMissingOnes: /privacy
// names every detail the operator gave, with each cohort's retention and
// threshold and the participants' rights, and says plainly which required
// details are missing, with nothing in their place.
func TestPrivacyNoticeShowsOperatorDetailsOrNamesTheMissingOnes(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	if err := e.store.UpdateCohortSettings(e.cohort("ss27", "").ID, 365, 8); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	labels := []string{"Name der verantwortlichen Stelle", "Postanschrift", "Kontakt-E-Mail", "Kontakt der oder des Datenschutzbeauftragten",
		"Zweck der Verarbeitung", "Rechtsgrundlage", "Empfänger", "Hosting (Ort, Auftragsverarbeiter)"}
	missingList := regexp.MustCompile(`(?s)<section class="notice-missing".*?</section>`)
	fixed := []string{"730 Tage nach der letzten Antwort", "365 Tage nach der letzten Antwort", "<td>8</td>", "Art. 15 DSGVO", "Art. 16 DSGVO",
		"Art. 17 DSGVO", "Art. 18 DSGVO", "Art. 21 DSGVO", "Art. 77 DSGVO", `href="/delete"`, "IP-Adresse", "Rückkehrcode – ebenfalls nur als solche Prüfsumme"}

	p := c.get("/privacy")
	expect(t, p, http.StatusOK, append(fixed, "Der Betreiber dieser Befragung hat die folgenden Pflichtangaben noch nicht gemacht")...)
	block := missingList.FindString(p.Body)
	for _, l := range labels {
		if !strings.Contains(block, "<li>"+l+"</li>") {
			t.Errorf("with no details given, the missing list lacks %q: %s", l, block)
		}
	}
	if strings.Contains(p.Body, `id="op-`) {
		t.Errorf("a detail is shown though none was given: %s", excerpt(p.Body))
	}

	// Some given: those are shown, the rest listed as missing.
	e.setOperator(app.OperatorFile{ControllerName: fullOperator.ControllerName, ContactEmail: fullOperator.ContactEmail, LegalBasis: db.LegalBasisConsent})
	p = c.get("/privacy")
	expect(t, p, http.StatusOK, fullOperator.ControllerName, "zertifikat@hs-beispiel.example", "Ihre Einwilligung (Art. 6 Abs. 1 lit. a DSGVO)",
		"Art. 7 Abs. 3 DSGVO", "Art. 20 DSGVO")
	block = missingList.FindString(p.Body)
	for i, l := range labels {
		given := i == 0 || i == 2 || i == 5
		if strings.Contains(block, "<li>"+l+"</li>") == given {
			t.Errorf("%q: listed as missing %t, want %t", l, !given, !given)
		}
	}

	// All given: no missing list, every detail shown.
	e.setOperator(fullOperator)
	p = c.get("/privacy")
	expect(t, p, http.StatusOK, append(fixed, "Hochschulstraße 1\n12345 Beispielstadt", fullOperator.DPOContact, "Evaluation des Zertifikats „KI-Kompetenz“",
		"Art. 6 Abs. 1 lit. e, Abs. 3 DSGVO", fullOperator.LegalBasisLaw, fullOperator.Recipients, fullOperator.Hosting)...)
	if missingList.MatchString(p.Body) {
		t.Errorf("a missing list though every detail is given: %s", missingList.FindString(p.Body))
	}
	expect(t, c.get("/privacy?lang=en"), http.StatusOK, "Controller", "Art. 15 GDPR", "Complaint to a data protection supervisory authority", fullOperator.Hosting)
}

// TestConsentPageShowsTheCohortsTerms: the consent page carries the notice
// with its own cohort's retention period and threshold only.
func TestConsentPageShowsTheCohortsTerms(t *testing.T) {
	e := newEnv(t)
	ws := e.cohort("ws26", db.Pre)
	if err := e.store.UpdateCohortSettings(ws.ID, 400, 6); err != nil {
		t.Fatal(err)
	}
	e.cohort("ss27", db.Pre)
	e.setOperator(fullOperator)
	p := e.client().get("/c/ws26")
	expect(t, p, http.StatusOK, "400 Tage nach der letzten Antwort", "<td>6</td>", fullOperator.ControllerName, "Art. 17 DSGVO")
	if strings.Contains(p.Body, "730 Tage") {
		t.Error("the consent page shows another cohort's retention period")
	}
	// Under a public task the box is no consent to the processing.
	expect(t, p, http.StatusOK, "Ich habe die Hinweise gelesen und möchte freiwillig teilnehmen.")
	if strings.Contains(strings.ToLower(p.Body), "einverstanden") {
		t.Error("under a public task the consent page still asks for consent to the storage")
	}
	withConsent := fullOperator
	withConsent.LegalBasis, withConsent.LegalBasisLaw = db.LegalBasisConsent, ""
	e.setOperator(withConsent)
	expect(t, e.client().get("/c/ws26"), http.StatusOK, "bin mit der Speicherung meiner Antworten wie beschrieben einverstanden")
}

var consentShown = regexp.MustCompile(`name="version" value="([^"]+)"`)

// TestConsentVersionFollowsTheText: the version stored with a response is
// the one of the text shown; changing the operator's details changes it
// for the next new response and leaves stored ones alone; a consent sent
// from a page shown before the change is asked again.
func TestConsentVersionFollowsTheText(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	e.setOperator(fullOperator)
	shown := func() string {
		m := consentShown.FindStringSubmatch(e.client().get("/c/ws26").Body)
		if m == nil {
			t.Fatal("the consent page shows no version")
		}
		return html.UnescapeString(m[1])
	}
	stored := func() []string {
		rows, err := e.sql.Query("SELECT consent_version FROM responses ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}
	first := shown()
	if !strings.HasPrefix(first, app.ConsentTemplateVersion+"+") || len(first) > 40 {
		t.Fatalf("version %q: want %s+hash, at most 40 characters", first, app.ConsentTemplateVersion)
	}
	e.client().startPre("ws26", code("M", "K", "7", "H", "1", "A"))

	stale := e.client()
	expect(t, stale.get("/c/ws26"), http.StatusOK)
	changed := fullOperator
	changed.Hosting = "Externer Dienstleister, Server in Frankfurt am Main"
	e.setOperator(changed)
	second := shown()
	if second == first {
		t.Fatalf("the version stayed %q after the hosting changed", first)
	}
	e.client().startPre("ws26", code("B", "S", "23", "L", "0", "R"))
	if got := stored(); len(got) != 2 || got[0] != first || got[1] != second {
		t.Errorf("stored versions %q, want [%q %q]", got, first, second)
	}
	expect(t, stale.post("/c/ws26/consent", url.Values{"agree": {"yes"}, "version": {first}}), http.StatusUnprocessableEntity,
		"Die Hinweise wurden geändert")
	ws, err := e.store.CohortBySlug("ws26")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.UpdateCohortSettings(ws.ID, 100, 5); err != nil {
		t.Fatal(err)
	}
	if shown() == second {
		t.Error("the version stayed the same after the cohort's retention changed")
	}
}

// TestOperatorPageSavesForAdminsOnly: an administrator saves the details
// on the admin page (normalised, audited with the fields that changed); a
// refused detail stores nothing and says why in German; a lead may not save.
func TestOperatorPageSavesForAdminsOnly(t *testing.T) {
	e := newEnv(t)
	cohort := e.cohort("ws26", "")
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)
	e.account("lead@example.org", db.RoleLead, leadPassword, false, cohort.ID)
	admin := e.signIn(t, "admin@example.org", adminPassword)
	expect(t, admin.get("/admin/operator"), http.StatusOK, "Betreiber und Datenschutz", `name="controller_name"`, `value="public_task"`)

	form := url.Values{}
	for k, v := range map[string]string{"controller_name": "Hochschule\x00 Beispielstadt\t", "controller_address": "Straße 1\r\n12345 Ort",
		"contact_email": " Kontakt@HS.example ", "dpo_contact": "dsb@hs.example", "purpose": "Evaluation", "legal_basis": "consent",
		"recipients": "keine", "hosting": "eigenes Rechenzentrum"} {
		form.Set(k, v)
	}
	expectRedirect(t, admin.post("/admin/operator", form), "/admin/operator?saved=1")
	o, err := e.store.Operator()
	if err != nil {
		t.Fatal(err)
	}
	if o.ControllerName != "Hochschule Beispielstadt" || o.ControllerAddress != "Straße 1\n12345 Ort" || o.ContactEmail != "kontakt@hs.example" || o.LegalBasis != db.LegalBasisConsent {
		t.Errorf("stored %+v", o)
	}
	entries := audited(t, e, db.AuditOperatorUpdate)
	if len(entries) != 1 || entries[0].Actor != "admin@example.org" || !strings.Contains(entries[0].Detail, "controller_name,controller_address") {
		t.Errorf("audit entries %+v, want one by the admin naming the fields", entries)
	}
	expect(t, admin.get("/admin/audit"), http.StatusOK, "hat die Betreiber- und Datenschutzangaben geändert")

	bad := url.Values{"controller_name": {"Andere Hochschule"}, "contact_email": {"keine adresse"}, "legal_basis": {"legitimate_interest"}}
	expect(t, admin.post("/admin/operator", bad), http.StatusUnprocessableEntity, "keine gültige E-Mail-Adresse", "unbekannt; erlaubt sind consent")
	if o2, _ := e.store.Operator(); o2.ControllerName != "Hochschule Beispielstadt" {
		t.Errorf("a refused form changed the details: %+v", o2)
	}

	lead := e.signIn(t, "lead@example.org", leadPassword)
	if p := lead.post("/admin/operator", url.Values{"controller_name": {"Lead"}}); allowed(p) {
		t.Errorf("a lead saved the operator's details: %d", p.Status)
	}
	if o3, _ := e.store.Operator(); o3.ControllerName != "Hochschule Beispielstadt" {
		t.Errorf("the lead's form changed the details: %+v", o3)
	}
}

// TestLeadsAreaWarnsWhileDetailsAreMissing: every page of the leads' area
// warns while required details are missing, and stops once all are given.
func TestLeadsAreaWarnsWhileDetailsAreMissing(t *testing.T) {
	e := newEnv(t)
	cohort := e.cohort("ws26", "")
	e.account("lead@example.org", db.RoleLead, leadPassword, false, cohort.ID)
	lead := e.signIn(t, "lead@example.org", leadPassword)
	const warning = `id="operator-warning"`
	expect(t, lead.get("/admin/cohorts"), http.StatusOK, warning, "Der Datenschutzhinweis ist unvollständig")
	partial := fullOperator
	partial.DPOContact = ""
	e.setOperator(partial)
	expect(t, lead.get("/admin/cohorts"), http.StatusOK, warning)
	e.setOperator(fullOperator)
	if p := lead.get("/admin/cohorts"); strings.Contains(p.Body, warning) {
		t.Error("the warning stays though every detail is given")
	}
	if p := e.client().get("/"); strings.Contains(p.Body, warning) {
		t.Error("participants see the leads' warning")
	}
}

// TestRecordOfProcessingListsRetentionAndEscapes: the record page and its
// HTML and Markdown files name each cohort's retention period and show a
// hostile operator text as text.
func TestRecordOfProcessingListsRetentionAndEscapes(t *testing.T) {
	e := newEnv(t)
	ws := e.cohort("ws26", "")
	if err := e.store.UpdateCohortSettings(ws.ID, 365, 7); err != nil {
		t.Fatal(err)
	}
	ss := e.cohort("ss27", "")
	if err := e.store.UpdateCohortSettings(ss.ID, 0, 5); err != nil {
		t.Fatal(err)
	}
	hostile := fullOperator
	hostile.ControllerName = "<script>alert(1)</script> *fett* _kursiv_ [Link](http://evil.example)"
	hostile.Purpose = "1. Punkt\n# Überschrift"
	e.setOperator(hostile)
	e.account("admin@example.org", db.RoleAdmin, adminPassword, false)
	admin := e.signIn(t, "admin@example.org", adminPassword)

	common := []string{"365 Tage nach der letzten Antwort", "keine feste Frist", "Mindestgruppe 7 Personen", "Teilnehmende 12 Stunden", "secure_delete", "HMAC", "CSRF"}
	for _, path := range []string{"/admin/operator/record", "/admin/operator/record.html"} {
		p := admin.get(path)
		expect(t, p, http.StatusOK, append(common, "&lt;script&gt;alert(1)&lt;/script&gt;")...)
		if strings.Contains(p.Body, "<script>alert") {
			t.Errorf("%s: the operator's <script> is markup", path)
		}
	}
	// The HTML file prints like the page anywhere: its style inline, no
	// script and nothing loaded from the server.
	if p := admin.get("/admin/operator/record.html"); !strings.Contains(p.Body, ".chart-title {") || strings.Contains(p.Body, "<script") || strings.Contains(p.Body, `"/static`) {
		t.Errorf("record.html is not a self-contained, script-free file")
	}
	for _, f := range []string{"record.html", "record.md"} {
		resp, _ := admin.full(httptest.NewRequest(http.MethodGet, "/admin/operator/"+f, nil))
		if got := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(got, "attachment") || !strings.Contains(got, strings.TrimPrefix(f, "record")) {
			t.Errorf("%s: Content-Disposition %q", f, got)
		}
		if want := map[string]string{"record.html": "text/html", "record.md": "text/markdown"}[f]; !strings.HasPrefix(resp.Header.Get("Content-Type"), want) {
			t.Errorf("%s: Content-Type %q, want %s", f, resp.Header.Get("Content-Type"), want)
		}
	}
	md := admin.get("/admin/operator/record.md")
	expect(t, md, http.StatusOK, append(strings.Split(strings.ReplaceAll(strings.Join(common, "|"), "_", `\_`), "|"), `\<script\>alert\(1\)\</script\> \*fett\* \_kursiv\_ \[Link\]\(http://evil.example\)`, `1\. Punkt`, `\# Überschrift`)...)
	for _, raw := range []string{"<script>", "*fett*", "_kursiv_", "[Link]"} {
		if strings.Contains(md.Body, raw) {
			t.Errorf("record.md holds %q unescaped", raw)
		}
	}
}
