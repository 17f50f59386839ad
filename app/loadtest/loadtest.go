// Package loadtest plays simulated participants through the whole journey
// against a running server: start page, consent, code, every questionnaire
// page with its CSRF token, submit, feedback. It measures completed
// responses and page saves per second and the latency of every request
// type, and records every error.
//
// It talks HTTP only and reads the pages as HTML (golang.org/x/net/html):
// it answers whatever questions a page's form holds, so it plays any
// instrument. It refuses a server that is not on this machine unless told
// otherwise (Config.AllowRemote).
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Waves a cohort can have open.
const (
	Pre  = "pre"
	Post = "post"
)

// Config describes one load test.
type Config struct {
	URL          string // base address of the server
	Cohort       string // short code of a cohort with an open wave
	Participants int
	Duration     time.Duration // participants start questionnaires until then
	Grace        time.Duration // hard stop after Duration (default 30 s)
	Wave         string        // the open wave, Pre (default) or Post
	Timeout      time.Duration // per request (default 30 s)
	AllowRemote  bool          // allow a host that is not a loopback address
}

// kinds are the request types, in the order the journey makes them.
var kinds = []string{"start", "consent-get", "consent", "code-get", "code", "return-code", "page-get", "page-save", "submit", "feedback"}

// Test is one load test: New prepares it, Run plays it.
type Test struct {
	cfg    Config
	base   *url.URL
	client *http.Client // shared transport; each journey has its own cookie jar

	codeOffset uint64
	codes      atomic.Uint64

	mu        sync.Mutex
	start     time.Time
	latency   map[string][]time.Duration
	errs      map[string]*Failure
	completed []time.Duration // when each submit was acknowledged, since start
	saves     []time.Duration // when each page save (submit included) was acknowledged
}

// New checks cfg and prepares a test. It refuses an address that is not on
// this machine unless cfg.AllowRemote is set.
func New(cfg Config) (*Test, error) {
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("loadtest: %q is not an http(s) address", cfg.URL)
	}
	if !cfg.AllowRemote && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("loadtest: %s is not on this machine; pass --allow-remote to load-test a server you run elsewhere", u.Host)
	}
	if cfg.Cohort == "" || cfg.Participants < 1 || cfg.Duration <= 0 {
		return nil, errors.New("loadtest: need a cohort, at least one participant and a positive duration")
	}
	switch cfg.Wave {
	case "":
		cfg.Wave = Pre
	case Pre, Post:
	default:
		return nil, fmt.Errorf("loadtest: wave %q: use pre or post", cfg.Wave)
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 30 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment, // never used for loopback addresses
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          cfg.Participants,
		MaxIdleConnsPerHost:   cfg.Participants,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: cfg.Timeout,
		ExpectContinueTimeout: time.Second,
	}
	lt := &Test{
		cfg: cfg, base: u,
		client: &http.Client{
			Transport: transport,
			Timeout:   cfg.Timeout,
			// Every redirect is checked by the journey, not followed: the
			// tool goes nowhere the server sends it.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		codeOffset: rand.Uint64N(codeSpace),
		latency:    map[string][]time.Duration{},
		errs:       map[string]*Failure{},
	}
	return lt, nil
}

// Base is the server's address the test plays against.
func (lt *Test) Base() string { return lt.base.String() }

// isLoopback reports whether host names this machine: localhost or a
// loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Preflight checks once that the cohort takes answers, so a typo does not
// turn into thousands of identical errors.
func (lt *Test) Preflight(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, lt.base.String()+"/c/"+url.PathEscape(lt.cfg.Cohort), nil)
	if err != nil {
		return err
	}
	resp, err := lt.client.Do(req)
	if err != nil {
		return fmt.Errorf("loadtest: server not reachable: %w", err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return nil
	case http.StatusNotFound:
		return fmt.Errorf("loadtest: cohort %q does not exist", lt.cfg.Cohort)
	case http.StatusForbidden:
		return fmt.Errorf("loadtest: cohort %q has no open wave (einordnung cohort open %s pre)", lt.cfg.Cohort, lt.cfg.Cohort)
	}
	return fmt.Errorf("loadtest: GET /c/%s: HTTP %d", lt.cfg.Cohort, resp.StatusCode)
}

// Run plays cfg.Participants participants at once. Each starts new
// questionnaires until cfg.Duration has passed and finishes the one it is
// in, but everything stops at cfg.Duration + cfg.Grace (or when ctx ends).
func (lt *Test) Run(ctx context.Context) *Report {
	hard, cancel := context.WithTimeout(ctx, lt.cfg.Duration+lt.cfg.Grace)
	defer cancel()
	lt.start = time.Now()
	deadline := lt.start.Add(lt.cfg.Duration)
	var wg sync.WaitGroup
	for i := range lt.cfg.Participants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(rand.Uint64(), uint64(i)))
			for time.Now().Before(deadline) && hard.Err() == nil {
				if !lt.journey(hard, rng) && hard.Err() == nil {
					// Do not hammer a failing server in a tight loop.
					select {
					case <-time.After(50 * time.Millisecond):
					case <-hard.Done():
					}
				}
			}
		}()
	}
	wg.Wait()
	lt.client.CloseIdleConnections()
	return lt.report(time.Since(lt.start))
}

// maxPages bounds a journey, in case a server never shows a last page.
const maxPages = 100

// journey plays one participant from the start page to the feedback, with
// a new browser (cookie jar). It reports whether every step succeeded;
// failures are recorded.
func (lt *Test) journey(ctx context.Context, rng *rand.Rand) bool {
	jar, _ := cookiejar.New(nil)
	b := &browser{lt: lt, ctx: ctx, jar: jar}
	return lt.enter(b, rng) && lt.answer(b, rng)
}

// enter goes from the start page through consent and code entry to the
// questionnaire.
func (lt *Test) enter(b *browser, rng *rand.Rand) bool {
	slug := url.PathEscape(lt.cfg.Cohort)
	consentPath := "/c/" + slug
	codePath := consentPath + "/code"

	if _, ok := b.get("start", "/"); !ok {
		return false
	}
	body, ok := b.get("consent-get", consentPath)
	if !ok {
		return false
	}
	f, ok := b.form("consent-get", consentPath, body)
	if !ok {
		return false
	}
	if _, ok := b.post("consent", f.target, consentPath, f.fill(rng), codePath); !ok {
		return false
	}
	if body, ok = b.get("code-get", codePath); !ok {
		return false
	}
	if f, ok = b.form("code-get", codePath, body); !ok {
		return false
	}
	// The code's elements are not answered at random: every participant
	// of the run gets a code of its own.
	form := f.hiddenValues()
	for name, v := range lt.nextCode() {
		form[name] = v
	}
	wants := []string{"/return-code"}
	if lt.cfg.Wave == Post {
		// A new code finds no one from the pre wave: go on unlinked. By
		// chance it may match someone (one element off), who goes on.
		form.Set("confirm_new", "yes")
		wants = append(wants, "/survey")
	}
	to, ok := b.post("code", f.target, codePath, form, wants...)
	if !ok {
		return false
	}
	if to == "/return-code" {
		if _, ok := b.get("return-code", "/return-code"); !ok {
			return false
		}
	}
	return true
}

// answer fills every questionnaire page, submits the last one and reads
// the feedback.
func (lt *Test) answer(b *browser, rng *rand.Rand) bool {
	for n := 1; n <= maxPages; n++ {
		path := "/survey/" + strconv.Itoa(n)
		body, ok := b.get("page-get", path)
		if !ok {
			return false
		}
		f, ok := b.form("page-get", path, body)
		if !ok {
			return false
		}
		form := f.fill(rng)
		kind, next := "page-save", "/survey/"+strconv.Itoa(n+1)
		last := f.hasButton("nav", "submit")
		if last {
			kind, next = "submit", "/feedback"
			form.Set("nav", "submit")
		} else {
			form.Set("nav", "next")
		}
		if _, ok := b.post(kind, f.target, path, form, next); !ok {
			return false
		}
		at := time.Since(lt.start)
		lt.mu.Lock()
		lt.saves = append(lt.saves, at)
		if last {
			lt.completed = append(lt.completed, at)
		}
		lt.mu.Unlock()
		if last {
			_, ok := b.get("feedback", "/feedback")
			return ok
		}
	}
	lt.fail("page-get", "no last page", fmt.Sprintf("no page up to /survey/%d offers to submit", maxPages))
	return false
}

// codeSpace is the number of distinct self-generated codes the load test
// makes: four letters (26 each), a day (1–31) and a count (0–30).
const codeSpace = 26 * 26 * 31 * 26 * 31 * 26

// codeStride is prime and shares no factor with codeSpace, so that
// consecutive codes are all distinct and differ in most elements.
const codeStride = 2654435761

// nextCode returns the elements of a code no other participant of this run
// uses: a counter, scrambled, read as mixed-radix digits.
func (lt *Test) nextCode() url.Values {
	n := (lt.codeOffset + lt.codes.Add(1)*codeStride) % codeSpace
	letter := func() string { d := n % 26; n /= 26; return string(rune('A' + d)) }
	number := func(lo, count uint64) string { d := n % count; n /= count; return strconv.FormatUint(lo+d, 10) }
	v := url.Values{}
	v.Set("emother", letter())
	v.Set("efather", letter())
	v.Set("ebirthday", number(1, 31))
	v.Set("ebirthplace", letter())
	v.Set("esiblings", number(0, 31))
	v.Set("elastletter", letter())
	return v
}

// browser is one simulated participant's browser for one journey.
type browser struct {
	lt  *Test
	ctx context.Context
	jar http.CookieJar
}

// get fetches a page and expects 200.
func (b *browser) get(kind, path string) ([]byte, bool) {
	status, body, _, ok := b.do(kind, http.MethodGet, path, "", nil)
	if !ok {
		return nil, false
	}
	if status != http.StatusOK {
		b.lt.fail(kind, "HTTP "+strconv.Itoa(status), "GET "+path+": "+summary(body))
		return nil, false
	}
	return body, true
}

// form returns the form a page at path sends: the first one that posts.
// Its action must stay on the server under test, and it must carry a CSRF
// token, as every form of the app does.
func (b *browser) form(kind, path string, body []byte) (*form, bool) {
	f := postForm(parseForms(body))
	if f == nil {
		b.lt.fail(kind, "no form", "GET "+path+": "+summary(body))
		return nil, false
	}
	target, ok := b.lt.within(path, f.action)
	if !ok {
		b.lt.fail(kind, "form posts elsewhere", "GET "+path+": the form posts to "+f.action)
		return nil, false
	}
	f.target = target
	if _, ok := f.hidden["_csrf"]; !ok {
		b.lt.fail(kind, "no _csrf field", "GET "+path+": "+summary(body))
		return nil, false
	}
	return f, true
}

// within resolves a form's action on the page at path and returns it as a
// path on the server under test; ok is false for an address elsewhere.
func (lt *Test) within(path, action string) (string, bool) {
	page, err := url.Parse(lt.base.String() + path)
	if err != nil {
		return "", false
	}
	a, err := url.Parse(action)
	if err != nil {
		return "", false
	}
	to := page.ResolveReference(a)
	if to.Scheme != lt.base.Scheme || to.Host != lt.base.Host || to.User != nil {
		return "", false
	}
	to.Fragment = ""
	rest, ok := strings.CutPrefix(to.String(), lt.base.String())
	if !ok || (rest != "" && rest[0] != '/' && rest[0] != '?') {
		return "", false
	}
	return rest, true
}

// post sends a form from page from and expects a 303 to one of wants,
// which it returns.
func (b *browser) post(kind, path, from string, form url.Values, wants ...string) (string, bool) {
	status, body, location, ok := b.do(kind, http.MethodPost, path, from, form)
	if !ok {
		return "", false
	}
	if status != http.StatusSeeOther {
		b.lt.fail(kind, "HTTP "+strconv.Itoa(status), "POST "+path+": "+summary(body))
		return "", false
	}
	if !slices.Contains(wants, location) {
		b.lt.fail(kind, "unexpected redirect", "POST "+path+" went to "+location+", not "+strings.Join(wants, " or "))
		return "", false
	}
	return location, true
}

// do makes one request with the browser's cookies and records its latency.
func (b *browser) do(kind, method, path, from string, form url.Values) (status int, body []byte, location string, ok bool) {
	var reader io.Reader
	if form != nil {
		reader = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(b.ctx, method, b.lt.base.String()+path, reader)
	if err != nil {
		b.lt.fail(kind, "request", err.Error())
		return 0, nil, "", false
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// Over HTTPS the CSRF check wants a same-origin Referer, as a browser sends.
		req.Header.Set("Referer", b.lt.base.String()+from)
	}
	req.Header.Set("Accept-Language", "de")
	for _, ck := range b.jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	start := time.Now()
	resp, err := b.lt.client.Do(req)
	if err == nil {
		body, err = io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
	}
	elapsed := time.Since(start)
	if err != nil {
		if b.ctx.Err() != nil {
			b.lt.fail(kind, "stopped", method+" "+path+": cut off at the hard stop")
		} else {
			b.lt.fail(kind, networkError(err), method+" "+path+": "+err.Error())
		}
		return 0, nil, "", false
	}
	b.jar.SetCookies(req.URL, resp.Cookies())
	b.lt.mu.Lock()
	b.lt.latency[kind] = append(b.lt.latency[kind], elapsed)
	b.lt.mu.Unlock()
	return resp.StatusCode, body, resp.Header.Get("Location"), true
}

// fail records an error of a request type.
func (lt *Test) fail(kind, what, example string) {
	key := kind + ": " + what
	lt.mu.Lock()
	defer lt.mu.Unlock()
	e := lt.errs[key]
	if e == nil {
		e = &Failure{Key: key, Example: example}
		lt.errs[key] = e
	}
	e.Count++
}

// networkError names the kind of a transport error.
func networkError(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EPIPE):
		return "broken pipe"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "network error"
}
