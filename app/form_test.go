package app

import "testing"

// Free text is stored as the participant sees it: line breaks kept (as LF),
// invisible control characters from a paste dropped, surrounding space
// trimmed; everything visible, umlauts and quotes included, unchanged.
func TestNormalizeText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Ich prüfe „Quellen“ – immer.", "Ich prüfe „Quellen“ – immer."},
		{"erste Zeile\r\nzweite Zeile\n\tdritte", "erste Zeile\nzweite Zeile\n\tdritte"},
		{"\x1b[31mrot\x1b[0m", "[31mrot[0m"},
		{"a\x00b\x07c\x7fd\u0085e\u009bf", "abcdef"},
		{"  \r\n \x00 ", ""},
		{"=SUMME(A1)", "=SUMME(A1)"}, // formulas are neutralised in exports, not here
	} {
		if got := normalizeText(tt.in); got != tt.want {
			t.Errorf("normalizeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
