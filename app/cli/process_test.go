package cli_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"einordnung/db/dbtest"
)

// These tests run the real binary on 127.0.0.1 and stop it with signals.

// buildBinary compiles einordnung once per test run.
var buildOnce sync.Once
var binaryPath, buildErr = "", error(nil)

func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "einordnung-bin")
		if err != nil {
			buildErr = err
			return
		}
		binaryPath = filepath.Join(dir, "einordnung")
		out, err := exec.Command("go", "build", "-o", binaryPath, "einordnung").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binaryPath
}

// server is the binary serving a database file.
type server struct {
	cmd  *exec.Cmd
	base string
	done chan error
}

func startServer(t *testing.T, bin, dbFile string, extra ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--db", dbFile, "--addr", "127.0.0.1:0"}, extra...)...)
	cmd.Env = append(os.Environ(), "EINORDNUNG_ADMIN_PASSWORD=ein langes Admin-Passwort")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`läuft auf (http://127\.0\.0\.1:\d+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-s.done
		}
	})
	select {
	case s.base = <-addr:
	case err := <-s.done:
		t.Fatalf("server exited: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	return s
}

// journey is one participant going through the pre wave over real HTTP.
type journey struct {
	base       string
	client     *http.Client
	dialed     atomic.Bool // the last request's connection was accepted
	returnCode string
	saved      int // pages acknowledged with a redirect
}

var (
	csrfRe   = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	revRe    = regexp.MustCompile(`name="_rev" value="(\d+)"`)
	codeRe   = regexp.MustCompile(`<output>([0-9A-Z-]{19})</output>`)
	radiosRe = regexp.MustCompile(`name="((?:r|t)_[a-z0-9_]+)" value="7"`)
)

func newJourney(base string) *journey {
	j := &journey{base: base}
	jar, _ := cookiejar.New(nil)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	j.client = &http.Client{
		Jar:     jar,
		Timeout: 15 * time.Second,
		// A new connection per request: a request either is refused at
		// dial (never accepted) or was accepted and must get an answer.
		Transport: &http.Transport{DisableKeepAlives: true, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, addr)
			j.dialed.Store(err == nil)
			return c, err
		}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return j
}

// signalledAt is when the test sent its signal (unix nanoseconds; 0 before).
var signalledAt atomic.Int64

// do sends a request; accepted reports whether the server had certainly
// accepted it: its connection was established more than 100 ms before the
// signal. A connection still waiting in the kernel's backlog when the
// listener closes is reset without the server ever having seen it; that is
// a refusal, not a dropped request.
func (j *journey) do(method, path string, form url.Values) (status int, body string, location string, accepted bool, err error) {
	j.dialed.Store(false)
	start := time.Now()
	defer func() {
		if err != nil && accepted {
			if sig := signalledAt.Load(); sig != 0 && start.After(time.Unix(0, sig).Add(-100*time.Millisecond)) {
				accepted = false
			}
		}
	}()
	var req *http.Request
	if form != nil {
		req, _ = http.NewRequest(method, j.base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, _ = http.NewRequest(method, j.base+path, nil)
	}
	resp, err := j.client.Do(req)
	if err != nil {
		return 0, "", "", j.dialed.Load(), err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location"), true, err
}

// run goes through consent, code and pages until stop is closed or an error.
// It returns the first error of an accepted request, or nil.
func (j *journey) run(n int, stop <-chan struct{}) error {
	step := func(method, path string, form url.Values) (string, string, error) {
		status, body, loc, accepted, err := j.do(method, path, form)
		if err != nil {
			if !accepted {
				return "", "", errRefused
			}
			return "", "", fmt.Errorf("%s %s was accepted but failed: %w", method, path, err)
		}
		if status >= 400 {
			return "", "", fmt.Errorf("%s %s: status %d", method, path, status)
		}
		return body, loc, nil
	}
	body, _, err := step("GET", "/c/load", nil)
	if err != nil {
		return err
	}
	csrf := csrfRe.FindStringSubmatch(body)[1]
	if _, _, err := step("POST", "/c/load/consent", url.Values{"_csrf": {csrf}, "agree": {"yes"}}); err != nil {
		return err
	}
	form := url.Values{"_csrf": {csrf}, "emother": {string(rune('A' + n%26))}, "efather": {string(rune('A' + n/26%26))},
		"ebirthday": {fmt.Sprint(1 + n/676%31)}, "ebirthplace": {"H"}, "esiblings": {fmt.Sprint(n / 20956 % 10)}, "elastletter": {"Z"}}
	if _, _, err := step("POST", "/c/load/code", form); err != nil {
		return err
	}
	body, _, err = step("GET", "/return-code", nil)
	if err != nil {
		return err
	}
	j.returnCode = codeRe.FindStringSubmatch(body)[1]
	for page := 1; ; page++ {
		select {
		case <-stop:
			return nil
		default:
		}
		body, _, err := step("GET", fmt.Sprintf("/survey/%d", page), nil)
		if err != nil {
			return err
		}
		m := revRe.FindStringSubmatch(body)
		if m == nil {
			return nil // past the dimension pages: enough for these tests
		}
		f := url.Values{"_csrf": {csrfRe.FindStringSubmatch(body)[1]}, "_rev": {m[1]}, "nav": {"next"}}
		for _, r := range radiosRe.FindAllStringSubmatch(body, -1) {
			f.Set(r[1], "7")
		}
		if len(f) == 3 {
			return nil // not a rating page
		}
		if _, loc, err := step("POST", fmt.Sprintf("/survey/%d", page), f); err != nil {
			return err
		} else if loc == "" {
			return fmt.Errorf("page %d not acknowledged", page)
		}
		j.saved = page
		pagesSaved.Add(1)
	}
}

var errRefused = errors.New("refused")

// pagesSaved counts acknowledged page saves of all journeys.
var pagesSaved atomic.Int64

// waitForSaves waits until n more pages have been acknowledged, so a signal
// always hits a server under load, however slow the machine.
func waitForSaves(t *testing.T, n int64) {
	t.Helper()
	target := pagesSaved.Load() + n
	deadline := time.Now().Add(30 * time.Second)
	for pagesSaved.Load() < target {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d page saves in 30 s", pagesSaved.Load()-target+n, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func prepareDB(t *testing.T, bin string) string {
	t.Helper()
	dbFile := filepath.Join(t.TempDir(), "load.db")
	for _, args := range [][]string{
		{"cohort", "create", "--db", dbFile, "--slug", "load", "--name", "Last"},
		{"cohort", "open", "load", "pre", "--db", dbFile},
	} {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	return dbFile
}

func integrityOK(t *testing.T, dbFile string) {
	t.Helper()
	conn, err := sql.Open("sqlite3", dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var result string
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
		t.Fatalf("integrity_check: %q, %v", result, err)
	}
}

// TestSIGTERMDrainsRequestsInFlight: under load, SIGTERM lets every
// accepted request finish with its answer; the server exits cleanly and
// the database is intact.
func TestSIGTERMDrainsRequestsInFlight(t *testing.T) {
	dbtest.SkipOnPostgres(t, "the binary on a SQLite file, checked with integrity_check")
	bin := binary(t)
	dbFile := prepareDB(t, bin)
	srv := startServer(t, bin, dbFile)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	failures := make(chan error, 64)
	for i := 0; i < 24; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ; k++ {
				err := newJourney(srv.base).run(i*1000+k, stop)
				if errors.Is(err, errRefused) {
					return // the listener is closed: not accepted, not a failure
				}
				if err != nil {
					failures <- err
					return
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		}()
	}
	waitForSaves(t, 40)
	signalledAt.Store(time.Now().UnixNano())
	defer signalledAt.Store(0)
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-srv.done:
		if err != nil {
			t.Errorf("server exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop within its 15 s bound")
	}
	close(stop)
	wg.Wait()
	close(failures)
	for err := range failures {
		t.Errorf("an accepted request failed during shutdown: %v", err)
	}
	integrityOK(t, dbFile)
}

// TestSIGKILLLosesNothingAcknowledged: the server is killed mid-load; after
// a restart on the same file every page that was acknowledged is there,
// the database is intact, and participants resume with their return code.
func TestSIGKILLLosesNothingAcknowledged(t *testing.T) {
	dbtest.SkipOnPostgres(t, "durability of a SQLite file (synchronous=FULL) under SIGKILL, checked with integrity_check")
	bin := binary(t)
	dbFile := prepareDB(t, bin)
	srv := startServer(t, bin, dbFile)
	stop := make(chan struct{})
	var mu sync.Mutex
	var journeys []*journey
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ; k++ {
				j := newJourney(srv.base)
				mu.Lock()
				journeys = append(journeys, j)
				mu.Unlock()
				if err := j.run(i*1000+k, stop); err != nil {
					return // killed: refused or cut off, both expected here
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		}()
	}
	waitForSaves(t, 40)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-srv.done
	close(stop)
	wg.Wait()

	integrityOK(t, dbFile)
	restarted := startServer(t, bin, dbFile)
	checked := 0
	for _, j := range journeys {
		if j.returnCode == "" || j.saved == 0 {
			continue
		}
		checked++
		again := newJourney(restarted.base)
		_, body, _, _, err := again.do("GET", "/", nil)
		if err != nil {
			t.Fatal(err)
		}
		csrf := csrfRe.FindStringSubmatch(body)[1]
		if status, _, loc, _, err := again.do("POST", "/resume", url.Values{"_csrf": {csrf}, "return_code": {j.returnCode}}); err != nil || status != http.StatusSeeOther || loc != "/survey" {
			t.Fatalf("resume after the crash: %d %q %v", status, loc, err)
		}
		_, _, loc, _, err := again.do("GET", "/survey", nil)
		if err != nil {
			t.Fatal(err)
		}
		var page int
		fmt.Sscanf(loc, "/survey/%d", &page)
		if page < j.saved+1 {
			t.Errorf("participant acknowledged page %d but resumes on page %d: a saved page was lost", j.saved, page)
		}
		// The acknowledged pages' answers are there: page 1 shows them.
		_, body, _, _, err = again.do("GET", "/survey/1", nil)
		if err != nil || !strings.Contains(body, `value="7" checked`) {
			t.Errorf("page 1 of %s lost its answers after the crash", j.returnCode)
		}
	}
	if checked < 5 {
		t.Fatalf("only %d participants had saved pages before the kill: the load was too light to test anything", checked)
	}
	t.Logf("%d participants with acknowledged pages checked after SIGKILL", checked)
}
