package db

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
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
	// ProvisionalPreID, if set, asks to pair the new (post-only) participant
	// with that pre participant for the statistics (Link LinkProvisional).
	// The pair is made only if the pre participant has no post response of
	// their own and nobody is paired with them yet; otherwise the new
	// participant stays unpaired and their response's link is LinkNew.
	ProvisionalPreID *uint
}

// CreateParticipant stores a participant.
func (s *Store) CreateParticipant(np NewParticipant) (*Participant, error) {
	keys := codeKeys(np.Code)
	p := &Participant{
		CohortID: np.CohortID, Pseudonym: np.Pseudonym, ReturnCodeHash: np.ReturnCodeHash,
		Code1: np.Code[0], Code2: np.Code[1], Code3: np.Code[2], Code4: np.Code[3], Code5: np.Code[4], Code6: np.Code[5],
		CodeKey1: keys[0], CodeKey2: keys[1], CodeKey3: keys[2], CodeKey4: keys[3], CodeKey5: keys[4], CodeKey6: keys[5],
	}
	err := s.write(func(tx *gorm.DB) error {
		p.ID, p.ProvisionalPreID, p.Responses = 0, nil, nil
		link := np.Link
		if np.ProvisionalPreID != nil {
			free, err := pairable(tx, np.CohortID, *np.ProvisionalPreID)
			if err != nil {
				return err
			}
			if free {
				p.ProvisionalPreID = np.ProvisionalPreID
			} else {
				link = LinkNew
			}
		}
		if np.Wave != "" {
			p.Responses = []Response{{Wave: np.Wave, ConsentVersion: np.ConsentVersion, Link: link, StartedAt: utcNow()}}
		}
		return tx.Create(p).Error
	})
	if err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, fmt.Errorf("db: create participant: %w", ErrExists)
		}
		return nil, fmt.Errorf("db: create participant: %w", err)
	}
	return p, nil
}

// pairable locks the pre participant preID and reports whether a post-only
// participant may be paired with them: they belong to the cohort, have a pre
// response, no post response of their own, and nobody is paired with them.
// The lock makes this and lockAsIdentified take turns on PostgreSQL.
func pairable(tx *gorm.DB, cohortID, preID uint) (bool, error) {
	var pre Participant
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id", "cohort_id").First(&pre, preID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil || pre.CohortID != cohortID {
		return false, err
	}
	var c struct{ Pre, Post, Paired int64 }
	err = tx.Raw(`SELECT
		(SELECT COUNT(*) FROM responses WHERE participant_id = ? AND wave = ?) AS pre,
		(SELECT COUNT(*) FROM responses WHERE participant_id = ? AND wave = ?) AS post,
		(SELECT COUNT(*) FROM participants WHERE provisional_pre_id = ?) AS paired`,
		preID, Pre, preID, Post, preID).Scan(&c).Error
	return c.Pre == 1 && c.Post == 0 && c.Paired == 0, err
}

// identified is called in the transaction that starts a participant's own
// post response: an exact code or the return code identified them, which a
// provisional pair with someone else's post response never blocks. The
// provisional pair, if any, goes: one pre response is paired with at most
// one post response.
func identified(tx *gorm.DB, participantID uint) error {
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").First(&Participant{}, participantID).Error; err != nil {
		return err
	}
	return unlinkProvisional(tx, "provisional_pre_id = ?", participantID)
}

// unlinkProvisional removes the provisional pairs with the participants
// whose id matches cond (a condition on provisional_pre_id), before they go
// or answer the post wave themselves.
func unlinkProvisional(tx *gorm.DB, cond string, args ...any) error {
	return tx.Model(&Participant{}).Where(cond, args...).Update("provisional_pre_id", nil).Error
}

// codeKeys returns, for each element i, a hash of the code's element hashes
// other than i's: two codes that differ at most in element i share key i,
// so a code one element off is found by an exact, indexed lookup. The
// inputs are keyed hashes already (questions.Code.Hash), so the keys cannot
// be computed from a code without the server's secret either. A code
// without elements (imported, generated participants) gets no keys.
//
// The keys are stored (migration 3 backfilled them): a change here needs a
// migration step that recomputes them.
func codeKeys(code [6]string) (keys [6]string) {
	for _, e := range code {
		if e == "" {
			return keys
		}
	}
	for i := range code {
		h := sha256.New()
		h.Write([]byte{byte('1' + i)})
		for j, e := range code {
			if j != i {
				h.Write([]byte{0})
				h.Write([]byte(e))
			}
		}
		keys[i] = hex.EncodeToString(h.Sum(nil)[:16])
	}
	return keys
}

// CodeCandidates returns the cohort's participants whose code differs from
// code in at most one element, in id order; with answered set, only those
// with a response to that wave. It is six indexed lookups, whatever the
// cohort's size.
func (s *Store) CodeCandidates(cohortID uint, code [6]string, answered Wave) ([]Participant, error) {
	k := codeKeys(code)
	if k[0] == "" {
		return nil, nil
	}
	// Each term names the cohort itself, so that each is one lookup in its
	// (cohort_id, code_key<i>) index: with the cohort factored out, SQLite
	// reads every participant of the cohort instead.
	q := s.r.Where(`(cohort_id = ? AND code_key1 = ?) OR (cohort_id = ? AND code_key2 = ?) OR (cohort_id = ? AND code_key3 = ?)
		OR (cohort_id = ? AND code_key4 = ?) OR (cohort_id = ? AND code_key5 = ?) OR (cohort_id = ? AND code_key6 = ?)`,
		cohortID, k[0], cohortID, k[1], cohortID, k[2], cohortID, k[3], cohortID, k[4], cohortID, k[5])
	if answered != "" {
		q = q.Where("EXISTS (SELECT 1 FROM responses WHERE responses.participant_id = participants.id AND responses.wave = ?)", answered)
	}
	var ps []Participant
	if err := q.Order("id").Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("db: code candidates: %w", err)
	}
	return ps, nil
}

// Participants returns every participant of a cohort, in id order.
func (s *Store) Participants(cohortID uint) ([]Participant, error) {
	var ps []Participant
	if err := s.r.Where("cohort_id = ?", cohortID).Order("id").Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("db: participants of cohort %d: %w", cohortID, err)
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
		if err := unlinkProvisional(tx, "provisional_pre_id = ?", id); err != nil {
			return err
		}
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
