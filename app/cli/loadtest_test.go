package cli

import (
	"strings"
	"testing"

	"einordnung/db/dbtest"
)

// TestLoadtestCommand plays a short load test against a server the serve
// command runs, with the code limit raised as the README says.
func TestLoadtestCommand(t *testing.T) {
	t.Setenv("EINORDNUNG_SECRET", "")
	args, _ := serveArgs(t, dbtest.DSN(t))
	for _, step := range [][]string{
		{"cohort", "create", "--slug", "load", "--name", "Lasttest"},
		{"cohort", "open", "load", "pre"},
	} {
		if code, _, stderr := runCLI(t, append(step, args[:2]...)...); code != 0 {
			t.Fatalf("%v: %s", step, stderr)
		}
	}
	s := startServe(t, append(args, "--code-limit-per-address", "1000000")...)
	defer s.shutdown(t)
	code, stdout, stderr := runCLI(t, "loadtest", "--url", "http://"+s.addr, "--cohort", "load", "--participants", "2", "--duration", "1s")
	if code != 0 || !strings.Contains(stdout, "Lasttest: 2 Teilnehmende gegen http://"+s.addr+", Jahrgang load") ||
		!strings.Contains(stdout, "errors: 0") || strings.Contains(stdout, "completed responses: 0 ") {
		t.Fatalf("loadtest: exit %d, stdout:\n%s\nstderr: %s", code, stdout, stderr)
	}

	code, _, stderr = runCLI(t, "loadtest", "--url", "http://"+s.addr, "--cohort", "gibtsnicht", "--duration", "1s")
	if code != 1 || !strings.Contains(stderr, `cohort "gibtsnicht" does not exist`) {
		t.Errorf("loadtest of an unknown cohort: exit %d, %s", code, stderr)
	}
	code, _, stderr = runCLI(t, "loadtest", "--url", "http://"+s.addr, "--cohort", "load", "--wave", "during")
	if code != 1 || !strings.Contains(stderr, "use pre or post") {
		t.Errorf("loadtest --wave during: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "loadtest", "--url", "http://"+s.addr); code != 2 || !strings.Contains(stderr, "Usage") {
		t.Errorf("loadtest without a cohort: exit %d, %s", code, stderr)
	}
}

func TestLoadtestCommandStaysOnThisMachine(t *testing.T) {
	code, _, stderr := runCLI(t, "loadtest", "--url", "http://192.0.2.1:8080", "--cohort", "x", "--duration", "1s")
	if code != 1 || !strings.Contains(stderr, "--allow-remote") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}
