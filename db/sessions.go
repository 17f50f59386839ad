package db

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SessionStorage keeps sessions and CSRF tokens in the database, so they
// survive a restart and can later be shared by several server instances. It
// has the method set of fiber.Storage.
type SessionStorage struct {
	s *Store
}

// Sessions returns the store's session storage.
func (s *Store) Sessions() *SessionStorage { return &SessionStorage{s: s} }

// Get returns the value stored under key, or nil if there is none or it expired.
func (st *SessionStorage) Get(key string) ([]byte, error) {
	row, err := st.row(key)
	if row == nil || err != nil {
		return nil, err
	}
	return row.Data, nil
}

func (st *SessionStorage) row(key string) (*Session, error) {
	var row Session
	err := st.s.r.Where("key = ? AND (expires_at = 0 OR expires_at > ?)", key, time.Now().Unix()).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("db: get session: %w", err)
	}
	return &row, nil
}

// Set stores val under key for exp (0 = no expiry). Fiber's CSRF middleware
// re-sets its token on every request; when the value is unchanged and more
// than half of its lifetime is left, the write (an fsync) is skipped.
func (st *SessionStorage) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	var expiresAt int64
	if exp > 0 {
		expiresAt = time.Now().Add(exp).Unix()
		if row, err := st.row(key); err == nil && row != nil && string(row.Data) == string(val) &&
			row.ExpiresAt-time.Now().Unix() > int64(exp.Seconds())/2 {
			return nil
		}
	}
	err := st.s.write(func(tx *gorm.DB) error {
		return tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "key"}},
			DoUpdates: clause.AssignmentColumns([]string{"data", "expires_at"}),
		}).Create(&Session{Key: key, Data: val, ExpiresAt: expiresAt}).Error
	})
	if err != nil {
		return fmt.Errorf("db: set session: %w", err)
	}
	return nil
}

// Delete removes key.
func (st *SessionStorage) Delete(key string) error {
	if err := st.s.write(func(tx *gorm.DB) error { return tx.Where("key = ?", key).Delete(&Session{}).Error }); err != nil {
		return fmt.Errorf("db: delete session: %w", err)
	}
	return nil
}

// Reset removes every session and token.
func (st *SessionStorage) Reset() error {
	if err := st.s.w.Where("1 = 1").Delete(&Session{}).Error; err != nil {
		return fmt.Errorf("db: reset sessions: %w", err)
	}
	return nil
}

// Close does nothing: the store owns the connection.
func (st *SessionStorage) Close() error { return nil }

// DeleteExpired removes expired sessions and tokens and returns how many.
func (st *SessionStorage) DeleteExpired() (int64, error) {
	res := st.s.w.Where("expires_at > 0 AND expires_at <= ?", time.Now().Unix()).Delete(&Session{})
	if res.Error != nil {
		return 0, fmt.Errorf("db: delete expired sessions: %w", res.Error)
	}
	return res.RowsAffected, nil
}
