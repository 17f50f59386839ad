package db

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// pairID is the one rule of who is paired with whom, in every query that
// pairs pre and post responses (reports, exports, the cohort's counts): a
// response pairs under its participant, except the post response of a
// participant provisionally paired with a pre participant (LinkProvisional),
// which pairs under that pre participant. It names the participant of the
// response as participants.
const pairID = "COALESCE(participants.provisional_pre_id, participants.id)"

// AnswerRow is one answer of a submitted response, as exports and reports
// read it. EachAnswer reuses one AnswerRow for every row: copy what you keep.
type AnswerRow struct {
	ResponseID  uint
	Participant string // pseudonym it pairs under (see pairID)
	Wave        Wave   // pre or post; Retro answers of a post response are the "then" wave
	SubmittedAt time.Time
	Item        string
	Retro       bool
	Kind        string
	Value       sql.NullString
	Confidence  sql.NullInt64
}

// ExportWave is the wave an answer is exported under: then for the
// retrospective ratings of the post wave.
func (r *AnswerRow) ExportWave() Wave {
	if r.Retro {
		return Then
	}
	return r.Wave
}

// EachAnswer streams every answer of the cohort's submitted responses,
// each under the pseudonym it pairs under (see pairID),
// ordered by response and answer, without loading them all into memory.
// Answers without a value ("keine Angabe") are included with Value.Valid false.
func (s *Store) EachAnswer(cohortID uint, fn func(*AnswerRow) error) error {
	var r AnswerRow
	return s.eachRow(`SELECT responses.id, paired.pseudonym, responses.wave, responses.submitted_at,
			answers.item, answers.retro, answers.kind, answers.value, answers.confidence
		FROM answers
		JOIN responses ON responses.id = answers.response_id
		JOIN participants ON participants.id = responses.participant_id
		JOIN participants AS paired ON paired.id = `+pairID+`
		WHERE participants.cohort_id = ? AND responses.submitted_at IS NOT NULL
		ORDER BY responses.id, answers.id`, []any{cohortID}, func(rows *sql.Rows) error {
		if err := rows.Scan(&r.ResponseID, &r.Participant, &r.Wave, &r.SubmittedAt, &r.Item, &r.Retro, &r.Kind, &r.Value, &r.Confidence); err != nil {
			return fmt.Errorf("db: read answer: %w", err)
		}
		return fn(&r)
	})
}

// ScoreRow is one answer as reports score it: lighter than AnswerRow (no
// pseudonym, no date to parse, no copies of the texts), because a report
// reads a million of them; the kind follows from the item. Item and Value
// point into the driver's buffer and are valid only during the callback;
// Value is nil for "keine Angabe".
type ScoreRow struct {
	ResponseID uint
	PairID     uint // the participant the response pairs under (see pairID)
	Item       sql.RawBytes
	Retro      bool
	Value      sql.RawBytes
	Confidence sql.NullInt64
}

// EachScoreRow streams the answers of a cohort's submitted responses to one
// wave, grouped by response, reusing one ScoreRow. Ordering by participant
// (one response per wave) follows the indexes, so SQLite need not sort a
// million rows first.
// Part and parts read one of parts slices of the participants (by id), so
// that a report can read the slices side by side.
func (s *Store) EachScoreRow(cohortID uint, wave Wave, part, parts int, fn func(*ScoreRow) error) error {
	var r ScoreRow
	return s.eachRow(`SELECT answers.response_id, `+pairID+`, answers.item, answers.retro,
			answers.value, answers.confidence
		FROM answers
		JOIN responses ON responses.id = answers.response_id
		JOIN participants ON participants.id = responses.participant_id
		WHERE participants.cohort_id = ? AND responses.wave = ? AND responses.submitted_at IS NOT NULL
			AND participants.id % ? = ?
		ORDER BY participants.id, answers.response_id`, []any{cohortID, wave, parts, part}, func(rows *sql.Rows) error {
		if err := rows.Scan(&r.ResponseID, &r.PairID, &r.Item, &r.Retro, &r.Value, &r.Confidence); err != nil {
			return fmt.Errorf("db: read answer: %w", err)
		}
		return fn(&r)
	})
}

// eachRow runs a query on the read pool and hands every row to each,
// without collecting them.
func (s *Store) eachRow(query string, args []any, each func(*sql.Rows) error) error {
	rows, err := s.r.Raw(query, args...).Rows()
	if err != nil {
		return fmt.Errorf("db: read answers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: read answers: %w", err)
	}
	return nil
}

// ImportedResponse is one submitted response to store from a file.
type ImportedResponse struct {
	Participant string // pseudonym
	Wave        Wave   // pre or post
	SubmittedAt time.Time
	Answers     []Answer // Retro marks the post wave's retrospective ratings
}

// ErrImportConflict reports an import that conflicts with stored data; the
// error is an *ImportConflictError.
var ErrImportConflict = errors.New("import conflicts with stored data")

// ImportConflict is one response of an import that the cohort cannot take.
type ImportConflict struct {
	Index int // of the response in the slice given to ImportResponses
	// Exists: the participant has a response to this wave already.
	// Otherwise the pseudonym cannot be used in this cohort (it is taken
	// elsewhere; which cohort is nobody's business here).
	Exists bool
}

// ImportConflictError lists every response of an import that conflicts
// with stored data, in the order given; nothing was stored.
type ImportConflictError struct {
	Conflicts []ImportConflict
}

func (e *ImportConflictError) Error() string {
	return fmt.Sprintf("db: import: %d responses conflict with stored data", len(e.Conflicts))
}

func (e *ImportConflictError) Unwrap() error { return ErrImportConflict }

// importLookupBatch bounds the pseudonyms and ids of one IN list.
const importLookupBatch = 500

// ImportResponses stores responses collected elsewhere in one transaction:
// either every response is stored or none. Participants are found by
// pseudonym within the cohort or created (without a code; they can be
// linked only through the file). Every response whose pseudonym is used in
// another cohort, or whose participant already has a response to that
// wave, is reported in one *ImportConflictError, before anything is stored.
func (s *Store) ImportResponses(cohortID uint, responses []ImportedResponse) error {
	return s.w.Transaction(func(tx *gorm.DB) error {
		ids, err := importConflicts(tx, cohortID, responses)
		if err != nil {
			return err
		}
		for i, ir := range responses {
			id, known := ids[ir.Participant]
			if !known {
				p := Participant{CohortID: cohortID, Pseudonym: ir.Participant,
					ReturnCodeHash: "imported:" + ir.Participant + ":" + fmt.Sprint(cohortID)}
				if err := tx.Create(&p).Error; err != nil {
					if errors.Is(err, gorm.ErrDuplicatedKey) { // taken since the check
						return &ImportConflictError{[]ImportConflict{{Index: i}}}
					}
					return fmt.Errorf("db: import participant %s: %w", ir.Participant, err)
				}
				id = p.ID
				ids[ir.Participant] = id
			}
			r := Response{ParticipantID: id, Wave: ir.Wave, ConsentVersion: "import", Link: "import",
				StartedAt: ir.SubmittedAt, UpdatedAt: ir.SubmittedAt, SubmittedAt: &ir.SubmittedAt}
			if err := tx.Create(&r).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return &ImportConflictError{[]ImportConflict{{Index: i, Exists: true}}}
				}
				return fmt.Errorf("db: import response: %w", err)
			}
			for i := range ir.Answers {
				ir.Answers[i].ID = 0
				ir.Answers[i].ResponseID = r.ID
			}
			if len(ir.Answers) > 0 {
				if err := tx.CreateInBatches(ir.Answers, 500).Error; err != nil {
					return fmt.Errorf("db: import answers of %s: %w", ir.Participant, err)
				}
			}
		}
		return nil
	})
}

// importConflicts looks up the pseudonyms of an import. It returns the ids
// of those already in the cohort, or an *ImportConflictError naming every
// response that cannot be stored.
func importConflicts(tx *gorm.DB, cohortID uint, responses []ImportedResponse) (map[string]uint, error) {
	var names []string
	seen := map[string]bool{}
	for _, ir := range responses {
		if !seen[ir.Participant] {
			seen[ir.Participant] = true
			names = append(names, ir.Participant)
		}
	}
	type found struct {
		ID        uint
		Pseudonym string
		CohortID  uint
	}
	ids := map[string]uint{}
	foreign := map[string]bool{}
	var own []uint
	for start := 0; start < len(names); start += importLookupBatch {
		var rows []found
		if err := tx.Model(&Participant{}).Select("id, pseudonym, cohort_id").
			Where("pseudonym IN ?", names[start:min(start+importLookupBatch, len(names))]).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("db: import: look up pseudonyms: %w", err)
		}
		for _, p := range rows {
			if p.CohortID != cohortID {
				foreign[p.Pseudonym] = true
				continue
			}
			ids[p.Pseudonym] = p.ID
			own = append(own, p.ID)
		}
	}
	type taken struct {
		ParticipantID uint
		Wave          Wave
	}
	exists := map[taken]bool{}
	for start := 0; start < len(own); start += importLookupBatch {
		var rows []taken
		if err := tx.Model(&Response{}).Select("participant_id, wave").
			Where("participant_id IN ?", own[start:min(start+importLookupBatch, len(own))]).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("db: import: look up responses: %w", err)
		}
		for _, r := range rows {
			exists[r] = true
		}
	}
	var conflicts []ImportConflict
	for i, ir := range responses {
		switch {
		case foreign[ir.Participant]:
			conflicts = append(conflicts, ImportConflict{Index: i})
		case exists[taken{ids[ir.Participant], ir.Wave}]:
			conflicts = append(conflicts, ImportConflict{Index: i, Exists: true})
		}
	}
	if len(conflicts) > 0 {
		return nil, &ImportConflictError{conflicts}
	}
	return ids, nil
}
