package db

import (
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// ScanCodeCandidates is the code lookup as it was before the keys of
// migration 3: it compares every participant of the cohort element by
// element. It stays here only as the benchmark's baseline.
func (s *Store) ScanCodeCandidates(cohortID uint, code [6]string, maxDiff int) ([]Participant, error) {
	terms := make([]string, len(code))
	args := []any{cohortID}
	for i := range code {
		terms[i] = fmt.Sprintf("(CASE WHEN code%d = ? THEN 1 ELSE 0 END)", i+1)
		args = append(args, code[i])
	}
	args = append(args, len(code)-maxDiff)
	var ps []Participant
	// Silent: at 100,000 participants every call is a "slow query".
	err := s.r.Session(&gorm.Session{Logger: logger.Default.LogMode(logger.Silent)}).Where("cohort_id = ? AND "+strings.Join(terms, " + ")+" >= ?", args...).
		Order("id").Find(&ps).Error
	if err != nil {
		return nil, fmt.Errorf("db: code candidates: %w", err)
	}
	return ps, nil
}

// InsertCodedParticipants stores participants with the given hashed codes,
// each with a started pre response, in large batches: fixtures for the
// code lookup benchmark. first numbers their pseudonyms.
func (s *Store) InsertCodedParticipants(cohortID uint, first int, codes [][6]string) error {
	ps := make([]Participant, len(codes))
	for i, c := range codes {
		k := codeKeys(c)
		ps[i] = Participant{CohortID: cohortID, Pseudonym: fmt.Sprintf("B%d", first+i), ReturnCodeHash: fmt.Sprintf("bench:%d:%d", cohortID, first+i),
			Code1: c[0], Code2: c[1], Code3: c[2], Code4: c[3], Code5: c[4], Code6: c[5],
			CodeKey1: k[0], CodeKey2: k[1], CodeKey3: k[2], CodeKey4: k[3], CodeKey5: k[4], CodeKey6: k[5]}
	}
	// 20 columns × 1000 rows stays below SQLite's 32766 parameters.
	quiet := s.w.Session(&gorm.Session{Logger: logger.Default.LogMode(logger.Silent)})
	if err := quiet.CreateInBatches(ps, 1000).Error; err != nil {
		return err
	}
	rs := make([]Response, len(ps))
	now := utcNow()
	for i := range ps {
		rs[i] = Response{ParticipantID: ps[i].ID, Wave: Pre, ConsentVersion: "bench", Link: LinkNew, StartedAt: now, UpdatedAt: now}
	}
	if err := quiet.CreateInBatches(rs, 2000).Error; err != nil {
		return err
	}
	if s.postgres {
		// As autovacuum would soon: without statistics the planner
		// guesses a sequential scan.
		return quiet.Exec("ANALYZE participants, responses").Error
	}
	// Measure the steady state, not reads through a freshly grown WAL.
	return quiet.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
}
