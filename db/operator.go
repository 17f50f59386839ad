package db

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Legal bases an operator may name for the processing (Operator.LegalBasis).
// Legitimate interests (Art. 6(1)(f) DSGVO) are not offered: the regulation
// rules them out for public authorities performing their tasks, which a
// state university teaching and evaluating a certificate is.
const (
	LegalBasisConsent    = "consent"     // Art. 6(1)(a) DSGVO
	LegalBasisPublicTask = "public_task" // Art. 6(1)(e), (3) DSGVO with the state's university law
)

// LegalBases are the legal bases above, in the order forms offer them.
var LegalBases = []string{LegalBasisConsent, LegalBasisPublicTask}

// Operator is who runs this installation and what they say about the
// processing: the details of the privacy notice (Art. 13 DSGVO) and of the
// record of processing activities (Art. 30) that the software cannot know.
// There is one, the row with OperatorID; an empty field is a detail not
// given yet. Values are stored as the app's checks left them (see
// app.CheckOperator).
type Operator struct {
	ID                uint   `gorm:"primaryKey;autoIncrement:false"`
	ControllerName    string `gorm:"size:200;not null;default:''"`
	ControllerAddress string `gorm:"size:2000;not null;default:''"`
	ContactEmail      string `gorm:"size:254;not null;default:''"`
	DPOContact        string `gorm:"size:2000;not null;default:''"`
	Purpose           string `gorm:"size:2000;not null;default:''"`
	LegalBasis        string `gorm:"size:20;not null;default:''"`
	// LegalBasisLaw names the state law and section a public task rests on.
	LegalBasisLaw string `gorm:"size:200;not null;default:''"`
	Recipients    string `gorm:"size:2000;not null;default:''"`
	Hosting       string `gorm:"size:2000;not null;default:''"`
	UpdatedAt     time.Time
}

// OperatorID is the ID of the one operator row.
const OperatorID = 1

// Operator returns the operator's details; before any were set, an empty
// Operator.
func (s *Store) Operator() (*Operator, error) {
	var o Operator
	err := s.r.Where("id = ?", OperatorID).Take(&o).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return &Operator{ID: OperatorID}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("db: read operator: %w", err)
	}
	return &o, nil
}

// SetOperator replaces the operator's details and writes the audit entry
// in the same transaction, so that no change goes unrecorded.
func (s *Store) SetOperator(o Operator, actor, detail string) error {
	o.ID, o.UpdatedAt = OperatorID, utcNow()
	return s.w.Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, UpdateAll: true}).Create(&o).Error; err != nil {
			return fmt.Errorf("db: set operator: %w", err)
		}
		if err := tx.Create(auditEntry(actor, AuditOperatorUpdate, "", detail)).Error; err != nil {
			return fmt.Errorf("db: audit %s: %w", AuditOperatorUpdate, err)
		}
		return nil
	})
}
