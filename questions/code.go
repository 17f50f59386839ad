package questions

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// CodeElement is one element of the self-generated code: something stable
// that only the participant knows.
type CodeElement struct {
	ID    string
	Label Text
	Hint  Text
	// Number elements hold an integer in [0, Max]; the others one letter
	// (upper case, accents removed).
	Number bool
	Max    int
}

// CodeElements are the six elements of the self-generated code, in order.
var CodeElements = [CodeLen]CodeElement{
	{ID: "mother", Label: Text{"de": "Erster Buchstabe des Vornamens Ihrer Mutter", "en": "First letter of your mother's first name"},
		Hint: Text{"de": "oder einer anderen Person, die Sie großgezogen hat", "en": "or of another person who raised you"}},
	{ID: "father", Label: Text{"de": "Erster Buchstabe des Vornamens Ihres Vaters", "en": "First letter of your father's first name"},
		Hint: Text{"de": "falls unbekannt: X", "en": "if unknown: X"}},
	{ID: "birthday", Label: Text{"de": "Tag Ihres Geburtsdatums", "en": "Day of the month you were born"},
		Hint: Text{"de": "Zahl von 1 bis 31", "en": "number from 1 to 31"}, Number: true, Max: 31},
	{ID: "birthplace", Label: Text{"de": "Erster Buchstabe Ihres Geburtsorts", "en": "First letter of your place of birth"},
		Hint: Text{"de": "Stadt oder Gemeinde", "en": "town or city"}},
	{ID: "siblings", Label: Text{"de": "Anzahl Ihrer älteren Geschwister", "en": "Number of your older siblings"},
		Hint: Text{"de": "0, wenn Sie keine haben", "en": "0 if you have none"}, Number: true, Max: 30},
	{ID: "lastletter", Label: Text{"de": "Letzter Buchstabe Ihres eigenen Vornamens", "en": "Last letter of your own first name"},
		Hint: Text{"de": "bei „Jörg“ also G", "en": "for “Anna” this is A"}},
}

// CodeLen is the number of elements in a self-generated code.
const CodeLen = 6

// Code is a normalised self-generated code.
type Code [CodeLen]string

// CodeHash is a code with every element hashed separately, so that codes can
// be compared element by element without storing the elements themselves.
type CodeHash [CodeLen]string

// NormalizeCode normalises the raw elements a participant typed: case,
// accents and umlauts (Ä, ä and "ae" all become A), surrounding whitespace
// and leading zeros. invalid lists the indexes of elements that cannot be
// read (empty, not a letter, number out of range).
func NormalizeCode(raw [CodeLen]string) (code Code, invalid []int) {
	for i, el := range CodeElements {
		v, ok := normalizeElement(el, raw[i])
		if !ok {
			invalid = append(invalid, i)
			continue
		}
		code[i] = v
	}
	return code, invalid
}

func normalizeElement(el CodeElement, raw string) (string, bool) {
	s := strings.TrimSpace(raw)
	if el.Number {
		if len(s) == 0 || len(s) > 3 {
			return "", false
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > el.Max || (el.ID == "birthday" && n == 0) {
			return "", false
		}
		return strconv.Itoa(n), true
	}
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r), unicode.IsSpace(r):
			continue
		case r == 'ß' || r == 'ẞ':
			return "S", true
		case unicode.IsLetter(r):
			return string(unicode.ToUpper(r)), true
		default:
			return "", false
		}
	}
	return "", false
}

// Hash keys every element with HMAC-SHA-256 under key, scoped (e.g. to a
// cohort) so that the same code in two cohorts cannot be linked.
func (c Code) Hash(key []byte, scope string) CodeHash {
	var h CodeHash
	for i, v := range c {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(scope + "\x00" + CodeElements[i].ID + "\x00" + v))
		h[i] = hex.EncodeToString(mac.Sum(nil)[:16])
	}
	return h
}

// Differences counts the elements in which two hashed codes differ.
func (h CodeHash) Differences(other CodeHash) int {
	n := 0
	for i := range h {
		if h[i] != other[i] {
			n++
		}
	}
	return n
}

// MatchTolerance is how many elements may differ for a code to still match.
const MatchTolerance = 1

// Match is the outcome of looking a code up among a cohort's participants.
//
// The rule of linking: an exact code (or the return code) identifies a
// participant; a code one element off (Tolerant) links for the statistics
// only and never grants access to anyone's answers.
type Match int

// Match outcomes.
const (
	NoMatch   Match = iota // nobody within the tolerance
	Exact                  // exactly one participant with every element equal: identifies them
	Tolerant               // no exact match, exactly one participant one element off: statistics only
	Ambiguous              // two or more exact matches, or no exact and two or more one element off
)

// DecideMatch picks the participant a code belongs to from the element
// differences to every candidate. A single exact match wins over candidates
// one element off: typing one's own code exactly must never be blocked by
// someone else's near miss. Otherwise only a single candidate within the
// tolerance is a match: if two people fit equally well, the code is matched
// to neither, because guessing would link one person's answers to another's.
func DecideMatch(differences []int) (index int, m Match) {
	exact, near := -1, -1
	exacts, nears := 0, 0
	for i, d := range differences {
		switch {
		case d == 0:
			exact, exacts = i, exacts+1
		case d <= MatchTolerance:
			near, nears = i, nears+1
		}
	}
	switch {
	case exacts == 1:
		return exact, Exact
	case exacts > 1 || nears > 1:
		return -1, Ambiguous
	case nears == 1:
		return near, Tolerant
	default:
		return -1, NoMatch
	}
}
