package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/encryptcookie"
)

// The return code opens a participant's feedback and deletes their data, so
// the server keeps only its keyed hash: not in the session row, which lies
// in the database and in every backup. The browser that was given the code
// carries it in a cookie sealed with AES-GCM under a key only the server
// has, and the server opens it to show the code again.
//
// Fiber's encryptcookie middleware seals every cookie but those it is told
// to leave alone; the session and CSRF cookies gain nothing from that (they
// are random ids), and each cookie added later would be sealed without
// anyone deciding it. So only its sealing functions are used, for this one
// cookie.

// returnCodeCookie carries the sealed return code.
const returnCodeCookie = "einordnung_rc"

// participantSessionLifetime is how long a participant's session, and the
// return code cookie with it, lasts.
const participantSessionLifetime = 12 * time.Hour

// returnCodeKey derives the cookie's AES-256 key from the server secret,
// under a label of its own so that it never equals a key used elsewhere.
func returnCodeKey(secret []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("return-code-cookie\x00"))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// setReturnCode hands the browser the participant's return code, sealed
// together with the participant's id: a cookie copied into a browser signed
// in as someone else opens to nothing.
func (h *handler) setReturnCode(c *fiber.Ctx, participantID uint, code string) error {
	sealed, err := encryptcookie.EncryptCookie(strconv.FormatUint(uint64(participantID), 10)+":"+code, returnCodeKey(h.cfg.Secret))
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: returnCodeCookie, Value: sealed, Path: "/",
		MaxAge: int(participantSessionLifetime.Seconds()), Expires: time.Now().Add(participantSessionLifetime),
		Secure: h.cfg.SecureCookies || c.Protocol() == "https", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
	})
	return nil
}

// returnCode opens the browser's return code cookie; it returns the code
// if the cookie was sealed for participantID, else "".
func (h *handler) returnCode(c *fiber.Ctx, participantID uint) string {
	sealed := c.Cookies(returnCodeCookie)
	if sealed == "" {
		return ""
	}
	plain, err := encryptcookie.DecryptCookie(sealed, returnCodeKey(h.cfg.Secret))
	if err != nil {
		return ""
	}
	id, code, ok := strings.Cut(plain, ":")
	if !ok || id != strconv.FormatUint(uint64(participantID), 10) {
		return ""
	}
	return code
}

// forgetReturnCode deletes the cookie from the browser. (Fiber's
// ClearCookie leaves out the path, and a browser would then keep a cookie
// set for "/" when told from a deeper path.)
func (h *handler) forgetReturnCode(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: returnCodeCookie, Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		Secure: h.cfg.SecureCookies || c.Protocol() == "https", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
	})
}
