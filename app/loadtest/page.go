package loadtest

import (
	"bytes"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// form is one <form> and every control in it.
type form struct {
	method string // lowercase; "get" when not given
	action string // as written; "" posts to the page itself
	target string // action resolved to a path on the server (see browser.form)
	hidden url.Values
	// questions are the controls a participant answers, in page order; a
	// radio group is one question.
	questions []*question
	buttons   [][2]string // name and value of every named submit button
}

// Kinds of question.
const (
	radioGroup = iota
	checkbox
	choiceList // <select>
	textField  // <textarea> and text-like <input>
	numberField
)

// question is one thing to answer: a radio group, a checkbox, a select, a
// text area or an input field.
type question struct {
	kind     int
	name     string
	values   []string // radio group: its buttons' values; select: its options'; checkbox: its value
	required bool
	maxLen   int  // maxlength of a text field, 0 if none
	numeric  bool // a text field that takes digits (inputmode, pattern)
	min, max int  // range of a number field
}

// notAnswered is the value of the app's "keine Angabe" choice in every
// rating scale: simulated participants answer every question, so a group
// leaves it out unless it has no other choice.
const notAnswered = "na"

// attrs are the attributes of a control the load tool looks at. The byte
// slices are valid until the tokenizer's next token.
type attrs struct {
	typ, method, action string
	name, value         []byte
	hasValue, hasMax    bool
	maxLen, min, max    int
	numeric             bool // inputmode="numeric" or a pattern of digits
	required, disabled  bool
}

// readAttrs reads the attributes of the current tag. (The tokenizer drops
// a repeated attribute, so the first counts, as in a browser.)
func readAttrs(z *html.Tokenizer, hasAttr bool) attrs {
	var a attrs
	for hasAttr {
		var k, v []byte
		k, v, hasAttr = z.TagAttr()
		switch string(k) {
		case "type":
			a.typ = lowerName(v)
		case "name":
			a.name = v
		case "value":
			a.value, a.hasValue = v, true
		case "method":
			a.method = lowerName(v)
		case "action":
			a.action = string(v)
		case "maxlength":
			a.maxLen = atoi(v)
		case "inputmode":
			a.numeric = a.numeric || string(v) == "numeric"
		case "pattern":
			a.numeric = a.numeric || string(v) == "[0-9]*" || string(v) == `\d*`
		case "min":
			a.min = atoi(v)
		case "max":
			a.max, a.hasMax = atoi(v), true
		case "required":
			a.required = true
		case "disabled":
			a.disabled = true
		}
	}
	return a
}

// lowerName is an attribute value in lower case, without allocating for
// the values forms use.
func lowerName(v []byte) string {
	switch string(v) {
	case "hidden":
		return "hidden"
	case "radio":
		return "radio"
	case "checkbox":
		return "checkbox"
	case "text":
		return "text"
	case "submit":
		return "submit"
	case "post":
		return "post"
	case "get":
		return "get"
	}
	return strings.ToLower(string(v))
}

func atoi(v []byte) int {
	n, _ := strconv.Atoi(strings.TrimSpace(string(v)))
	return n
}

// parseForms reads the forms of a page and every control in them. It uses
// the HTML tokenizer, far cheaper than building the whole tree, and reads
// the attributes of controls only: the tool reads every page the server
// renders, on the same machine.
func parseForms(body []byte) []*form {
	var (
		forms  []*form
		f      *form
		groups map[string]*question // the radio groups of f, by name
		sel    *question            // the open <select>
		option *strings.Builder     // text of the open <option> without a value
	)
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return forms
		case html.TextToken:
			if option != nil {
				option.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "form":
				a := readAttrs(z, hasAttr)
				f = &form{method: a.method, action: a.action, hidden: url.Values{}}
				if f.method == "" {
					f.method = "get"
				}
				groups = map[string]*question{}
				forms = append(forms, f)
			case "input":
				if f != nil {
					f.input(readAttrs(z, hasAttr), groups)
				}
			case "button":
				if a := readAttrs(z, hasAttr); f != nil && len(a.name) > 0 && (a.typ == "" || a.typ == "submit") {
					f.buttons = append(f.buttons, [2]string{string(a.name), string(a.value)})
				}
			case "select":
				if a := readAttrs(z, hasAttr); f != nil && usable(a) {
					sel = &question{kind: choiceList, name: string(a.name), required: a.required}
					f.questions = append(f.questions, sel)
				}
			case "option":
				a := readAttrs(z, hasAttr)
				option = nil
				switch {
				case sel == nil || a.disabled:
				case !a.hasValue:
					option = &strings.Builder{}
				case len(a.value) > 0: // an empty value is a placeholder ("Bitte wählen")
					sel.values = append(sel.values, string(a.value))
				}
			case "textarea":
				if a := readAttrs(z, hasAttr); f != nil && usable(a) {
					f.questions = append(f.questions, &question{kind: textField, name: string(a.name), required: a.required, maxLen: a.maxLen})
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "form":
				f, groups, sel = nil, nil, nil
			case "option", "select":
				if option != nil {
					if v := strings.TrimSpace(option.String()); v != "" {
						sel.values = append(sel.values, v)
					}
					option = nil
				}
				if string(name) == "select" {
					sel = nil
				}
			}
		}
	}
}

// input adds an <input> to the form: a hidden value, a submit button, or a
// question.
func (f *form) input(a attrs, groups map[string]*question) {
	switch a.typ {
	case "hidden":
		if len(a.name) > 0 {
			f.hidden.Add(string(a.name), string(a.value))
		}
		return
	case "submit", "image":
		if len(a.name) > 0 {
			f.buttons = append(f.buttons, [2]string{string(a.name), string(a.value)})
		}
		return
	case "button", "reset", "file":
		return
	}
	if !usable(a) {
		return
	}
	value := "on" // what a browser sends for a radio button or checkbox without a value
	if a.hasValue {
		value = string(a.value)
	}
	switch a.typ {
	case "radio":
		g := groups[string(a.name)]
		if g == nil {
			g = &question{kind: radioGroup, name: string(a.name)}
			groups[g.name] = g
			f.questions = append(f.questions, g)
		}
		g.values = append(g.values, value)
		g.required = g.required || a.required
	case "checkbox":
		f.questions = append(f.questions, &question{kind: checkbox, name: string(a.name), values: []string{value}, required: a.required})
	case "number", "range":
		hi := a.max
		if !a.hasMax || hi < a.min {
			hi = a.min + 100
		}
		f.questions = append(f.questions, &question{kind: numberField, name: string(a.name), required: a.required, min: a.min, max: hi})
	default: // text, search, email, tel, url, password, and types a browser shows as text
		q := &question{kind: textField, name: string(a.name), required: a.required, maxLen: a.maxLen, numeric: a.numeric}
		switch a.typ {
		case "email":
			q.values = []string{"lasttest@example.org"}
		case "url":
			q.values = []string{"https://example.org/lasttest"}
		}
		f.questions = append(f.questions, q)
	}
}

// usable reports whether a control takes part in the form: it has a name
// and is not disabled.
func usable(a attrs) bool { return len(a.name) > 0 && !a.disabled }

// postForm returns the first form that posts, or nil.
func postForm(forms []*form) *form {
	for _, f := range forms {
		if f.method == "post" {
			return f
		}
	}
	return nil
}

// hiddenValues returns a copy of the form's hidden fields.
func (f *form) hiddenValues() url.Values {
	v := make(url.Values, len(f.hidden)+len(f.questions)+1)
	for name, values := range f.hidden {
		v[name] = append([]string(nil), values...)
	}
	return v
}

// hasButton reports whether the form has a submit button name=value.
func (f *form) hasButton(name, value string) bool {
	for _, b := range f.buttons {
		if b[0] == name && b[1] == value {
			return true
		}
	}
	return false
}

// fill answers every question of the form as a participant would, and
// returns the values to send with the hidden fields: a random choice in
// every radio group (leaving out "keine Angabe") and in every select, a
// sentence in every text field, a number in range in every number field,
// every required checkbox ticked and the others at random.
func (f *form) fill(rng *rand.Rand) url.Values {
	v := f.hiddenValues()
	for _, q := range f.questions {
		switch q.kind {
		case radioGroup:
			v.Set(q.name, pick(q.values, rng))
		case choiceList:
			if len(q.values) > 0 {
				v.Set(q.name, q.values[rng.IntN(len(q.values))])
			}
		case checkbox:
			if q.required || rng.IntN(2) == 0 {
				v.Add(q.name, q.values[0])
			}
		case numberField:
			v.Set(q.name, strconv.Itoa(q.min+rng.IntN(q.max-q.min+1)))
		case textField:
			v.Set(q.name, q.text(rng))
		}
	}
	return v
}

// pick returns one of a radio group's values at random, leaving out
// notAnswered unless it is the only one.
func pick(values []string, rng *rand.Rand) string {
	n := len(values)
	for _, v := range values {
		if v == notAnswered {
			n--
		}
	}
	if n == 0 {
		return values[rng.IntN(len(values))]
	}
	k := rng.IntN(n)
	for _, v := range values {
		if v == notAnswered {
			continue
		}
		if k == 0 {
			return v
		}
		k--
	}
	return "" // not reached
}

// text is an answer for a text field within its limits.
func (q *question) text(rng *rand.Rand) string {
	if len(q.values) > 0 {
		return q.values[0]
	}
	var s string
	if q.numeric {
		s = strconv.Itoa(rng.IntN(1000))
	} else {
		s = "Lasttest: eine kurze Antwort Nr. " + strconv.Itoa(rng.IntN(1000))
	}
	if q.maxLen > 0 && utf8.RuneCountInString(s) > q.maxLen {
		s = string([]rune(s)[:q.maxLen])
	}
	return s
}

// summary is the message of an error page (the text of its first element
// with role="alert"), or its heading (h1), or the start of a body.
func summary(body []byte) string {
	var alert, heading string
	var (
		text  *strings.Builder // the text being captured
		tag   string           // of the element it is in
		depth int              // elements of tag's name open inside it
		into  *string
	)
	z := html.NewTokenizer(bytes.NewReader(body))
	for alert == "" {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		switch tt {
		case html.TextToken:
			if text != nil && text.Len() < 300 {
				text.Write(z.Text())
			}
		case html.StartTagToken:
			name, hasAttr := z.TagName()
			if text != nil {
				if string(name) == tag {
					depth++
				}
				continue
			}
			switch {
			case isAlert(z, hasAttr):
				text, tag, depth, into = &strings.Builder{}, string(name), 0, &alert
			case string(name) == "h1" && heading == "":
				text, tag, depth, into = &strings.Builder{}, "h1", 0, &heading
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); text != nil && string(name) == tag {
				if depth > 0 {
					depth--
					continue
				}
				*into = strings.Join(strings.Fields(text.String()), " ")
				text = nil
			}
		}
	}
	if alert != "" {
		return alert
	}
	if heading != "" {
		return heading
	}
	s := strings.Join(strings.Fields(string(body[:min(len(body), 4096)])), " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// isAlert reports whether the current tag has role="alert".
func isAlert(z *html.Tokenizer, hasAttr bool) bool {
	for hasAttr {
		var k, v []byte
		k, v, hasAttr = z.TagAttr()
		if string(k) == "role" {
			return string(v) == "alert"
		}
	}
	return false
}
