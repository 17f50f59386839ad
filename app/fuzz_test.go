package app

// FuzzDecodePage sends arbitrary form bodies to the decoding and validation
// of every questionnaire page of the default instrument, in both waves. Run
// it with
//
//	go test ./app -run '^$' -fuzz '^FuzzDecodePage$' -fuzztime 60s
//
// Crashers are kept in testdata/fuzz/FuzzDecodePage/ and run with go test.

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/valyala/fasthttp"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/questions/clean"
)

func FuzzDecodePage(f *testing.F) {
	set, err := questions.Load()
	if err != nil {
		f.Fatal(err)
	}
	inst, err := set.Resolve(questions.DefaultID)
	if err != nil {
		f.Fatal(err)
	}
	pages := inst.Pages()

	// Seeds: for every page and wave, the page filled in, left empty, and
	// broken in the ways a forged request would break it.
	for i, pg := range pages {
		for _, post := range []bool{false, true} {
			filled := url.Values{"_csrf": {"token"}, "_rev": {"3"}, "nav": {"next"}}
			var first string // a field on the page
			switch pg.Kind {
			case questions.PageDimension:
				for j, it := range pg.Items {
					filled.Set(prefixRating+it.ID, strconv.Itoa(j%11))
					if post {
						filled.Set(prefixThen+it.ID, notAnswered)
					}
				}
				first = prefixRating + pg.Items[0].ID
			case questions.PageKnowledge:
				for j, k := range inst.Knowledge {
					filled.Set(prefixKnowledge+k.ID, strconv.FormatBool(j%2 == 0))
					filled.Set(prefixConfidence+k.ID, strconv.Itoa(50+10*(j%6)))
				}
				first = prefixConfidence + inst.Knowledge[0].ID
			case questions.PageBackground:
				for _, q := range inst.Background {
					if q.Type == questions.BackgroundChoice {
						filled.Set(prefixChoice+q.ID, q.Options[len(q.Options)-1].Value)
					} else {
						filled.Set(prefixText+q.ID, "Ich prüfe Quellen – <script>alert(1)</script>\r\n'; DROP TABLE answers; --")
						first = prefixText + q.ID
					}
				}
			}
			page := uint8(i)
			f.Add(page, post, filled.Encode())
			f.Add(page, post, "")
			f.Add(page, post, "_csrf=x&_rev=1&nav=back")
			for _, v := range []string{"na", "", "11", "-1", "+5", "05", " 5", "sieben", "true", "49", "101",
				"99999999999999999999", "\xff", "\x00", strings.Repeat("ä", clean.MaxText+1), "  \r\n  "} {
				broken := url.Values{}
				for k, vs := range filled {
					broken[k] = vs
				}
				broken.Set(first, v)
				f.Add(page, post, broken.Encode())
			}
			f.Add(page, post, filled.Encode()+"&"+url.QueryEscape(first)+"=1")
			f.Add(page, post, filled.Encode()+"&r_nosuchitem=5&t_und1=3")
			f.Add(page, post, filled.Encode()+"&%ff=1")
			f.Add(page, post, strings.Repeat("a=1&", maxFields+1))
			f.Add(page, post, strings.Repeat("nav=next&", maxFields))
			f.Add(page, post, url.QueryEscape(first)+"=%ZZ&=&&&=x")
		}
	}

	f.Fuzz(func(t *testing.T, pageIndex uint8, post bool, body string) {
		pg := pages[int(pageIndex)%len(pages)]
		// The fields as the handler reads them from the request.
		var args fasthttp.Args
		args.Parse(body)
		var fields [][2]string
		args.VisitAll(func(k, v []byte) { fields = append(fields, [2]string{string(k), string(v)}) })

		form, err := decodePage(inst, pg, post, fields)
		if err != nil {
			fe, ok := err.(*formError)
			if !ok || (fe.status != 400 && fe.status != 422) || messages["de"][fe.key] == "" {
				t.Fatalf("decodePage: %#v, want a *formError with 400 or 422 and a message", err)
			}
			if form != nil {
				t.Fatal("decodePage returned a form with an error")
			}
			return
		}
		checkPageForm(t, inst, pg, post, fields, form)
	})
}

// checkPageForm checks a decoded page against the page and what was sent.
func checkPageForm(t *testing.T, inst *questions.Instrument, pg questions.Page, post bool, fields [][2]string, form *pageForm) {
	t.Helper()
	// The page's items and the fields that may carry them.
	var items []string
	fieldItem := map[string]string{}
	switch pg.Kind {
	case questions.PageDimension:
		for _, it := range pg.Items {
			items = append(items, it.ID)
			fieldItem[prefixRating+it.ID] = it.ID
			if post {
				fieldItem[prefixThen+it.ID] = it.ID
			}
		}
	case questions.PageKnowledge:
		for _, k := range inst.Knowledge {
			items = append(items, k.ID)
			fieldItem[prefixKnowledge+k.ID] = k.ID
			fieldItem[prefixConfidence+k.ID] = k.ID
		}
	case questions.PageBackground:
		for _, q := range inst.Background {
			items = append(items, q.ID)
			if q.Type == questions.BackgroundChoice {
				fieldItem[prefixChoice+q.ID] = q.ID
			} else {
				fieldItem[prefixText+q.ID] = q.ID
			}
		}
	}
	if strings.Join(form.Items, ",") != strings.Join(items, ",") {
		t.Fatalf("form items %v, want the page's %v", form.Items, items)
	}
	sent := map[string]string{}
	for _, kv := range fields {
		if metaFields[kv[0]] {
			continue
		}
		if _, on := fieldItem[kv[0]]; !on {
			t.Fatalf("field %q is not on the page, yet the form was accepted", kv[0])
		}
		if _, dup := sent[kv[0]]; dup {
			t.Fatalf("field %q sent twice, yet the form was accepted", kv[0])
		}
		sent[kv[0]] = kv[1]
		if form.Values[kv[0]] != kv[1] {
			t.Fatalf("field %q: value %q kept as %q", kv[0], kv[1], form.Values[kv[0]])
		}
	}
	if len(form.Values) != len(sent) {
		t.Fatalf("%d values kept of %d fields", len(form.Values), len(sent))
	}
	problemItems := map[string]bool{}
	for name, key := range form.Problems {
		item, on := fieldItem[name]
		if !on {
			t.Fatalf("problem for field %q, which is not on the page", name)
		}
		if messages["de"][key] == "" {
			t.Fatalf("problem %q of %q has no message", key, name)
		}
		problemItems[item] = true
	}

	answered := map[string]bool{}
	for _, a := range form.Answers {
		key := a.Item + "/" + strconv.FormatBool(a.Retro)
		if answered[key] {
			t.Fatalf("%s answered twice", key)
		}
		answered[key] = true
		if problemItems[a.Item] {
			t.Fatalf("%s is answered and has a problem", a.Item)
		}
		if a.Retro && (!post || a.Kind != db.KindRating) {
			t.Fatalf("retrospective %s answer %s (post %v)", a.Kind, a.Item, post)
		}
		if a.Kind != db.KindKnowledge && a.Confidence != nil {
			t.Fatalf("%s answer %s with a confidence", a.Kind, a.Item)
		}
		switch a.Kind {
		case db.KindRating:
			if pg.Kind != questions.PageDimension || fieldItem[prefixRating+a.Item] != a.Item {
				t.Fatalf("rating of %s, not on this page", a.Item)
			}
			raw := sent[prefixRating+a.Item]
			if a.Retro {
				raw = sent[prefixThen+a.Item]
			}
			switch {
			case a.Value == nil:
				if raw != notAnswered {
					t.Fatalf("%q stored as no answer", raw)
				}
			default:
				n, err := strconv.Atoi(*a.Value)
				m, _ := strconv.Atoi(raw)
				if err != nil || strconv.Itoa(n) != *a.Value || n < inst.Scale.Min || n > inst.Scale.Max || n != m {
					t.Fatalf("rating %s: %q stored as %q", a.Item, raw, *a.Value)
				}
			}
		case db.KindKnowledge:
			if pg.Kind != questions.PageKnowledge || fieldItem[prefixKnowledge+a.Item] != a.Item {
				t.Fatalf("knowledge answer to %s, not on this page", a.Item)
			}
			if a.Value == nil || a.Confidence == nil || (*a.Value != "true" && *a.Value != "false") ||
				*a.Value != sent[prefixKnowledge+a.Item] ||
				*a.Confidence < questions.MinConfidence || *a.Confidence > questions.MaxConfidence {
				t.Fatalf("knowledge %s: %v at %v", a.Item, a.Value, a.Confidence)
			}
		case db.KindBackground:
			q, ok := inst.BackgroundQuestion(a.Item)
			if pg.Kind != questions.PageBackground || !ok || q.Type != questions.BackgroundChoice ||
				a.Value == nil || !q.HasOption(*a.Value) || *a.Value != sent[prefixChoice+a.Item] {
				t.Fatalf("choice %s: %v", a.Item, a.Value)
			}
		case db.KindText:
			q, ok := inst.BackgroundQuestion(a.Item)
			if pg.Kind != questions.PageBackground || !ok || q.Type != questions.BackgroundText || a.Value == nil {
				t.Fatalf("text answer to %s", a.Item)
			}
			v := *a.Value
			if v == "" || !utf8.ValidString(v) || utf8.RuneCountInString(v) > clean.MaxText || strings.TrimSpace(v) != v ||
				strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
				t.Fatalf("text %s stored as %q", a.Item, v)
			}
		default:
			t.Fatalf("answer %s of kind %q", a.Item, a.Kind)
		}
	}
	// Nothing sent is dropped silently: every field with a value is an
	// answer or a problem to fix.
	for name, v := range sent {
		item := fieldItem[name]
		if strings.HasPrefix(name, prefixText) {
			v = clean.Text(v) // what is left of it: control characters alone are nothing
		}
		retro := strings.HasPrefix(name, prefixThen)
		if v != "" && !answered[item+"/"+strconv.FormatBool(retro)] && !problemItems[item] {
			t.Fatalf("field %s = %q neither stored nor reported", name, v)
		}
	}
}
