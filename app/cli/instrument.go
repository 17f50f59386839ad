package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"einordnung/app"
	"einordnung/db"
	"einordnung/questions"
)

func (c *cli) instrument(args []string) error {
	return c.subcommand("instrument", args, []verb{
		{"list", c.instrumentList},
		{"validate", c.instrumentValidate},
		{"import", c.instrumentImport},
		{"export", c.instrumentExport},
		{"diff", c.instrumentDiff},
	})
}

// errReported is the exit status 1 of a command that has printed its
// problems itself.
var errReported = errors.New("reported")

// instrumentList lists the built-in and imported instruments with the
// cohorts that use each.
func (c *cli) instrumentList(args []string) error {
	fs, dbPath := c.flags("instrument list", "instrument list")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 {
		return orUsage(err, fs)
	}
	store, set, err := open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	cohorts, err := store.Cohorts()
	if err != nil {
		return err
	}
	rows, err := app.InstrumentRows(set, cohorts)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTRUMENT\tSOURCE\tTITLE\tDIMENSIONS\tITEMS\tKNOWLEDGE\tCOHORTS")
	for _, r := range rows {
		source := "importiert"
		if r.Builtin {
			source = "eingebaut"
		}
		used := "-"
		if len(r.Cohorts) > 0 {
			used = strings.Join(r.Cohorts, ", ")
		}
		in := r.Inst
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", in.Ref(), source, in.Title.In("de"), len(in.Dimensions), len(in.Items), len(in.Knowledge), used)
	}
	return tw.Flush()
}

// instrumentValidate checks a file without a database and prints every
// problem as FILE:LINE: element: what is wrong.
func (c *cli) instrumentValidate(args []string) error {
	fs, _ := c.flags("instrument validate", "instrument validate FILE")
	rest, err := parse(fs, args)
	if err != nil || len(rest) != 1 {
		return orUsage(err, fs)
	}
	in, err := c.parseFile(rest[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "%s: %s ist gültig (%d Dimensionen, %d Items, %d Wissensfragen, %d Hintergrundfragen)\n",
		rest[0], in.Ref(), len(in.Dimensions), len(in.Items), len(in.Knowledge), len(in.Background))
	return nil
}

// parseFile reads and checks an instrument file; its problems go to the
// error stream one a line, and the error is then errReported.
func (c *cli) parseFile(name string) (*questions.Instrument, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	in, err := questions.Parse(name, data)
	return in, c.problems(err)
}

// problems prints an instrument's problems one a line and reports them.
func (c *cli) problems(err error) error {
	var ps questions.Problems
	if !errors.As(err, &ps) {
		return err
	}
	for _, p := range ps {
		fmt.Fprintln(c.errOut, p)
	}
	fmt.Fprintf(c.errOut, "%d Problem(e) gefunden, nichts gespeichert.\n", len(ps))
	return errReported
}

// instrumentImport stores a checked file in the database.
func (c *cli) instrumentImport(args []string) error {
	fs, dbPath := c.flags("instrument import", "instrument import FILE")
	rest, err := parse(fs, args)
	if err != nil || len(rest) != 1 {
		return orUsage(err, fs)
	}
	data, err := os.ReadFile(rest[0])
	if err != nil {
		return err
	}
	store, err := db.Open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	in, created, err := app.ImportInstrument(store, rest[0], data)
	if err != nil {
		return c.problems(err)
	}
	if !created {
		fmt.Fprintf(c.out, "%s (unverändert, bereits gespeichert)\n", in.Ref())
		return nil
	}
	if err := store.Audit(db.ActorCLI, db.AuditInstrumentImport, in.Ref(), fmt.Sprintf("file=%q bytes=%d", rest[0], len(data))); err != nil {
		return err
	}
	fmt.Fprintln(c.out, in.Ref())
	return nil
}

// instrumentExport writes an instrument's file back, byte for byte.
func (c *cli) instrumentExport(args []string) error {
	fs, dbPath := c.flags("instrument export", "instrument export ID@VERSION [--out FILE]")
	out := fs.String("out", "", "write to this `file` instead of standard output")
	rest, err := parse(fs, args)
	if err != nil || len(rest) != 1 {
		return orUsage(err, fs)
	}
	store, set, err := open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	in, err := set.Resolve(rest[0])
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = c.out.Write(in.Source())
	} else {
		err = os.WriteFile(*out, in.Source(), 0o644)
	}
	if err != nil {
		return err
	}
	return store.Audit(db.ActorCLI, db.AuditInstrumentExport, in.Ref(), fmt.Sprintf("out=%q", *out))
}

// instrumentDiff prints what changed between two instruments, each a
// reference or a file.
func (c *cli) instrumentDiff(args []string) error {
	fs, dbPath := c.flags("instrument diff", "instrument diff A B (each ID@VERSION or FILE)")
	rest, err := parse(fs, args)
	if err != nil || len(rest) != 2 {
		return orUsage(err, fs)
	}
	store, set, err := open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	var ins [2]*questions.Instrument
	for i, arg := range rest {
		if _, statErr := os.Stat(arg); statErr == nil {
			ins[i], err = c.parseFile(arg)
		} else {
			ins[i], err = set.Resolve(arg)
		}
		if err != nil {
			return err
		}
	}
	changes := questions.Diff(ins[0], ins[1])
	if len(changes) == 0 {
		fmt.Fprintf(c.out, "%s und %s stimmen in allen Fragen und Texten überein.\n", ins[0].Ref(), ins[1].Ref())
		return nil
	}
	fmt.Fprintf(c.out, "Von %s zu %s:\n", ins[0].Ref(), ins[1].Ref())
	for _, ch := range changes {
		fmt.Fprintln(c.out, describeChange(ch))
	}
	return nil
}

var diffSections = map[string]string{
	"instrument": "Instrument", "dimension": "Dimension", "item": "Item",
	"knowledge": "Wissensfrage", "background": "Hintergrundfrage",
}

// describeChange says one change in German, one line.
func describeChange(ch questions.Change) string {
	what := diffSections[ch.Section]
	if ch.ID != "" {
		what += " " + ch.ID
	}
	switch ch.Kind {
	case questions.Added:
		return fmt.Sprintf("+ %s hinzugefügt: „%s“", what, ch.New)
	case questions.Removed:
		return fmt.Sprintf("- %s entfernt: „%s“", what, ch.Old)
	case questions.Reworded:
		return fmt.Sprintf("~ %s umformuliert (%s): „%s“ → „%s“", what, ch.Field, ch.Old, ch.New)
	case questions.Rescaled:
		return fmt.Sprintf("~ %s neue Skala: %s → %s", what, ch.Old, ch.New)
	case questions.Rekeyed:
		return fmt.Sprintf("~ %s neu ausgewertet (%s): %s → %s", what, ch.Field, ch.Old, ch.New)
	}
	return fmt.Sprintf("~ %s geändert (%s): %s → %s", what, ch.Field, ch.Old, ch.New)
}
