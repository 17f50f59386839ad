package db

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// slugPattern is what a cohort's short code may look like: participants type it.
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// ValidSlug reports whether s can be a cohort's short code.
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

// CreateCohort stores a new cohort with all its waves closed.
func (s *Store) CreateCohort(slug, name, instrument string) (*Cohort, error) {
	if !ValidSlug(slug) {
		return nil, fmt.Errorf("db: cohort short code %q: use 2–40 lowercase letters, digits or dashes", slug)
	}
	if name = strings.TrimSpace(name); name == "" || utf8.RuneCountInString(name) > 200 {
		return nil, fmt.Errorf("db: cohort name must have 1–200 characters")
	}
	c := &Cohort{Slug: slug, Name: name, Instrument: instrument}
	for _, w := range Waves {
		c.Waves = append(c.Waves, CohortWave{Name: w})
	}
	if err := s.w.Create(c).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, fmt.Errorf("db: cohort %q: %w", slug, ErrExists)
		}
		return nil, fmt.Errorf("db: create cohort: %w", err)
	}
	return c, nil
}

// CohortBySlug returns the cohort with the given short code and its waves
// (see cohortCache for how fresh).
func (s *Store) CohortBySlug(slug string) (*Cohort, error) {
	if c, ok := s.cohorts.bySlug(slug); ok {
		return c, nil
	}
	var c Cohort
	err := s.r.Preload("Waves", inWaveOrder).Where("slug = ?", slug).First(&c).Error
	if err != nil {
		return nil, fmt.Errorf("db: cohort %q: %w", slug, notFound(err))
	}
	s.cohorts.keep(&c)
	return &c, nil
}

// CohortByID returns the cohort with the given id and its waves (see
// cohortCache for how fresh).
func (s *Store) CohortByID(id uint) (*Cohort, error) {
	if c, ok := s.cohorts.get(id); ok {
		return c, nil
	}
	var c Cohort
	if err := s.r.Preload("Waves", inWaveOrder).First(&c, id).Error; err != nil {
		return nil, fmt.Errorf("db: cohort %d: %w", id, notFound(err))
	}
	s.cohorts.keep(&c)
	return &c, nil
}

// WaveCounts counts responses per wave.
type WaveCounts map[Wave]int

// Of returns the count of the wave named w (for templates, which cannot
// index a map by a named string type).
func (wc WaveCounts) Of(w string) int { return wc[Wave(w)] }

// CohortSummary is a cohort with its participation counts.
type CohortSummary struct {
	Cohort
	Started   WaveCounts
	Submitted WaveCounts
}

// Cohorts returns every cohort, newest first, with counts of started and
// submitted responses per wave.
func (s *Store) Cohorts() ([]CohortSummary, error) {
	var cohorts []Cohort
	if err := s.r.Preload("Waves", inWaveOrder).Order("created_at DESC, id DESC").Find(&cohorts).Error; err != nil {
		return nil, fmt.Errorf("db: list cohorts: %w", err)
	}
	counts, err := s.countResponses(0)
	if err != nil {
		return nil, err
	}
	out := make([]CohortSummary, len(cohorts))
	index := map[uint]int{}
	for i, c := range cohorts {
		out[i] = CohortSummary{Cohort: c, Started: WaveCounts{}, Submitted: WaveCounts{}}
		index[c.ID] = i
	}
	for _, n := range counts {
		if i, ok := index[n.CohortID]; ok {
			out[i].Started[n.Wave] = n.Started
			out[i].Submitted[n.Wave] = n.Submitted
		}
	}
	return out, nil
}

// WaveSettings is what a lead sets for a wave: switched open or closed, and
// optionally the dates within which an open wave takes answers.
type WaveSettings struct {
	Open     bool
	SetDates bool // false keeps the dates as they are
	StartsAt *time.Time
	EndsAt   *time.Time
}

// SetWaveOpen opens or closes a wave of the cohort with the given short
// code, keeping its dates.
func (s *Store) SetWaveOpen(slug string, wave Wave, open bool) error {
	c, err := s.CohortBySlug(slug)
	if err != nil {
		return err
	}
	return s.SetWave(c.ID, wave, WaveSettings{Open: open})
}

// SetWave changes a wave of a cohort. Opening a wave closes the other, so
// that participants always know which wave they are answering.
func (s *Store) SetWave(cohortID uint, wave Wave, ws WaveSettings) error {
	if ws.SetDates && ws.StartsAt != nil && ws.EndsAt != nil && !ws.EndsAt.After(*ws.StartsAt) {
		return fmt.Errorf("db: wave %s: the end must come after the start", wave)
	}
	defer s.cohorts.forget()
	return s.w.Transaction(func(tx *gorm.DB) error {
		// Changes to one cohort's waves take turns: two leads opening
		// different waves at once would otherwise lock the wave rows in
		// opposite orders on PostgreSQL (SQLite's writer is one at a time).
		var locked Cohort
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").First(&locked, cohortID).Error; err != nil {
			return fmt.Errorf("db: cohort %d: %w", cohortID, notFound(err))
		}
		now := utcNow()
		if ws.Open {
			err := tx.Model(&CohortWave{}).Where("cohort_id = ? AND name <> ? AND open", cohortID, wave).
				Updates(map[string]any{"open": false, "closed_at": now}).Error
			if err != nil {
				return fmt.Errorf("db: close other waves: %w", err)
			}
		}
		fields := map[string]any{"open": ws.Open}
		var current CohortWave
		if err := tx.Where("cohort_id = ? AND name = ?", cohortID, wave).First(&current).Error; err != nil {
			return fmt.Errorf("db: wave %s of cohort %d: %w", wave, cohortID, notFound(err))
		}
		if ws.Open && !current.Open {
			fields["opened_at"] = now
		}
		if !ws.Open && current.Open {
			fields["closed_at"] = now
		}
		if ws.SetDates {
			fields["starts_at"] = utc(ws.StartsAt)
			fields["ends_at"] = utc(ws.EndsAt)
		}
		if err := tx.Model(&current).Updates(fields).Error; err != nil {
			return fmt.Errorf("db: set wave %s: %w", wave, err)
		}
		return nil
	})
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Bounds of a cohort's data protection settings: the privacy threshold is
// never below three people; retention 0 means keep.
const (
	MinGroupFloor   = 3
	DefaultMinGroup = 5
	MaxMinGroup     = 1000
	MaxRetention    = 3650
)

// CheckCohortSettings reports whether a retention period and a privacy
// threshold lie within their bounds; the error wraps ErrInvalidSettings.
func CheckCohortSettings(retentionDays, minGroup int) error {
	if retentionDays < 0 || retentionDays > MaxRetention {
		return fmt.Errorf("db: retention of %d days: use 0 (keep) to %d: %w", retentionDays, MaxRetention, ErrInvalidSettings)
	}
	if minGroup < MinGroupFloor || minGroup > MaxMinGroup {
		return fmt.Errorf("db: privacy threshold %d: use %d to %d: %w", minGroup, MinGroupFloor, MaxMinGroup, ErrInvalidSettings)
	}
	return nil
}

// MarkDemo marks a cohort as holding synthetic answers.
func (s *Store) MarkDemo(cohortID uint) error {
	defer s.cohorts.forget()
	res := s.w.Model(&Cohort{}).Where("id = ?", cohortID).Update("demo", true)
	if res.Error != nil {
		return fmt.Errorf("db: mark demo: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("db: cohort %d: %w", cohortID, ErrNotFound)
	}
	return nil
}

// UpdateCohortSettings sets a cohort's data protection settings.
func (s *Store) UpdateCohortSettings(cohortID uint, retentionDays, minGroup int) error {
	if err := CheckCohortSettings(retentionDays, minGroup); err != nil {
		return err
	}
	defer s.cohorts.forget()
	res := s.w.Model(&Cohort{}).Where("id = ?", cohortID).
		Updates(map[string]any{"retention_days": retentionDays, "min_group": minGroup})
	if res.Error != nil {
		return fmt.Errorf("db: cohort settings: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("db: cohort %d: %w", cohortID, ErrNotFound)
	}
	return nil
}

// CohortStats are a cohort's participation counts.
type CohortStats struct {
	Started   WaveCounts
	Submitted WaveCounts
	Pairs     int // submitted pre and post responses paired (see pairID)
	Tolerant  int // post responses linked by a code with one element differing (LinkCodeTolerant, before schema version 3)
	// How the post responses were linked to a pre response: an exact code,
	// the return code, or provisionally for the statistics (pairs standing now).
	ByCode, ByReturnCode, Provisional int
}

// waveCount is one cohort's responses to one wave.
type waveCount struct {
	CohortID  uint
	Wave      Wave
	Started   int
	Submitted int
	Tolerant  int // linked by a code with one element differing
	ByCode    int // linked by an exact code
	ByReturn  int // linked by the return code
}

// countResponses counts responses per cohort and wave in the database; a
// cohortID of 0 counts every cohort.
func (s *Store) countResponses(cohortID uint) ([]waveCount, error) {
	q := s.r.Table("responses").
		Select("participants.cohort_id AS cohort_id, responses.wave AS wave, COUNT(*) AS started, "+
			"COUNT(responses.submitted_at) AS submitted, SUM(CASE WHEN responses.link = ? THEN 1 ELSE 0 END) AS tolerant, "+
			"SUM(CASE WHEN responses.link = ? THEN 1 ELSE 0 END) AS by_code, SUM(CASE WHEN responses.link = ? THEN 1 ELSE 0 END) AS by_return",
			LinkCodeTolerant, LinkCode, LinkReturnCode).
		Joins("JOIN participants ON participants.id = responses.participant_id").
		Group("participants.cohort_id, responses.wave")
	if cohortID != 0 {
		q = q.Where("participants.cohort_id = ?", cohortID)
	}
	var counts []waveCount
	if err := q.Scan(&counts).Error; err != nil {
		return nil, fmt.Errorf("db: count responses: %w", err)
	}
	return counts, nil
}

// Stats counts a cohort's participation in the database.
func (s *Store) Stats(cohortID uint) (CohortStats, error) {
	st := CohortStats{Started: WaveCounts{}, Submitted: WaveCounts{}}
	perWave, err := s.countResponses(cohortID)
	if err != nil {
		return st, err
	}
	for _, w := range perWave {
		st.Started[w.Wave] = w.Started
		st.Submitted[w.Wave] = w.Submitted
		st.Tolerant += w.Tolerant
		if w.Wave == Post {
			st.ByCode, st.ByReturnCode = w.ByCode, w.ByReturn
		}
	}
	var provisional int64
	if err := s.r.Model(&Participant{}).Where("cohort_id = ? AND provisional_pre_id IS NOT NULL", cohortID).Count(&provisional).Error; err != nil {
		return st, fmt.Errorf("db: cohort %d provisional pairs: %w", cohortID, err)
	}
	st.Provisional = int(provisional)
	err = s.r.Raw(`SELECT COUNT(*) FROM (
		SELECT `+pairID+` AS pair FROM responses
		JOIN participants ON participants.id = responses.participant_id
		WHERE participants.cohort_id = ? AND responses.submitted_at IS NOT NULL
		GROUP BY `+pairID+` HAVING COUNT(DISTINCT responses.wave) = 2) AS pairs`, cohortID).
		Scan(&st.Pairs).Error
	if err != nil {
		return st, fmt.Errorf("db: cohort %d pairs: %w", cohortID, err)
	}
	return st, nil
}

// PurgeExpired deletes, in every cohort with a retention period, the
// participants whose last answer is older than that period (counted back
// from now), with all their answers, as DeleteParticipant does. It returns
// how many participants went, per cohort slug.
func (s *Store) PurgeExpired(now time.Time) (map[string]int64, error) {
	var cohorts []Cohort
	if err := s.r.Where("retention_days > 0").Find(&cohorts).Error; err != nil {
		return nil, fmt.Errorf("db: retention: %w", err)
	}
	purged := map[string]int64{}
	for _, c := range cohorts {
		cutoff := now.UTC().AddDate(0, 0, -c.RetentionDays)
		const expired = `cohort_id = ? AND id IN (
			SELECT participant_id FROM responses GROUP BY participant_id
			HAVING MAX(COALESCE(submitted_at, updated_at)) < ?)`
		var gone int64
		err := s.w.Transaction(func(tx *gorm.DB) error {
			if err := unlinkProvisional(tx, "provisional_pre_id IN (SELECT id FROM participants WHERE "+expired+")", c.ID, cutoff); err != nil {
				return err
			}
			res := tx.Where(expired, c.ID, cutoff).Delete(&Participant{})
			gone = res.RowsAffected
			return res.Error
		})
		if err != nil {
			return purged, fmt.Errorf("db: retention of %s: %w", c.Slug, err)
		}
		if gone > 0 {
			purged[c.Slug] = gone
		}
	}
	if len(purged) == 0 {
		return purged, nil
	}
	return purged, s.scrub()
}

// Backup writes a consistent copy of the live database to path, which must
// not exist yet. Participants may keep answering meanwhile. On PostgreSQL it
// fails with ErrBackupPostgres: pg_dump makes the copy there.
func (s *Store) Backup(path string) error {
	if s.postgres {
		return fmt.Errorf("db: %w", ErrBackupPostgres)
	}
	if err := s.w.Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("db: backup to %s: %w", path, err)
	}
	return nil
}

// inWaveOrder preloads a cohort's waves pre first (they are created in order).
func inWaveOrder(g *gorm.DB) *gorm.DB { return g.Order("id") }
