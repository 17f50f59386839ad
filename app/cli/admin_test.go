package cli

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"einordnung/db"
	"einordnung/db/dbtest"
)

var oneTimePassword = regexp.MustCompile(`Einmal-Passwort[^:\n]*: (\S+)`)

// passwordMatches reports whether password matches an account's bcrypt
// hash, as the sign-in does.
func passwordMatches(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// openStore opens a database the command line wrote, closing it at the end.
func openStore(t *testing.T, path string) *db.Store {
	t.Helper()
	s, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestUserCreateCommand(t *testing.T) {
	dbFile := dbtest.DSN(t)
	const typed = "ein selbst gewähltes Passwort"
	tests := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		stdout   string
		stderr   string
		email    string // the account that must exist afterwards, if any
		role     string
		password string // "" = the printed one-time password
	}{
		{"lead with a one-time password", "", []string{"--email", " X@Example.org ", "--role", "lead"}, 0, "Einmal-Passwort: ", "", "x@example.org", db.RoleLead, ""},
		{"admin with a password from stdin", typed + "\n", []string{"--email", "chefin@example.org", "--role", "admin", "--password-stdin"}, 0, "angelegt", "", "chefin@example.org", db.RoleAdmin, typed},
		{"stdin without a newline", "noch ein langes Passwort", []string{"--email", "ohne@example.org", "--password-stdin"}, 0, "angelegt", "", "ohne@example.org", db.RoleLead, "noch ein langes Passwort"},
		{"an existing address", "", []string{"--email", "x@EXAMPLE.org", "--role", "admin"}, 1, "", "already exists", "", "", ""},
		{"invalid role", "", []string{"--email", "root@example.org", "--role", "root"}, 1, "", "role", "", "", ""},
		{"short password from stdin", "kurz\n", []string{"--email", "kurz@example.org", "--password-stdin"}, 1, "", "at least 12", "", "", ""},
		{"not an address", "", []string{"--email", "niemand", "--role", "lead"}, 1, "", `"niemand" is not an e-mail address`, "", "", ""},
		{"no e-mail", "", []string{"--role", "lead"}, 2, "", "Usage", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"user", "create", "--db", dbFile}, tt.args...)
			code, stdout, stderr := runCLIWithInput(t, tt.stdin, args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d with %q / %q", code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
			if tt.email == "" {
				return
			}
			password := tt.password
			if password == "" {
				m := oneTimePassword.FindStringSubmatch(stdout)
				if m == nil {
					t.Fatalf("no one-time password in %q", stdout)
				}
				password = m[1]
			} else if strings.Contains(stdout, "Einmal-Passwort") || strings.Contains(stdout, password) {
				t.Errorf("a typed password is echoed: %q", stdout)
			}
			store := openStore(t, dbFile)
			// What the login handler does: find by e-mail, compare with bcrypt.
			u, err := store.UserByEmail(tt.email)
			if err != nil {
				t.Fatal(err)
			}
			if u.Role != tt.role || !u.MustChangePassword || u.Disabled || !passwordMatches(u.PasswordHash, password) {
				t.Errorf("account %+v: role %q, must change %v; password matches %v", u, tt.role, u.MustChangePassword, passwordMatches(u.PasswordHash, password))
			}
		})
	}
	store := openStore(t, dbFile)
	if n, err := store.CountUsers(); n != 3 || err != nil {
		t.Errorf("%d accounts (%v), want 3", n, err)
	}
	entries, err := store.AuditLog(10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var created []string
	for _, e := range entries {
		if e.Action == db.AuditUserCreate && e.Actor == db.ActorCLI {
			created = append(created, e.Target)
		}
	}
	if len(created) != 3 {
		t.Errorf("user_create entries by the command line: %v, want 3", created)
	}
}

func TestBackupCommand(t *testing.T) {
	dbtest.SkipOnPostgres(t, "copies a SQLite file with VACUUM INTO; TestBackupCommandOnPostgres checks the PostgreSQL answer")
	dir := t.TempDir()
	live, copyFile := filepath.Join(dir, "live.db"), filepath.Join(dir, "copy.db")
	for _, args := range [][]string{
		{"cohort", "create", "--db", live, "--slug", "ws26", "--name", "Jahrgang 2026/27"},
		{"cohort", "open", "--db", live, "ws26", "pre"},
	} {
		if code, _, stderr := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	// The server keeps the database open and writes while the copy is taken.
	store := openStore(t, live)
	if _, err := store.CreateCohort("ss27", "Jahrgang 2027", "einordnung@1"); err != nil {
		t.Fatal(err)
	}
	c, _ := store.CohortBySlug("ws26")
	if _, err := store.CreateParticipant(db.NewParticipant{CohortID: c.ID, Pseudonym: "P1", ReturnCodeHash: "h1"}); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := runCLI(t, "backup", "--db", live, "--to", copyFile)
	if code != 0 || !strings.Contains(stdout, "Sicherung geschrieben und geprüft") {
		t.Fatalf("backup: exit %d, %q %q", code, stdout, stderr)
	}
	copied := openStore(t, copyFile)
	if err := copied.Check(); err != nil {
		t.Errorf("the copy fails the integrity check: %v", err)
	}
	want, _ := store.Cohorts()
	got, err := copied.Cohorts()
	if err != nil || len(got) != len(want) {
		t.Fatalf("copy has %d cohorts (%v), want %d", len(got), err, len(want))
	}
	for i := range want {
		if got[i].Slug != want[i].Slug || got[i].Name != want[i].Name {
			t.Errorf("cohort %d: copy %s %q, live %s %q", i, got[i].Slug, got[i].Name, want[i].Slug, want[i].Name)
		}
	}
	if co, err := copied.CohortBySlug("ws26"); err != nil {
		t.Error(err)
	} else if w, ok := co.OpenWave(time.Now()); !ok || w != db.Pre {
		t.Errorf("copy: open wave %q %v, want pre", w, ok)
	}
	if _, err := copied.ParticipantByReturnCode("h1"); err != nil {
		t.Errorf("copy lacks the participant: %v", err)
	}
	entries, _ := store.AuditLog(5, 0)
	if len(entries) == 0 || entries[0].Action != db.AuditBackup || entries[0].Target != copyFile {
		t.Errorf("backup not audited: %+v", entries)
	}

	// An existing file is never overwritten.
	before, _ := os.ReadFile(copyFile)
	code, _, stderr = runCLI(t, "backup", "--db", live, "--to", copyFile)
	if code != 1 || !strings.Contains(stderr, "exists") {
		t.Errorf("backup onto an existing file: exit %d, %q", code, stderr)
	}
	if after, _ := os.ReadFile(copyFile); !bytes.Equal(before, after) {
		t.Error("the existing file was changed")
	}
	if code, _, stderr := runCLI(t, "backup", "--db", live); code != 2 || !strings.Contains(stderr, "Usage") {
		t.Errorf("backup without --to: exit %d, %q", code, stderr)
	}
}

// TestBackupCommandOnPostgres: on PostgreSQL the backup command copies
// nothing and tells the operator to use pg_dump, before it connects.
func TestBackupCommandOnPostgres(t *testing.T) {
	for _, args := range [][]string{
		{"backup", "--db", "postgres://einordnung:geheim@127.0.0.1:1/einordnung", "--to", filepath.Join(t.TempDir(), "copy.db")},
		{"backup", "--db", "postgresql://einordnung:geheim@127.0.0.1:1/einordnung"},
	} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, "pg_dump") || !strings.Contains(stderr, "pg_restore") || strings.Contains(stderr, "geheim") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 pointing to pg_dump and pg_restore, without the password", args, code, stdout, stderr)
		}
	}
}

// TestServeOnPostgresNeedsAKey: instances sharing a PostgreSQL database
// must share the key, so serve makes none up; it refuses before it connects.
func TestServeOnPostgresNeedsAKey(t *testing.T) {
	t.Setenv("EINORDNUNG_SECRET", "")
	dir := t.TempDir()
	t.Chdir(dir)
	code, _, stderr := runCLI(t, "serve", "--db", "postgres://einordnung:geheim@127.0.0.1:1/einordnung", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(stderr, "--secret-file") || !strings.Contains(stderr, "EINORDNUNG_SECRET") || strings.Contains(stderr, "geheim") {
		t.Errorf("serve on PostgreSQL without a key: exit %d, %q", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("serve left files behind: %v", entries)
	}
}

// TestDatabaseFromEnvironment: --db wins over $EINORDNUNG_DB, which wins
// over $DATABASE_URL; --help never shows a password from them.
func TestDatabaseFromEnvironment(t *testing.T) {
	t.Setenv("EINORDNUNG_DB", "")
	t.Setenv("DATABASE_URL", "postgres://einordnung:geheim@127.0.0.1:1/einordnung")
	c := &cli{out: &bytes.Buffer{}, errOut: &bytes.Buffer{}}
	fs, dsn := c.flags("x", "x")
	if *dsn != "postgres://einordnung:geheim@127.0.0.1:1/einordnung" {
		t.Errorf("with only DATABASE_URL set: --db defaults to %q", *dsn)
	}
	fs.Usage()
	if help := c.errOut.(*bytes.Buffer).String(); strings.Contains(help, "geheim") || !strings.Contains(help, "einordnung:xxxxx@127.0.0.1:1") {
		t.Errorf("help shows %q", help)
	}
	if _, err := parse(fs, []string{"--db", "eins.db"}); err != nil || *dsn != "eins.db" {
		t.Errorf("--db eins.db: %q, %v", *dsn, err)
	}
	t.Setenv("EINORDNUNG_DB", "zwei.db")
	if _, dsn := c.flags("x", "x"); *dsn != "zwei.db" {
		t.Errorf("EINORDNUNG_DB and DATABASE_URL set: --db defaults to %q, want zwei.db", *dsn)
	}
	t.Setenv("EINORDNUNG_DB", "")
	t.Setenv("DATABASE_URL", "")
	if _, dsn := c.flags("x", "x"); *dsn != defaultDB {
		t.Errorf("nothing set: --db defaults to %q, want %s", *dsn, defaultDB)
	}
}

// serveOnce starts the server on dbFile, stops it again and returns what it printed.
func serveOnce(t *testing.T, dbFile string) string {
	t.Helper()
	args, _ := serveArgs(t, dbFile)
	s := startServe(t, args...)
	// The sign-in page is served. (The request also makes sure the server
	// is listening before it is stopped; see TestServeStopsRightAfterStart.)
	resp, err := http.Get("http://" + s.addr + "/admin/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /admin/login: %d", resp.StatusCode)
	}
	s.shutdown(t)
	return s.out.String()
}

func TestServeCreatesTheFirstAdminOnce(t *testing.T) {
	t.Setenv("EINORDNUNG_ADMIN_EMAIL", "")
	t.Setenv("EINORDNUNG_ADMIN_PASSWORD", "")
	t.Setenv("EINORDNUNG_SECRET", "")
	dbFile := dbtest.DSN(t)

	first := serveOnce(t, dbFile)
	if n := strings.Count(first, "Einmal-Passwort"); n != 1 {
		t.Fatalf("first start prints the one-time password %d times: %s", n, first)
	}
	m := oneTimePassword.FindStringSubmatch(first)
	if m == nil || !strings.Contains(first, "admin@localhost") {
		t.Fatalf("first start: %s", first)
	}
	second := serveOnce(t, dbFile)
	if strings.Contains(second, "Einmal-Passwort") || strings.Contains(second, m[1]) || strings.Contains(second, "angelegt") {
		t.Errorf("second start creates or shows an account again: %s", second)
	}

	store := openStore(t, dbFile)
	users, err := store.Users()
	if err != nil || len(users) != 1 {
		t.Fatalf("accounts after two starts: %d (%v), want 1", len(users), err)
	}
	u := users[0]
	if u.Email != "admin@localhost" || !u.IsAdmin() || !u.MustChangePassword || !passwordMatches(u.PasswordHash, m[1]) {
		t.Errorf("first account %+v does not match the printed password or need not change it", u)
	}
}

func TestBootstrapAdminFromEnvironment(t *testing.T) {
	tests := []struct {
		name, email, password string
		wantErr               bool
		wantEmail             string
	}{
		{"address and password given", "Chefin@Example.org", "ein sicheres Startpasswort", false, "chefin@example.org"},
		{"password only", "", "ein sicheres Startpasswort", false, "admin@localhost"},
		{"password too short", "chefin@example.org", "kurz", true, ""},
		{"not an address", "chefin", "ein sicheres Startpasswort", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("EINORDNUNG_ADMIN_EMAIL", tt.email)
			t.Setenv("EINORDNUNG_ADMIN_PASSWORD", tt.password)
			store, _ := dbtest.Open(t)
			var out bytes.Buffer
			err := (&cli{out: &out}).bootstrapAdmin(store)
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				if n, _ := store.CountUsers(); n != 0 {
					t.Errorf("%d accounts created despite the error", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out.String(), "Einmal-Passwort") || strings.Contains(out.String(), tt.password) {
				t.Errorf("a configured password is printed: %s", out.String())
			}
			u, err := store.UserByEmail(tt.wantEmail)
			if err != nil {
				t.Fatal(err)
			}
			if !u.IsAdmin() || !u.MustChangePassword || !passwordMatches(u.PasswordHash, tt.password) {
				t.Errorf("account %+v", u)
			}
			// Once there is an account, nothing more is created.
			t.Setenv("EINORDNUNG_ADMIN_EMAIL", "zweite@example.org")
			if err := (&cli{out: &out}).bootstrapAdmin(store); err != nil {
				t.Fatal(err)
			}
			if _, err := store.UserByEmail("zweite@example.org"); !errors.Is(err, db.ErrNotFound) {
				t.Errorf("a second admin was created: %v", err)
			}
		})
	}
}

// TestServeStopsRightAfterStart asks the server to stop as soon as it says
// it is ready, as a service manager may (SIGTERM during start-up).
func TestServeStopsRightAfterStart(t *testing.T) {
	args, _ := serveArgs(t, dbtest.DSN(t))
	ready := make(chan string, 1)
	stop := make(chan struct{})
	var out, errOut bytes.Buffer
	c := &cli{out: &out, errOut: &errOut, ready: func(addr string) { ready <- addr }, stop: stop}
	done := make(chan int, 1)
	go func() { done <- c.run(append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	close(stop)
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited with %d: %s", code, errOut.String())
		}
	case <-time.After(3 * time.Second):
		t.Error("serve did not stop within 3 s of being asked right after start")
	}
}

// TestInstancesStartingTogetherCreateOneAdmin starts two servers on one
// empty database at the same moment, as the first deployment of two
// replicas does: both must start, exactly one creates the first
// administrator and prints its one-time password. On PostgreSQL the
// database is new (the migrations race too, see
// TestInstancesStartingTogetherMigrateOnce in db); a SQLite file belongs to
// one process, so there only the first start's account is raced for.
func TestInstancesStartingTogetherCreateOneAdmin(t *testing.T) {
	t.Setenv("EINORDNUNG_ADMIN_EMAIL", "")
	t.Setenv("EINORDNUNG_ADMIN_PASSWORD", "")
	t.Setenv("EINORDNUNG_SECRET", "")
	for round := range 3 {
		dsn := dbtest.DSN(t)
		// One new key file for both, as on one host (see
		// TestInstancesStartingTogetherShareTheNewKey).
		secretFile := filepath.Join(t.TempDir(), "einordnung.secret")
		if !dbtest.Postgres() {
			s, err := db.Open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
		}
		const instances = 2
		var outs [instances]bytes.Buffer
		var errOuts [instances]bytes.Buffer
		ready := make(chan string, instances)
		done := make(chan int, instances)
		stop := make(chan struct{})
		// Both go on from the open database together: one instance's
		// migrations finish about 0.1 s before the other's, which is
		// enough for the second to find the first's account, but not
		// what two machines promise.
		var atStart sync.WaitGroup
		atStart.Add(instances)
		for i := range instances {
			c := &cli{out: &outs[i], errOut: &errOuts[i], ready: func(addr string) { ready <- addr }, stop: stop,
				opened: func() { atStart.Done(); atStart.Wait() }}
			go func() {
				done <- c.run([]string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--secret-file", secretFile})
			}()
		}
		for range instances {
			select {
			case addr := <-ready:
				resp, err := http.Get("http://" + addr + "/readyz")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("round %d: /readyz: %d", round, resp.StatusCode)
				}
			case code := <-done:
				close(stop)
				<-done // the other one, before its database goes
				t.Fatalf("round %d: an instance exited with %d: %s%s", round, code, errOuts[0].String(), errOuts[1].String())
			case <-time.After(20 * time.Second):
				t.Fatalf("round %d: the instances did not start", round)
			}
		}
		close(stop)
		for range instances {
			if code := <-done; code != 0 {
				t.Errorf("round %d: an instance exited with %d after stopping: %s%s", round, code, errOuts[0].String(), errOuts[1].String())
			}
		}
		printed := strings.Count(outs[0].String(), "Einmal-Passwort") + strings.Count(outs[1].String(), "Einmal-Passwort")
		if printed != 1 {
			t.Errorf("round %d: the one-time password is printed %d times: %q / %q", round, printed, outs[0].String(), outs[1].String())
		}
		store := openStore(t, dsn)
		users, err := store.Users()
		if err != nil || len(users) != 1 {
			t.Fatalf("round %d: %d accounts (%v), want 1", round, len(users), err)
		}
		m := oneTimePassword.FindStringSubmatch(outs[0].String() + outs[1].String())
		if m == nil || !passwordMatches(users[0].PasswordHash, m[1]) {
			t.Errorf("round %d: the printed password does not open the account", round)
		}
	}
}

// TestInstancesStartingTogetherShareTheNewKey: instances given one key file
// that does not exist yet (one host, or a shared volume) must end up with
// the same key, or codes hashed by one never match on the other.
func TestInstancesStartingTogetherShareTheNewKey(t *testing.T) {
	t.Setenv("EINORDNUNG_SECRET", "")
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "einordnung.secret")
		const instances = 4
		keys := make([][]byte, instances)
		errs := make([]error, instances)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range instances {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				keys[i], errs[i] = loadSecret(path)
			}()
		}
		close(start)
		wg.Wait()
		onDisk, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i := range instances {
			if errs[i] != nil || string(keys[i]) != strings.TrimSpace(string(onDisk)) {
				t.Fatalf("round %d: instance %d has key %q (%v), the file %q", round, i, keys[i], errs[i], onDisk)
			}
		}
	}
}
