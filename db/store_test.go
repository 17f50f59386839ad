package db_test

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"einordnung/db"
	"einordnung/db/dbtest"
)

// newTestStore opens a fresh database (see dbtest) and returns it with its name.
func newTestStore(t *testing.T) (*db.Store, string) {
	t.Helper()
	return dbtest.Open(t)
}

// rawDB opens a second, plain database/sql connection to the database, for
// counting rows independently of the store.
func rawDB(t *testing.T, dsn string) *dbtest.Conn {
	t.Helper()
	return dbtest.Plain(t, dsn)
}

func count(t *testing.T, raw *dbtest.Conn, query string, args ...any) int {
	t.Helper()
	var n int
	if err := raw.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func mustCohort(t *testing.T, s *db.Store, slug string) *db.Cohort {
	t.Helper()
	c, err := s.CreateCohort(slug, "Jahrgang "+slug, "einordnung@1")
	if err != nil {
		t.Fatalf("CreateCohort(%q): %v", slug, err)
	}
	return c
}

// code builds a hashed-code stand-in from six short strings.
func code(els ...string) [6]string {
	var c [6]string
	copy(c[:], els)
	return c
}

func mustParticipant(t *testing.T, s *db.Store, cohortID uint, name string, c [6]string) *db.Participant {
	t.Helper()
	p, err := s.CreateParticipant(db.NewParticipant{
		CohortID: cohortID, Pseudonym: "P" + name, ReturnCodeHash: "rc-" + name, Code: c,
	})
	if err != nil {
		t.Fatalf("CreateParticipant(%s): %v", name, err)
	}
	return p
}

func strp(s string) *string { return &s }
func intp(i int) *int       { return &i }

func rating(item, v string) db.Answer {
	return db.Answer{Item: item, Kind: db.KindRating, Value: strp(v)}
}

func TestOpenPragmas(t *testing.T) {
	dbtest.SkipOnPostgres(t, "SQLite's per-connection pragmas and its single writer connection")
	s, path := newTestStore(t)
	w := s.WriterSQL(t)
	tests := []struct {
		name   string
		conn   *sql.DB
		pragma string
		want   string
	}{
		{"writer journal mode", w, "journal_mode", "wal"},
		{"writer synchronous FULL", w, "synchronous", "2"},
		{"writer foreign keys", w, "foreign_keys", "1"},
		{"writer busy timeout", w, "busy_timeout", "10000"},
		{"writer zeroes deleted content", w, "secure_delete", "1"},
		{"reader foreign keys", s.ReaderSQL(t), "foreign_keys", "1"},
		{"reader query only", s.ReaderSQL(t), "query_only", "1"},
		// journal_mode=WAL is stored in the file: a plain connection sees it too.
		{"file journal mode", rawDB(t, path).DB, "journal_mode", "wal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			if err := tt.conn.QueryRow("PRAGMA " + tt.pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
			}
			if got != tt.want {
				t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
			}
		})
	}
	if w.Stats().MaxOpenConnections != 1 {
		t.Errorf("writer pool allows %d connections, want exactly 1", w.Stats().MaxOpenConnections)
	}
	if _, err := s.ReaderSQL(t).Exec("DELETE FROM sessions"); err == nil {
		t.Error("the read-only pool accepted a write")
	}
	if err := s.Check(); err != nil {
		t.Errorf("Check() on a fresh database: %v", err)
	}
}

// TestStoreOnPostgres checks what differs on PostgreSQL: one pool shared by
// several instances, no read-only switch, backups by pg_dump.
func TestStoreOnPostgres(t *testing.T) {
	s, dsn := newTestStore(t)
	if got := s.Shared(); got != dbtest.Postgres() {
		t.Fatalf("Shared() = %v on %s, want %v", got, db.Redact(dsn), dbtest.Postgres())
	}
	if !dbtest.Postgres() {
		if db.IsPostgres(dsn) {
			t.Errorf("IsPostgres(%q) = true for a SQLite file", dsn)
		}
		return
	}
	if err := s.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	if err := s.ReadOnly(true); !errors.Is(err, db.ErrUnsupported) {
		t.Errorf("ReadOnly(true) = %v, want ErrUnsupported", err)
	}
	err := s.Backup(filepath.Join(t.TempDir(), "copy.db"))
	if !errors.Is(err, db.ErrBackupPostgres) || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("Backup = %v, want ErrBackupPostgres naming pg_dump", err)
	}
	if commits, writes := s.CommitStats(); commits != 0 || writes != 0 {
		t.Errorf("CommitStats = %d, %d; PostgreSQL has no group commit", commits, writes)
	}
	if r := db.Redact(dsn); strings.Contains(r, ":einordnung@") || !strings.HasPrefix(r, "postgres") {
		t.Errorf("Redact(%q) = %q: the password shows", dsn, r)
	}
	// A second store on the same database sees what the first wrote.
	c := mustCohort(t, s, "shared")
	other, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if got, err := other.CohortBySlug("shared"); err != nil || got.ID != c.ID {
		t.Errorf("second store: cohort %+v, %v; want %d", got, err, c.ID)
	}
}

// TestInstancesStartingTogetherMigrateOnce opens several stores on one new
// PostgreSQL database at once, as servers started together do: each waits
// for the migration lock, one migrates, and every one opens.
func TestInstancesStartingTogetherMigrateOnce(t *testing.T) {
	if !dbtest.Postgres() {
		t.Skip("needs PostgreSQL: set " + dbtest.EnvPostgres + " (a SQLite file belongs to one process)")
	}
	dsn := dbtest.DSN(t)
	const instances = 4
	stores := make([]*db.Store, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i := range instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = db.Open(dsn)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
			continue
		}
		defer stores[i].Close()
	}
	if n := count(t, rawDB(t, dsn), "SELECT COUNT(*) FROM schema_migrations"); n != db.SchemaVersion() {
		t.Errorf("schema_migrations has %d rows, want %d", n, db.SchemaVersion())
	}
}

// TestTimesRoundTrip stores times and reads them back unchanged, in UTC, on
// either database (PostgreSQL keeps microseconds, SQLite text, and pgx would
// return the machine's zone).
func TestTimesRoundTrip(t *testing.T) {
	s, _ := newTestStore(t)
	c := mustCohort(t, s, "times")
	if c.CreatedAt.Location() != time.UTC || c.CreatedAt.Nanosecond()%1000 != 0 {
		t.Errorf("CreatedAt = %v, want UTC in whole microseconds", c.CreatedAt)
	}
	got, err := s.CohortByID(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(c.CreatedAt) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt read back as %v, stored %v", got.CreatedAt, c.CreatedAt)
	}
	berlin := time.FixedZone("CET", 3600)
	starts := time.Date(2026, 3, 2, 9, 30, 15, 123456000, berlin)
	ends := starts.Add(36 * time.Hour)
	if err := s.SetWave(c.ID, db.Pre, db.WaveSettings{Open: true, SetDates: true, StartsAt: &starts, EndsAt: &ends}); err != nil {
		t.Fatal(err)
	}
	got, err = s.CohortByID(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	w := got.Waves[0]
	if w.StartsAt == nil || !w.StartsAt.Equal(starts) || w.StartsAt.Location() != time.UTC ||
		w.EndsAt == nil || !w.EndsAt.Equal(ends) || w.OpenedAt == nil || w.OpenedAt.Location() != time.UTC {
		t.Errorf("wave read back as starts %v, ends %v, opened %v; want %v, %v in UTC", w.StartsAt, w.EndsAt, w.OpenedAt, starts.UTC(), ends.UTC())
	}
	if !w.Accepts(starts) || w.Accepts(starts.Add(-time.Microsecond)) || w.Accepts(ends) {
		t.Error("the wave's stored dates do not bound it where they were set")
	}
}

func TestOpenRejectsUnusablePaths(t *testing.T) {
	tests := []struct {
		name string
		path string
	}{
		{"empty", ""},
		{"in-memory", ":memory:"},
		{"query string", filepath.Join(t.TempDir(), "x.db?mode=ro")},
		{"fragment", filepath.Join(t.TempDir(), "x.db#frag")},
		// Nothing listens on port 1: the URL is taken as PostgreSQL, not as a file name.
		{"unreachable PostgreSQL", "postgres://einordnung@127.0.0.1:1/einordnung?sslmode=disable&connect_timeout=5"},
		{"malformed PostgreSQL URL", "postgresql://einordnung@127.0.0.1:notaport/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := db.Open(tt.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tt.path)
			}
		})
	}
}

func TestReopenKeepsDataAndSkipsMigrations(t *testing.T) {
	path := dbtest.DSN(t)
	s, err := db.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	c := mustCohort(t, s, "ws26")
	mustParticipant(t, s, c.ID, "one", code("a", "b", "c", "d", "e", "f"))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	raw := rawDB(t, path)
	type migration struct {
		version int
		applied string
	}
	migrations := func() []migration {
		rows, err := raw.Query("SELECT version, applied_at FROM schema_migrations ORDER BY version")
		if err != nil {
			t.Fatalf("read schema_migrations: %v", err)
		}
		defer rows.Close()
		var ms []migration
		for rows.Next() {
			var m migration
			if err := rows.Scan(&m.version, &m.applied); err != nil {
				t.Fatalf("scan: %v", err)
			}
			ms = append(ms, m)
		}
		return ms
	}
	before := migrations()
	if len(before) != db.SchemaVersion() {
		t.Fatalf("schema_migrations has %d rows after first open, want %d", len(before), db.SchemaVersion())
	}
	for i, m := range before {
		if m.version != i+1 {
			t.Errorf("schema_migrations row %d has version %d, want %d", i, m.version, i+1)
		}
	}

	s2, err := db.Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	got, err := s2.CohortBySlug("ws26")
	if err != nil {
		t.Fatalf("CohortBySlug after reopen: %v", err)
	}
	if got.ID != c.ID || got.Name != "Jahrgang ws26" || len(got.Waves) != 2 {
		t.Errorf("cohort after reopen = %+v, want the one created before", got)
	}
	if n := count(t, raw, "SELECT COUNT(*) FROM participants"); n != 1 {
		t.Errorf("participants after reopen = %d, want 1", n)
	}
	if after := migrations(); !slices.Equal(after, before) {
		t.Errorf("schema_migrations changed on reopen:\nbefore %v\nafter  %v", before, after)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := dbtest.DSN(t)
	s, err := db.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Close()
	raw := rawDB(t, path)
	if _, err := raw.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", db.SchemaVersion()+1, time.Now().UTC()); err != nil {
		t.Fatalf("insert future migration: %v", err)
	}
	s2, err := db.Open(path)
	if err == nil {
		s2.Close()
		t.Fatal("Open succeeded on a database from a newer build, want an error")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("error %q does not say the database is newer", err)
	}
}

func TestCreateCohort(t *testing.T) {
	s, _ := newTestStore(t)
	tests := []struct {
		name    string
		slug    string
		cname   string
		wantErr bool
	}{
		{"valid", "ws26", "Jahrgang 2026/27", false},
		{"digits and dashes", "2026-27-a", "Jahrgang", false},
		{"forty characters", strings.Repeat("a", 40), "Lang", false},
		{"name is trimmed but kept", "trim", "  Name  ", false},
		{"one character", "a", "Kurz", true},
		{"forty-one characters", strings.Repeat("a", 41), "Zu lang", true},
		{"uppercase", "WS26", "Groß", true},
		{"leading dash", "-ws26", "Strich", true},
		{"underscore", "ws_26", "Unterstrich", true},
		{"space", "ws 26", "Leerzeichen", true},
		{"umlaut", "jahrgänge", "Umlaut", true},
		{"empty", "", "Leer", true},
		{"empty name", "noname", "   ", true},
		{"name too long", "longname", strings.Repeat("x", 201), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.CreateCohort(tt.slug, tt.cname, "einordnung@1")
			if tt.wantErr {
				if err == nil {
					t.Fatalf("CreateCohort(%q, %q) succeeded, want an error", tt.slug, tt.cname)
				}
				if _, err := s.CohortBySlug(tt.slug); !errors.Is(err, db.ErrNotFound) {
					t.Errorf("rejected cohort %q was stored anyway (lookup error %v)", tt.slug, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("CreateCohort(%q, %q): %v", tt.slug, tt.cname, err)
			}
			got, err := s.CohortBySlug(tt.slug)
			if err != nil {
				t.Fatalf("CohortBySlug(%q): %v", tt.slug, err)
			}
			if got.ID != c.ID || got.Name != strings.TrimSpace(tt.cname) || got.Instrument != "einordnung@1" {
				t.Errorf("stored cohort = %+v", got)
			}
			var waves []db.Wave
			for _, w := range got.Waves {
				waves = append(waves, w.Name)
				if w.Open {
					t.Errorf("wave %s of a new cohort is open, want closed", w.Name)
				}
			}
			slices.Sort(waves)
			if !slices.Equal(waves, []db.Wave{db.Post, db.Pre}) {
				t.Errorf("waves = %v, want post and pre", waves)
			}
			if w, open := got.OpenWave(time.Now()); open {
				t.Errorf("OpenWave() = %s, want none", w)
			}
		})
	}
}

func TestCreateCohortDuplicateSlug(t *testing.T) {
	s, path := newTestStore(t)
	mustCohort(t, s, "ws26")
	_, err := s.CreateCohort("ws26", "Noch einmal", "einordnung@1")
	if !errors.Is(err, db.ErrExists) {
		t.Fatalf("second CreateCohort(ws26) error = %v, want ErrExists", err)
	}
	raw := rawDB(t, path)
	if n := count(t, raw, "SELECT COUNT(*) FROM cohorts"); n != 1 {
		t.Errorf("cohorts = %d, want 1", n)
	}
	if n := count(t, raw, "SELECT COUNT(*) FROM cohort_waves"); n != 2 {
		t.Errorf("cohort_waves = %d, want 2 (no waves of the rejected cohort)", n)
	}
}

func TestCohortLookups(t *testing.T) {
	s, _ := newTestStore(t)
	if _, err := s.CohortBySlug("nope"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("CohortBySlug(nope) error = %v, want ErrNotFound", err)
	}
	if _, err := s.CohortByID(4711); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("CohortByID(4711) error = %v, want ErrNotFound", err)
	}
	old := mustCohort(t, s, "old")
	mid := mustCohort(t, s, "mid")
	mustCohort(t, s, "new")
	if got, err := s.CohortByID(mid.ID); err != nil || got.Slug != "mid" || len(got.Waves) != 2 {
		t.Errorf("CohortByID(%d) = %+v, %v", mid.ID, got, err)
	}

	// old: two participants in pre (one submitted), one of them also in post.
	p1 := mustParticipant(t, s, old.ID, "1", code("a"))
	p2 := mustParticipant(t, s, old.ID, "2", code("b"))
	r1, err := s.StartResponse(p1.ID, db.Pre, "c1", db.LinkNew)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavePage(db.PageSave{ResponseID: r1.ID, Rev: 0, Submit: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartResponse(p2.ID, db.Pre, "c1", db.LinkNew); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartResponse(p1.ID, db.Post, "c1", db.LinkReturnCode); err != nil {
		t.Fatal(err)
	}

	all, err := s.Cohorts()
	if err != nil {
		t.Fatalf("Cohorts: %v", err)
	}
	var slugs []string
	for _, c := range all {
		slugs = append(slugs, c.Slug)
	}
	if want := []string{"new", "mid", "old"}; !slices.Equal(slugs, want) {
		t.Errorf("Cohorts() order = %v, want newest first %v", slugs, want)
	}
	got := all[2]
	if got.Started[db.Pre] != 2 || got.Submitted[db.Pre] != 1 || got.Started[db.Post] != 1 || got.Submitted[db.Post] != 0 {
		t.Errorf("old: started %v submitted %v, want pre 2/1, post 1/0", got.Started, got.Submitted)
	}
	if all[0].Started[db.Pre] != 0 || len(all[0].Waves) != 2 {
		t.Errorf("new: started %v, waves %d; want no responses and 2 waves", all[0].Started, len(all[0].Waves))
	}
}

// openWaves counts a cohort's waves marked open (dates aside).
func openWaves(c *db.Cohort) int {
	n := 0
	for _, w := range c.Waves {
		if w.Open {
			n++
		}
	}
	return n
}

func TestSetWaveOpen(t *testing.T) {
	s, _ := newTestStore(t)
	mustCohort(t, s, "ws26")
	openWave := func() (db.Wave, bool) {
		t.Helper()
		c, err := s.CohortBySlug("ws26")
		if err != nil {
			t.Fatal(err)
		}
		if n := openWaves(c); n > 1 {
			t.Fatalf("%d waves open at once", n)
		}
		return c.OpenWave(time.Now())
	}
	// The steps run in order; each starts from the state the previous left.
	tests := []struct {
		name     string
		wave     db.Wave
		open     bool
		wantErr  error
		wantOpen db.Wave // "" = none open
	}{
		{"open pre", db.Pre, true, nil, db.Pre},
		{"open pre again", db.Pre, true, nil, db.Pre},
		{"open post closes pre", db.Post, true, nil, db.Post},
		{"open pre closes post", db.Pre, true, nil, db.Pre},
		{"unknown wave fails and leaves pre open", db.Wave("then"), true, db.ErrNotFound, db.Pre},
		{"closing post leaves pre open", db.Post, false, nil, db.Pre},
		{"close pre", db.Pre, false, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.SetWaveOpen("ws26", tt.wave, tt.open)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("SetWaveOpen(%s, %v) error = %v, want %v", tt.wave, tt.open, err, tt.wantErr)
			}
			w, ok := openWave()
			if tt.wantOpen == "" {
				if ok {
					t.Errorf("open wave = %s, want none", w)
				}
				return
			}
			if !ok || w != tt.wantOpen {
				t.Errorf("open wave = %q (%v), want %s", w, ok, tt.wantOpen)
			}
		})
	}
	if err := s.SetWaveOpen("nope", db.Pre, true); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("SetWaveOpen(nope) error = %v, want ErrNotFound", err)
	}
}

func TestCreateParticipant(t *testing.T) {
	s, _ := newTestStore(t)
	c := mustCohort(t, s, "ws26")
	p := mustParticipant(t, s, c.ID, "one", code("h1", "h2", "h3", "h4", "h5", "h6"))
	if p.ID == 0 {
		t.Fatal("participant has no ID")
	}
	if got := p.CodeHash(); got != code("h1", "h2", "h3", "h4", "h5", "h6") {
		t.Errorf("CodeHash() = %v", got)
	}

	tests := []struct {
		name    string
		np      db.NewParticipant
		wantErr error // nil = some error, not necessarily a sentinel
	}{
		{"same pseudonym", db.NewParticipant{CohortID: c.ID, Pseudonym: "Pone", ReturnCodeHash: "other", Code: code("x")}, db.ErrExists},
		{"same return code hash", db.NewParticipant{CohortID: c.ID, Pseudonym: "Pother", ReturnCodeHash: "rc-one", Code: code("x")}, db.ErrExists},
		{"unknown cohort", db.NewParticipant{CohortID: 9999, Pseudonym: "Pghost", ReturnCodeHash: "rc-ghost", Code: code("x")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateParticipant(tt.np)
			if err == nil {
				t.Fatal("CreateParticipant succeeded, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
		})
	}

	got, err := s.ParticipantByReturnCode("rc-one")
	if err != nil || got.ID != p.ID || got.Pseudonym != "Pone" {
		t.Errorf("ParticipantByReturnCode(rc-one) = %+v, %v; want participant %d", got, err, p.ID)
	}
	if _, err := s.ParticipantByReturnCode("rc-nobody"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("ParticipantByReturnCode(rc-nobody) error = %v, want ErrNotFound", err)
	}
	if got, err := s.ParticipantByID(p.ID); err != nil || got.Pseudonym != "Pone" {
		t.Errorf("ParticipantByID = %+v, %v", got, err)
	}
}

func TestCodeCandidates(t *testing.T) {
	s, _ := newTestStore(t)
	c := mustCohort(t, s, "ws26")
	other := mustCohort(t, s, "ss27")
	look := code("a", "b", "c", "d", "e", "f")
	exact := mustParticipant(t, s, c.ID, "exact", look)
	oneOff := mustParticipant(t, s, c.ID, "one", code("a", "b", "c", "d", "e", "X"))
	oneOffFirst := mustParticipant(t, s, c.ID, "first", code("X", "b", "c", "d", "e", "f"))
	mustParticipant(t, s, c.ID, "two", code("a", "X", "c", "d", "e", "Y"))
	mustParticipant(t, s, c.ID, "all", code("u", "v", "w", "x", "y", "z"))
	mustParticipant(t, s, other.ID, "elsewhere", look) // same code, other cohort
	for _, p := range []*db.Participant{exact, oneOffFirst} {
		if _, err := s.StartResponse(p.ID, db.Pre, "c1", db.LinkNew); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.StartResponse(oneOff.ID, db.Post, "c1", db.LinkNew); err != nil {
		t.Fatal(err)
	}

	ids := func(ps []db.Participant) []uint {
		var out []uint
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	tests := []struct {
		name     string
		cohort   uint
		code     [6]string
		answered db.Wave
		want     []uint
	}{
		{"within one element", c.ID, look, "", []uint{exact.ID, oneOff.ID, oneOffFirst.ID}},
		{"only with a pre response", c.ID, look, db.Pre, []uint{exact.ID, oneOffFirst.ID}},
		{"nobody close", c.ID, code("q", "q", "q", "q", "q", "q"), "", nil},
		{"empty cohort", 9999, look, "", nil},
		{"no code", c.ID, [6]string{}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.CodeCandidates(tt.cohort, tt.code, tt.answered)
			if err != nil {
				t.Fatalf("CodeCandidates: %v", err)
			}
			if !slices.Equal(ids(got), tt.want) {
				t.Errorf("CodeCandidates = %v, want %v", ids(got), tt.want)
			}
		})
	}
}

func TestStartResponse(t *testing.T) {
	s, path := newTestStore(t)
	c := mustCohort(t, s, "ws26")
	p := mustParticipant(t, s, c.ID, "one", code("a"))
	q := mustParticipant(t, s, c.ID, "two", code("b"))

	first, err := s.StartResponse(p.ID, db.Pre, "consent-1", db.LinkNew)
	if err != nil {
		t.Fatalf("StartResponse: %v", err)
	}
	if first.ID == 0 || first.Wave != db.Pre || first.Link != db.LinkNew || first.ConsentVersion != "consent-1" || first.Submitted() {
		t.Errorf("first response = %+v", first)
	}
	again, err := s.StartResponse(p.ID, db.Pre, "consent-2", db.LinkReturnCode)
	if err != nil {
		t.Fatalf("second StartResponse: %v", err)
	}
	if again.ID != first.ID {
		t.Errorf("second StartResponse ID = %d, want the same response %d", again.ID, first.ID)
	}
	if again.Link != db.LinkNew || again.ConsentVersion != "consent-1" {
		t.Errorf("second StartResponse overwrote the response: link %q consent %q", again.Link, again.ConsentVersion)
	}
	post, err := s.StartResponse(p.ID, db.Post, "consent-1", db.LinkCode)
	if err != nil || post.ID == first.ID {
		t.Errorf("post response = %+v, %v; want a new response", post, err)
	}
	other, err := s.StartResponse(q.ID, db.Pre, "consent-1", db.LinkNew)
	if err != nil || other.ID == first.ID || other.ID == post.ID {
		t.Errorf("other participant's response = %+v, %v; want a new response", other, err)
	}
	if _, err := s.StartResponse(9999, db.Pre, "consent-1", db.LinkNew); err == nil {
		t.Error("StartResponse for an unknown participant succeeded")
	}
	if n := count(t, rawDB(t, path), "SELECT COUNT(*) FROM responses"); n != 3 {
		t.Errorf("responses = %d, want 3", n)
	}

	got, err := s.ResponseFor(p.ID, db.Post)
	if err != nil || got.ID != post.ID {
		t.Errorf("ResponseFor(post) = %+v, %v; want %d", got, err, post.ID)
	}
	if _, err := s.ResponseFor(q.ID, db.Post); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("ResponseFor(q, post) error = %v, want ErrNotFound", err)
	}
}

func TestSavePage(t *testing.T) {
	s, path := newTestStore(t)
	raw := rawDB(t, path)
	c := mustCohort(t, s, "ws26")
	p := mustParticipant(t, s, c.ID, "one", code("a"))
	r, err := s.StartResponse(p.ID, db.Pre, "c1", db.LinkNew)
	if err != nil {
		t.Fatal(err)
	}
	answers := func() map[string]string {
		t.Helper()
		as, err := s.Answers(r.ID)
		if err != nil {
			t.Fatalf("Answers: %v", err)
		}
		m := map[string]string{}
		for _, a := range as {
			v := "<nil>"
			if a.Value != nil {
				v = *a.Value
			}
			if a.Confidence != nil {
				v += fmt.Sprintf("@%d", *a.Confidence)
			}
			if a.Retro {
				m[a.Item+"/retro"] = v
			} else {
				m[a.Item] = v
			}
		}
		return m
	}
	state := func() (page, reached, rev int) {
		t.Helper()
		got, err := s.ResponseFor(p.ID, db.Pre)
		if err != nil {
			t.Fatalf("ResponseFor: %v", err)
		}
		return got.Page, got.Reached, got.Rev
	}

	// Page 0: three ratings.
	saved, err := s.SavePage(db.PageSave{
		ResponseID: r.ID, Rev: 0, Items: []string{"a1", "a2", "a3"},
		Answers: []db.Answer{rating("a1", "3"), rating("a2", "7"), rating("a3", "10")},
		Page:    1, Reached: 1,
	})
	if err != nil {
		t.Fatalf("save page 0: %v", err)
	}
	if saved.Rev != 1 || saved.Page != 1 || saved.Reached != 1 {
		t.Errorf("after first save: rev %d page %d reached %d, want 1 1 1", saved.Rev, saved.Page, saved.Reached)
	}

	// Page 1: knowledge answers with confidence, and a retro rating.
	_, err = s.SavePage(db.PageSave{
		ResponseID: r.ID, Rev: 1, Items: []string{"k1", "b1"},
		Answers: []db.Answer{
			{Item: "k1", Kind: db.KindKnowledge, Value: strp("true"), Confidence: intp(80)},
			rating("b1", "4"),
			{Item: "b1", Kind: db.KindRating, Retro: true, Value: strp("2")},
		},
		Page: 2, Reached: 3,
	})
	if err != nil {
		t.Fatalf("save page 1: %v", err)
	}

	// A page's answers alone (what the page shows and a conflict compares).
	onPage, err := s.Answers(r.ID, "b1", "a2")
	if err != nil {
		t.Fatal(err)
	}
	var items []string
	for _, a := range onPage {
		items = append(items, a.Item)
	}
	if !slices.Equal(items, []string{"a2", "b1", "b1"}) {
		t.Errorf("Answers(b1, a2) returned items %v, want a2, b1, b1 (now and retro)", items)
	}

	// Page 0 again: a1 changed, a2 now "keine Angabe" (nil), a3 left out.
	// Going back does not lower Reached.
	_, err = s.SavePage(db.PageSave{
		ResponseID: r.ID, Rev: 2, Items: []string{"a1", "a2", "a3"},
		Answers: []db.Answer{rating("a1", "5"), {Item: "a2", Kind: db.KindRating}},
		Page:    0, Reached: 1,
	})
	if err != nil {
		t.Fatalf("save page 0 again: %v", err)
	}
	want := map[string]string{"a1": "5", "a2": "<nil>", "k1": "true@80", "b1": "4", "b1/retro": "2"}
	if got := answers(); !mapsEqual(got, want) {
		t.Errorf("answers = %v, want %v", got, want)
	}
	if page, reached, rev := state(); page != 0 || reached != 3 || rev != 3 {
		t.Errorf("state = page %d reached %d rev %d, want 0 3 3", page, reached, rev)
	}

	// A failing save (the same item twice violates uniqueness) changes nothing.
	_, err = s.SavePage(db.PageSave{
		ResponseID: r.ID, Rev: 3, Items: []string{"a1", "a2", "a3"},
		Answers: []db.Answer{rating("a1", "9"), rating("a1", "8")},
		Page:    5, Reached: 5,
	})
	if err == nil {
		t.Fatal("save with a duplicate answer succeeded, want an error")
	}
	if got := answers(); !mapsEqual(got, want) {
		t.Errorf("after failed save: answers = %v, want unchanged %v", got, want)
	}
	if page, reached, rev := state(); page != 0 || reached != 3 || rev != 3 {
		t.Errorf("after failed save: page %d reached %d rev %d, want unchanged 0 3 3", page, reached, rev)
	}

	// A stale form (rendered from rev 2) is refused and saves nothing.
	_, err = s.SavePage(db.PageSave{
		ResponseID: r.ID, Rev: 2, Items: []string{"a1"},
		Answers: []db.Answer{rating("a1", "0")}, Page: 4, Reached: 4,
	})
	if !errors.Is(err, db.ErrConflict) {
		t.Fatalf("stale save error = %v, want ErrConflict", err)
	}
	if got := answers(); !mapsEqual(got, want) {
		t.Errorf("after stale save: answers = %v, want unchanged %v", got, want)
	}
	if page, reached, rev := state(); page != 0 || reached != 3 || rev != 3 {
		t.Errorf("after stale save: page %d reached %d rev %d, want unchanged 0 3 3", page, reached, rev)
	}

	// Submit.
	sub, err := s.SavePage(db.PageSave{
		ResponseID: r.ID, Rev: 3, Items: []string{"field"},
		Answers: []db.Answer{{Item: "field", Kind: db.KindBackground, Value: strp("design")}},
		Page:    4, Reached: 4, Submit: true,
	})
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	if !sub.Submitted() || sub.Rev != 4 {
		t.Errorf("after submit: submitted %v rev %d, want true 4", sub.Submitted(), sub.Rev)
	}
	want["field"] = "design"

	// After submitting, even a save with the current rev is refused.
	_, err = s.SavePage(db.PageSave{
		ResponseID: r.ID, Rev: 4, Items: []string{"a1"},
		Answers: []db.Answer{rating("a1", "1")}, Page: 0, Reached: 4,
	})
	if !errors.Is(err, db.ErrSubmitted) {
		t.Fatalf("save after submit error = %v, want ErrSubmitted", err)
	}
	if got := answers(); !mapsEqual(got, want) {
		t.Errorf("after refused save: answers = %v, want %v", got, want)
	}
	if n := count(t, raw, "SELECT COUNT(*) FROM answers WHERE response_id = ?", r.ID); n != len(want) {
		t.Errorf("answer rows = %d, want %d", n, len(want))
	}
	got, err := s.ResponseFor(p.ID, db.Pre)
	if err != nil || !got.Submitted() || got.Rev != 4 || got.Page != 4 {
		t.Errorf("final response = %+v, %v; want submitted, rev 4, page 4", got, err)
	}

	if _, err := s.SavePage(db.PageSave{ResponseID: 9999, Rev: 0}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("save to unknown response error = %v, want ErrNotFound", err)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestResponsesOf(t *testing.T) {
	s, _ := newTestStore(t)
	c := mustCohort(t, s, "ws26")
	p := mustParticipant(t, s, c.ID, "one", code("a"))
	pre, err := s.StartResponse(p.ID, db.Pre, "c1", db.LinkNew)
	if err != nil {
		t.Fatal(err)
	}
	post, err := s.StartResponse(p.ID, db.Post, "c1", db.LinkReturnCode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavePage(db.PageSave{ResponseID: post.ID, Items: []string{"x"}, Answers: []db.Answer{rating("x", "1")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavePage(db.PageSave{ResponseID: pre.ID, Items: []string{"y", "z"}, Answers: []db.Answer{rating("y", "2"), rating("z", "3")}}); err != nil {
		t.Fatal(err)
	}
	rs, err := s.ResponsesOf(p.ID)
	if err != nil {
		t.Fatalf("ResponsesOf: %v", err)
	}
	if len(rs) != 2 || rs[0].ID != pre.ID || rs[1].ID != post.ID {
		t.Fatalf("ResponsesOf = %+v, want [pre post]", rs)
	}
	if len(rs[0].Answers) != 2 || rs[0].Answers[0].Item != "y" || rs[0].Answers[1].Item != "z" {
		t.Errorf("pre answers = %+v, want y, z", rs[0].Answers)
	}
	if len(rs[1].Answers) != 1 || rs[1].Answers[0].Item != "x" {
		t.Errorf("post answers = %+v, want x", rs[1].Answers)
	}
	if rs, err := s.ResponsesOf(9999); err != nil || len(rs) != 0 {
		t.Errorf("ResponsesOf(unknown) = %v, %v; want none", rs, err)
	}
}

func TestDeleteParticipantCascades(t *testing.T) {
	s, path := newTestStore(t)
	raw := rawDB(t, path)
	c := mustCohort(t, s, "ws26")
	gone := mustParticipant(t, s, c.ID, "gone", code("a"))
	kept := mustParticipant(t, s, c.ID, "kept", code("b"))
	for _, p := range []*db.Participant{gone, kept} {
		for _, w := range db.Waves {
			r, err := s.StartResponse(p.ID, w, "c1", db.LinkNew)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.SavePage(db.PageSave{ResponseID: r.ID, Items: []string{"a1", "a2"}, Answers: []db.Answer{rating("a1", "1"), rating("a2", "2")}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := count(t, raw, "SELECT COUNT(*) FROM answers"); n != 8 {
		t.Fatalf("answers before delete = %d, want 8", n)
	}

	if err := s.DeleteParticipant(gone.ID); err != nil {
		t.Fatalf("DeleteParticipant: %v", err)
	}
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"participant row", "SELECT COUNT(*) FROM participants WHERE id = ?", 0},
		{"response rows", "SELECT COUNT(*) FROM responses WHERE participant_id = ?", 0},
		{"answer rows", "SELECT COUNT(*) FROM answers WHERE response_id IN (SELECT id FROM responses WHERE participant_id = ?)", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := count(t, raw, tt.query, gone.ID); n != tt.want {
				t.Errorf("%s of the deleted participant = %d, want %d", tt.name, n, tt.want)
			}
		})
	}
	// No orphans anywhere, and the other participant is untouched.
	if n := count(t, raw, "SELECT COUNT(*) FROM answers"); n != 4 {
		t.Errorf("answers after delete = %d, want 4 (the kept participant's)", n)
	}
	if n := count(t, raw, "SELECT COUNT(*) FROM responses"); n != 2 {
		t.Errorf("responses after delete = %d, want 2", n)
	}
	if _, err := s.ParticipantByID(kept.ID); err != nil {
		t.Errorf("kept participant: %v", err)
	}
	if err := s.DeleteParticipant(gone.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("second DeleteParticipant error = %v, want ErrNotFound", err)
	}
}

func TestSessionStorage(t *testing.T) {
	s, path := newTestStore(t)
	st := s.Sessions()
	raw := rawDB(t, path)

	get := func(key string) []byte {
		t.Helper()
		v, err := st.Get(key)
		if err != nil {
			t.Fatalf("Get(%q): %v", key, err)
		}
		return v
	}
	if v := get("missing"); v != nil {
		t.Errorf("Get(missing) = %q, want nil", v)
	}

	if err := st.Set("forever", []byte("v1"), 0); err != nil {
		t.Fatal(err)
	}
	if err := st.Set("hour", []byte("h1"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if v := get("forever"); string(v) != "v1" {
		t.Errorf("Get(forever) = %q, want v1", v)
	}
	if v := get("hour"); string(v) != "h1" {
		t.Errorf("Get(hour) = %q, want h1", v)
	}
	if n := count(t, raw, "SELECT expires_at FROM sessions WHERE key = 'forever'"); n != 0 {
		t.Errorf("expires_at of a session without expiry = %d, want 0", n)
	}
	if exp := count(t, raw, "SELECT expires_at FROM sessions WHERE key = 'hour'"); exp < int(time.Now().Unix())+3590 || exp > int(time.Now().Unix())+3601 {
		t.Errorf("expires_at of a one-hour session = %d, want about now+3600", exp)
	}

	// Overwrite.
	if err := st.Set("forever", []byte("v2"), 0); err != nil {
		t.Fatal(err)
	}
	if v := get("forever"); string(v) != "v2" {
		t.Errorf("Get(forever) after overwrite = %q, want v2", v)
	}
	if err := st.Set("hour", []byte("h2"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if v := get("hour"); string(v) != "h2" {
		t.Errorf("Get(hour) after overwrite = %q, want h2", v)
	}

	// Empty key or value is ignored.
	if err := st.Set("", []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	if err := st.Set("empty", nil, 0); err != nil {
		t.Fatal(err)
	}
	if v := get("empty"); v != nil {
		t.Errorf("Get(empty) = %q, want nil", v)
	}

	// Expiry: "hour" and "old" get one second. The storage is the only
	// writer of the table (it may answer from memory), so expiry is tested
	// by letting the time pass, not by editing the rows behind its back.
	if err := st.Set("hour", []byte("h3"), time.Second); err != nil {
		t.Fatal(err)
	}
	if err := st.Set("old", []byte("o"), time.Second); err != nil {
		t.Fatal(err)
	}
	if err := st.Set("fresh", []byte("f"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if v := get("hour"); string(v) != "h3" {
		t.Errorf("Get(hour) before expiry = %q, want h3", v)
	}
	time.Sleep(time.Until(time.Unix(time.Now().Unix()+2, 0)))
	if v := get("hour"); v != nil {
		t.Errorf("Get(hour) after expiry = %q, want nil", v)
	}
	if v := get("old"); v != nil {
		t.Errorf("Get(old) after expiry = %q, want nil", v)
	}
	// Setting an expired key again makes it live.
	if err := st.Set("old", []byte("o"), time.Second); err != nil {
		t.Fatal(err)
	}
	if v := get("old"); string(v) != "o" {
		t.Errorf("Get(old) after re-set = %q, want o", v)
	}
	time.Sleep(time.Until(time.Unix(time.Now().Unix()+2, 0)))

	n, err := st.DeleteExpired()
	if err != nil {
		t.Fatalf("DeleteExpired: %v", err)
	}
	if n != 2 {
		t.Errorf("DeleteExpired removed %d, want 2 (hour, old)", n)
	}
	if got := count(t, raw, "SELECT COUNT(*) FROM sessions"); got != 2 {
		t.Errorf("sessions left = %d, want 2 (forever, fresh)", got)
	}
	if v := get("fresh"); string(v) != "f" {
		t.Errorf("Get(fresh) = %q, want f", v)
	}

	if err := st.Delete("forever"); err != nil {
		t.Fatal(err)
	}
	if v := get("forever"); v != nil {
		t.Errorf("Get(forever) after Delete = %q, want nil", v)
	}
	if err := st.Delete("never-existed"); err != nil {
		t.Errorf("Delete(never-existed): %v", err)
	}
	if err := st.Reset(); err != nil {
		t.Fatal(err)
	}
	if got := count(t, raw, "SELECT COUNT(*) FROM sessions"); got != 0 {
		t.Errorf("sessions after Reset = %d, want 0", got)
	}
}

func TestConcurrentParticipants(t *testing.T) {
	s, path := newTestStore(t)
	c := mustCohort(t, s, "ws26")
	if err := s.SetWaveOpen("ws26", db.Pre, true); err != nil {
		t.Fatal(err)
	}
	const (
		workers = 32
		pages   = 5
		perPage = 6
	)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := func() error {
				name := fmt.Sprintf("w%02d", i)
				if _, err := s.CodeCandidates(c.ID, code(name, "b", "c", "d", "e", "f"), db.Pre); err != nil {
					return err
				}
				p, err := s.CreateParticipant(db.NewParticipant{
					CohortID: c.ID, Pseudonym: "P" + name, ReturnCodeHash: "rc-" + name,
					Code: code(name, "b", "c", "d", "e", "f"),
				})
				if err != nil {
					return err
				}
				if err := s.Sessions().Set("sess-"+name, []byte(name), time.Hour); err != nil {
					return err
				}
				r, err := s.StartResponse(p.ID, db.Pre, "c1", db.LinkNew)
				if err != nil {
					return err
				}
				rev := r.Rev
				for pg := 0; pg < pages; pg++ {
					ps := db.PageSave{ResponseID: r.ID, Rev: rev, Page: pg + 1, Reached: pg + 1, Submit: pg == pages-1}
					for j := 0; j < perPage; j++ {
						item := fmt.Sprintf("i%d_%d", pg, j)
						ps.Items = append(ps.Items, item)
						ps.Answers = append(ps.Answers, rating(item, fmt.Sprint(j)))
					}
					saved, err := s.SavePage(ps)
					if err != nil {
						return fmt.Errorf("page %d: %w", pg, err)
					}
					rev = saved.Rev
					if _, err := s.ResponseFor(p.ID, db.Pre); err != nil {
						return err
					}
				}
				return nil
			}()
			if err != nil {
				errs <- fmt.Errorf("worker %d: %w", i, err)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	raw := rawDB(t, path)
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"participants", "SELECT COUNT(*) FROM participants", workers},
		{"responses", "SELECT COUNT(*) FROM responses", workers},
		{"submitted responses", "SELECT COUNT(*) FROM responses WHERE submitted_at IS NOT NULL", workers},
		{"responses at rev 5", "SELECT COUNT(*) FROM responses WHERE rev = 5 AND reached = 5", workers},
		{"answers", "SELECT COUNT(*) FROM answers", workers * pages * perPage},
		{"sessions", "SELECT COUNT(*) FROM sessions", workers},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := count(t, raw, tt.query); n != tt.want {
				t.Errorf("%s = %d, want %d", tt.name, n, tt.want)
			}
		})
	}
	all, err := s.Cohorts()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Started[db.Pre] != workers || all[0].Submitted[db.Pre] != workers {
		t.Errorf("Cohorts() counts = %+v, want %d started and submitted in pre", all, workers)
	}
	if err := s.Check(); err != nil {
		t.Errorf("integrity check after concurrent writes: %v", err)
	}
}
