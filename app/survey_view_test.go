package app

import (
	"html/template"
	"strings"
	"testing"
)

// The radio buttons are written in Go, not by html/template: every value in
// them must still come out escaped, in attributes and in text, and the
// markup must equal what the template wrote before.
func TestOptionsHTMLEscapesEveryValue(t *testing.T) {
	hostile := `"><script>alert('x')</script>&`
	esc := template.HTMLEscapeString(hostile)
	g := group{Name: "r_" + hostile, Options: []radio{
		{ID: "id-" + hostile, Value: "v" + hostile, Label: "„Stimme zu“ " + hostile, Checked: true},
		{ID: "plain", Value: "2", Label: "2"},
	}}
	for name, layout := range map[string]string{"scale": scaleLayout, "choice": choiceLayout} {
		got := string(g.optionsHTML(layout))
		if strings.Contains(got, "<script>") || strings.Contains(got, "'x'") || strings.Contains(got, "&<") {
			t.Errorf("%s: a value was not escaped:\n%s", name, got)
		}
		// for and id (2), name of both buttons (2), value, label.
		if n := strings.Count(got, esc); n != 6 {
			t.Errorf("%s: the hostile value appears escaped %d times, want 6:\n%s", name, n, got)
		}
		if strings.Count(got, " checked") != 1 {
			t.Errorf("%s: want exactly the first option checked:\n%s", name, got)
		}
	}

	scale := group{Name: "r_d1", Options: []radio{{ID: "r_d1-3", Value: "3", Label: "3"}}}
	if got, want := string(scale.optionsHTML(scaleLayout)),
		`<label for="r_d1-3" class="scale-option"><input type="radio" id="r_d1-3" name="r_d1" value="3"><span>3</span></label>`; got != want {
		t.Errorf("scale option:\n got %s\nwant %s", got, want)
	}
	choice := group{Name: "k_k1", Options: []radio{{ID: "k_k1-true", Value: "true", Label: "stimmt", Checked: true}}}
	if got, want := string(choice.optionsHTML(choiceLayout)),
		`<label for="k_k1-true"><input type="radio" id="k_k1-true" name="k_k1" value="true" checked> stimmt</label>`; got != want {
		t.Errorf("choice option:\n got %s\nwant %s", got, want)
	}
}
