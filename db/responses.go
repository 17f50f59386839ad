package db

import (
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// StartResponse returns the participant's response to a wave, creating it
// if they have none yet. Starting one's own post response removes a
// provisional pair of someone else's post response with one's pre response
// (see identified).
func (s *Store) StartResponse(participantID uint, wave Wave, consentVersion, link string) (*Response, error) {
	r := &Response{ParticipantID: participantID, Wave: wave, ConsentVersion: consentVersion, Link: link, StartedAt: utcNow()}
	var started *Response
	err := s.write(func(tx *gorm.DB) error {
		if wave == Post {
			if err := identified(tx, participantID); err != nil {
				return err
			}
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(r).Error; err != nil {
			return err
		}
		var err error
		started, err = s.responseFrom(tx, participantID, wave)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: start response: %w", err)
	}
	return started, nil
}

// ResponseFor returns the participant's response to a wave.
func (s *Store) ResponseFor(participantID uint, wave Wave) (*Response, error) {
	return s.responseFrom(s.r, participantID, wave)
}

func (s *Store) responseFrom(g *gorm.DB, participantID uint, wave Wave) (*Response, error) {
	var r Response
	err := g.Where("participant_id = ? AND wave = ?", participantID, wave).First(&r).Error
	if err != nil {
		return nil, fmt.Errorf("db: response %s of participant %d: %w", wave, participantID, notFound(err))
	}
	return &r, nil
}

// ResponsesOf returns every response of a participant with its answers, pre first.
func (s *Store) ResponsesOf(participantID uint) ([]Response, error) {
	var rs []Response
	err := s.r.Preload("Answers", func(g *gorm.DB) *gorm.DB { return g.Order("id") }).
		Where("participant_id = ?", participantID).Order("CASE wave WHEN '" + string(Pre) + "' THEN 0 ELSE 1 END, id").Find(&rs).Error
	if err != nil {
		return nil, fmt.Errorf("db: responses of participant %d: %w", participantID, err)
	}
	return rs, nil
}

// Answers returns the answers of a response; given item ids, only theirs.
func (s *Store) Answers(responseID uint, items ...string) ([]Answer, error) {
	var as []Answer
	q := s.r.Where("response_id = ?", responseID)
	if len(items) > 0 {
		q = q.Where("item IN ?", items)
	}
	if err := q.Order("id").Find(&as).Error; err != nil {
		return nil, fmt.Errorf("db: answers of response %d: %w", responseID, err)
	}
	return as, nil
}

// PageSave is one saved questionnaire page.
type PageSave struct {
	ResponseID uint
	Rev        int      // the revision the form was rendered from
	Items      []string // every item id on the page: their old answers are replaced
	Answers    []Answer // the page's answers (ResponseID is filled in)
	Page       int      // the page the participant goes to next
	Reached    int      // the furthest page they may now open
	Submit     bool     // this save sends the response off
}

// SavePage replaces a page's answers and moves the response on, all in one
// transaction: either the whole page is saved or nothing. It fails with
// ErrSubmitted once the response is sent off and with ErrConflict when the
// response changed since the form was rendered.
func (s *Store) SavePage(ps PageSave) (*Response, error) {
	var saved Response
	err := s.write(func(tx *gorm.DB) error {
		now := utcNow()
		fields := map[string]any{
			"page":       ps.Page,
			"reached":    gorm.Expr("CASE WHEN reached < ? THEN ? ELSE reached END", ps.Reached, ps.Reached),
			"rev":        gorm.Expr("rev + 1"),
			"updated_at": now,
		}
		if ps.Submit {
			fields["submitted_at"] = now
		}
		// The revision check is part of the UPDATE, so that the row's lock
		// decides between two concurrent saves on any database.
		res := tx.Model(&saved).Clauses(clause.Returning{}).
			Where("id = ? AND rev = ? AND submitted_at IS NULL", ps.ResponseID, ps.Rev).Updates(fields)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			if err := tx.First(&saved, ps.ResponseID).Error; err != nil {
				return notFound(err)
			}
			if saved.Submitted() {
				return ErrSubmitted
			}
			return ErrConflict
		}
		if len(ps.Items) > 0 {
			if err := tx.Where("response_id = ? AND item IN ?", ps.ResponseID, ps.Items).Delete(&Answer{}).Error; err != nil {
				return err
			}
		}
		if len(ps.Answers) > 0 {
			for i := range ps.Answers {
				ps.Answers[i].ID = 0
				ps.Answers[i].ResponseID = ps.ResponseID
			}
			if err := tx.Create(&ps.Answers).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: save page of response %d: %w", ps.ResponseID, err)
	}
	return &saved, nil
}
