package db

import (
	"fmt"

	"gorm.io/gorm"
)

// LinkBulk marks responses stored by BulkInsertResponses (synthetic demo data).
const LinkBulk = "bulk"

// BulkInsertResponses stores many new participants with their submitted
// responses in one transaction, in large batches: every pseudonym in rs must
// be new (a pseudonym already stored fails the whole call). Unlike
// ImportResponses it looks nothing up, so it suits generated data; callers
// with more than a few hundred participants should call it once per chunk.
// It sets the ResponseID of the answers in rs.
func (s *Store) BulkInsertResponses(cohortID uint, rs []ImportedResponse) error {
	if len(rs) == 0 {
		return nil
	}
	return s.w.Transaction(func(tx *gorm.DB) error {
		index := map[string]int{}
		var people []Participant
		for _, ir := range rs {
			if _, ok := index[ir.Participant]; !ok {
				index[ir.Participant] = len(people)
				people = append(people, Participant{CohortID: cohortID, Pseudonym: ir.Participant,
					ReturnCodeHash: LinkBulk + ":" + ir.Participant})
			}
		}
		if err := tx.CreateInBatches(people, 1000).Error; err != nil {
			return fmt.Errorf("db: bulk participants: %w", err)
		}
		responses := make([]Response, len(rs))
		answers := 0
		for i, ir := range rs {
			at := ir.SubmittedAt.UTC()
			responses[i] = Response{ParticipantID: people[index[ir.Participant]].ID, Wave: ir.Wave,
				ConsentVersion: LinkBulk, Link: LinkBulk, StartedAt: at, UpdatedAt: at, SubmittedAt: &at}
			answers += len(ir.Answers)
		}
		if err := tx.CreateInBatches(responses, 1000).Error; err != nil {
			return fmt.Errorf("db: bulk responses: %w", err)
		}
		all := make([]Answer, 0, answers)
		for i, ir := range rs {
			for j := range ir.Answers {
				ir.Answers[j].ID = 0
				ir.Answers[j].ResponseID = responses[i].ID
			}
			all = append(all, ir.Answers...)
		}
		if len(all) > 0 {
			// 6 columns × 2000 rows stays well below SQLite's 32766 and
			// PostgreSQL's 65535 parameters per statement.
			if err := tx.CreateInBatches(all, 2000).Error; err != nil {
				return fmt.Errorf("db: bulk answers: %w", err)
			}
		}
		return nil
	})
}

// CountParticipants returns how many participants a cohort has, with or
// without responses.
func (s *Store) CountParticipants(cohortID uint) (int64, error) {
	var n int64
	if err := s.r.Model(&Participant{}).Where("cohort_id = ?", cohortID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("db: count participants of cohort %d: %w", cohortID, err)
	}
	return n, nil
}
