package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"einordnung/app"
	"einordnung/db"
)

func (c *cli) export(args []string) error {
	fs, dbPath := c.flags("export", "export --cohort SLUG --what "+strings.Join(app.ExportNames(), "|")+" [--out FILE]")
	slug := fs.String("cohort", "", "the cohort's short code")
	what := fs.String("what", "responses", "responses (long CSV, one row per answer, the import format), excel (the same for Excel: semicolons, UTF-8 with BOM), wide (CSV, one row per participant and wave), "+
		"xlsx (workbook: wide, long, codebook, report), codebook (CSV), sps (SPSS syntax reading SLUG-wide.csv), "+
		"r (R script reading SLUG-wide.csv), json (report.json), quality (quality.json: how well the questionnaire measured), html (the dashboard as one file)")
	out := fs.String("out", "", "file to write (default: standard output); the R script and SPSS syntax read the wide CSV as SLUG-wide.csv, its download name")
	lang := fs.String("lang", "de", "language of the html report: de or en")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 || *slug == "" {
		return orUsage(err, fs)
	}
	return c.writeExport(*dbPath, *slug, *what, *out, *lang)
}

// writeExport writes one export of a cohort to a file or standard output
// and records it in the audit log.
func (c *cli) writeExport(dbPath, slug, what, out, lang string) error {
	if !slices.Contains(app.ExportNames(), what) {
		return fmt.Errorf("--what %q: use %s", what, strings.Join(app.ExportNames(), "|"))
	}
	store, set, err := open(dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	cohort, inst, err := cohortAndInstrument(store, set, slug)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error { return app.WriteExport(w, what, store, inst, cohort, lang) }
	if out == "" {
		if err := write(c.out); err != nil {
			return err
		}
	} else if err := writeFileAtomically(out, write); err != nil {
		return err
	}
	return store.Audit(db.ActorCLI, db.AuditExport, cohort.Slug, what)
}

// writeFileAtomically writes a file through a temporary file in the same
// folder, so that a failed export leaves no half-written file behind.
func writeFileAtomically(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
