package app

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

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
  einordnung instrument list                                 list the built-in instruments
  einordnung user create --email ADDRESS --role admin|lead   create an account (prints a one-time password)
  einordnung backup --to FILE                                write a consistent copy of the live database
  einordnung report --cohort SLUG --format json|html [--out FILE]
  einordnung export --cohort SLUG --what responses|wide|xlsx|codebook|sps|r|json|html [--out FILE]
  einordnung import --cohort SLUG FILE.csv                   import a long CSV (every row valid, or nothing)
  einordnung demo --cohort SLUG --participants N [--seed S]  fill an empty cohort with synthetic answers
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
	case err != nil:
		fmt.Fprintln(c.errOut, "einordnung:", err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

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

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

func (c *cli) serve(args []string) error {
	fs, dbPath := c.flags("serve", "serve [--db FILE|URL] [--addr HOST:PORT] [--demo] [--secret-file FILE]")
	addr := fs.String("addr", envOr("EINORDNUNG_ADDR", defaultAddr), "address to listen on")
	demo := fs.Bool("demo", false, `create a cohort "demo" with its pre wave open`)
	secretFile := fs.String("secret-file", "", "file with the key for code hashes (default: the SQLite file + .secret; required with PostgreSQL unless $EINORDNUNG_SECRET is set; $EINORDNUNG_SECRET overrides)")
	secure := fs.Bool("secure-cookies", os.Getenv("EINORDNUNG_SECURE_COOKIES") == "1", "mark cookies Secure (when served over HTTPS)")
	publicURL := fs.String("public-url", os.Getenv("EINORDNUNG_PUBLIC_URL"), "address participants use, for links and QR codes (default: as requested)")
	proxyHeader := fs.String("proxy-header", os.Getenv("EINORDNUNG_PROXY_HEADER"), "header with the client address set by a trusted reverse proxy, e.g. X-Forwarded-For")
	trusted := fs.String("trusted-proxies", os.Getenv("EINORDNUNG_TRUSTED_PROXIES"), "comma-separated addresses of trusted reverse proxies")
	codeLimit := fs.Int("code-limit-per-address", 300, "code entries allowed per client address in 5 minutes; raise only for a load test from one machine")
	metricsAddr := fs.String("metrics-addr", os.Getenv("EINORDNUNG_METRICS_ADDR"), "serve Prometheus metrics at /metrics on this address only (e.g. 127.0.0.1:9100); off if empty")
	tuneGC()
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 {
		return orUsage(err, fs)
	}
	if *secretFile == "" && db.IsPostgres(*dbPath) && os.Getenv("EINORDNUNG_SECRET") == "" {
		// Instances sharing a database must share the key, or codes hashed
		// by one never match on another: no key is made up for them.
		return errors.New("with PostgreSQL, give the key for code hashes with --secret-file FILE (created if missing) or $EINORDNUNG_SECRET; every instance on the database needs the same key")
	}
	if *secretFile == "" {
		*secretFile = *dbPath + ".secret"
	}
	secret, err := loadSecret(*secretFile)
	if err != nil {
		return err
	}
	store, set, err := open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := checkInstruments(store, set); err != nil {
		return err
	}
	if *demo {
		if err := ensureDemo(store, set); err != nil {
			return err
		}
	}
	if err := c.bootstrapAdmin(store); err != nil {
		return err
	}
	cfg := Config{Secret: secret, SecureCookies: *secure, PublicURL: *publicURL, ProxyHeader: *proxyHeader, Metrics: NewMetrics()}
	cfg.CodeLimitPerAddress = *codeLimit
	if *trusted != "" {
		cfg.TrustedProxies = strings.Split(*trusted, ",")
	}
	web, err := New(cfg, store, set)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(c.out, "Einordnung läuft auf %s (Datenbank %s)\n", base, db.Redact(*dbPath))
	if *demo {
		fmt.Fprintf(c.out, "Demo-Jahrgang, Vorher-Befragung offen: %s/c/demo\n", base)
	}
	fmt.Fprintf(c.out, "Programmleitung: %s/admin\n", base)
	fmt.Fprintln(c.out, "Beenden mit Strg+C.")
	if c.ready != nil {
		c.ready(ln.Addr().String())
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if *metricsAddr != "" {
		// Metrics live on an address of their own, for the operator only:
		// never on the participants' port.
		mux := http.NewServeMux()
		mux.Handle("/metrics", cfg.Metrics.Handler())
		// Go's profiler, to find where the time goes under load.
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		msrv := &http.Server{Addr: *metricsAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		mln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			return fmt.Errorf("metrics address: %w", err)
		}
		go msrv.Serve(mln)
		defer msrv.Close()
		fmt.Fprintf(c.out, "Metriken (nur für den Betrieb): http://%s/metrics\n", mln.Addr())
	}
	go housekeeping(ctx, store)
	served := make(chan error, 1)
	go func() { served <- web.Listener(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	case <-c.stop:
	}
	slog.Info("shutting down: finishing requests in flight")
	if err := web.ShutdownWithTimeout(15 * time.Second); err != nil {
		return err
	}
	// A stop that comes before the server has taken over the listener
	// finds nothing to shut down; closing the listener ends it either way.
	if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	if err := <-served; err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

func orUsage(err error, fs *flag.FlagSet) error {
	if err == nil {
		fs.Usage()
		return errUsage
	}
	return err
}

// housekeeping deletes expired sessions every ten minutes and, once at start
// and then daily, the answers whose cohort's retention period has passed.
func housekeeping(ctx context.Context, store *db.Store) {
	purge := func() {
		purged, err := store.PurgeExpired(time.Now())
		if err != nil {
			slog.Error("retention", "err", err)
		}
		for slug, n := range purged {
			if err := store.Audit("system", db.AuditRetention, slug, fmt.Sprintf("%d participants deleted after the retention period", n)); err != nil {
				slog.Error("audit log", "err", err)
			}
		}
	}
	purge()
	sessions := time.NewTicker(10 * time.Minute)
	defer sessions.Stop()
	daily := time.NewTicker(24 * time.Hour)
	defer daily.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sessions.C:
			if _, err := store.Sessions().DeleteExpired(); err != nil {
				slog.Error("cleaning sessions", "err", err)
			}
		case <-daily.C:
			purge()
		}
	}
}

// bootstrapAdmin creates the first administrator when there is no account:
// from EINORDNUNG_ADMIN_EMAIL and EINORDNUNG_ADMIN_PASSWORD if set, else
// admin@localhost with a one-time password printed once. Either way the
// password must be changed at the first sign-in.
func (c *cli) bootstrapAdmin(store *db.Store) error {
	n, err := store.CountUsers()
	if err != nil || n > 0 {
		return err
	}
	email := envOr("EINORDNUNG_ADMIN_EMAIL", "admin@localhost")
	password := os.Getenv("EINORDNUNG_ADMIN_PASSWORD")
	generated := password == ""
	if generated {
		password = NewPassword()
	}
	hash, err := HashPassword(password)
	if err != nil {
		return fmt.Errorf("EINORDNUNG_ADMIN_PASSWORD: %w", err)
	}
	if _, err := store.CreateUser(email, db.RoleAdmin, hash, true); err != nil {
		return err
	}
	if err := store.Audit("system", db.AuditUserCreate, email, "role=admin (first start)"); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Erstes Administrationskonto angelegt: %s\n", email)
	if generated {
		fmt.Fprintf(c.out, "Einmal-Passwort (wird nur jetzt angezeigt, bei der ersten Anmeldung zu ändern): %s\n", password)
	}
	return nil
}

// loadSecret reads the hashing key from $EINORDNUNG_SECRET or the file,
// creating the file with a random key on first start.
func loadSecret(path string) ([]byte, error) {
	if s := os.Getenv("EINORDNUNG_SECRET"); s != "" {
		if len(s) < 32 {
			return nil, errors.New("EINORDNUNG_SECRET must have at least 32 characters")
		}
		return []byte(s), nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		data = []byte(hex.EncodeToString(key) + "\n")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, fmt.Errorf("create secret file: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read secret file: %w", err)
	}
	secret := strings.TrimSpace(string(data))
	if len(secret) < 32 {
		return nil, fmt.Errorf("secret file %s must hold at least 32 characters", path)
	}
	return []byte(secret), nil
}

// tuneGC trades memory for CPU: a web server that allocates per request
// collects garbage far less often at 400 % than at Go's 100 %, which cut the
// server's CPU time per questionnaire by about 6 % under load, and a soft
// limit of 512 MiB keeps the heap from growing past that. GOGC and
// GOMEMLIMIT still win when an operator sets them.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(512 << 20)
	}
}

// open loads the instruments and opens the database.
func open(path string) (*db.Store, *questions.Set, error) {
	set, err := questions.Load()
	if err != nil {
		return nil, nil, err
	}
	store, err := db.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return store, set, nil
}

// checkInstruments refuses to serve a cohort whose instrument version this
// build does not contain: its participants could not answer.
func checkInstruments(store *db.Store, set *questions.Set) error {
	cohorts, err := store.Cohorts()
	if err != nil {
		return err
	}
	for _, co := range cohorts {
		if _, ok := set.Get(co.Instrument); !ok {
			return fmt.Errorf("cohort %s uses instrument %s, which this build does not contain", co.Slug, co.Instrument)
		}
	}
	return nil
}

func ensureDemo(store *db.Store, set *questions.Set) error {
	if _, err := store.CohortBySlug("demo"); errors.Is(err, db.ErrNotFound) {
		inst, err := set.Resolve(questions.DefaultID)
		if err != nil {
			return err
		}
		if _, err := store.CreateCohort("demo", "Demo-Jahrgang", inst.Ref()); err != nil {
			return err
		}
		return store.SetWaveOpen("demo", db.Pre, true)
	} else if err != nil {
		return err
	}
	return nil
}

func (c *cli) cohort(args []string) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprintln(c.errOut, "Usage: einordnung cohort create|open|close|list … (einordnung cohort create --help)")
		if len(args) == 0 {
			return errUsage
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "create":
		fs, dbPath := c.flags("cohort create", "cohort create --slug SLUG --name NAME [--instrument ID@VERSION]")
		slug := fs.String("slug", "", "short code participants type, e.g. ws26 (lowercase letters, digits, dashes)")
		name := fs.String("name", "", `display name, e.g. "Jahrgang 2026/27"`)
		ref := fs.String("instrument", questions.DefaultID, "instrument as ID@VERSION, or ID for its latest version")
		if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 || *slug == "" || *name == "" {
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
		cohort, err := store.CreateCohort(*slug, *name, inst.Ref())
		if err != nil {
			return err
		}
		fmt.Fprintf(c.out, "Jahrgang %q (%s) angelegt mit Instrument %s. Wellen sind geschlossen; öffnen mit: einordnung cohort open %s pre\n",
			cohort.Name, cohort.Slug, cohort.Instrument, cohort.Slug)
		return nil
	case "open", "close":
		fs, dbPath := c.flags("cohort "+args[0], "cohort "+args[0]+" SLUG pre|post")
		rest, err := parse(fs, args[1:])
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
		if err := store.SetWaveOpen(rest[0], wave, args[0] == "open"); err != nil {
			return err
		}
		state := "geschlossen"
		if args[0] == "open" {
			state = "geöffnet (die andere Welle ist geschlossen)"
		}
		fmt.Fprintf(c.out, "%s: Welle %s %s\n", rest[0], wave, state)
		return nil
	case "list":
		fs, dbPath := c.flags("cohort list", "cohort list")
		if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 {
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
	return fmt.Errorf("unknown cohort command %q (create, open, close, list)", args[0])
}

func (c *cli) instrument(args []string) error {
	fs, _ := c.flags("instrument list", "instrument list")
	rest, err := parse(fs, args)
	if err != nil || len(rest) != 1 || rest[0] != "list" {
		return orUsage(err, fs)
	}
	set, err := questions.Load()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTRUMENT\tTITLE\tDIMENSIONS\tITEMS\tKNOWLEDGE")
	for _, in := range set.All() {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", in.Ref(), in.Title.DE, len(in.Dimensions), len(in.Items), len(in.Knowledge))
	}
	return tw.Flush()
}

func (c *cli) user(args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(c.errOut, "Usage: einordnung user create --email ADDRESS --role admin|lead")
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return flag.ErrHelp
		}
		return errUsage
	}
	fs, dbPath := c.flags("user create", "user create --email ADDRESS --role admin|lead [--password-stdin]")
	email := fs.String("email", "", "e-mail address to sign in with")
	role := fs.String("role", db.RoleLead, "admin (manages accounts, sees all cohorts) or lead (sees assigned cohorts)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input instead of generating a one-time password")
	if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 || *email == "" {
		return orUsage(err, fs)
	}
	password := NewPassword()
	if *fromStdin {
		line, err := bufio.NewReader(c.in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		password = strings.TrimRight(line, "\r\n")
	}
	hash, err := HashPassword(password)
	if err != nil {
		return fmt.Errorf("password: at least %d characters, at most 72 bytes", MinPasswordLength)
	}
	store, _, err := open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	u, err := store.CreateUser(*email, *role, hash, true)
	if err != nil {
		return err
	}
	if err := store.Audit("cli", db.AuditUserCreate, u.Email, "role="+u.Role); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Konto %s (%s) angelegt; das Passwort ist bei der ersten Anmeldung zu ändern.\n", u.Email, u.Role)
	if !*fromStdin {
		fmt.Fprintf(c.out, "Einmal-Passwort: %s\n", password)
	}
	return nil
}

func (c *cli) backup(args []string) error {
	fs, dbPath := c.flags("backup", "backup [--db FILE] --to FILE.db")
	to := fs.String("to", "", "file to write the copy to (must not exist)")
	rest, err := parse(fs, args)
	if err == nil && len(rest) == 0 && db.IsPostgres(*dbPath) {
		return db.ErrBackupPostgres
	}
	if err != nil || len(rest) > 0 || *to == "" {
		return orUsage(err, fs)
	}
	if _, err := os.Stat(*to); err == nil {
		return fmt.Errorf("%s exists already; choose a new file", *to)
	}
	store, _, err := open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(*to); err != nil {
		return err
	}
	copyStore, err := db.Open(*to)
	if err != nil {
		return fmt.Errorf("the copy does not open: %w", err)
	}
	defer copyStore.Close()
	if err := copyStore.Check(); err != nil {
		return fmt.Errorf("the copy is damaged: %w", err)
	}
	if err := store.Audit("cli", db.AuditBackup, *to, ""); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Sicherung geschrieben und geprüft: %s\nDenken Sie an die Schlüsseldatei (%s.secret oder EINORDNUNG_SECRET): ohne sie passen Codes und Rückkehrcodes nicht mehr.\n", *to, *dbPath)
	return nil
}
