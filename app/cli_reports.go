package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports"
)

// cohortAndInstrument finds a cohort by its short code and its instrument.
func cohortAndInstrument(store *db.Store, set *questions.Set, slug string) (*db.Cohort, *questions.Instrument, error) {
	cohort, err := store.CohortBySlug(slug)
	if err != nil {
		return nil, nil, err
	}
	inst, ok := set.Get(cohort.Instrument)
	if !ok {
		return nil, nil, fmt.Errorf("cohort %s uses instrument %s, which this build does not contain", slug, cohort.Instrument)
	}
	return cohort, inst, nil
}

func (c *cli) export(args []string) error {
	fs, dbPath := c.flags("export", "export --cohort SLUG --what "+strings.Join(ExportNames(), "|")+" [--out FILE]")
	slug := fs.String("cohort", "", "the cohort's short code")
	what := fs.String("what", "responses", "responses (long CSV, one row per answer), wide (CSV, one row per participant and wave), "+
		"xlsx (workbook: wide, long, codebook, report), codebook (CSV), sps (SPSS syntax reading wide.csv), "+
		"r (R script reading wide.csv), json (report.json), html (the dashboard as one file)")
	out := fs.String("out", "", "file to write (default: standard output)")
	lang := fs.String("lang", "de", "language of the html report: de or en")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 || *slug == "" {
		return orUsage(err, fs)
	}
	return c.writeExport(*dbPath, *slug, *what, *out, *lang)
}

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

// writeExport writes one export of a cohort to a file or standard output
// and records it in the audit log.
func (c *cli) writeExport(dbPath, slug, what, out, lang string) error {
	if !slices.Contains(ExportNames(), what) {
		return fmt.Errorf("--what %q: use %s", what, strings.Join(ExportNames(), "|"))
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
	write := func(w io.Writer) error { return WriteExport(w, what, store, inst, cohort, lang) }
	if out == "" {
		if err := write(c.out); err != nil {
			return err
		}
	} else if err := writeFileAtomically(out, write); err != nil {
		return err
	}
	return store.Audit("cli", db.AuditExport, cohort.Slug, what)
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

func (c *cli) importFile(args []string) error {
	fs, dbPath := c.flags("import", "import --cohort SLUG FILE.csv (the long CSV format of the export; - reads standard input)")
	slug := fs.String("cohort", "", "the cohort's short code")
	rest, err := parse(fs, args)
	if err != nil || len(rest) != 1 || *slug == "" {
		return orUsage(err, fs)
	}
	store, set, err := open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	cohort, inst, err := cohortAndInstrument(store, set, *slug)
	if err != nil {
		return err
	}
	var in io.Reader = c.in
	if rest[0] != "-" {
		f, err := os.Open(rest[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	responses, err := reports.ReadLong(in, inst, cohort.Slug)
	if err != nil {
		return err
	}
	if err := store.ImportResponses(cohort.ID, responses); err != nil {
		if errors.Is(err, db.ErrImportConflict) {
			return fmt.Errorf("nothing imported: %w", err)
		}
		return err
	}
	people := map[string]bool{}
	waves := map[db.Wave]int{}
	answers := 0
	for _, r := range responses {
		people[r.Participant] = true
		waves[r.Wave]++
		answers += len(r.Answers)
	}
	detail := fmt.Sprintf("%s: %d responses, %d answers", filepath.Base(rest[0]), len(responses), answers)
	if err := store.Audit("cli", db.AuditImport, cohort.Slug, detail); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Importiert in %s: %d Teilnehmende, %d Vorher- und %d Nachher-Befragungen, %d Antworten.\n",
		cohort.Slug, len(people), waves[db.Pre], waves[db.Post], answers)
	return nil
}

func (c *cli) demo(args []string) error {
	fs, dbPath := c.flags("demo", "demo --cohort SLUG --participants N [--seed S]")
	slug := fs.String("cohort", "", `cohort to fill; created with the default instrument (name "Demo SLUG") if it does not exist; must have no participants`)
	n := fs.Int("participants", 200, "number of synthetic participants (about 80 % also answer the post wave)")
	seed := fs.Int64("seed", 1, "random seed: the same seed gives the same answers")
	day := fs.String("today", "", "reference day YYYY-MM-DD: submission dates lie in the five months before it (default: today)")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 || *slug == "" {
		return orUsage(err, fs)
	}
	if *n < 1 || *n > 100000 {
		return fmt.Errorf("--participants %d: use 1 to 100000", *n)
	}
	today := time.Now()
	if *day != "" {
		var err error
		if today, err = time.Parse(time.DateOnly, *day); err != nil {
			return fmt.Errorf("--today %q: use YYYY-MM-DD", *day)
		}
	}
	store, set, err := open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.CohortBySlug(*slug); errors.Is(err, db.ErrNotFound) {
		inst, err := set.Resolve(questions.DefaultID)
		if err != nil {
			return err
		}
		if _, err := store.CreateCohort(*slug, "Demo "+*slug, inst.Ref()); err != nil {
			return err
		}
		if err := store.Audit("cli", db.AuditCohortCreate, *slug, "demo cohort"); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	cohort, inst, err := cohortAndInstrument(store, set, *slug)
	if err != nil {
		return err
	}
	st, err := reports.GenerateDemo(store, inst, cohort, *n, *seed, today)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("demo: %d synthetic participants, seed %d", st.Participants, *seed)
	if err := store.Audit("cli", db.AuditImport, cohort.Slug, detail); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Demo-Daten in %s: %d Teilnehmende, %d Vorher- und %d Nachher-Befragungen, %d Antworten (%.1f s).\n",
		cohort.Slug, st.Participants, st.Pre, st.Post, st.Answers, st.Elapsed.Seconds())
	return nil
}
