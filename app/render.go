package app

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"

	"einordnung/db"
)

// envelope is the data every page gets.
type envelope struct {
	Lang         string
	T            map[string]string
	Title        string
	CSRF         string
	AssetVersion string
	LangSwitch   string // URL of this page in the other language
	OtherLang    string
	Admin        *db.User // the signed-in program lead or admin, on admin pages
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

// languages are the languages of the product's texts, German first.
var languages = []string{"de", "en"}

// language picks the page language: ?lang= (remembered in a cookie), else
// the cookie, else German.
func (h *handler) language(c *fiber.Ctx) error {
	lang := c.Cookies(langCookie)
	if q := c.Query("lang"); q != "" {
		lang = q
		if slices.Contains(languages, lang) {
			c.Cookie(&fiber.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
				HTTPOnly: true, Secure: h.cfg.SecureCookies, SameSite: fiber.CookieSameSiteLaxMode})
		}
	}
	if lang != "en" {
		lang = "de"
	}
	c.Locals("lang", lang)
	return c.Next()
}

func lang(c *fiber.Ctx) string {
	if l, ok := c.Locals("lang").(string); ok {
		return l
	}
	return "de"
}

// t returns the UI text for key in the request's language.
func (h *handler) t(c *fiber.Ctx, key string) string {
	return messages[lang(c)][key]
}

// render writes a page inside the layout; titleKey names its title.
func (h *handler) render(c *fiber.Ctx, page, titleKey string, data any) error {
	l := lang(c)
	other := "en"
	if l == "en" {
		other = "de"
	}
	token, _ := c.Locals("csrf").(string)
	admin, _ := c.Locals("user").(*db.User)
	q := url.Values{"lang": {other}}
	// Pages that show private or changing data must not be kept by the
	// browser's cache: the back button then reloads them.
	c.Set(fiber.HeaderCacheControl, "no-store")
	var out bytes.Buffer
	err := renderPage(&out, h.views, page, "layouts/main", envelope{
		Lang:         l,
		T:            messages[l],
		Title:        messages[l][titleKey],
		CSRF:         token,
		AssetVersion: h.assetVersion,
		LangSwitch:   routeURL(c) + "?" + q.Encode(),
		OtherLang:    other,
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
