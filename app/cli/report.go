package cli

import "fmt"

// report writes a cohort's report: report.json or the dashboard as HTML.
func (c *cli) report(args []string) error {
	fs, dbPath := c.flags("report", "report --cohort SLUG --format json|html [--out FILE] [--lang de|en]")
	slug := fs.String("cohort", "", "the cohort's short code")
	format := fs.String("format", "json", "json (report.json) or html (the dashboard as one self-contained file)")
	out := fs.String("out", "", "file to write (default: standard output)")
	lang := fs.String("lang", "de", "language of the html report: de or en")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 || *slug == "" {
		return orUsage(err, fs)
	}
	if *format != "json" && *format != "html" {
		return fmt.Errorf("--format %q: use json or html", *format)
	}
	return c.writeExport(*dbPath, *slug, *format, *out, *lang)
}
