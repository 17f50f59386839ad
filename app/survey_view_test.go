package app

import (
	"html/template"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
	"go.yaml.in/yaml/v3"

	"einordnung/questions"
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

// A scale that labels every point shows each label under its number; one
// that labels only its ends shows those under the row, at every item.
func TestScaleLabelsEveryPointOrItsEnds(t *testing.T) {
	web := fiber.New()
	c := web.AcquireCtx(&fasthttp.RequestCtx{})
	defer web.ReleaseCtx(c)
	b := pageBuilder{h: &handler{}, c: c, lang: "de", values: map[string]string{}}
	// Texts as an instrument file gives them, so the test does not depend
	// on how questions.Text keeps its languages.
	text := func(de string) questions.Text {
		var t questions.Text
		if err := yaml.Unmarshal([]byte("{de: \""+de+"\", en: \""+de+"\"}"), &t); err != nil {
			panic(err)
		}
		return t
	}
	labels := []questions.Text{text("nie"), text("selten"), text("manchmal"), text("oft"), text("immer")}
	every := b.scale("r_x", questions.Scale{Min: 1, Max: 5, Labels: labels})
	for i, l := range labels {
		if got := every.Options[i].Detail; got != l.In("de") {
			t.Errorf("point %d is labelled %q, want %q", i+1, got, l.In("de"))
		}
	}
	if html := string(every.Markup); !strings.Contains(html, "<span>3</span><small>manchmal</small>") {
		t.Errorf("the labels are not under the numbers: %s", html)
	}
	if len(every.Ends) != 1 || every.Ends[0] != "k. A. = keine Angabe" {
		t.Errorf("a scale labelled at every point has end labels %q, want only „k. A.“ explained", every.Ends)
	}
	ends := b.scale("r_y", questions.Scale{Min: 0, Max: 10, MinLabel: text("0 = gar nicht"), MaxLabel: text("10 = sehr")})
	if want := []string{"0 = gar nicht", "10 = sehr", "k. A. = keine Angabe"}; strings.Join(ends.Ends, "|") != strings.Join(want, "|") {
		t.Errorf("end labels %q, want %q", ends.Ends, want)
	}
	if len(ends.Options) != 12 || ends.Options[11].Value != notAnswered || ends.Options[0].Detail != "" {
		t.Errorf("options of the 0–10 scale: %+v", ends.Options)
	}
	if got := ends.Describe(); got != "r_y-ends" {
		t.Errorf("the group is described by %q, want its end labels", got)
	}
}
