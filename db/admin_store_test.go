package db_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"einordnung/db"
	"einordnung/db/dbtest"
)

func mustUser(t *testing.T, s *db.Store, email, role string) *db.User {
	t.Helper()
	u, err := s.CreateUser(email, role, "hash-of-"+email, false)
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func TestCreateUser(t *testing.T) {
	s, _ := newTestStore(t)
	// The steps run in order: the duplicates refer to earlier accounts.
	tests := []struct {
		name      string
		email     string
		role      string
		wantEmail string // "" = refused
		exists    bool   // refused with ErrExists
	}{
		{"lead, address trimmed and lower-cased", " Lead@Example.ORG ", db.RoleLead, "lead@example.org", false},
		{"admin", "admin@example.org", db.RoleAdmin, "admin@example.org", false},
		{"same address in other case", "LEAD@example.org", db.RoleLead, "", true},
		{"same address, other role", "lead@example.org", db.RoleAdmin, "", true},
		{"unknown role", "root@example.org", "root", "", false},
		{"empty role", "leer@example.org", "", "", false},
		{"not an address", "niemand", db.RoleLead, "", false},
		{"address with a display name", "Lea <lea@example.org>", db.RoleLead, "", false},
		{"empty", "", db.RoleLead, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := s.CountUsers()
			u, err := s.CreateUser(tt.email, tt.role, "h", true)
			if tt.wantEmail == "" {
				if err == nil {
					t.Fatalf("CreateUser(%q, %q) succeeded, want an error", tt.email, tt.role)
				}
				if errors.Is(err, db.ErrExists) != tt.exists {
					t.Errorf("error %v: ErrExists = %v, want %v", err, errors.Is(err, db.ErrExists), tt.exists)
				}
				if after, _ := s.CountUsers(); after != before {
					t.Errorf("%d accounts after a refused one, want %d", after, before)
				}
				return
			}
			if err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			if u.Email != tt.wantEmail || u.Role != tt.role || !u.MustChangePassword || u.Disabled || u.PasswordHash != "h" {
				t.Errorf("created %+v", u)
			}
			got, err := s.UserByEmail(strings.ToUpper(tt.wantEmail) + " ")
			if err != nil || got.ID != u.ID {
				t.Errorf("UserByEmail in other case: %+v, %v", got, err)
			}
			if got.IsAdmin() != (tt.role == db.RoleAdmin) {
				t.Errorf("IsAdmin() = %v for role %s", got.IsAdmin(), tt.role)
			}
		})
	}
	if _, err := s.UserByEmail("nobody@example.org"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("UserByEmail(unknown) error = %v, want ErrNotFound", err)
	}
	if _, err := s.UserByID(9999); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("UserByID(unknown) error = %v, want ErrNotFound", err)
	}
	users, err := s.Users()
	if err != nil || len(users) != 2 || users[0].Email != "admin@example.org" || users[1].Email != "lead@example.org" {
		t.Errorf("Users() = %+v, %v; want admin and lead by e-mail", users, err)
	}
}

func TestUpdateUser(t *testing.T) {
	s, _ := newTestStore(t)
	u := mustUser(t, s, "lead@example.org", db.RoleLead)
	other := mustUser(t, s, "other@example.org", db.RoleLead)
	yes, no := true, false
	hash := "new-hash"
	at := time.Date(2026, 11, 3, 9, 30, 0, 0, time.UTC)

	// The steps run in order; each changes one field and keeps the others.
	type state struct {
		hash       string
		mustChange bool
		disabled   bool
		lastLogin  *time.Time
	}
	tests := []struct {
		name string
		up   db.UserUpdate
		want state
	}{
		{"nothing set yet", db.UserUpdate{MustChangePassword: &no}, state{"hash-of-lead@example.org", false, false, nil}},
		{"password", db.UserUpdate{PasswordHash: &hash, MustChangePassword: &yes}, state{"new-hash", true, false, nil}},
		{"disable", db.UserUpdate{Disabled: &yes}, state{"new-hash", true, true, nil}},
		{"last login", db.UserUpdate{LastLoginAt: &at}, state{"new-hash", true, true, &at}},
		{"enable and clear must-change", db.UserUpdate{Disabled: &no, MustChangePassword: &no}, state{"new-hash", false, false, &at}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.UpdateUser(u.ID, tt.up); err != nil {
				t.Fatalf("UpdateUser: %v", err)
			}
			got, err := s.UserByID(u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.PasswordHash != tt.want.hash || got.MustChangePassword != tt.want.mustChange || got.Disabled != tt.want.disabled {
				t.Errorf("account %+v, want %+v", got, tt.want)
			}
			if (got.LastLoginAt == nil) != (tt.want.lastLogin == nil) || (got.LastLoginAt != nil && !got.LastLoginAt.Equal(*tt.want.lastLogin)) {
				t.Errorf("last login %v, want %v", got.LastLoginAt, tt.want.lastLogin)
			}
		})
	}
	if got, _ := s.UserByID(other.ID); got.PasswordHash != "hash-of-other@example.org" || got.Disabled || got.LastLoginAt != nil {
		t.Errorf("another account changed: %+v", got)
	}
	if err := s.UpdateUser(9999, db.UserUpdate{Disabled: &yes}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("UpdateUser(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestLeadCohorts(t *testing.T) {
	s, _ := newTestStore(t)
	a, b, c := mustCohort(t, s, "aa"), mustCohort(t, s, "bb"), mustCohort(t, s, "cc")
	lead := mustUser(t, s, "lead@example.org", db.RoleLead)
	colleague := mustUser(t, s, "kollege@example.org", db.RoleLead)
	admin := mustUser(t, s, "admin@example.org", db.RoleAdmin)
	if err := s.SetLeadCohorts(colleague.ID, []uint{b.ID}); err != nil {
		t.Fatal(err)
	}
	slugsFor := func(u *db.User) []string {
		t.Helper()
		cs, err := s.CohortsFor(u)
		if err != nil {
			t.Fatalf("CohortsFor(%s): %v", u.Email, err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.Slug)
		}
		return out
	}

	// The steps run in order; each replaces the lead's cohorts.
	tests := []struct {
		name    string
		ids     []uint
		wantErr error
		want    []string // the lead's cohorts afterwards, newest first
	}{
		{"none at first", nil, nil, nil},
		{"two", []uint{a.ID, b.ID}, nil, []string{"bb", "aa"}},
		{"replaced by the third", []uint{c.ID}, nil, []string{"cc"}},
		{"an unknown cohort changes nothing", []uint{a.ID, 9999}, db.ErrNotFound, []string{"cc"}},
		{"all three", []uint{c.ID, a.ID, b.ID}, nil, []string{"cc", "bb", "aa"}},
		{"emptied", []uint{}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.SetLeadCohorts(lead.ID, tt.ids); !errors.Is(err, tt.wantErr) {
				t.Fatalf("SetLeadCohorts(%v) error = %v, want %v", tt.ids, err, tt.wantErr)
			}
			if got := slugsFor(lead); !slices.Equal(got, tt.want) {
				t.Errorf("CohortsFor(lead) = %v, want %v", got, tt.want)
			}
			for _, co := range []*db.Cohort{a, b, c} {
				ok, err := s.CanSeeCohort(lead, co.ID)
				if err != nil || ok != slices.Contains(tt.want, co.Slug) {
					t.Errorf("CanSeeCohort(lead, %s) = %v, %v", co.Slug, ok, err)
				}
			}
			u, err := s.UserByID(lead.ID)
			if err != nil || len(u.Cohorts) != len(tt.want) {
				t.Errorf("UserByID preloads %d cohorts (%v), want %d", len(u.Cohorts), err, len(tt.want))
			}
			// Other leads keep theirs.
			if got := slugsFor(colleague); !slices.Equal(got, []string{"bb"}) {
				t.Errorf("colleague's cohorts = %v, want [bb]", got)
			}
		})
	}

	// Appending keeps what is there and does not duplicate.
	for i := 0; i < 2; i++ {
		if err := s.AssignLead(lead.ID, a.ID); err != nil {
			t.Fatalf("AssignLead: %v", err)
		}
	}
	if err := s.AssignLead(lead.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if got := slugsFor(lead); !slices.Equal(got, []string{"cc", "aa"}) {
		t.Errorf("after AssignLead: %v, want [cc aa]", got)
	}

	// An administrator sees every cohort without being assigned.
	if got := slugsFor(admin); !slices.Equal(got, []string{"cc", "bb", "aa"}) {
		t.Errorf("CohortsFor(admin) = %v, want all", got)
	}
	for _, co := range []*db.Cohort{a, b, c} {
		if ok, err := s.CanSeeCohort(admin, co.ID); !ok || err != nil {
			t.Errorf("CanSeeCohort(admin, %s) = %v, %v", co.Slug, ok, err)
		}
	}
	if ok, _ := s.CanSeeCohort(lead, 9999); ok {
		t.Error("a lead may see a cohort that does not exist")
	}
}

// respond starts a participant's response to a wave, saves one answer and
// optionally sends it off.
func respond(t *testing.T, s *db.Store, p *db.Participant, wave db.Wave, link string, submit bool) *db.Response {
	t.Helper()
	r, err := s.StartResponse(p.ID, wave, "c1", link)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := s.SavePage(db.PageSave{ResponseID: r.ID, Rev: r.Rev, Items: []string{"a1"}, Answers: []db.Answer{rating("a1", "5")}, Page: 1, Reached: 1, Submit: submit})
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

func TestStats(t *testing.T) {
	s, _ := newTestStore(t)
	ws, ss := mustCohort(t, s, "ws26"), mustCohort(t, s, "ss27")
	// ws26, by hand:
	//   p1 pre sent, post sent (exact code)      -> a pair
	//   p2 pre sent, post started (tolerant)     -> tolerant, no pair
	//   p3 pre started only
	//   p4 post sent only (new, unlinked)        -> no pair
	//   p5 pre sent, post sent (tolerant)        -> a pair, tolerant
	// ss27: p6 pre and post sent, which must not count for ws26.
	p := func(cohort *db.Cohort, name string) *db.Participant {
		return mustParticipant(t, s, cohort.ID, name, code(name))
	}
	p1, p2, p3, p4, p5, p6 := p(ws, "p1"), p(ws, "p2"), p(ws, "p3"), p(ws, "p4"), p(ws, "p5"), p(ss, "p6")
	respond(t, s, p1, db.Pre, db.LinkNew, true)
	respond(t, s, p1, db.Post, db.LinkCode, true)
	respond(t, s, p2, db.Pre, db.LinkNew, true)
	respond(t, s, p2, db.Post, db.LinkCodeTolerant, false)
	respond(t, s, p3, db.Pre, db.LinkNew, false)
	respond(t, s, p4, db.Post, db.LinkNew, true)
	respond(t, s, p5, db.Pre, db.LinkNew, true)
	respond(t, s, p5, db.Post, db.LinkCodeTolerant, true)
	respond(t, s, p6, db.Pre, db.LinkNew, true)
	respond(t, s, p6, db.Post, db.LinkReturnCode, true)

	tests := []struct {
		cohort                                     *db.Cohort
		preStarted, preSent, postStarted, postSent int
		pairs, tolerant                            int
	}{
		{ws, 4, 3, 4, 3, 2, 2},
		{ss, 1, 1, 1, 1, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.cohort.Slug, func(t *testing.T) {
			st, err := s.Stats(tt.cohort.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := [6]int{st.Started[db.Pre], st.Submitted[db.Pre], st.Started[db.Post], st.Submitted[db.Post], st.Pairs, st.Tolerant}
			want := [6]int{tt.preStarted, tt.preSent, tt.postStarted, tt.postSent, tt.pairs, tt.tolerant}
			if got != want {
				t.Errorf("pre started/sent, post started/sent, pairs, tolerant = %v, want %v", got, want)
			}
		})
	}
	empty := mustCohort(t, s, "leer")
	if st, err := s.Stats(empty.ID); err != nil || st.Pairs != 0 || st.Tolerant != 0 || st.Started[db.Pre] != 0 {
		t.Errorf("Stats(empty) = %+v, %v", st, err)
	}
}

func TestSetWaveWithDates(t *testing.T) {
	s, _ := newTestStore(t)
	c := mustCohort(t, s, "ws26")
	start := time.Date(2026, 10, 1, 8, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	end := start.Add(14 * 24 * time.Hour)
	waves := func() map[db.Wave]db.CohortWave {
		t.Helper()
		got, err := s.CohortByID(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		m := map[db.Wave]db.CohortWave{}
		for _, w := range got.Waves {
			m[w.Name] = w
		}
		return m
	}

	if err := s.SetWave(c.ID, db.Pre, db.WaveSettings{Open: true, SetDates: true, StartsAt: &start, EndsAt: &end}); err != nil {
		t.Fatalf("open pre with dates: %v", err)
	}
	pre := waves()[db.Pre]
	if !pre.Open || pre.OpenedAt == nil || pre.StartsAt == nil || !pre.StartsAt.Equal(start) || pre.EndsAt == nil || !pre.EndsAt.Equal(end) {
		t.Fatalf("pre after opening: %+v", pre)
	}

	// Refused: the end is not after the start. Nothing changes.
	for _, bad := range []struct {
		name       string
		start, end time.Time
	}{{"end before start", end, start}, {"end equal to start", start, start}} {
		err := s.SetWave(c.ID, db.Pre, db.WaveSettings{Open: false, SetDates: true, StartsAt: &bad.start, EndsAt: &bad.end})
		if err == nil {
			t.Errorf("%s: accepted", bad.name)
		}
		if w := waves()[db.Pre]; !w.Open || !w.StartsAt.Equal(start) || !w.EndsAt.Equal(end) {
			t.Errorf("%s changed the wave: %+v", bad.name, w)
		}
	}

	// Keeping the dates (SetWaveOpen) or clearing them (SetDates with nil).
	if err := s.SetWaveOpen("ws26", db.Pre, true); err != nil {
		t.Fatal(err)
	}
	if w := waves()[db.Pre]; w.StartsAt == nil || !w.StartsAt.Equal(start) {
		t.Errorf("SetWaveOpen dropped the dates: %+v", w)
	}

	// Opening post closes pre and records when.
	if err := s.SetWave(c.ID, db.Post, db.WaveSettings{Open: true}); err != nil {
		t.Fatal(err)
	}
	m := waves()
	if m[db.Pre].Open || m[db.Pre].ClosedAt == nil || !m[db.Post].Open || m[db.Post].OpenedAt == nil {
		t.Errorf("after opening post: pre %+v, post %+v", m[db.Pre], m[db.Post])
	}
	if err := s.SetWave(c.ID, db.Pre, db.WaveSettings{SetDates: true}); err != nil {
		t.Fatal(err)
	}
	if w := waves()[db.Pre]; w.StartsAt != nil || w.EndsAt != nil || w.Open {
		t.Errorf("clearing the dates: %+v", w)
	}
	if err := s.SetWave(9999, db.Pre, db.WaveSettings{Open: true}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("SetWave(unknown cohort) error = %v, want ErrNotFound", err)
	}
}

func TestWaveAcceptsWithinItsDates(t *testing.T) {
	start := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	end := time.Date(2026, 10, 15, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		start, end *time.Time
		now        time.Time
		want       bool
	}{
		{"no dates", nil, nil, start, true},
		{"just before the start", &start, &end, start.Add(-time.Nanosecond), false},
		{"at the start (inclusive)", &start, &end, start, true},
		{"in between", &start, &end, start.Add(time.Hour), true},
		{"just before the end", &start, &end, end.Add(-time.Nanosecond), true},
		{"at the end (exclusive)", &start, &end, end, false},
		{"after the end", &start, &end, end.Add(time.Hour), false},
		{"only a start, long after", &start, nil, end.AddDate(5, 0, 0), true},
		{"only an end, long before", nil, &end, start.AddDate(-5, 0, 0), true},
		{"same instant in another zone", &start, &end, start.In(time.FixedZone("CEST", 2*3600)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := db.CohortWave{Name: db.Pre, Open: true, StartsAt: tt.start, EndsAt: tt.end}
			if got := w.Accepts(tt.now); got != tt.want {
				t.Errorf("Accepts(%v) = %v, want %v", tt.now, got, tt.want)
			}
			c := db.Cohort{Waves: []db.CohortWave{{Name: db.Post}, w}}
			if got, ok := c.OpenWave(tt.now); ok != tt.want || (ok && got != db.Pre) {
				t.Errorf("OpenWave = %q, %v; want pre %v", got, ok, tt.want)
			}
			w.Open = false
			if w.Accepts(tt.now) != tt.want {
				t.Error("Accepts depends on Open; it should look at the dates only")
			}
			c.Waves[1] = w
			if _, ok := c.OpenWave(tt.now); ok {
				t.Error("a closed wave is open within its dates")
			}
		})
	}
}

func TestUpdateCohortSettings(t *testing.T) {
	s, _ := newTestStore(t)
	c := mustCohort(t, s, "ws26")
	if got, err := s.CohortByID(c.ID); err != nil || got.RetentionDays != 730 || got.MinGroup != db.DefaultMinGroup {
		t.Errorf("defaults: %+v, %v; want retention 730, min group %d", got, err, db.DefaultMinGroup)
	}
	tests := []struct {
		retention, minGroup int
		ok                  bool
	}{
		{30, 2, false},
		{30, 3, true},
		{0, 5, true},
		{-1, 5, false},
		{db.MaxRetention, 1000, true},
		{db.MaxRetention + 1, 5, false},
		{30, 1001, false},
		{30, 0, false},
	}
	want := struct{ retention, minGroup int }{730, 5}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("retention %d, min group %d", tt.retention, tt.minGroup), func(t *testing.T) {
			err := s.UpdateCohortSettings(c.ID, tt.retention, tt.minGroup)
			if (err == nil) != tt.ok {
				t.Fatalf("error = %v, want ok %v", err, tt.ok)
			}
			if tt.ok {
				want.retention, want.minGroup = tt.retention, tt.minGroup
			}
			got, err := s.CohortByID(c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.RetentionDays != want.retention || got.MinGroup != want.minGroup {
				t.Errorf("stored retention %d, min group %d; want %d, %d", got.RetentionDays, got.MinGroup, want.retention, want.minGroup)
			}
		})
	}
	if err := s.UpdateCohortSettings(9999, 30, 5); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("unknown cohort: error = %v, want ErrNotFound", err)
	}
}

func TestPurgeExpired(t *testing.T) {
	s, path := newTestStore(t)
	raw := rawDB(t, path)
	short := mustCohort(t, s, "short") // 30 days
	keep := mustCohort(t, s, "keep")   // 0: kept until deleted by hand
	long := mustCohort(t, s, "long")   // the default, 730 days
	if err := s.UpdateCohortSettings(short.ID, 30, 5); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateCohortSettings(keep.ID, 0, 5); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	daysAgo := func(d int) time.Time { return now.UTC().AddDate(0, 0, -d) }

	// age sets when a response was last touched (and sent off, if it was).
	age := func(r *db.Response, last time.Time) {
		t.Helper()
		if _, err := raw.Exec("UPDATE responses SET updated_at = ?, started_at = ? WHERE id = ?", last, last, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec("UPDATE responses SET submitted_at = ? WHERE id = ? AND submitted_at IS NOT NULL", last, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	type person struct {
		cohort *db.Cohort
		name   string
		ages   []int // days since each wave's last answer: pre, then post
		submit bool
		gone   bool
	}
	people := []person{
		{short, "old", []int{40}, true, true},
		{short, "old-unsent", []int{40}, false, true},
		{short, "recent", []int{10}, true, false},
		{short, "just-inside", []int{29}, true, false},
		{short, "just-outside", []int{31}, true, true},
		{short, "old-pre-recent-post", []int{400, 5}, true, false},
		{short, "both-old", []int{400, 35}, true, true},
		{keep, "ancient", []int{3000}, true, false},
		{long, "forty-days", []int{40}, true, false},
		{long, "three-years", []int{1100}, true, true},
	}
	ids := map[string]uint{}
	for _, p := range people {
		pp := mustParticipant(t, s, p.cohort.ID, p.name, code(p.name))
		ids[p.name] = pp.ID
		for i, d := range p.ages {
			r := respond(t, s, pp, db.Waves[i], db.LinkNew, p.submit)
			age(r, daysAgo(d))
		}
	}

	purged, err := s.PurgeExpired(now)
	if err != nil {
		t.Fatalf("PurgeExpired: %v", err)
	}
	want := map[string]int64{"short": 4, "long": 1}
	if len(purged) != len(want) || purged["short"] != want["short"] || purged["long"] != want["long"] {
		t.Errorf("PurgeExpired = %v, want %v", purged, want)
	}
	for _, p := range people {
		t.Run(p.name, func(t *testing.T) {
			id := ids[p.name]
			n := count(t, raw, "SELECT COUNT(*) FROM participants WHERE id = ?", id)
			responses := count(t, raw, "SELECT COUNT(*) FROM responses WHERE participant_id = ?", id)
			answers := count(t, raw, "SELECT COUNT(*) FROM answers WHERE response_id IN (SELECT id FROM responses WHERE participant_id = ?)", id)
			if p.gone && (n != 0 || responses != 0 || answers != 0) {
				t.Errorf("expired participant left %d participant, %d response, %d answer rows", n, responses, answers)
			}
			if !p.gone && (n != 1 || responses != len(p.ages) || answers != len(p.ages)) {
				t.Errorf("kept participant has %d participant, %d response, %d answer rows", n, responses, answers)
			}
		})
	}
	// No orphans: every answer belongs to a response, every response to a participant.
	if n := count(t, raw, "SELECT COUNT(*) FROM answers WHERE response_id NOT IN (SELECT id FROM responses)"); n != 0 {
		t.Errorf("%d orphaned answers", n)
	}
	if n := count(t, raw, "SELECT COUNT(*) FROM responses WHERE participant_id NOT IN (SELECT id FROM participants)"); n != 0 {
		t.Errorf("%d orphaned responses", n)
	}
	// Running again deletes nothing more.
	if again, err := s.PurgeExpired(now); err != nil || len(again) != 0 {
		t.Errorf("second PurgeExpired = %v, %v; want nothing", again, err)
	}
	// Retention 0 keeps even the ancient answers, however late.
	if _, err := s.PurgeExpired(now.AddDate(10, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, raw, "SELECT COUNT(*) FROM participants WHERE cohort_id = ?", keep.ID); n != 1 {
		t.Errorf("retention 0: %d participants left, want 1", n)
	}
}

func TestBackup(t *testing.T) {
	dbtest.SkipOnPostgres(t, "VACUUM INTO a file; TestStoreOnPostgres checks that Backup points to pg_dump")
	s, _ := newTestStore(t)
	c := mustCohort(t, s, "ws26")
	p := mustParticipant(t, s, c.ID, "one", code("a"))
	respond(t, s, p, db.Pre, db.LinkNew, true)
	mustUser(t, s, "lead@example.org", db.RoleLead)
	if err := s.Audit("admin@example.org", db.AuditExport, "ws26", ""); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	target := filepath.Join(dir, "copy.db")
	if err := s.Backup(target); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	cp, err := db.Open(target)
	if err != nil {
		t.Fatalf("the copy does not open: %v", err)
	}
	defer cp.Close()
	if err := cp.Check(); err != nil {
		t.Errorf("copy integrity: %v", err)
	}
	if got, err := cp.CohortBySlug("ws26"); err != nil || len(got.Waves) != 2 {
		t.Errorf("copy cohort: %+v, %v", got, err)
	}
	if got, err := cp.ResponsesOf(p.ID); err != nil || len(got) != 1 || len(got[0].Answers) != 1 || !got[0].Submitted() {
		t.Errorf("copy responses: %+v, %v", got, err)
	}
	if _, err := cp.UserByEmail("lead@example.org"); err != nil {
		t.Errorf("copy accounts: %v", err)
	}
	if es, err := cp.AuditLog(10, 0); err != nil || len(es) != 1 {
		t.Errorf("copy audit log: %+v, %v", es, err)
	}

	// The copy is a snapshot: later changes are not in it.
	mustCohort(t, s, "later")
	if _, err := cp.CohortBySlug("later"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("the copy follows the live database: %v", err)
	}

	before, _ := os.ReadFile(target)
	if err := s.Backup(target); err == nil {
		t.Error("Backup onto an existing file succeeded")
	}
	if after, _ := os.ReadFile(target); string(before) != string(after) {
		t.Error("Backup changed an existing file")
	}
	if err := s.Backup(filepath.Join(dir, "no-such-dir", "copy.db")); err == nil {
		t.Error("Backup into a missing directory succeeded")
	}
}

func TestAuditLog(t *testing.T) {
	s, _ := newTestStore(t)
	for i := 1; i <= 5; i++ {
		if err := s.Audit("admin@example.org", db.AuditCohortUpdate, fmt.Sprintf("c%d", i), fmt.Sprintf("step %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		limit, offset int
		want          []string
	}{
		{2, 0, []string{"c5", "c4"}},
		{2, 2, []string{"c3", "c2"}},
		{2, 4, []string{"c1"}},
		{2, 6, nil},
		{10, 0, []string{"c5", "c4", "c3", "c2", "c1"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("limit %d offset %d", tt.limit, tt.offset), func(t *testing.T) {
			es, err := s.AuditLog(tt.limit, tt.offset)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.Target)
				if e.Actor != "admin@example.org" || e.Action != db.AuditCohortUpdate || e.Detail != "step "+e.Target[1:] || e.At.IsZero() {
					t.Errorf("entry %+v", e)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("targets %v, want %v (newest first)", got, tt.want)
			}
		})
	}
	// Over-long texts are cut on a character boundary, not refused.
	long := strings.Repeat("ä", 300)
	if err := s.Audit(long, db.AuditLoginFailed, long, strings.Repeat("ö", 1200)); err != nil {
		t.Fatalf("Audit with long texts: %v", err)
	}
	es, _ := s.AuditLog(1, 0)
	if len(es) != 1 || len([]rune(es[0].Actor)) != 254 || len([]rune(es[0].Target)) != 254 || len([]rune(es[0].Detail)) != 1000 ||
		!strings.HasPrefix(long, es[0].Actor) {
		t.Errorf("clipped entry: actor %d, target %d, detail %d runes", len([]rune(es[0].Actor)), len([]rune(es[0].Target)), len([]rune(es[0].Detail)))
	}
}
