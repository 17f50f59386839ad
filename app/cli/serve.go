package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"einordnung/app"
	"einordnung/db"
	"einordnung/questions"
)

func (c *cli) serve(args []string) error {
	fs, dbPath := c.flags("serve", "serve [--db FILE|URL] [--addr HOST:PORT] [--demo] [--secret-file FILE]")
	addr := fs.String("addr", envOr("EINORDNUNG_ADDR", defaultAddr), "address to listen on")
	demo := fs.Bool("demo", false, `create a cohort "demo" with its pre wave open to try, and a cohort "beispiel" filled with synthetic answers (marked as a demo)`)
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
	secret, err := serverSecret(*secretFile, *dbPath)
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
	var filled *db.Cohort
	if *demo {
		if filled, err = ensureDemo(store, set, time.Now()); err != nil {
			return err
		}
	}
	if c.opened != nil {
		c.opened()
	}
	if err := c.bootstrapAdmin(store); err != nil {
		return err
	}
	cfg := app.Config{Secret: secret, SecureCookies: *secure, PublicURL: *publicURL, ProxyHeader: *proxyHeader, Metrics: app.NewMetrics()}
	cfg.CodeLimitPerAddress = *codeLimit
	if *trusted != "" {
		cfg.TrustedProxies = strings.Split(*trusted, ",")
	}
	web, err := app.New(cfg, store, set)
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
		fmt.Fprintf(c.out, "Demo-Jahrgang zum Ausprobieren, Vorher-Befragung offen: %s/c/%s\n", base, demoTrySlug)
		if filled != nil {
			fmt.Fprintf(c.out, "Beispieljahrgang mit synthetischen Antworten (Demo), Auswertung: %s/admin/cohorts/%d/report\n", base, filled.ID)
		}
	}
	fmt.Fprintf(c.out, "Programmleitung: %s/admin\n", base)
	fmt.Fprintln(c.out, "Beenden mit Strg+C.")
	if c.ready != nil {
		c.ready(ln.Addr().String())
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if *metricsAddr != "" {
		msrv, err := c.serveMetrics(*metricsAddr, cfg.Metrics)
		if err != nil {
			return err
		}
		defer msrv.Close()
	}
	// The store closes only after housekeeping has stopped, so a retention
	// run cut short by a stop never loses its audit entry to a closed pool.
	housekeepingCtx, stopHousekeeping := context.WithCancel(ctx)
	housekept := make(chan struct{})
	go func() { defer close(housekept); housekeeping(housekeepingCtx, store) }()
	defer func() { stopHousekeeping(); <-housekept }()
	served := make(chan error, 1)
	go func() { served <- web.Listener(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	case <-c.stop:
	}
	return shutdown(web, ln, served)
}

// serverSecret reads (or, for a SQLite file, creates) the key of the code
// hashes.
func serverSecret(secretFile, dbPath string) ([]byte, error) {
	if secretFile == "" && db.IsPostgres(dbPath) && os.Getenv("EINORDNUNG_SECRET") == "" {
		// Instances sharing a database must share the key, or codes hashed
		// by one never match on another: no key is made up for them.
		return nil, errors.New("with PostgreSQL, give the key for code hashes with --secret-file FILE (created if missing) or $EINORDNUNG_SECRET; every instance on the database needs the same key")
	}
	if secretFile == "" {
		secretFile = dbPath + ".secret"
	}
	return loadSecret(secretFile)
}

// serveMetrics serves the metrics and Go's profiler on an address of their
// own, for the operator only: never on the participants' port.
func (c *cli) serveMetrics(addr string, m *app.Metrics) (*http.Server, error) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	// Go's profiler, to find where the time goes under load.
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	msrv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	mln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics address: %w", err)
	}
	go msrv.Serve(mln)
	fmt.Fprintf(c.out, "Metriken (nur für den Betrieb): http://%s/metrics\n", mln.Addr())
	return msrv, nil
}

// shutdown finishes the requests in flight (at most 15 s) and stops the server.
func shutdown(web *fiber.App, ln net.Listener, served chan error) error {
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

// housekeeping deletes expired sessions every ten minutes and, once at start
// and then daily, the answers whose cohort's retention period has passed.
func housekeeping(ctx context.Context, store *db.Store) {
	purge := func() {
		purged, err := store.PurgeExpired(time.Now())
		if err != nil {
			slog.Error("retention", "err", err)
		}
		for slug, n := range purged {
			if err := store.Audit(db.ActorSystem, db.AuditRetention, slug, fmt.Sprintf("%d participants deleted after the retention period", n)); err != nil {
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
		password = app.NewPassword()
	}
	hash, err := app.HashPassword(password)
	if err != nil {
		return fmt.Errorf("EINORDNUNG_ADMIN_PASSWORD: %w", err)
	}
	// Another instance starting at the same moment may have created it
	// since: then this one starts without an account of its own making.
	u, created, err := store.CreateFirstAdmin(email, hash)
	if err != nil || !created {
		return err
	}
	fmt.Fprintf(c.out, "Erstes Administrationskonto angelegt: %s\n", u.Email)
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
		if err := createSecret(path); err != nil {
			return nil, fmt.Errorf("create secret file: %w", err)
		}
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read secret file: %w", err)
	}
	secret := strings.TrimSpace(string(data))
	if len(secret) < 32 {
		return nil, fmt.Errorf("secret file %s must hold at least 32 characters", path)
	}
	return []byte(secret), nil
}

// createSecret writes a random key to path unless the file exists. The
// whole file appears at once (written aside, then linked into place), and
// only if no other instance starting at the same moment got there first:
// then its key is the one, for all of them.
func createSecret(path string) error {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(key) + "\n")
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return nil
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

// checkInstruments refuses to serve a cohort whose instrument version this
// build does not contain: its participants could not answer.
func checkInstruments(store *db.Store, set *questions.Set) error {
	cohorts, err := store.Cohorts()
	if err != nil {
		return err
	}
	for _, co := range cohorts {
		if _, ok := set.Get(co.Instrument); !ok {
			return fmt.Errorf("cohort %s uses instrument %s, which is neither built in nor imported", co.Slug, co.Instrument)
		}
	}
	return nil
}

// The cohorts serve --demo makes: one open to try the questionnaire, one
// filled with synthetic answers of demoParticipants people, whose dashboard
// shows what the product is for.
const (
	demoTrySlug      = "demo"
	demoFilledSlug   = "beispiel"
	demoParticipants = 300
	demoSeed         = 1
)

// ensureDemo makes the demo cohorts that do not exist yet, so a second
// start finds them and adds nothing. Only the filled one is marked as a demo
// (synthetic answers); the open one takes whatever is typed into it. today is
// the reference day of the synthetic submission dates.
func ensureDemo(store *db.Store, set *questions.Set, today time.Time) (filled *db.Cohort, err error) {
	inst, err := set.Resolve(questions.DefaultID)
	if err != nil {
		return nil, err
	}
	if _, err := store.CohortBySlug(demoTrySlug); errors.Is(err, db.ErrNotFound) {
		cohort, err := store.CreateCohort(demoTrySlug, "Demo-Jahrgang zum Ausprobieren", inst.Ref())
		if err != nil {
			return nil, err
		}
		if err := store.SetWaveOpen(demoTrySlug, db.Pre, true); err != nil {
			return nil, err
		}
		// One entry for the one step the operator asked for.
		if err := store.Audit(db.ActorCLI, db.AuditCohortCreate, cohort.Slug, db.CohortCreateDetail(cohort)+" "+db.WaveChangeDetail(db.Pre, true)); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	filled, err = store.CohortBySlug(demoFilledSlug)
	created := false
	if errors.Is(err, db.ErrNotFound) {
		if filled, err = store.CreateCohort(demoFilledSlug, "Beispieljahrgang mit synthetischen Antworten", inst.Ref()); err != nil {
			return nil, err
		}
		created = true
	} else if err != nil {
		return nil, err
	}
	if !filled.Demo && !created {
		return nil, nil // a cohort of that short code that is not ours: left alone
	}
	// A fill cut short leaves the cohort marked and empty: fill it now.
	if n, err := store.CountParticipants(filled.ID); err != nil || n > 0 {
		return filled, err
	}
	fillInst, ok := set.Get(filled.Instrument)
	if !ok {
		return nil, fmt.Errorf("cohort %s uses instrument %s, which is neither built in nor imported", filled.Slug, filled.Instrument)
	}
	if _, err := fillDemo(store, fillInst, filled, demoParticipants, demoSeed, today, created); err != nil {
		return nil, err
	}
	return filled, nil
}
