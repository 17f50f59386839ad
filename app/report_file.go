package app

import (
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"strings"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports"
)

// writeReportHTML writes the dashboard as one self-contained HTML file: the
// styles and scripts (echarts included) inline, so it opens anywhere
// without a server or network, and prints like the page.
func writeReportHTML(w io.Writer, lang string, cohort *db.Cohort, inst *questions.Instrument, rep *reports.Cohort) error {
	if lang != "en" {
		lang = "de"
	}
	return renderStandalone(w, "admin/report", envelope{
		Lang: lang, T: messages[lang], Title: fmt.Sprintf("%s: %s", msg(lang, "report_title"), cohort.Name),
		Data: adminData{Data: buildReportView(lang, cohort, inst, rep)},
	}, "vendor/echarts.min.js", "js/charts.js", "js/app.js")
}

// renderStandalone renders page into the standalone layout with the style
// sheets and the given scripts inline: a file that opens without a server.
func renderStandalone(w io.Writer, page string, env envelope, scripts ...string) error {
	engine, err := newEngine()
	if err != nil {
		return err
	}
	style, err := inlineFiles("\n", "vendor/pico.min.css", "css/app.css")
	if err != nil {
		return err
	}
	script, err := inlineFiles("\n;\n", scripts...)
	if err != nil {
		return err
	}
	env.Standalone, env.InlineStyle, env.InlineScript = true, template.CSS(style), template.JS(script)
	return renderPage(w, engine, page, "layouts/standalone", env)
}

// inlineFiles joins static files for a self-contained page, each followed
// by sep (scripts need a ";" between them, which would spoil a style sheet).
func inlineFiles(sep string, paths ...string) (string, error) {
	var b strings.Builder
	for _, p := range paths {
		data, err := fs.ReadFile(staticFS, "static/"+p)
		if err != nil {
			return "", err
		}
		b.Write(data)
		b.WriteString(sep)
	}
	return b.String(), nil
}
