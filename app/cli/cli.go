// Package cli is the command line of einordnung: it starts the web server
// (package app) and manages cohorts, instruments, accounts, backups,
// exports, imports, demo data and load tests. Every command that opens the
// database works with the built-in instruments and those imported into it
// (open, app.LoadInstruments). Each command has a file of its own. Every
// command that changes the database, and each export, writes one audit
// entry by db.ActorCLI, under the action the same step has on the web.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"einordnung/app"
	"einordnung/db"
	"einordnung/questions"
)

// Defaults, overridable by flags and environment variables.
const (
	defaultDB   = "einordnung.db"
	defaultAddr = "127.0.0.1:8080"
)

const usage = `Einordnung – AI literacy self-assessment before and after a certificate.

Usage:
  einordnung serve [--db FILE|URL] [--addr HOST:PORT] [--demo]   start the web server
  einordnung cohort create --slug SLUG --name NAME [--instrument ID@VERSION]
  einordnung cohort open SLUG pre|post                       open a wave (closes the other)
  einordnung cohort close SLUG pre|post                      close a wave
  einordnung cohort list                                     list cohorts with counts
  einordnung instrument list                                 list the instruments (built-in and imported) with their cohorts
  einordnung instrument validate FILE                        check an instrument file (YAML or JSON); every problem with its line
  einordnung instrument import FILE                          store an instrument file in the database as ID@VERSION
  einordnung instrument export ID@VERSION [--out FILE]       write an instrument's file back, byte for byte
  einordnung instrument diff A B                             what changed between two instruments (ID@VERSION or FILE)
  einordnung user create --email ADDRESS --role admin|lead   create an account (prints a one-time password)
  einordnung operator set FILE                               set the operator's details for the privacy notice (YAML or JSON)
  einordnung operator show                                   print them in the same format, with the details still missing
  einordnung backup --to FILE                                write a consistent copy of the live database
  einordnung report --cohort SLUG --format json|html [--out FILE]
  einordnung export --cohort SLUG --what responses|wide|xlsx|codebook|sps|r|json|quality|html [--out FILE]
  einordnung import --cohort SLUG FILE.csv                   import a long CSV (every row valid, or nothing)
  einordnung demo --cohort SLUG --participants N [--instrument ID@VERSION] [--seed S]
                                                             fill an empty cohort with synthetic answers
  einordnung loadtest --url URL --cohort SLUG --participants N --duration D   play N participants against a server
  einordnung help [COMMAND]                                  show help

Every command takes --db FILE|URL: a SQLite file, or a postgres://… URL for
PostgreSQL (default %s, or $EINORDNUNG_DB, or $DATABASE_URL).
Run "einordnung COMMAND --help" for a command's options.
`

// cli runs one command with its own output streams, so tests can run it.
type cli struct {
	in          io.Reader
	out, errOut io.Writer
	// ready, if set, receives the server's address once it listens.
	ready func(addr string)
	// stop, if set, ends serve instead of a signal.
	stop <-chan struct{}
	// opened, if set, is called by serve once the database is open and
	// before the first administrator is made, so that a test can line
	// instances up at the moment they would race.
	opened func()
}

// Main runs the command line and returns the process exit code.
func Main(args []string) int {
	return (&cli{in: os.Stdin, out: os.Stdout, errOut: os.Stderr}).run(args)
}

func (c *cli) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprintf(c.errOut, usage, defaultDB)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = c.serve(args[1:])
	case "cohort":
		err = c.cohort(args[1:])
	case "instrument":
		err = c.instrument(args[1:])
	case "user":
		err = c.user(args[1:])
	case "operator":
		err = c.operator(args[1:])
	case "backup":
		err = c.backup(args[1:])
	case "report":
		err = c.report(args[1:])
	case "export":
		err = c.export(args[1:])
	case "import":
		err = c.importFile(args[1:])
	case "demo":
		err = c.demo(args[1:])
	case "loadtest":
		err = c.loadtest(args[1:])
	case "help", "-h", "--help":
		if len(args) > 1 && args[1] != "help" {
			return c.run([]string{args[1], "--help"})
		}
		fmt.Fprintf(c.out, usage, defaultDB)
		return 0
	default:
		fmt.Fprintf(c.errOut, "einordnung: unknown command %q\n\n", args[0])
		fmt.Fprintf(c.errOut, usage, defaultDB)
		return 2
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errReported):
		return 1
	case err != nil:
		fmt.Fprintln(c.errOut, "einordnung:", err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

// verb is one subcommand of a command with several (cohort create, …).
type verb struct {
	name string
	run  func(args []string) error
}

// subcommand runs the verb args[0] names with the rest of args, or prints
// the command's usage.
func (c *cli) subcommand(command string, args []string, verbs []verb) error {
	names := make([]string, len(verbs))
	for i, v := range verbs {
		names[i] = v.name
	}
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprintf(c.errOut, "Usage: einordnung %s %s … (einordnung %s %s --help)\n", command, strings.Join(names, "|"), command, verbs[0].name)
		if len(args) == 0 {
			return errUsage
		}
		return flag.ErrHelp
	}
	for _, v := range verbs {
		if v.name == args[0] {
			return v.run(args[1:])
		}
	}
	return fmt.Errorf("unknown %s command %q (%s)", command, args[0], strings.Join(names, ", "))
}

// flags returns a flag set for a command whose help text is summary.
func (c *cli) flags(name, summary string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.errOut)
	fs.Usage = func() {
		fmt.Fprintf(c.errOut, "Usage: einordnung %s\n\nOptions:\n", summary)
		fs.PrintDefaults()
	}
	dbPath := new(string)
	*dbPath = envOr("EINORDNUNG_DB", envOr("DATABASE_URL", defaultDB))
	fs.Var(dsnFlag{dbPath}, "db", "database: a SQLite `file`, or a postgres:// URL (then several servers can share it)")
	return fs, dbPath
}

// dsnFlag is the --db flag. It shows a PostgreSQL URL without its
// password, so that --help does not print the one from $DATABASE_URL.
type dsnFlag struct{ dsn *string }

func (f dsnFlag) String() string {
	if f.dsn == nil {
		return ""
	}
	return db.Redact(*f.dsn)
}

func (f dsnFlag) Set(v string) error { *f.dsn = v; return nil }

// parse parses flags that may come before, between or after positional
// arguments, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// orUsage is err, or, for arguments that parsed but do not fit, the
// command's usage and errUsage.
func orUsage(err error, fs *flag.FlagSet) error {
	if err == nil {
		fs.Usage()
		return errUsage
	}
	return err
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

// open opens the database and loads the instruments: the built-in ones and
// those imported into it.
func open(path string) (*db.Store, *questions.Set, error) {
	store, err := db.Open(path)
	if err != nil {
		return nil, nil, err
	}
	set, err := app.LoadInstruments(store)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, set, nil
}

// cohortAndInstrument finds a cohort by its short code and its instrument.
func cohortAndInstrument(store *db.Store, set *questions.Set, slug string) (*db.Cohort, *questions.Instrument, error) {
	cohort, err := store.CohortBySlug(slug)
	if err != nil {
		return nil, nil, err
	}
	inst, ok := set.Get(cohort.Instrument)
	if !ok {
		return nil, nil, fmt.Errorf("cohort %s uses instrument %s, which is neither built in nor imported", slug, cohort.Instrument)
	}
	return cohort, inst, nil
}
