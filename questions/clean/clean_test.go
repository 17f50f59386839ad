package clean

import (
	"strings"
	"testing"
)

// Free text is stored as the participant sees it: line breaks kept (as LF),
// invisible control characters from a paste dropped, surrounding space
// trimmed; everything visible, umlauts and quotes included, unchanged.
func TestText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Ich prüfe „Quellen“ – immer.", "Ich prüfe „Quellen“ – immer."},
		{"erste Zeile\r\nzweite Zeile\n\tdritte", "erste Zeile\nzweite Zeile\n\tdritte"},
		{"alt\rMac", "alt\nMac"},
		{"\x1b[31mrot\x1b[0m", "[31mrot[0m"},
		{"a\x00b\x07c\x7fd\u0085e\u009bf", "abcdef"},
		{"Frei\x00text", "Freitext"},
		{"  \r\n \x00 ", ""},
		{"\r\n=1+1", "=1+1"},       // formulas are neutralised in exports, not here
		{"Mu\u0308ller", "Müller"}, // NFC: one ü, however it was typed
	} {
		if got := Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLine(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Na\x00me\x01", "Name"},
		{" Jahrgang\t2026/27\r\n", "Jahrgang 2026/27"},
		{"Lea.Mu\u0308ller@example.org", "Lea.Müller@example.org"},
		{"ws26\u0085", "ws26"},
	} {
		if got := Line(tt.in); got != tt.want {
			t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTooLongCountsCharacters(t *testing.T) {
	if TooLong(strings.Repeat("ä", MaxText)) || !TooLong(strings.Repeat("a", MaxText+1)) {
		t.Errorf("MaxText counts characters, not bytes")
	}
}
