package cli

import (
	"fmt"
	"text/tabwriter"
	"unicode/utf8"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/questions/clean"
)

func (c *cli) cohort(args []string) error {
	return c.subcommand("cohort", args, []verb{
		{"create", c.cohortCreate},
		{"open", func(rest []string) error { return c.cohortWave("open", rest) }},
		{"close", func(rest []string) error { return c.cohortWave("close", rest) }},
		{"list", c.cohortList},
	})
}

// cohortCreate creates a cohort with its waves closed.
func (c *cli) cohortCreate(args []string) error {
	fs, dbPath := c.flags("cohort create", "cohort create --slug SLUG --name NAME [--instrument ID@VERSION]")
	slug := fs.String("slug", "", "short code participants type, e.g. ws26 (lowercase letters, digits, dashes)")
	name := fs.String("name", "", `display name, e.g. "Jahrgang 2026/27"`)
	ref := fs.String("instrument", questions.DefaultID, "instrument as ID@VERSION, or ID for its latest version")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 || *slug == "" || *name == "" {
		return orUsage(err, fs)
	}
	store, set, err := open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	inst, err := set.Resolve(*ref)
	if err != nil {
		return err
	}
	if !utf8.ValidString(*slug) || !utf8.ValidString(*name) {
		return fmt.Errorf("--slug and --name must be UTF-8")
	}
	cohort, err := store.CreateCohort(clean.Line(*slug), clean.Line(*name), inst.Ref())
	if err != nil {
		return err
	}
	if err := store.Audit(db.ActorCLI, db.AuditCohortCreate, cohort.Slug, db.CohortCreateDetail(cohort)); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Jahrgang %q (%s) angelegt mit Instrument %s. Wellen sind geschlossen; öffnen mit: einordnung cohort open %s pre\n",
		cohort.Name, cohort.Slug, cohort.Instrument, cohort.Slug)
	return nil
}

// cohortWave opens or closes (verb) a cohort's wave.
func (c *cli) cohortWave(verb string, args []string) error {
	fs, dbPath := c.flags("cohort "+verb, "cohort "+verb+" SLUG pre|post")
	rest, err := parse(fs, args)
	if err != nil || len(rest) != 2 {
		return orUsage(err, fs)
	}
	wave, ok := db.ParseWave(rest[1])
	if !ok {
		return fmt.Errorf("wave %q: use pre or post", rest[1])
	}
	store, _, err := open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.SetWaveOpen(rest[0], wave, verb == "open"); err != nil {
		return err
	}
	if err := store.Audit(db.ActorCLI, db.AuditWaveChange, rest[0], db.WaveChangeDetail(wave, verb == "open")); err != nil {
		return err
	}
	state := "geschlossen"
	if verb == "open" {
		state = "geöffnet (die andere Welle ist geschlossen)"
	}
	fmt.Fprintf(c.out, "%s: Welle %s %s\n", rest[0], wave, state)
	return nil
}

// cohortList lists the cohorts with their counts per wave.
func (c *cli) cohortList(args []string) error {
	fs, dbPath := c.flags("cohort list", "cohort list")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 {
		return orUsage(err, fs)
	}
	store, _, err := open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	cohorts, err := store.Cohorts()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tINSTRUMENT\tOPEN\tPRE STARTED/SUBMITTED\tPOST STARTED/SUBMITTED")
	for _, co := range cohorts {
		open := "-"
		if w, ok := co.SwitchedOn(); ok {
			open = string(w.Name)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%d/%d\n", co.Slug, co.Name, co.Instrument, open,
			co.Started[db.Pre], co.Submitted[db.Pre], co.Started[db.Post], co.Submitted[db.Post])
	}
	return tw.Flush()
}
