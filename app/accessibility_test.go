package app_test

import (
	"strings"
	"testing"
)

// TestAccessibilityStatement checks the statement page in both languages,
// the link to it in every page's footer, and that axe-core, which the
// browser tests inject, is not served.
func TestAccessibilityStatement(t *testing.T) {
	e := newEnv(t)
	c := e.client()

	de := c.get("/accessibility")
	expect(t, de, 200, `<html lang="de">`, "<h1>Erklärung zur Barrierefreiheit</h1>",
		"Stand der Vereinbarkeit mit den Anforderungen", "teilweise vereinbar", "axe-core (Version 4.14.1)",
		"360 × 800", "1280 × 900", "nur mit der Tastatur", "Bekannte Einschränkungen", "Canvas", "PDF-Dokumente werden nicht angeboten",
		"Screenreadern", "25. November 2026", "Programmleitung (Kontaktangabe durch den Betreiber ergänzen)",
		"Schlichtungsverfahren", "§ 16 BGG", `href="https://www.schlichtungsstelle-bgg.de"`, `href="/accessibility?lang=en"`)
	en := c.get("/accessibility?lang=en")
	expect(t, en, 200, `<html lang="en">`, "<h1>Accessibility statement</h1>", "Compliance status", "partially compliant",
		"Known limitations", "Conciliation procedure")

	for _, path := range []string{"/", "/privacy", "/admin/login"} {
		p := e.client().get(path)
		if p.Status != 200 || !strings.Contains(p.Body, `<a href="/accessibility">Erklärung zur Barrierefreiheit</a>`) {
			t.Errorf("GET %s: status %d, no link to the accessibility statement in the footer", path, p.Status)
		}
	}
	for _, path := range []string{"/static/axe.min.js", "/static/vendor/axe.min.js", "/testdata/axe/axe.min.js", "/static/../testdata/axe/axe.min.js"} {
		if p := e.client().get(path); p.Status != 404 || strings.Contains(p.Body, "Deque") {
			t.Errorf("GET %s: status %d; axe-core must not be served", path, p.Status)
		}
	}
}
