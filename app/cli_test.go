package app

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = (&cli{out: &out, errOut: &errOut}).run(args)
	return code, out.String(), errOut.String()
}

func TestCohortCommands(t *testing.T) {
	dbFile := filepath.Join(t.TempDir(), "cli.db")
	steps := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"instrument", "list"}, 0, "einordnung@1", ""},
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

func TestServeDemoStartsReadyToUse(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "serve.db")
	ready := make(chan string, 1)
	stop := make(chan struct{})
	var out, errOut bytes.Buffer
	c := &cli{out: &out, errOut: &errOut, ready: func(addr string) { ready <- addr }, stop: stop}
	done := make(chan int, 1)
	go func() { done <- c.run([]string{"serve", "--db", dbFile, "--addr", "127.0.0.1:0", "--demo"}) }()
	var addr string
	select {
	case addr = <-ready:
	case code := <-done:
		t.Fatalf("serve exited with %d: %s", code, errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	resp, err := http.Get("http://" + addr + "/c/demo")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Demo-Jahrgang") {
		t.Fatalf("demo cohort: %d %s", resp.StatusCode, body)
	}
	close(stop)
	if code := <-done; code != 0 {
		t.Fatalf("serve exited with %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "/c/demo") {
		t.Fatalf("console does not say where to go: %s", out.String())
	}
	info, err := os.Stat(dbFile + ".secret")
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, %v", info, err)
	}
}
