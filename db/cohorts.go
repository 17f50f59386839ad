package db

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
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

// CohortBySlug returns the cohort with the given short code and its waves.
func (s *Store) CohortBySlug(slug string) (*Cohort, error) {
	var c Cohort
	err := s.r.Preload("Waves").Where("slug = ?", slug).First(&c).Error
	if err != nil {
		return nil, fmt.Errorf("db: cohort %q: %w", slug, notFound(err))
	}
	return &c, nil
}

// CohortByID returns the cohort with the given id and its waves.
func (s *Store) CohortByID(id uint) (*Cohort, error) {
	var c Cohort
	if err := s.r.Preload("Waves").First(&c, id).Error; err != nil {
		return nil, fmt.Errorf("db: cohort %d: %w", id, notFound(err))
	}
	return &c, nil
}

// CohortSummary is a cohort with its participation counts.
type CohortSummary struct {
	Cohort
	Started   map[Wave]int
	Submitted map[Wave]int
}

// Cohorts returns every cohort, newest first, with counts of started and
// submitted responses per wave.
func (s *Store) Cohorts() ([]CohortSummary, error) {
	var cohorts []Cohort
	if err := s.r.Preload("Waves").Order("created_at DESC, id DESC").Find(&cohorts).Error; err != nil {
		return nil, fmt.Errorf("db: list cohorts: %w", err)
	}
	var counts []struct {
		CohortID  uint
		Wave      Wave
		Started   int
		Submitted int
	}
	err := s.r.Table("responses").
		Select("participants.cohort_id AS cohort_id, responses.wave AS wave, COUNT(*) AS started, COUNT(responses.submitted_at) AS submitted").
		Joins("JOIN participants ON participants.id = responses.participant_id").
		Group("participants.cohort_id, responses.wave").Scan(&counts).Error
	if err != nil {
		return nil, fmt.Errorf("db: count responses: %w", err)
	}
	out := make([]CohortSummary, len(cohorts))
	index := map[uint]int{}
	for i, c := range cohorts {
		out[i] = CohortSummary{Cohort: c, Started: map[Wave]int{}, Submitted: map[Wave]int{}}
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

// SetWaveOpen opens or closes a wave of a cohort. Opening a wave closes the
// other, so that participants always know which wave they are answering.
func (s *Store) SetWaveOpen(slug string, wave Wave, open bool) error {
	return s.w.Transaction(func(tx *gorm.DB) error {
		var c Cohort
		if err := tx.Where("slug = ?", slug).First(&c).Error; err != nil {
			return fmt.Errorf("db: cohort %q: %w", slug, notFound(err))
		}
		now := time.Now().UTC()
		if open {
			err := tx.Model(&CohortWave{}).Where("cohort_id = ? AND name <> ? AND open", c.ID, wave).
				Updates(map[string]any{"open": false, "closed_at": now}).Error
			if err != nil {
				return fmt.Errorf("db: close other waves: %w", err)
			}
		}
		stamp := "closed_at"
		if open {
			stamp = "opened_at"
		}
		res := tx.Model(&CohortWave{}).Where("cohort_id = ? AND name = ?", c.ID, wave).
			Updates(map[string]any{"open": open, stamp: now})
		if res.Error != nil {
			return fmt.Errorf("db: set wave %s: %w", wave, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("db: wave %s of %q: %w", wave, slug, ErrNotFound)
		}
		return nil
	})
}
