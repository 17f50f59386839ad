package app_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"

	"einordnung/db"
)

var hrefs = regexp.MustCompile(`href="([^"]*)"`)

// TestLanguageSwitchStaysOnTheSite: the link to the page in the other
// language is built from the route, so a path like //evil.example/ (which
// a browser reads as another host) never becomes a link off the site.
func TestLanguageSwitchStaysOnTheSite(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	for path, want := range map[string]string{
		"//evil.example/":       "/?lang=en",
		"//evil.example/c/ws26": "/?lang=en",
		"/%2F%2Fevil.example/":  "/?lang=en",
		"/c/ws26":               "/c/ws26?lang=en",
		"/C/ws26":               "/c/ws26?lang=en",
		"/c/nicht-da":           "/c/nicht-da?lang=en",
		"/survey/%2F%2Fevil":    "/survey/%2F%2Fevil?lang=en",
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.RequestURI = path // the request line as sent, which httptest would read as a host
		p := e.client().do(req)
		found := false
		for _, m := range hrefs.FindAllStringSubmatch(p.Body, -1) {
			link, err := url.Parse(m[1])
			if err != nil || link.Host != "" || (link.Scheme != "" && link.Scheme != "https") {
				if m[1] != "https://www.schlichtungsstelle-bgg.de" {
					t.Errorf("GET %s (%d): the page links to %q, off the site", path, p.Status, m[1])
				}
			}
			if link != nil && link.Query().Get("lang") == "en" {
				found = true
				if m[1] != want {
					t.Errorf("GET %s (%d): the language switch is %q, want %q", path, p.Status, m[1], want)
				}
			}
		}
		if !found {
			t.Errorf("GET %s (%d): no language switch on the page: %s", path, p.Status, excerpt(p.Body))
		}
	}
}

// TestLanguagePreferenceBeyondTheProducts: a participant who chose a
// language only an instrument has keeps it as a preference. Pages without
// the instrument's texts are in English (the product has no Turkish), the
// built-in instrument's pages too, and nothing is served in a language the
// page lacks.
func TestLanguagePreferenceBeyondTheProducts(t *testing.T) {
	e := newEnv(t)
	e.cohort("ws26", db.Pre)
	c := e.client()
	expect(t, c.get("/?lang=tr"), http.StatusOK, `<html lang="en">`, `hreflang="de"`)
	p := c.get("/c/ws26")
	expect(t, p, http.StatusOK, `<html lang="en">`, e.inst.Description.In("en"))
	if regexp.MustCompile(`hreflang="(tr|en)"`).MatchString(p.Body) {
		t.Errorf("the consent page of a German and English instrument offers itself in Turkish or again in English: %s", excerpt(p.Body))
	}
	// An unknown code is no preference at all: German.
	expect(t, e.client().get("/?lang=zz-<b>"), http.StatusOK, `<html lang="de">`)
}
