package questions

// Fuzz tests of what participants and program leads type or upload: the
// self-generated code, its matcher, the return code and the instrument
// loader. Each checks properties that must hold for every input, not only
// that nothing panics. Run one at a time, e.g.
//
//	go test ./questions -run '^$' -fuzz '^FuzzNormalizeCode$' -fuzztime 60s
//
// Crashers are kept in testdata/fuzz/<FuzzName>/ and run with go test.

import (
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var fuzzKey = []byte("0123456789abcdef0123456789abcdef")

func FuzzNormalizeCode(f *testing.F) {
	seeds := [][CodeLen]string{
		validRawCode,
		{"ä", "ß", "07", "É", "03", "ö"},
		{"Ä", "ẞ", " 31 ", "e\u0301", "30", "\tg\n"},
		{"ae", "x", "1", "Zürich", "0", "Jörg"},
		{"", " ", "0", "-", "31", "1"},
		{"\u0301", "\u0301a", "+7", "-0", "-3", "0007"},
		{"ı", "ſ", "٣", "Ǆ", "३", "ǅ"}, // dotless i, long s, Arabic/Devanagari digits, digraphs
		{"\xff", "a\xffb", "9\x00", "\u200b", "\u00a0B", "İ"},
		{"<script>", "'; DROP TABLE answers; --", "1e1", "0x1", "1_0", "日本"},
		{"ﬀ", "Ⅻ", "²", "ℌ", "𝔄", "Ω"}, // ligature, Roman numeral, superscript, letterlike symbols
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5])
	}
	f.Fuzz(func(t *testing.T, a0, a1, a2, a3, a4, a5 string) {
		raw := [CodeLen]string{a0, a1, a2, a3, a4, a5}
		code, invalid := NormalizeCode(raw)
		if !slices.IsSorted(invalid) || len(slices.Compact(slices.Clone(invalid))) != len(invalid) {
			t.Fatalf("invalid %v is not a sorted set of indexes", invalid)
		}
		for i, el := range CodeElements {
			v := code[i]
			if slices.Contains(invalid, i) {
				if v != "" {
					t.Fatalf("element %s %q is invalid but normalised to %q", el.ID, raw[i], v)
				}
				continue
			}
			if el.Number {
				n, err := strconv.Atoi(v)
				if err != nil || strconv.Itoa(n) != v || n < 0 || n > el.Max || (el.ID == "birthday" && n == 0) {
					t.Fatalf("number element %s %q normalised to %q: not a canonical number in range", el.ID, raw[i], v)
				}
			} else {
				r, size := utf8.DecodeRuneInString(v)
				if size != len(v) || r == utf8.RuneError || !unicode.IsLetter(r) || unicode.ToUpper(r) != r {
					t.Fatalf("letter element %s %q normalised to %q: not one upper-case letter", el.ID, raw[i], v)
				}
			}
		}
		// Idempotent: the normalised code is its own normal form.
		again, invalid2 := NormalizeCode([CodeLen]string(code))
		for i := range code {
			if slices.Contains(invalid, i) {
				continue
			}
			if slices.Contains(invalid2, i) || again[i] != code[i] {
				t.Fatalf("element %s: %q → %q → %q (invalid %v): normalising is not idempotent",
					CodeElements[i].ID, raw[i], code[i], again[i], invalid2)
			}
		}
		// Hashes: deterministic, hex, element by element, scoped.
		h := code.Hash(fuzzKey, "ws26")
		if h != code.Hash(fuzzKey, "ws26") || h.Differences(h) != 0 {
			t.Fatal("Hash is not deterministic")
		}
		for i, x := range h {
			if b, err := hex.DecodeString(x); err != nil || len(b) != 16 {
				t.Fatalf("hash element %d %q is not 16 hex bytes", i, x)
			}
		}
		if other := code.Hash(fuzzKey, "ss27"); h.Differences(other) != CodeLen {
			t.Fatalf("the same code hashes alike in two cohorts: %d differences", h.Differences(other))
		}
		one := code
		one[0] += "x"
		if d := h.Differences(one.Hash(fuzzKey, "ws26")); d != 1 {
			t.Fatalf("changing one element changed %d hashes", d)
		}
	})
}

func FuzzDecideMatch(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0})
	f.Add([]byte{1})
	f.Add([]byte{6, 5, 2, 0})
	f.Add([]byte{0, 1})
	f.Add([]byte{1, 1})
	f.Add([]byte{6, 6, 6, 1, 6})
	f.Add([]byte{2, 2, 3, 4, 5, 6})
	f.Fuzz(func(t *testing.T, raw []byte) {
		differences := make([]int, len(raw))
		for i, b := range raw {
			differences[i] = int(b) % (CodeLen + 1)
		}
		within, exact := 0, 0
		for _, d := range differences {
			if d <= MatchTolerance {
				within++
			}
			if d == 0 {
				exact++
			}
		}
		// A single exact candidate decides; without one, the candidates
		// within the tolerance do.
		fit := within
		if exact > 0 {
			fit = exact
		}
		index, m := DecideMatch(differences)
		switch m {
		case NoMatch, Ambiguous:
			if index != -1 {
				t.Fatalf("%v: %v with index %d", differences, m, index)
			}
			if (m == NoMatch) != (fit == 0) || (m == Ambiguous) != (fit >= 2) {
				t.Fatalf("%v: %v, but %d exact and %d candidates within the tolerance", differences, m, exact, within)
			}
		case Exact, Tolerant:
			if fit != 1 || index < 0 || index >= len(differences) || differences[index] > MatchTolerance {
				t.Fatalf("%v: %v at %d, %d exact and %d candidates within the tolerance", differences, m, index, exact, within)
			}
			if (m == Exact) != (differences[index] == 0) {
				t.Fatalf("%v: %v at %d with %d differences", differences, m, index, differences[index])
			}
		default:
			t.Fatalf("%v: unknown outcome %d", differences, m)
		}
	})
}

func FuzzReturnCode(f *testing.F) {
	for _, s := range []string{
		"7K3M-9QXA-ABCD-EFGH", "7k3m9qxaabcdefgh", "7K3M 9QXA\tABCD-EFGH", "OIL0-1111-2222-3333",
		"0000-0000-0000-0000", "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "7K3M-9QXA-ABCD-EFG", "7K3M-9QXA-ABCD-EFGHJ",
		"7K3M-9QXA-ABCD-EFGU", "", "----", "<b>x</b>", "ıııı-ıııı-ıııı-ıııı", "ſſſſ-ſſſſ-ſſſſ-ſſſſ",
		"ＡＢＣＤ-ＥＦＧＨ-ＪＫＭＮ-ＰＱＲＳ", "\xff\xfe", "'; DROP TABLE participants; --",
		strings.Repeat("A", 17), strings.Repeat("-", 1000) + "ABCDABCDABCDABCD",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := NormalizeReturnCode(s)
		if !ok {
			if code != "" {
				t.Fatalf("%q rejected, but returned %q", s, code)
			}
			return
		}
		if len(code) != ReturnCodeLen {
			t.Fatalf("%q → %q: %d characters", s, code, len(code))
		}
		for _, r := range code {
			if !strings.ContainsRune(crockford, r) {
				t.Fatalf("%q → %q: %q is not in the alphabet", s, code, r)
			}
		}
		if again, ok := NormalizeReturnCode(code); !ok || again != code {
			t.Fatalf("%q → %q → %q, %v: not idempotent", s, code, again, ok)
		}
		shown := FormatReturnCode(code)
		if back, ok := NormalizeReturnCode(shown); !ok || back != code {
			t.Fatalf("%q shown as %q reads back as %q, %v", code, shown, back, ok)
		}
		if back, ok := NormalizeReturnCode(strings.ToLower(shown)); !ok || back != code {
			t.Fatalf("%q typed in lower case reads back as %q, %v", shown, back, ok)
		}
		if h := HashReturnCode(fuzzKey, code); len(h) != 64 || h != HashReturnCode(fuzzKey, code) {
			t.Fatalf("hash of %q: %q", code, h)
		}
	})
}

func FuzzParseInstrument(f *testing.F) {
	real, err := embedded.ReadFile("instruments/einordnung-v1.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real)
	mini := minimalYAML("mini", 1)
	f.Add([]byte(mini))
	for _, s := range []string{
		"",
		"---\n...\n",
		"id: x\nversion: 1\n",
		"{}",
		"[]",
		"null",
		"id: [1, 2]",
		"version: 99999999999999999999999",
		"version: -1",
		"version: 0x7fffffffffffffff",
		"scale: {min: -2147483648, max: 2147483647}",
		"unknown_key: 1",
		"id: a\nid: b\n",
		// Aliases: a document that expands exponentially.
		"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
		"dimensions: &d [{id: a, title: *d}]",
		"<<: {id: x}\nversion: 1",
		"title: !!binary aGFsbG8=",
		"title: !!str {de: x}",
		"items: [{id: a1, dimension: a1, text: {de: x, en: y}}]",
		strings.Repeat("[", 5000) + strings.Repeat("]", 5000),
		strings.Repeat("- ", 3000) + "x",
		"\xef\xbb\xbfid: x",
		"\xff\xfe\x00i\x00d\x00:",
		"id: \"\\ud800\"",
		"\t- x",
		"? [a]\n: b",
		"&a a: *a",
		// Inputs that crashed YAML parsers before (go-yaml issues 323, 560,
		// 666, 744, 833; goccy/go-yaml 478).
		"#\n - - QI\xd7",
		"0: [:!00 \xef",
		"! !00 \xf6",
		"a:\n.\n-\n",
		"\"\\0\\\r\n",
		"  0: [\n] 0",
		"? ? \"\n\" 0",
		"0:\n    - {\n000}0",
		" \ufeff\n",
		"? \ufeff: \ufeff\n",
		"{{},<<}",
		"0::",
	} {
		f.Add([]byte(s))
	}
	f.Add([]byte(strings.Replace(mini, "dimension: beta", "dimension: gamma", 1)))
	f.Add([]byte(strings.Replace(mini, "  - {id: note, type: text, optional: true, text: {de: \"Anmerkung?\", en: \"Note?\"}}\n", "", 1) + "  - {id: note, type: choice}\n"))
	f.Add([]byte(mini + "---\nid: second\n"))
	// An id with a line break once split its problem over two lines, the
	// second naming no file (found by this fuzzer).
	f.Add([]byte("id: \"0\\n0\"\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Parse("fuzz.yaml", data)
		if err != nil {
			if in != nil {
				t.Fatalf("Parse returned an instrument with the error %v", err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "fuzz.yaml") {
					t.Fatalf("a problem does not name the file: %q in %v", line, err)
				}
			}
			return
		}
		if again, err := Parse("fuzz.yaml", in.Source()); err != nil || again.Ref() != in.Ref() {
			t.Fatalf("the accepted file's own source does not parse the same: %v", err)
		}
		if in.file != "fuzz.yaml" || !idPattern.MatchString(in.ID) || in.Version < 1 || in.Ref() != in.ID+"@"+strconv.Itoa(in.Version) {
			t.Fatalf("accepted instrument %q version %d from %q", in.ID, in.Version, in.file)
		}
		if in.Scale.Min < 0 || in.Scale.Max > 100 || in.Scale.Max-in.Scale.Min < 2 {
			t.Fatalf("accepted scale %d–%d", in.Scale.Min, in.Scale.Max)
		}
		pages := in.Pages()
		if len(pages) == 0 || pages[0].Kind != PageDimension {
			t.Fatalf("accepted instrument has pages %v", pages)
		}
		onPages := 0
		for _, p := range pages {
			if p.Kind == PageDimension {
				if len(p.Items) < 2 {
					t.Fatalf("dimension %s has %d items", p.Dimension.ID, len(p.Items))
				}
				onPages += len(p.Items)
			}
		}
		if onPages != len(in.Items) {
			t.Fatalf("%d of %d items are on a page", onPages, len(in.Items))
		}
		dims := map[string]bool{}
		for _, d := range in.Dimensions {
			dims[d.ID] = true
		}
		ids := map[string]bool{}
		for _, it := range in.Items {
			if !dims[it.Dimension] {
				t.Fatalf("item %s: dimension %q does not exist", it.ID, it.Dimension)
			}
			if got, ok := in.Item(it.ID); !ok || got.ID != it.ID || ids[it.ID] {
				t.Fatalf("item %s cannot be looked up or is not unique", it.ID)
			}
			ids[it.ID] = true
		}
		for _, q := range in.Background {
			if q.Type == BackgroundChoice && len(q.Options) < 2 || q.Type == BackgroundText && len(q.Options) > 0 ||
				q.Type != BackgroundChoice && q.Type != BackgroundText {
				t.Fatalf("background question %s: type %q with %d options", q.ID, q.Type, len(q.Options))
			}
			for _, o := range q.Options {
				if !q.HasOption(o.Value) {
					t.Fatalf("option %q of %s not found", o.Value, q.ID)
				}
			}
		}
	})
}
