package db

import "time"

// Wave is a survey wave of a cohort.
type Wave string

// The waves of a cohort. Then is not a wave of its own: it labels the
// retrospective pre-ratings given in the post wave (exports use it).
const (
	Pre  Wave = "pre"
	Post Wave = "post"
	Then Wave = "then"
)

// Waves are the waves a cohort has, in order.
var Waves = []Wave{Pre, Post}

// ParseWave returns the wave named s.
func ParseWave(s string) (Wave, bool) {
	for _, w := range Waves {
		if string(w) == s {
			return w, true
		}
	}
	return "", false
}

// Cohort is one run of the certificate, bound to one instrument version.
type Cohort struct {
	ID         uint   `gorm:"primaryKey"`
	Slug       string `gorm:"size:40;not null;uniqueIndex"`
	Name       string `gorm:"size:200;not null"`
	Instrument string `gorm:"size:80;not null"` // "id@version"
	// RetentionDays is how long after a participant's last answer their data
	// is kept; 0 keeps it until deleted by hand.
	RetentionDays int `gorm:"not null;default:730"`
	// MinGroup is the privacy threshold: no aggregate over fewer people.
	MinGroup int `gorm:"not null;default:5"`
	// Demo marks a cohort whose answers are synthetic (reports/demo), so
	// that its lists, dashboards, exports and comparisons say so.
	Demo         bool `gorm:"not null;default:false"`
	CreatedAt    time.Time
	Waves        []CohortWave  `gorm:"constraint:OnDelete:CASCADE"`
	Participants []Participant `gorm:"constraint:OnDelete:CASCADE"`
}

// OpenWave returns the wave participants can answer now: the one switched
// open (at most one is), if now lies within its optional start and end.
func (c *Cohort) OpenWave(now time.Time) (Wave, bool) {
	for _, w := range c.Waves {
		if w.Open && w.Accepts(now) {
			return w.Name, true
		}
	}
	return "", false
}

// SwitchedOn returns the wave that is switched open, whether or not its
// dates have come.
func (c *Cohort) SwitchedOn() (*CohortWave, bool) {
	for i := range c.Waves {
		if c.Waves[i].Open {
			return &c.Waves[i], true
		}
	}
	return nil, false
}

// CohortWave is the state of one wave of a cohort.
type CohortWave struct {
	ID       uint `gorm:"primaryKey"`
	CohortID uint `gorm:"not null;uniqueIndex:idx_cohort_wave"`
	Name     Wave `gorm:"size:8;not null;uniqueIndex:idx_cohort_wave"`
	Open     bool `gorm:"not null;default:false"`
	OpenedAt *time.Time
	ClosedAt *time.Time
	// StartsAt and EndsAt optionally limit when an open wave takes answers.
	StartsAt *time.Time
	EndsAt   *time.Time
}

// Accepts reports whether now lies within the wave's dates (either may be unset).
func (w *CohortWave) Accepts(now time.Time) bool {
	return (w.StartsAt == nil || !now.Before(*w.StartsAt)) && (w.EndsAt == nil || now.Before(*w.EndsAt))
}

// Participant is a pseudonymous person in a cohort. Their self-generated code
// is stored only as per-element keyed hashes, their return code as a keyed hash.
//
// CodeKey1..6 make a code one element off an indexed lookup: CodeKey<i> is
// a hash of the element hashes without element i (see codeKeys), so two
// codes that differ at most in element i share it. Participants without a
// code (imported, generated) have empty keys, which no code looks up.
//
// ProvisionalPreID pairs a post-only participant, for the statistics only,
// with the pre participant whose code differed from theirs in one element
// (see the package documentation on linking).
type Participant struct {
	ID             uint   `gorm:"primaryKey"`
	CohortID       uint   `gorm:"not null;index;index:idx_participants_key1,priority:1;index:idx_participants_key2,priority:1;index:idx_participants_key3,priority:1;index:idx_participants_key4,priority:1;index:idx_participants_key5,priority:1;index:idx_participants_key6,priority:1"`
	Pseudonym      string `gorm:"size:24;not null;uniqueIndex"`
	ReturnCodeHash string `gorm:"size:64;not null;uniqueIndex"`
	Code1          string `gorm:"size:32;not null"`
	Code2          string `gorm:"size:32;not null"`
	Code3          string `gorm:"size:32;not null"`
	Code4          string `gorm:"size:32;not null"`
	Code5          string `gorm:"size:32;not null"`
	Code6          string `gorm:"size:32;not null"`
	CodeKey1       string `gorm:"size:32;not null;default:'';index:idx_participants_key1,priority:2"`
	CodeKey2       string `gorm:"size:32;not null;default:'';index:idx_participants_key2,priority:2"`
	CodeKey3       string `gorm:"size:32;not null;default:'';index:idx_participants_key3,priority:2"`
	CodeKey4       string `gorm:"size:32;not null;default:'';index:idx_participants_key4,priority:2"`
	CodeKey5       string `gorm:"size:32;not null;default:'';index:idx_participants_key5,priority:2"`
	CodeKey6       string `gorm:"size:32;not null;default:'';index:idx_participants_key6,priority:2"`
	// No foreign key: SQLite cannot add one to an existing table, so deleting
	// a participant clears the links to them (see unlinkProvisional).
	ProvisionalPreID *uint `gorm:"uniqueIndex"`
	CreatedAt        time.Time
	Responses        []Response `gorm:"constraint:OnDelete:CASCADE"`
}

// CodeHash returns the participant's hashed code elements in order.
func (p *Participant) CodeHash() [6]string {
	return [6]string{p.Code1, p.Code2, p.Code3, p.Code4, p.Code5, p.Code6}
}

// How a response was linked to its participant.
const (
	LinkNew          = "new"           // a new participant
	LinkCode         = "code"          // self-generated code, every element equal
	LinkCodeTolerant = "code_tolerant" // self-generated code, one element differed (before schema version 3; no longer made)
	LinkReturnCode   = "return_code"   // the random return code
	// LinkProvisional is a new post-only participant whose code differed in
	// one element from a pre participant's: paired with them for the
	// statistics only (Participant.ProvisionalPreID), never signed in as them.
	LinkProvisional = "provisional"
)

// Response is one participant's answers to one wave. Page is where they are,
// Reached the furthest page they may open; Rev counts saves, so that a form
// sent twice or from a stale window is noticed.
type Response struct {
	ID             uint   `gorm:"primaryKey"`
	ParticipantID  uint   `gorm:"not null;uniqueIndex:idx_participant_wave"`
	Wave           Wave   `gorm:"size:8;not null;uniqueIndex:idx_participant_wave"`
	Page           int    `gorm:"not null;default:0"`
	Reached        int    `gorm:"not null;default:0"`
	Rev            int    `gorm:"not null;default:0"`
	ConsentVersion string `gorm:"size:40;not null"`
	Link           string `gorm:"size:16;not null"`
	StartedAt      time.Time
	UpdatedAt      time.Time
	SubmittedAt    *time.Time
	Answers        []Answer `gorm:"constraint:OnDelete:CASCADE"`
}

// Submitted reports whether the response has been sent off.
func (r *Response) Submitted() bool { return r.SubmittedAt != nil }

// Answer kinds, as in the long export.
const (
	KindRating     = "rating"
	KindKnowledge  = "knowledge"
	KindBackground = "background"
	KindText       = "text"
)

// Answer is one answer of a response. Value is the raw answer as given
// (nil = "keine Angabe"); Retro marks a retrospective pre-rating given in the
// post wave; Confidence (percent) belongs to knowledge items only.
type Answer struct {
	ID         uint    `gorm:"primaryKey"`
	ResponseID uint    `gorm:"not null;uniqueIndex:idx_answer"`
	Item       string  `gorm:"size:40;not null;uniqueIndex:idx_answer"`
	Retro      bool    `gorm:"not null;default:false;uniqueIndex:idx_answer"`
	Kind       string  `gorm:"size:12;not null"`
	Value      *string `gorm:"size:4000"`
	Confidence *int
}

// Roles of program accounts.
const (
	RoleAdmin = "admin" // manages accounts, sees every cohort
	RoleLead  = "lead"  // sees the cohorts assigned to them
)

// User is a program lead's or administrator's account.
type User struct {
	ID                 uint   `gorm:"primaryKey"`
	Email              string `gorm:"size:254;not null;uniqueIndex"`
	Role               string `gorm:"size:8;not null"`
	PasswordHash       string `gorm:"size:100;not null"`
	MustChangePassword bool   `gorm:"not null;default:false"`
	Disabled           bool   `gorm:"not null;default:false"`
	CreatedAt          time.Time
	LastLoginAt        *time.Time
	Cohorts            []Cohort `gorm:"many2many:cohort_leads;constraint:OnDelete:CASCADE"`
}

// IsAdmin reports whether the user manages accounts and sees every cohort.
func (u *User) IsAdmin() bool { return u.Role == RoleAdmin }

// AuditEntry records who did what: logins, failed logins, exports,
// deletions and changes to cohorts or accounts.
type AuditEntry struct {
	ID     uint      `gorm:"primaryKey"`
	At     time.Time `gorm:"not null;index"`
	Actor  string    `gorm:"size:254;not null"` // an account's e-mail, or ActorSystem, ActorParticipant, ActorCLI
	Action string    `gorm:"size:40;not null;index"`
	Target string    `gorm:"size:254;not null"`
	Detail string    `gorm:"size:1000;not null"`
}

// InstrumentFile is an instrument imported from a file: the file byte for
// byte (what an export gives back) under the reference it declares. The
// database holds it as data; package questions parses and checks it (the
// rules live there), and a stored file is never changed: a change is a new
// version, a row of its own.
type InstrumentFile struct {
	ID           uint   `gorm:"primaryKey"`
	Ref          string `gorm:"size:80;not null;uniqueIndex"` // "id@version", as cohorts name it
	InstrumentID string `gorm:"size:40;not null;index"`
	Version      int    `gorm:"not null"`
	Content      []byte `gorm:"not null"`
	SHA256       string `gorm:"size:64;not null"` // of Content, to tell a repeat from a change
	CreatedAt    time.Time
}

// Session is a server-side session or CSRF token (see SessionStorage).
type Session struct {
	Key       string `gorm:"primaryKey;size:128"`
	Data      []byte `gorm:"not null"`
	ExpiresAt int64  `gorm:"not null;index"` // unix seconds; 0 = never
}
