package cli

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"einordnung/db"
	"einordnung/db/dbtest"
)

// runCLI runs a command with empty standard input.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLIWithInput(t, "", args...)
}

// runCLIWithInput runs a command with standard input.
func runCLIWithInput(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = (&cli{in: strings.NewReader(stdin), out: &out, errOut: &errOut}).run(args)
	return code, out.String(), errOut.String()
}

func TestCohortCommands(t *testing.T) {
	dbFile := dbtest.DSN(t)
	steps := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"instrument", "list", "--db", dbFile}, 0, "einordnung@1", ""},
		{[]string{"cohort", "create", "--db", dbFile, "--slug", "ws26", "--name", "Jahrgang 2026/27"}, 0, "einordnung@1", ""},
		{[]string{"cohort", "create", "--db", dbFile, "--slug", "ws26", "--name", "nochmal"}, 1, "", "already exists"},
		{[]string{"cohort", "create", "--db", dbFile, "--slug", "WS 26", "--name", "x"}, 1, "", "lowercase"},
		{[]string{"cohort", "create", "--db", dbFile, "--slug", "ss27", "--name", "x", "--instrument", "einordnung@9"}, 1, "", "not found"},
		{[]string{"cohort", "create", "--db", dbFile, "--slug", "ss27"}, 2, "", "Usage"},
		{[]string{"cohort", "open", "ws26", "pre", "--db", dbFile}, 0, "pre geöffnet", ""},
		{[]string{"cohort", "list", "--db", dbFile}, 0, "ws26", ""},
		{[]string{"cohort", "open", "--db", dbFile, "ws26", "post"}, 0, "post geöffnet", ""},
		{[]string{"cohort", "close", "ws26", "post", "--db", dbFile}, 0, "post geschlossen", ""},
		{[]string{"cohort", "open", "ws26", "during", "--db", dbFile}, 1, "", "use pre or post"},
		{[]string{"cohort", "open", "nope", "pre", "--db", dbFile}, 1, "", "not found"},
		{[]string{"cohort", "create", "--help"}, 0, "", "--slug"},
		{[]string{"help"}, 0, "cohort create", ""},
		{[]string{"help", "serve"}, 0, "", "--addr"},
		{[]string{"frobnicate"}, 2, "", "unknown command"},
		{nil, 2, "", "Usage"},
	}
	for _, s := range steps {
		code, stdout, stderr := runCLI(t, s.args...)
		if code != s.code || !strings.Contains(stdout, s.stdout) || !strings.Contains(stderr, s.stderr) {
			t.Fatalf("einordnung %s: exit %d, stdout %q, stderr %q; want exit %d with %q / %q",
				strings.Join(s.args, " "), code, stdout, stderr, s.code, s.stdout, s.stderr)
		}
	}
	_, list, _ := runCLI(t, "cohort", "list", "--db", dbFile)
	if !strings.Contains(list, "Jahrgang 2026/27") || !strings.Contains(list, "0/0") {
		t.Fatalf("cohort list: %s", list)
	}
}

// The command line's cohort name passes the one normaliser of outside text,
// as the admin form's does: control characters are not stored.
func TestCohortCreateDropsControlCharacters(t *testing.T) {
	dbFile := dbtest.DSN(t)
	if code, _, stderr := runCLI(t, "cohort", "create", "--db", dbFile, "--slug", "ws26", "--name", "Na\x00me\x01"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	store, err := db.Open(dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c, err := store.CohortBySlug("ws26")
	if err != nil || c.Name != "Name" {
		t.Fatalf("stored %+v (%v), want the name %q", c, err, "Name")
	}
}

// serving is a "serve" command running in the test process.
type serving struct {
	addr        string
	out, errOut *bytes.Buffer
	stop        chan struct{}
	done        chan int
}

// startServe runs "serve" with args and waits until it listens.
func startServe(t *testing.T, args ...string) *serving {
	t.Helper()
	ready := make(chan string, 1)
	s := &serving{out: &bytes.Buffer{}, errOut: &bytes.Buffer{}, stop: make(chan struct{}), done: make(chan int, 1)}
	c := &cli{out: s.out, errOut: s.errOut, ready: func(addr string) { ready <- addr }, stop: s.stop}
	go func() { s.done <- c.run(append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()
	select {
	case s.addr = <-ready:
	case code := <-s.done:
		t.Fatalf("serve exited with %d: %s", code, s.errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	return s
}

// shutdown stops the server and fails the test unless it exits cleanly.
func (s *serving) shutdown(t *testing.T) {
	t.Helper()
	close(s.stop)
	if code := <-s.done; code != 0 {
		t.Fatalf("serve exited with %d: %s", code, s.errOut.String())
	}
}

// serveArgs are the arguments that serve a fresh test database (see
// dbtest) and where its key file goes: beside a SQLite file, and in a
// temporary directory for PostgreSQL, which needs it named.
func serveArgs(t *testing.T, dsn string) (args []string, secretFile string) {
	t.Helper()
	if !db.IsPostgres(dsn) {
		return []string{"--db", dsn}, dsn + ".secret"
	}
	secretFile = filepath.Join(t.TempDir(), "einordnung.secret")
	return []string{"--db", dsn, "--secret-file", secretFile}, secretFile
}

func TestServeDemoStartsReadyToUse(t *testing.T) {
	t.Setenv("EINORDNUNG_SECRET", "")
	args, secretFile := serveArgs(t, dbtest.DSN(t))
	s := startServe(t, append(args, "--demo")...)
	resp, err := http.Get("http://" + s.addr + "/c/demo")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Demo-Jahrgang") {
		t.Fatalf("demo cohort: %d %s", resp.StatusCode, body)
	}
	s.shutdown(t)
	if !strings.Contains(s.out.String(), "/c/demo") {
		t.Fatalf("console does not say where to go: %s", s.out.String())
	}
	info, err := os.Stat(secretFile)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, %v", info, err)
	}
}
