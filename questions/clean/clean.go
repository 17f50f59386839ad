// Package clean is the one normaliser of text from outside: every free-text
// answer (questionnaire form and import), cohort name and short code, and
// account field (e-mail address) passes through it before it is checked and
// stored, whichever door it came in by (web form, admin page, command line,
// import file).
//
// The rules, the same for every source:
//
//   - Control characters (Unicode category Cc: NUL, ESC, DEL, C1 …) are
//     dropped: they are invisible on a page, and break exports, terminals
//     and the database's text handling. Free text keeps its line breaks
//     (every CRLF and lone CR becomes LF) and tabs; a one-line field turns
//     tab, CR and LF into a space.
//   - The text is put into Unicode normalisation form NFC, so that an „ä“
//     typed as one character and one typed as „a“ plus a combining
//     diaeresis are stored, compared and counted alike.
//   - Surrounding white space is trimmed.
//   - A free text has at most MaxText characters after these steps, counted
//     as Unicode code points; callers refuse a longer one (the form shows
//     the page again, an import rejects the file) rather than cut it.
//
// Invalid UTF-8 is not repaired here: each entry point refuses it first, so
// that a participant or lead learns of it instead of finding U+FFFD stored.
//
// The package imports nothing of the project, so that every layer that
// takes input can use it.
package clean

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxText is the longest free text accepted from any source, in characters.
const MaxText = 2000

// Text returns a multi-line free text as it is stored.
func Text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return finish(strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s))
}

// Line returns a one-line field (a name, a short code, an e-mail address)
// as it is checked and stored.
func Line(s string) string {
	return finish(strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s))
}

// TooLong reports whether a text, as Text returned it, exceeds MaxText.
func TooLong(s string) bool { return utf8.RuneCountInString(s) > MaxText }

func finish(s string) string {
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	return strings.TrimSpace(s)
}
