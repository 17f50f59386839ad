package cli

import (
	"errors"
	"fmt"
	"time"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports/demo"
)

func (c *cli) demo(args []string) error {
	fs, dbPath := c.flags("demo", "demo --cohort SLUG --participants N [--instrument ID@VERSION] [--seed S]")
	slug := fs.String("cohort", "", `cohort to fill; created (name "Demo SLUG") if it does not exist; must have no participants`)
	instrument := fs.String("instrument", "", "instrument of a cohort this creates, as ID@VERSION or ID (default: the default instrument); an existing cohort keeps its own")
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
	// The one entry this command writes says whether it made the cohort.
	created := false
	if _, err := store.CohortBySlug(*slug); errors.Is(err, db.ErrNotFound) {
		ref := *instrument
		if ref == "" {
			ref = questions.DefaultID
		}
		inst, err := set.Resolve(ref)
		if err != nil {
			return err
		}
		if _, err := store.CreateCohort(*slug, "Demo "+*slug, inst.Ref()); err != nil {
			return err
		}
		created = true
	} else if err != nil {
		return err
	}
	cohort, inst, err := cohortAndInstrument(store, set, *slug)
	if err != nil {
		return err
	}
	if *instrument != "" && !created {
		if asked, err := set.Resolve(*instrument); err != nil || asked.Ref() != inst.Ref() {
			return fmt.Errorf("--instrument gilt nur für einen Jahrgang, den demo neu anlegt: %s verwendet %s", cohort.Slug, inst.Ref())
		}
	}
	st, err := fillDemo(store, inst, cohort, *n, *seed, today, created)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Demo-Daten in %s: %d Teilnehmende, %d Vorher- und %d Nachher-Befragungen, %d Antworten (%.1f s).\n",
		cohort.Slug, st.Participants, st.Pre, st.Post, st.Answers, st.Elapsed.Seconds())
	return nil
}

// fillDemo fills an empty cohort with synthetic answers and marks it as a
// demo, with one audit entry that says whether the cohort was made for it.
// The mark comes first: a fill cut short still leaves a cohort that says
// it is a demo, never synthetic answers that pass for real ones.
func fillDemo(store *db.Store, inst *questions.Instrument, cohort *db.Cohort, n int, seed int64, today time.Time, created bool) (demo.Stats, error) {
	if count, err := store.CountParticipants(cohort.ID); err != nil || count > 0 {
		if err == nil {
			err = fmt.Errorf("reports: demo: cohort %s has %d participants already; demo data go only into an empty cohort", cohort.Slug, count)
		}
		return demo.Stats{}, err
	}
	if err := store.MarkDemo(cohort.ID); err != nil {
		return demo.Stats{}, err
	}
	cohort.Demo = true
	st, err := demo.Generate(store, inst, cohort, n, seed, today)
	if err != nil {
		return st, err
	}
	detail := fmt.Sprintf("%d synthetic participants, seed %d", st.Participants, seed)
	if created {
		detail += fmt.Sprintf(", cohort created: %s", db.CohortCreateDetail(cohort))
	}
	return st, store.Audit(db.ActorCLI, db.AuditDemo, cohort.Slug, detail)
}
