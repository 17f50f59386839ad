package app

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"einordnung/db"
	"einordnung/questions"
)

// envelope is the data every page gets.
type envelope struct {
	Lang         string
	T            map[string]string
	Title        string
	CSRF         string
	AssetVersion string
	// Switch links this page in each other language it is offered in.
	Switch []langLink
	Admin  *db.User // the signed-in program lead or admin, on admin pages
	// OperatorIncomplete warns the leads' area that the privacy notice
	// lacks required details of the operator.
	OperatorIncomplete bool
	// Flash confirms what the form before this page did (flash.go).
	Flash string
	Data  any
	// Body is the rendered page, placed into the layout.
	Body template.HTML
	// Standalone pages (a report saved as a file) carry their style and
	// script inline instead of loading them from the server.
	Standalone   bool
	InlineStyle  template.CSS
	InlineScript template.JS
}

const langCookie = "einordnung_lang"

// languages are the languages of the product's own texts, German first. An
// instrument may carry more (questions.Instrument.Languages): pages that
// show its texts offer those (speak), with the product's texts in English.
var languages = []string{"de", "en"}

var languageCode = regexp.MustCompile(`^[a-z]{2,3}$`)

// langLink is a link to the page shown in another language.
type langLink struct{ Code, Name, URL string }

// language picks the page language: ?lang= (remembered in a cookie), else
// the cookie, else the browser's Accept-Language if it names a language
// offered, else German. A choice the participant made always wins. A code
// the product has no texts in is kept as the participant's preference, for
// pages of an instrument that has it (speak).
func (h *handler) language(c *fiber.Ctx) error {
	pref := c.Cookies(langCookie)
	if q := c.Query("lang"); q != "" {
		pref = q
		if languageCode.MatchString(q) {
			c.Cookie(&fiber.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
				HTTPOnly: true, Secure: h.cfg.SecureCookies, SameSite: fiber.CookieSameSiteLaxMode})
		}
	}
	if !languageCode.MatchString(pref) {
		pref = ""
	}
	c.Locals("langPref", pref)
	if pref == "" {
		c.Locals("lang", negotiateLanguage(c.Get(fiber.HeaderAcceptLanguage), languages))
	} else {
		c.Locals("lang", productLanguage(pref))
	}
	return c.Next()
}

// negotiateLanguage is the offered language that best fits an
// Accept-Language header: "en-GB" chooses "en", "de-AT" "de"; a language
// not offered, or a header that cannot be read, German.
func negotiateLanguage(header string, offered []string) string {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return "de"
	}
	// German first: the matcher falls back to the first supported tag.
	offered = append([]string{"de"}, slices.DeleteFunc(slices.Clone(offered), func(l string) bool { return l == "de" })...)
	supported := make([]language.Tag, len(offered))
	for i, o := range offered {
		supported[i] = language.Make(o)
	}
	_, index, confidence := language.NewMatcher(supported).Match(tags...)
	if confidence == language.No {
		return "de"
	}
	return offered[index]
}

// speak makes a page that shows inst's texts speak inst's languages: the
// participant's preference if inst has it, else (no preference) the
// browser's language if inst has it, else the page language if inst has
// that, else German. The product's own texts follow where they can and
// are English where they cannot (a third language).
func speak(c *fiber.Ctx, inst *questions.Instrument) {
	pref, _ := c.Locals("langPref").(string)
	text := "de"
	switch {
	case slices.Contains(inst.Languages, pref):
		text = pref
	case pref == "":
		// No choice made: the browser's language, if inst has it.
		text = negotiateLanguage(c.Get(fiber.HeaderAcceptLanguage), inst.Languages)
	case slices.Contains(inst.Languages, lang(c)):
		text = lang(c)
	}
	c.Locals("offered", inst.Languages)
	c.Locals("textLang", text)
	c.Locals("lang", productLanguage(text))
}

// productLanguage is the language of the product's own texts for a
// preferred language: itself if the product has it, English for another
// language, German when there is no preference.
func productLanguage(pref string) string {
	switch {
	case pref == "":
		return "de"
	case slices.Contains(languages, pref):
		return pref
	}
	return "en"
}

// lang is the language of the product's own texts on this page ("de" or
// "en"); textLang is that of an instrument's texts, which may be another.
func lang(c *fiber.Ctx) string {
	if l, ok := c.Locals("lang").(string); ok {
		return l
	}
	return "de"
}

func textLang(c *fiber.Ctx) string {
	if l, ok := c.Locals("textLang").(string); ok {
		return l
	}
	return lang(c)
}

// languageSwitch links the page in every language it is offered in but the
// one shown, each named in itself ("Deutsch", "English", "Français").
func languageSwitch(c *fiber.Ctx) []langLink {
	offered, ok := c.Locals("offered").([]string)
	if !ok {
		offered = languages
	}
	var links []langLink
	for _, l := range offered {
		if l == textLang(c) {
			continue
		}
		links = append(links, langLink{Code: l, Name: languageName(l), URL: routeURL(c) + "?" + url.Values{"lang": {l}}.Encode()})
	}
	return links
}

// languageName is a language's name in itself, capitalised as a link.
func languageName(code string) string {
	name := display.Self.Name(language.Make(code))
	if name == "" {
		return code
	}
	r, size := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[size:]
}

// t returns the UI text for key in the request's language.
func (h *handler) t(c *fiber.Ctx, key string) string {
	return messages[lang(c)][key]
}

// render writes a page inside the layout; titleKey names its title.
func (h *handler) render(c *fiber.Ctx, page, titleKey string, data any) error {
	l := lang(c)
	token, _ := c.Locals("csrf").(string)
	admin, _ := c.Locals("user").(*db.User)
	// Pages that show private or changing data must not be kept by the
	// browser's cache: the back button then reloads them.
	c.Set(fiber.HeaderCacheControl, "no-store")
	var out bytes.Buffer
	err := renderPage(&out, h.views, page, "layouts/main", envelope{
		Lang:         textLang(c),
		T:            messages[l],
		Title:        messages[l][titleKey],
		CSRF:         token,
		AssetVersion: h.assetVersion,
		Switch:       languageSwitch(c),
		Admin:        admin,
		Data:         data,
		// One small read per page of the leads' area, none for participants.
		OperatorIncomplete: admin != nil && h.operatorIncomplete(),
		Flash:              flashText(c, l),
	})
	if err != nil {
		return err
	}
	c.Type("html", "utf-8")
	return c.Send(out.Bytes())
}

// renderPage renders a page, then the layout around it. Each goes to a
// buffer first, so a template error becomes an error (and a 500 page),
// never half a page with the error text in it.
func renderPage(w io.Writer, views *html.Engine, page, layout string, env envelope) error {
	var body bytes.Buffer
	if err := views.Render(&body, page, env); err != nil {
		return fmt.Errorf("app: render %s: %w", page, err)
	}
	env.Body = template.HTML(body.String())
	var out bytes.Buffer
	if err := views.Render(&out, layout, env); err != nil {
		return fmt.Errorf("app: render %s: %w", layout, err)
	}
	_, err := w.Write(out.Bytes())
	return err
}

// routeURL is the address of the page shown, rebuilt from the route that
// matched and its parameters, never copied from the request: a path such as
// //evil.example/ would otherwise become a link off the site. Where no route
// of a page matched (a page that does not exist, a request a middleware
// turned down) it is the start page.
func routeURL(c *fiber.Ctx) string {
	parts := strings.Split(c.Route().Path, "/")
	for i, part := range parts {
		switch {
		case strings.HasPrefix(part, ":"):
			v, err := url.PathUnescape(c.Params(strings.TrimSuffix(part[1:], "?")))
			if err != nil || v == "" {
				return "/"
			}
			parts[i] = url.PathEscape(v)
		case strings.ContainsAny(part, "*+"):
			return "/"
		}
	}
	if p := strings.Join(parts, "/"); strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") {
		return p
	}
	return "/"
}
