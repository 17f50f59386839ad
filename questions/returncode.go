package questions

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// crockford is Crockford's base-32 alphabet: no I, L, O or U, so a code read
// aloud or copied by hand is hard to get wrong.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ReturnCodeLen is the number of characters of a return code: 16 × 5 = 80 random bits.
const ReturnCodeLen = 16

// NewReturnCode returns a random return code (80 bits) in canonical form.
func NewReturnCode() string { return randomBase32(ReturnCodeLen) }

// NewPseudonym returns a random pseudonym that identifies a participant in
// exports without revealing anything about them.
func NewPseudonym() string { return "P" + randomBase32(10) }

func randomBase32(n int) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic("questions: no randomness: " + err.Error())
	}
	for i, b := range buf {
		buf[i] = crockford[int(b)%len(crockford)]
	}
	return string(buf)
}

// NormalizeReturnCode reads a return code as typed: case, spaces and dashes
// do not matter, and O, I and L are read as 0, 1 and 1.
func NormalizeReturnCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || !strings.ContainsRune(crockford, r) {
			return "", false
		}
		b.WriteRune(r)
		if b.Len() > ReturnCodeLen {
			return "", false
		}
	}
	if b.Len() != ReturnCodeLen {
		return "", false
	}
	return b.String(), true
}

// FormatReturnCode groups a canonical return code in fours for reading.
func FormatReturnCode(code string) string {
	var parts []string
	for i := 0; i < len(code); i += 4 {
		parts = append(parts, code[i:min(i+4, len(code))])
	}
	return strings.Join(parts, "-")
}

// HashReturnCode keys a canonical return code with HMAC-SHA-256, so that the
// database alone does not reveal or confirm anyone's code.
func HashReturnCode(key []byte, code string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("return-code\x00" + code))
	return hex.EncodeToString(mac.Sum(nil))
}
