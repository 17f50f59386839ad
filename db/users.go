package db

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"gorm.io/gorm"
)

// NormalizeEmail returns the canonical form of an e-mail address (trimmed,
// lower case), or false if it is not one.
func NormalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || len(s) > 254 {
		return "", false
	}
	return s, true
}

// CreateUser stores a new account. hash is the password hash.
func (s *Store) CreateUser(email, role, hash string, mustChange bool) (*User, error) {
	normalized, ok := NormalizeEmail(email)
	if !ok {
		return nil, fmt.Errorf("db: %q is not an e-mail address", email)
	}
	email = normalized
	if role != RoleAdmin && role != RoleLead {
		return nil, fmt.Errorf("db: role %q: use %s or %s", role, RoleAdmin, RoleLead)
	}
	u := &User{Email: email, Role: role, PasswordHash: hash, MustChangePassword: mustChange}
	if err := s.w.Create(u).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, fmt.Errorf("db: account %s: %w", email, ErrExists)
		}
		return nil, fmt.Errorf("db: create account: %w", err)
	}
	return u, nil
}

// firstAdminLock is the PostgreSQL advisory lock under which an instance
// looks for accounts and creates the first administrator.
const firstAdminLock = 0x65696e61 // "eina"

// CreateFirstAdmin creates an administrator who must change the password,
// and writes the audit entry, only if there is no account yet; created says
// whether this call made it. Instances that start together on one database
// all call it, and exactly one creates the account: the check and the
// insert are one transaction, which SQLite serialises by its write lock
// (taken at BEGIN) and PostgreSQL by an advisory lock (two READ COMMITTED
// transactions would both see no account, and the loser would stop on the
// unique e-mail address).
func (s *Store) CreateFirstAdmin(email, hash string) (u *User, created bool, err error) {
	normalized, ok := NormalizeEmail(email)
	if !ok {
		return nil, false, fmt.Errorf("db: %q is not an e-mail address", email)
	}
	err = s.w.Transaction(func(tx *gorm.DB) error {
		if s.postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", firstAdminLock).Error; err != nil {
				return fmt.Errorf("db: first account lock: %w", err)
			}
		}
		var n int64
		if err := tx.Model(&User{}).Count(&n).Error; err != nil {
			return fmt.Errorf("db: count accounts: %w", err)
		}
		if n > 0 {
			return nil
		}
		u = &User{Email: normalized, Role: RoleAdmin, PasswordHash: hash, MustChangePassword: true}
		if err := tx.Create(u).Error; err != nil {
			return fmt.Errorf("db: create account: %w", err)
		}
		return tx.Create(auditEntry(ActorSystem, AuditUserCreate, normalized, FirstAdminDetail)).Error
	})
	if err != nil {
		return nil, false, err
	}
	return u, u != nil, nil
}

// CountUsers returns how many accounts exist.
func (s *Store) CountUsers() (int64, error) {
	var n int64
	if err := s.r.Model(&User{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("db: count accounts: %w", err)
	}
	return n, nil
}

// UserByEmail returns the account with the given e-mail address.
func (s *Store) UserByEmail(email string) (*User, error) {
	email, _ = NormalizeEmail(email)
	var u User
	if err := s.r.Where("email = ?", email).First(&u).Error; err != nil {
		return nil, fmt.Errorf("db: account: %w", notFound(err))
	}
	return &u, nil
}

// UserByID returns an account with the cohorts assigned to it.
func (s *Store) UserByID(id uint) (*User, error) {
	var u User
	if err := s.r.Preload("Cohorts").First(&u, id).Error; err != nil {
		return nil, fmt.Errorf("db: account %d: %w", id, notFound(err))
	}
	return &u, nil
}

// Users returns every account with its cohorts, by e-mail address.
func (s *Store) Users() ([]User, error) {
	var us []User
	if err := s.r.Preload("Cohorts").Order("email").Find(&us).Error; err != nil {
		return nil, fmt.Errorf("db: list accounts: %w", err)
	}
	return us, nil
}

// UserUpdate names the account fields to change; nil leaves a field alone.
type UserUpdate struct {
	PasswordHash       *string
	MustChangePassword *bool
	Disabled           *bool
	LastLoginAt        *time.Time
}

// UpdateUser changes an account.
func (s *Store) UpdateUser(id uint, up UserUpdate) error {
	fields := map[string]any{}
	if up.PasswordHash != nil {
		fields["password_hash"] = *up.PasswordHash
	}
	if up.MustChangePassword != nil {
		fields["must_change_password"] = *up.MustChangePassword
	}
	if up.Disabled != nil {
		fields["disabled"] = *up.Disabled
	}
	if up.LastLoginAt != nil {
		fields["last_login_at"] = *up.LastLoginAt
	}
	res := s.w.Model(&User{}).Where("id = ?", id).Updates(fields)
	if res.Error != nil {
		return fmt.Errorf("db: update account %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("db: update account %d: %w", id, ErrNotFound)
	}
	return nil
}

// SetLeadCohorts replaces the cohorts a lead is assigned to.
func (s *Store) SetLeadCohorts(userID uint, cohortIDs []uint) error {
	unique := map[uint]bool{}
	var ids []uint
	for _, id := range cohortIDs {
		if !unique[id] {
			unique[id] = true
			ids = append(ids, id)
		}
	}
	cohortIDs = ids
	return s.w.Transaction(func(tx *gorm.DB) error {
		u := User{ID: userID}
		var cohorts []Cohort
		if len(cohortIDs) > 0 {
			if err := tx.Where("id IN ?", cohortIDs).Find(&cohorts).Error; err != nil {
				return fmt.Errorf("db: assign cohorts: %w", err)
			}
			if len(cohorts) != len(cohortIDs) {
				return fmt.Errorf("db: assign cohorts: %w", ErrNotFound)
			}
		}
		if err := tx.Model(&u).Association("Cohorts").Replace(cohorts); err != nil {
			return fmt.Errorf("db: assign cohorts: %w", err)
		}
		return nil
	})
}

// AssignLead adds a cohort to a lead's cohorts.
func (s *Store) AssignLead(userID, cohortID uint) error {
	u := User{ID: userID}
	if err := s.w.Model(&u).Association("Cohorts").Append(&Cohort{ID: cohortID}); err != nil {
		return fmt.Errorf("db: assign cohort %d to %d: %w", cohortID, userID, err)
	}
	return nil
}

// CanSeeCohort reports whether the user may see the cohort: admins see
// every cohort, leads the ones assigned to them.
func (s *Store) CanSeeCohort(u *User, cohortID uint) (bool, error) {
	if u.IsAdmin() {
		return true, nil
	}
	var n int64
	err := s.r.Table("cohort_leads").Where("user_id = ? AND cohort_id = ?", u.ID, cohortID).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("db: cohort access: %w", err)
	}
	return n > 0, nil
}

// CohortsFor returns the cohorts the user may see, newest first, with counts.
func (s *Store) CohortsFor(u *User) ([]CohortSummary, error) {
	all, err := s.Cohorts()
	if err != nil || u.IsAdmin() {
		return all, err
	}
	var ids []uint
	if err := s.r.Table("cohort_leads").Where("user_id = ?", u.ID).Pluck("cohort_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("db: cohorts of %d: %w", u.ID, err)
	}
	mine := map[uint]bool{}
	for _, id := range ids {
		mine[id] = true
	}
	var out []CohortSummary
	for _, c := range all {
		if mine[c.ID] {
			out = append(out, c)
		}
	}
	return out, nil
}
