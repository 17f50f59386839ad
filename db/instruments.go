package db

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// ErrInstrumentChanged is SaveInstrumentFile's refusal: the reference is
// stored already with other content.
var ErrInstrumentChanged = errors.New("stored already with other content")

// SaveInstrumentFile stores an instrument file under ref ("id@version"),
// which the caller has parsed from content. The same ref with the same
// bytes is no change (created false); with other bytes it is refused with
// ErrInstrumentChanged, also when another import wins the race for ref.
func (s *Store) SaveInstrumentFile(ref, id string, version int, content []byte) (created bool, err error) {
	sum := sha256.Sum256(content)
	f := &InstrumentFile{Ref: ref, InstrumentID: id, Version: version, Content: content, SHA256: hex.EncodeToString(sum[:])}
	err = s.w.Transaction(func(tx *gorm.DB) error {
		var prev InstrumentFile
		switch err := tx.Where("ref = ?", ref).First(&prev).Error; {
		case err == nil:
			if prev.SHA256 != f.SHA256 || !bytes.Equal(prev.Content, content) {
				return fmt.Errorf("db: instrument %s: %w", ref, ErrInstrumentChanged)
			}
			return nil
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		if err := tx.Create(f).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return fmt.Errorf("db: instrument %s: %w", ref, ErrInstrumentChanged)
			}
			return err
		}
		created = true
		return nil
	})
	if err != nil && !errors.Is(err, ErrInstrumentChanged) {
		return false, fmt.Errorf("db: save instrument %s: %w", ref, err)
	}
	return created, err
}

// InstrumentFiles returns every imported instrument file, by reference.
func (s *Store) InstrumentFiles() ([]InstrumentFile, error) {
	var fs []InstrumentFile
	if err := s.r.Order("instrument_id, version").Find(&fs).Error; err != nil {
		return nil, fmt.Errorf("db: read instruments: %w", err)
	}
	return fs, nil
}
