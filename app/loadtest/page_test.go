package loadtest

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"unicode/utf8"
)

// A page with every kind of control a form can hold; the tool must answer
// each without knowing the page.
const everyControl = `<!doctype html>
<html><head><title>Test</title></head><body>
<form method="get" action="/c"><input name="code" required></form>
<h1>Seite <em>3</em> von 5</h1>
<form method="POST" action="/survey/3" class="survey">
  <input type="hidden" name="_csrf" value="tok&amp;en">
  <input type="hidden" name="_rev" value="7">
  <input type="hidden" name="_csrf" value="a second one is sent too">
  <fieldset><legend>Scale</legend>
    <input type="radio" name="r_a" value="1"><input type="radio" name="r_a" value="2" checked>
    <input type="radio" name="r_a" value="na">
  </fieldset>
  <input type="radio" name="only_na" value="na">
  <input type="checkbox" name="agree" value="yes" required>
  <input type="checkbox" name="news">
  <select name="country" required>
    <option value="">Bitte wählen</option>
    <option value="de">Deutschland</option>
    <option disabled value="xx">Nirgendwo</option>
    <option>Österreich</option>
  </select>
  <select name="off" disabled><option value="1">1</option></select>
  <textarea name="x_wish" maxlength="12" rows="4">old text</textarea>
  <input name="plain">
  <input type="text" name="digits" inputmode="numeric" pattern="[0-9]*" maxlength="2" required>
  <input type="email" name="mail">
  <input type="number" name="age" min="18" max="20">
  <input type="text" name="gone" disabled>
  <input type="text" value="no name">
  <input type="submit" name="go" value="los">
  <button type="submit" name="nav" value="next">Weiter</button>
  <button name="nav" value="back">Zurück</button>
  <button type="button" name="ignored" value="x">x</button>
</form>
<form method="post" action="/resume"><input type="hidden" name="_csrf" value="other"></form>
</body></html>`

func TestParsePageFindsEveryControl(t *testing.T) {
	forms := parseForms([]byte(everyControl))
	if len(forms) != 3 {
		t.Fatalf("%d forms, want 3", len(forms))
	}
	f := postForm(forms)
	if f != forms[1] || f.action != "/survey/3" || f.method != "post" {
		t.Fatalf("post form: %+v", f)
	}
	if got := f.hidden["_csrf"]; !slices.Equal(got, []string{"tok&en", "a second one is sent too"}) || f.hidden.Get("_rev") != "7" {
		t.Errorf("hidden fields: %v", f.hidden)
	}
	var names []string
	for _, q := range f.questions {
		names = append(names, q.name)
	}
	if want := []string{"r_a", "only_na", "agree", "news", "country", "x_wish", "plain", "digits", "mail", "age"}; !slices.Equal(names, want) {
		t.Errorf("questions %v, want %v", names, want)
	}
	if !f.hasButton("nav", "next") || !f.hasButton("nav", "back") || !f.hasButton("go", "los") || f.hasButton("nav", "submit") || f.hasButton("ignored", "x") {
		t.Errorf("buttons: %v", f.buttons)
	}
	if s := summary([]byte(everyControl)); s != "Seite 3 von 5" {
		t.Errorf("summary %q, want the heading", s)
	}

	for seed := range uint64(50) {
		v := f.fill(rand.New(rand.NewPCG(seed, 1)))
		if !slices.Equal(v["_csrf"], f.hidden["_csrf"]) || v.Get("_rev") != "7" {
			t.Fatalf("hidden fields not sent: %v", v)
		}
		if a := v.Get("r_a"); a != "1" && a != "2" {
			t.Errorf("radio group: %q, want 1 or 2 (never na)", a)
		}
		if v.Get("only_na") != "na" || v.Get("agree") != "yes" {
			t.Errorf("a group whose only choice is na, a required checkbox: %v", v)
		}
		if n := v["news"]; len(n) > 1 || (len(n) == 1 && n[0] != "on") {
			t.Errorf("checkbox without a value: %q", n)
		}
		if c := v.Get("country"); c != "de" && c != "Österreich" {
			t.Errorf("select: %q, want an enabled option that is not the placeholder", c)
		}
		if x := v.Get("x_wish"); x == "" || utf8.RuneCountInString(x) > 12 {
			t.Errorf("text area: %q, want a text within maxlength 12", x)
		}
		if d := v.Get("digits"); len(d) == 0 || len(d) > 2 {
			t.Errorf("numeric field: %q", d)
		} else if _, err := strconv.Atoi(d); err != nil {
			t.Errorf("numeric field: %q", d)
		}
		if v.Get("plain") == "" || v.Get("mail") != "lasttest@example.org" {
			t.Errorf("text inputs: %v", v)
		}
		if n, err := strconv.Atoi(v.Get("age")); err != nil || n < 18 || n > 20 {
			t.Errorf("number field: %q", v.Get("age"))
		}
		for _, name := range []string{"off", "gone", "nav", "go", "ignored", "code"} {
			if v.Has(name) {
				t.Errorf("%s sent: %v", name, v)
			}
		}
	}
}

func TestSummaryOfAnErrorPage(t *testing.T) {
	for body, want := range map[string]string{
		`<h1>Fehler</h1><p class="error" role="alert">Zu viele <b>Versuche</b>.
		  Bitte warten.</p>`: "Zu viele Versuche. Bitte warten.",
		`<main><h1>Nicht gefunden</h1></main>`:                     "Nicht gefunden",
		`<div role="alert"><div>innen</div> außen</div><h1>x</h1>`: "innen außen",
		"Internal   Server\nError":                                 "Internal Server Error",
	} {
		if got := summary([]byte(body)); got != want {
			t.Errorf("summary(%q) = %q, want %q", body, got, want)
		}
	}
}
