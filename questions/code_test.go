package questions

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// validRawCode is a code as a participant might type it: mother, father,
// birthday, birthplace, siblings, last letter of own name.
var validRawCode = [CodeLen]string{"M", "P", "14", "B", "2", "A"}

func TestNormalizeCodeElements(t *testing.T) {
	const (
		mother     = 0
		father     = 1
		birthday   = 2
		birthplace = 3
		siblings   = 4
		lastletter = 5
	)
	tests := []struct {
		name  string
		index int
		raw   string
		want  string // "" = invalid
	}{
		{"umlaut lowercase", mother, "ä", "A"},
		{"umlaut uppercase", mother, "Ä", "A"},
		{"umlaut spelled out", mother, "ae", "A"},
		{"surrounding spaces", mother, " A ", "A"},
		{"lowercase letter", father, "p", "P"},
		{"sharp s", father, "ß", "S"},
		{"capital sharp s", father, "ẞ", "S"},
		{"acute accent", birthplace, "é", "E"},
		{"accent decomposed already", birthplace, "e\u0301", "E"},
		{"o umlaut", lastletter, "ö", "O"},
		{"tab and newline around", lastletter, "\tg\n", "G"},
		{"letter element given a digit", mother, "1", ""},
		{"letter element empty", father, "", ""},
		{"letter element only spaces", birthplace, "   ", ""},
		{"letter element punctuation", lastletter, "-", ""},
		{"birthday leading zero", birthday, "07", "7"},
		{"birthday plain", birthday, "7", "7"},
		{"birthday with spaces", birthday, " 31 ", "31"},
		{"birthday first", birthday, "1", "1"},
		{"birthday zero", birthday, "0", ""},
		{"birthday 32", birthday, "32", ""},
		{"birthday letter", birthday, "x", ""},
		{"birthday empty", birthday, "", ""},
		{"birthday negative", birthday, "-3", ""},
		{"birthday too long", birthday, "0007", ""},
		{"siblings zero", siblings, "0", "0"},
		{"siblings leading zero", siblings, "03", "3"},
		{"siblings max", siblings, "30", "30"},
		{"siblings above max", siblings, "31", ""},
		{"siblings empty", siblings, "", ""},
		{"siblings letter", siblings, "a", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := validRawCode
			raw[tt.index] = tt.raw
			code, invalid := NormalizeCode(raw)
			if tt.want == "" {
				if !slices.Equal(invalid, []int{tt.index}) {
					t.Errorf("NormalizeCode(%q) invalid = %v, want [%d] (element %s %q)", raw, invalid, tt.index, CodeElements[tt.index].ID, tt.raw)
				}
				return
			}
			if len(invalid) != 0 {
				t.Fatalf("NormalizeCode(%q) invalid = %v, want none", raw, invalid)
			}
			if code[tt.index] != tt.want {
				t.Errorf("element %s %q normalised to %q, want %q", CodeElements[tt.index].ID, tt.raw, code[tt.index], tt.want)
			}
		})
	}
}

func TestNormalizeCodeWhole(t *testing.T) {
	tests := []struct {
		name        string
		raw         [CodeLen]string
		want        Code
		wantInvalid []int
	}{
		{
			name: "typical German input",
			raw:  [CodeLen]string{"ä", " m", "07", "Köln", "0", "g "},
			want: Code{"A", "M", "7", "K", "0", "G"},
		},
		{
			name:        "several invalid elements are all listed, in order",
			raw:         [CodeLen]string{"", "P", "0", "B", "x", "1"},
			want:        Code{"", "P", "", "B", "", ""},
			wantInvalid: []int{0, 2, 4, 5},
		},
		{
			name:        "everything empty",
			raw:         [CodeLen]string{},
			wantInvalid: []int{0, 1, 2, 3, 4, 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, invalid := NormalizeCode(tt.raw)
			if !slices.Equal(invalid, tt.wantInvalid) {
				t.Errorf("invalid = %v, want %v", invalid, tt.wantInvalid)
			}
			if code != tt.want {
				t.Errorf("code = %q, want %q", code, tt.want)
			}
		})
	}
}

var hexHash = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestCodeHash(t *testing.T) {
	key := []byte("server-secret-1")
	code := Code{"A", "M", "7", "K", "0", "G"}
	h := code.Hash(key, "cohort-a")

	for i, el := range h {
		if !hexHash.MatchString(el) {
			t.Errorf("element %d hash %q is not 32 lowercase hex characters", i, el)
		}
	}
	if again := code.Hash(key, "cohort-a"); again != h {
		t.Errorf("same code, key and scope hash differently:\n%q\n%q", h, again)
	}

	tests := []struct {
		name string
		h    CodeHash
		want int // Differences to h
	}{
		{"same", code.Hash(key, "cohort-a"), 0},
		{"other cohort", code.Hash(key, "cohort-b"), CodeLen},
		{"other key", code.Hash([]byte("server-secret-2"), "cohort-a"), CodeLen},
		{"one element differs", Code{"A", "M", "8", "K", "0", "G"}.Hash(key, "cohort-a"), 1},
		{"two elements differ", Code{"B", "M", "7", "K", "1", "G"}.Hash(key, "cohort-a"), 2},
		{"everything differs", Code{"Z", "Z", "1", "Z", "9", "Z"}.Hash(key, "cohort-a"), 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h.Differences(tt.h); got != tt.want {
				t.Errorf("Differences = %d, want %d", got, tt.want)
			}
			if got := tt.h.Differences(h); got != tt.want {
				t.Errorf("Differences (reversed) = %d, want %d", got, tt.want)
			}
		})
	}

	// The same value in two positions hashes differently, so equal hashes
	// cannot reveal that two elements of a code are equal.
	same := Code{"A", "A", "7", "A", "7", "A"}.Hash(key, "cohort-a")
	if same[0] == same[1] || same[0] == same[3] || same[2] == same[4] {
		t.Errorf("equal values in different elements hash equally: %q", same)
	}
}

// TestCodeMatchesAcrossWaves follows a participant who types their code a
// little differently in the post wave.
func TestCodeMatchesAcrossWaves(t *testing.T) {
	key := []byte("k")
	pre, invalid := NormalizeCode([CodeLen]string{"Ä", "p", "07", "Berlin", "0", "a"})
	if len(invalid) > 0 {
		t.Fatalf("pre code invalid elements %v", invalid)
	}
	others := []Code{
		{"B", "Q", "7", "B", "0", "A"}, // two elements differ
		{"O", "P", "3", "M", "1", "E"},
	}
	tests := []struct {
		name      string
		post      [CodeLen]string
		wantMatch Match
	}{
		{"spelled differently, same code", [CodeLen]string{"ae", " P ", "7", "b", "00", "A"}, Exact},
		{"one element mistyped", [CodeLen]string{"a", "P", "17", "B", "0", "A"}, Tolerant},
		{"two elements mistyped", [CodeLen]string{"a", "P", "17", "B", "4", "A"}, NoMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			post, invalid := NormalizeCode(tt.post)
			if len(invalid) > 0 {
				t.Fatalf("post code invalid elements %v", invalid)
			}
			ph := post.Hash(key, "c1")
			diffs := []int{ph.Differences(others[0].Hash(key, "c1")), ph.Differences(pre.Hash(key, "c1")), ph.Differences(others[1].Hash(key, "c1"))}
			idx, m := DecideMatch(diffs)
			if m != tt.wantMatch {
				t.Fatalf("DecideMatch(%v) = %d, %v; want %v", diffs, idx, m, tt.wantMatch)
			}
			if m != NoMatch && idx != 1 {
				t.Errorf("DecideMatch(%v) index = %d, want 1", diffs, idx)
			}
		})
	}
}

func TestDecideMatch(t *testing.T) {
	tests := []struct {
		name      string
		diffs     []int
		wantIndex int
		wantMatch Match
	}{
		{"no candidates", nil, -1, NoMatch},
		{"empty list", []int{}, -1, NoMatch},
		{"one exact", []int{0}, 0, Exact},
		{"one with one difference", []int{1}, 0, Tolerant},
		{"two differences is not a match", []int{2}, -1, NoMatch},
		{"all far away", []int{2, 3, 6}, -1, NoMatch},
		{"second is tolerant", []int{3, 1}, 1, Tolerant},
		{"third is exact", []int{4, 2, 0}, 2, Exact},
		{"exact wins over tolerant", []int{0, 1}, 0, Exact},
		{"exact wins over several tolerant", []int{1, 1, 0, 4}, 2, Exact},
		{"two tolerant", []int{1, 1}, -1, Ambiguous},
		{"two exact", []int{0, 0}, -1, Ambiguous},
		{"two exact among others", []int{5, 0, 3, 0}, -1, Ambiguous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx, m := DecideMatch(tt.diffs)
			if m != tt.wantMatch {
				t.Errorf("DecideMatch(%v) match = %v, want %v", tt.diffs, m, tt.wantMatch)
			}
			if idx != tt.wantIndex {
				t.Errorf("DecideMatch(%v) index = %d, want %d", tt.diffs, idx, tt.wantIndex)
			}
		})
	}
}

var canonicalReturnCode = regexp.MustCompile(`^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{16}$`)

func TestNewReturnCode(t *testing.T) {
	const n = 1000
	seen := make(map[string]bool, n)
	for i := 0; i < n; i++ {
		c := NewReturnCode()
		if !canonicalReturnCode.MatchString(c) {
			t.Fatalf("NewReturnCode() = %q, want 16 characters of Crockford's alphabet", c)
		}
		if seen[c] {
			t.Fatalf("NewReturnCode() repeated %q within %d codes", c, i+1)
		}
		seen[c] = true
		if got, ok := NormalizeReturnCode(c); !ok || got != c {
			t.Fatalf("NormalizeReturnCode(%q) = %q, %v; want it unchanged", c, got, ok)
		}
	}
	// 16 000 characters drawn uniformly from 32 symbols: each is expected
	// 500 times, so a symbol that never appears means a broken mapping.
	used := map[rune]bool{}
	for c := range seen {
		for _, r := range c {
			used[r] = true
		}
	}
	for _, r := range "0123456789ABCDEFGHJKMNPQRSTVWXYZ" {
		if !used[r] {
			t.Errorf("symbol %q never appeared in %d return codes", r, n)
		}
	}
}

func TestNewPseudonym(t *testing.T) {
	pattern := regexp.MustCompile(`^P[0-9ABCDEFGHJKMNPQRSTVWXYZ]{10}$`)
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		p := NewPseudonym()
		if !pattern.MatchString(p) {
			t.Fatalf("NewPseudonym() = %q, want P + 10 Crockford characters", p)
		}
		if seen[p] {
			t.Fatalf("NewPseudonym() repeated %q", p)
		}
		seen[p] = true
	}
}

func TestNormalizeReturnCode(t *testing.T) {
	const canon = "0123456789ABCDEF"
	tests := []struct {
		name   string
		in     string
		want   string
		wantOK bool
	}{
		{"canonical", canon, canon, true},
		{"lowercase", "0123456789abcdef", canon, true},
		{"dashes", "0123-4567-89AB-CDEF", canon, true},
		{"spaces and tabs", " 0123 4567\t89ab cdef ", canon, true},
		{"O read as zero", "O123456789ABCDEF", canon, true},
		{"lowercase o read as zero", "o123456789ABCDEF", canon, true},
		{"I read as one", "0I23456789ABCDEF", canon, true},
		{"L read as one", "0L23456789ABCDEF", canon, true},
		{"lowercase i and l", "0i23456789ABCDEl", "0123456789ABCDE1", true},
		{"too short", "0123456789ABCDE", "", false},
		{"too long", "0123456789ABCDEF0", "", false},
		{"empty", "", "", false},
		{"only dashes", "----", "", false},
		{"U is not in the alphabet", "0123456789ABCDEU", "", false},
		{"lowercase u", "0123456789ABCDEu", "", false},
		{"umlaut", "0123456789ABCDEÄ", "", false},
		{"fullwidth digit", "０123456789ABCDEF", "", false},
		{"punctuation", "0123456789ABCDE.", "", false},
		{"underscore separator", "0123_4567_89AB_CDEF", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := NormalizeReturnCode(tt.in)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("NormalizeReturnCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestFormatReturnCode(t *testing.T) {
	tests := []struct {
		name string
		code string
		want string
	}{
		{"sixteen characters", "0123456789ABCDEF", "0123-4567-89AB-CDEF"},
		{"generated code", "ZZZZ00001111XXXX", "ZZZZ-0000-1111-XXXX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FormatReturnCode(tt.code)
			if got != tt.want {
				t.Errorf("FormatReturnCode(%q) = %q, want %q", tt.code, got, tt.want)
			}
			back, ok := NormalizeReturnCode(got)
			if !ok || back != tt.code {
				t.Errorf("NormalizeReturnCode(%q) = %q, %v; want %q (round trip)", got, back, ok, tt.code)
			}
		})
	}
	for i := 0; i < 100; i++ {
		c := NewReturnCode()
		f := FormatReturnCode(c)
		if len(f) != 19 || strings.Count(f, "-") != 3 {
			t.Fatalf("FormatReturnCode(%q) = %q, want 4 groups of 4", c, f)
		}
		if back, ok := NormalizeReturnCode(strings.ToLower(f)); !ok || back != c {
			t.Fatalf("round trip of %q via lowercase %q gave %q, %v", c, f, back, ok)
		}
	}
}

func TestHashReturnCode(t *testing.T) {
	const code = "0123456789ABCDEF"
	h := HashReturnCode([]byte("key-1"), code)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(h) {
		t.Errorf("HashReturnCode = %q, want 64 lowercase hex characters", h)
	}
	if strings.Contains(strings.ToUpper(h), code) {
		t.Errorf("hash %q contains the code", h)
	}
	tests := []struct {
		name  string
		key   string
		code  string
		equal bool
	}{
		{"same key and code", "key-1", code, true},
		{"other key", "key-2", code, false},
		{"other code", "key-1", "0123456789ABCDEG", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := HashReturnCode([]byte(tt.key), tt.code)
			if (other == h) != tt.equal {
				t.Errorf("HashReturnCode(%q, %q) = %q; equal to reference %q: %v, want %v", tt.key, tt.code, other, h, other == h, tt.equal)
			}
		})
	}
}
