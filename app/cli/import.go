package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"einordnung/db"
	"einordnung/reports/exchange"
)

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
	responses, err := exchange.Import(in, store, inst, cohort)
	if err != nil {
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
	if err := store.Audit(db.ActorCLI, db.AuditImport, cohort.Slug, detail); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Importiert in %s: %d Teilnehmende, %d Vorher- und %d Nachher-Befragungen, %d Antworten.\n",
		cohort.Slug, len(people), waves[db.Pre], waves[db.Post], answers)
	return nil
}
