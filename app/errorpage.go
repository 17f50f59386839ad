package app

import "github.com/gofiber/fiber/v2"

// errorHelp is what an error page says beyond its message, for the errors a
// participant meets on the way: a heading that names what happened, what to
// do now, and a link to do it (without one: the start page). The status code is shown only for server
// errors, for a question to the operator; a participant cannot act on "403".
type errorHelp struct {
	heading, next, link, linkLabel string
}

var errorHelps = map[string]errorHelp{
	"err_wave_closed":       {"err_wave_closed_heading", "err_wave_closed_next", "", ""},
	"err_page_locked":       {"err_page_locked_heading", "err_page_locked_next", "/survey", "err_page_locked_link"},
	"err_no_session":        {"err_no_session_heading", "err_no_session_next", "/", "err_resume_link"},
	"err_already_submitted": {"err_already_submitted_heading", "err_already_submitted_next", "/feedback", "err_feedback_link"},
}

// errorPage is the data of pages/error for an error with a status and a
// message key.
func (h *handler) errorPage(c *fiber.Ctx, status int, key string) map[string]any {
	d := map[string]any{"Status": status, "Message": h.t(c, key), "ShowStatus": status >= 500}
	if help, ok := errorHelps[key]; ok {
		d["Heading"], d["Next"] = h.t(c, help.heading), h.t(c, help.next)
		if help.link != "" {
			d["Link"], d["LinkLabel"] = help.link, h.t(c, help.linkLabel)
		}
	}
	return d
}
