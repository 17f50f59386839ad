package db

import (
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// NewParticipant is what is stored about a participant when they first take part.
type NewParticipant struct {
	CohortID       uint
	Pseudonym      string
	ReturnCodeHash string
	Code           [6]string // hashed elements
	// Wave, if set, starts the participant's response to it in the same
	// transaction, so no participant is ever stored without one.
	Wave           Wave
	ConsentVersion string
	Link           string
}

// CreateParticipant stores a participant.
func (s *Store) CreateParticipant(np NewParticipant) (*Participant, error) {
	p := &Participant{
		CohortID: np.CohortID, Pseudonym: np.Pseudonym, ReturnCodeHash: np.ReturnCodeHash,
		Code1: np.Code[0], Code2: np.Code[1], Code3: np.Code[2], Code4: np.Code[3], Code5: np.Code[4], Code6: np.Code[5],
	}
	if np.Wave != "" {
		p.Responses = []Response{{Wave: np.Wave, ConsentVersion: np.ConsentVersion, Link: np.Link, StartedAt: utcNow()}}
	}
	if err := s.write(func(tx *gorm.DB) error { return tx.Create(p).Error }); err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, fmt.Errorf("db: create participant: %w", ErrExists)
		}
		return nil, fmt.Errorf("db: create participant: %w", err)
	}
	return p, nil
}

// CodeCandidates returns the cohort's participants whose code differs from
// code in at most maxDiff elements. The comparison runs in the database.
func (s *Store) CodeCandidates(cohortID uint, code [6]string, maxDiff int) ([]Participant, error) {
	terms := make([]string, len(code))
	args := []any{cohortID}
	for i := range code {
		terms[i] = fmt.Sprintf("(CASE WHEN code%d = ? THEN 1 ELSE 0 END)", i+1)
		args = append(args, code[i])
	}
	args = append(args, len(code)-maxDiff)
	var ps []Participant
	err := s.r.Where("cohort_id = ? AND "+strings.Join(terms, " + ")+" >= ?", args...).
		Order("id").Find(&ps).Error
	if err != nil {
		return nil, fmt.Errorf("db: code candidates: %w", err)
	}
	return ps, nil
}

// ParticipantByReturnCode returns the participant with the given return code hash.
func (s *Store) ParticipantByReturnCode(hash string) (*Participant, error) {
	var p Participant
	if err := s.r.Where("return_code_hash = ?", hash).First(&p).Error; err != nil {
		return nil, fmt.Errorf("db: participant by return code: %w", notFound(err))
	}
	return &p, nil
}

// ParticipantByID returns a participant.
func (s *Store) ParticipantByID(id uint) (*Participant, error) {
	var p Participant
	if err := s.r.First(&p, id).Error; err != nil {
		return nil, fmt.Errorf("db: participant %d: %w", id, notFound(err))
	}
	return &p, nil
}

// DeleteParticipant deletes a participant with all their responses and
// answers, so that on SQLite none of it can be read back from the files
// (see scrub). ErrNotScrubbed reports that the rows are gone but that last
// step failed.
func (s *Store) DeleteParticipant(id uint) error {
	err := s.write(func(tx *gorm.DB) error {
		res := tx.Delete(&Participant{}, id)
		if res.Error == nil && res.RowsAffected == 0 {
			return ErrNotFound
		}
		return res.Error
	})
	if err != nil {
		return fmt.Errorf("db: delete participant %d: %w", id, err)
	}
	return s.scrub()
}
