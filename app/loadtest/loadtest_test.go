package loadtest

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"einordnung/app"
	"einordnung/db"
	"einordnung/db/dbtest"
	"einordnung/questions"
)

// startLoadServer serves a fresh database with cohort "load" (pre wave
// open, on instrument ref of set) on 127.0.0.1 with the real app and
// returns its address. codeLimit is the number of code entries allowed per
// address.
func startLoadServer(t *testing.T, set *questions.Set, ref string, codeLimit int) (string, *db.Store) {
	t.Helper()
	store, _ := dbtest.Open(t)
	inst, err := set.Resolve(ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateCohort("load", "Lasttest", inst.Ref()); err != nil {
		t.Fatal(err)
	}
	if err := store.SetWaveOpen("load", db.Pre, true); err != nil {
		t.Fatal(err)
	}
	web, err := app.New(app.Config{Secret: []byte("load-test-secret-0123456789abcdef"), CodeLimitPerAddress: codeLimit}, store, set)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go web.Listener(ln)
	t.Cleanup(func() { web.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String(), store
}

// builtIn is the set of instruments embedded in the binary.
func builtIn(t *testing.T) *questions.Set {
	t.Helper()
	set, err := questions.Load()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestLoadTestCompletesQuestionnairesWithoutErrors(t *testing.T) {
	// One address plays every participant: lift the per-address code limit.
	base, store := startLoadServer(t, builtIn(t), questions.DefaultID, 1_000_000)
	lt, err := New(Config{URL: base, Cohort: "load", Participants: 4, Duration: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := lt.Preflight(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep := lt.Run(context.Background())
	var out strings.Builder
	rep.Print(&out)
	t.Log("\n" + out.String())
	if rep.Completed == 0 || rep.Errors() != 0 {
		t.Fatalf("completed %d, errors %d", rep.Completed, rep.Errors())
	}
	for _, kind := range kinds {
		if rep.LatencyOf(kind).Count == 0 {
			t.Errorf("no %s requests measured", kind)
		}
	}
	// Every acknowledged submit is stored, and nothing else was submitted.
	cohorts, err := store.Cohorts()
	if err != nil {
		t.Fatal(err)
	}
	if got := cohorts[0].Submitted[db.Pre]; got != rep.Completed {
		t.Fatalf("%d responses submitted in the database, %d acknowledged", got, rep.Completed)
	}
	if pages := rep.PageSaves / rep.Completed; pages < 2 || rep.PageSaves%rep.Completed != 0 {
		t.Fatalf("%d page saves for %d responses", rep.PageSaves, rep.Completed)
	}
}

func TestLoadTestStaysOnThisMachineUnlessAllowed(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost:8080/", "http://[::1]:8080", "https://127.0.0.2"} {
		if _, err := New(Config{URL: u, Cohort: "x", Participants: 1, Duration: time.Second}); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"http://example.org", "http://10.0.0.1:8080", "http://127.0.0.1.example.org", "ftp://127.0.0.1", "127.0.0.1:8080",
		"http://[::ffff:10.0.0.1]:8080", "http://0.0.0.0:8080"} {
		if _, err := New(Config{URL: u, Cohort: "x", Participants: 1, Duration: time.Second}); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	if _, err := New(Config{URL: "http://example.org", Cohort: "x", Participants: 1, Duration: time.Second, AllowRemote: true}); err != nil {
		t.Errorf("AllowRemote: %v", err)
	}
	if _, err := New(Config{URL: "http://127.0.0.1", Cohort: "x", Participants: 1, Duration: time.Second, Wave: "during"}); err == nil {
		t.Error("wave during accepted")
	}
}

// TestLoadTestPostsOnlyToTheServerUnderTest: a form whose action leads to
// another host is not sent, and neither is a redirect followed.
func TestLoadTestPostsOnlyToTheServerUnderTest(t *testing.T) {
	lt, err := New(Config{URL: "http://127.0.0.1:8080", Cohort: "x", Participants: 1, Duration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for action, want := range map[string]string{
		"":                                 "/survey/3",
		"/survey/3":                        "/survey/3",
		"4":                                "/survey/4",
		"?x=1":                             "/survey/3?x=1",
		"http://127.0.0.1:8080/c/ws/code":  "/c/ws/code",
		"http://example.org/survey/3":      "",
		"//example.org/survey/3":           "",
		"https://127.0.0.1:8080/survey/3":  "",
		"http://127.0.0.1:8081/survey/3":   "",
		"http://127.0.0.1:8080@evil.org/x": "",
	} {
		got, ok := lt.within("/survey/3", action)
		if want == "" && ok {
			t.Errorf("action %q: posts to %q on the server under test", action, got)
		} else if want != "" && (!ok || got != want) {
			t.Errorf("action %q: %q, %v; want %q", action, got, ok, want)
		}
	}
	if err := lt.client.CheckRedirect(nil, nil); err == nil {
		t.Error("the client follows redirects")
	}
}

func TestLoadTestCodesAreValidAndDistinct(t *testing.T) {
	lt, err := New(Config{URL: "http://127.0.0.1", Cohort: "x", Participants: 1, Duration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[questions.Code]bool{}
	for range 20_000 {
		form := lt.nextCode()
		var raw [questions.CodeLen]string
		for i, el := range questions.CodeElements {
			raw[i] = form.Get("e" + el.ID)
		}
		code, invalid := questions.NormalizeCode(raw)
		if len(invalid) > 0 || len(form) != questions.CodeLen {
			t.Fatalf("invalid code %v", form)
		}
		if seen[code] {
			t.Fatalf("code %v made twice", code)
		}
		seen[code] = true
	}
}

func TestLoadTestReportsRateLimitAsErrors(t *testing.T) {
	// Both participants enter a code in their first questionnaire, which
	// they finish whatever the duration: one of them meets the limit.
	base, _ := startLoadServer(t, builtIn(t), questions.DefaultID, 1)
	lt, err := New(Config{URL: base, Cohort: "load", Participants: 2, Duration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rep := lt.Run(context.Background())
	var limited *Failure
	for i, e := range rep.Failures {
		if e.Key == "code: HTTP 429" {
			limited = &rep.Failures[i]
		}
	}
	if rep.Completed > 1 || limited == nil || limited.Count == 0 || limited.Example == "" {
		var out strings.Builder
		rep.Print(&out)
		t.Fatalf("the per-address code limit of 1 is not reported:\n%s", out.String())
	}
	var out strings.Builder
	rep.Print(&out)
	if !strings.Contains(out.String(), "code: HTTP 429") || !strings.Contains(limited.Example, "Zu viele Versuche") {
		t.Fatalf("report does not list the 429s:\n%s", out.String())
	}
}
