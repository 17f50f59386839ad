package app

import (
	"fmt"
	"html/template"
	"io"
	"io/fs"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports"
)

// writeReportHTML writes the dashboard as one self-contained HTML file: the
// styles and scripts (echarts included) inline, so it opens anywhere
// without a server or network, and prints like the page.
func writeReportHTML(w io.Writer, lang string, cohort *db.Cohort, inst *questions.Instrument, rep *reports.Cohort) error {
	engine, err := newEngine()
	if err != nil {
		return err
	}
	read := func(path string) (string, error) {
		data, err := fs.ReadFile(staticFS, "static/"+path)
		return string(data), err
	}
	var style, script string
	for _, f := range []string{"vendor/pico.min.css", "css/app.css"} {
		s, err := read(f)
		if err != nil {
			return err
		}
		style += s + "\n"
	}
	for _, f := range []string{"vendor/echarts.min.js", "js/charts.js", "js/app.js"} {
		s, err := read(f)
		if err != nil {
			return err
		}
		script += s + "\n;\n"
	}
	if lang != "en" {
		lang = "de"
	}
	return renderPage(w, engine, "admin/report", "layouts/standalone", envelope{
		Lang: lang, T: messages[lang], Title: fmt.Sprintf("%s: %s", msg(lang, "report_title"), cohort.Name),
		Data:       adminData{Data: buildReportView(lang, cohort, inst, rep)},
		Standalone: true, InlineStyle: template.CSS(style), InlineScript: template.JS(script),
	})
}
