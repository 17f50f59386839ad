package db

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SessionStorage keeps sessions and CSRF tokens in the database, so they
// survive a restart and are shared by several server instances on one
// PostgreSQL. It has the method set of fiber.Storage.
//
// Every participant request reads its session and CSRF token. A SQLite file
// belongs to one server process, so its sessions table only changes through
// that process: there, every row read or written is also kept in memory and
// reads are answered from it. Instances sharing a database always read it.
type SessionStorage struct {
	s *Store
}

// sessionCache is the in-memory copy of a SQLite database's sessions table.
type sessionCache struct {
	mu   sync.RWMutex
	rows map[string]Session
}

// sessionCacheLimit bounds the cache; beyond it, new keys are read from the
// database (a lecture hall needs a few thousand).
const sessionCacheLimit = 100_000

// Sessions returns the store's session storage.
func (s *Store) Sessions() *SessionStorage { return &SessionStorage{s: s} }

func (st *SessionStorage) cache() *sessionCache {
	if st.s.Shared() {
		return nil
	}
	return &st.s.sessions
}

// Get returns the value stored under key, or nil if there is none or it expired.
func (st *SessionStorage) Get(key string) ([]byte, error) {
	row, err := st.row(key)
	if row == nil || err != nil {
		return nil, err
	}
	return row.Data, nil
}

func (st *SessionStorage) row(key string) (*Session, error) {
	now := time.Now().Unix()
	live := func(r *Session) bool { return r.ExpiresAt == 0 || r.ExpiresAt > now }
	cache := st.cache()
	if cache != nil {
		cache.mu.RLock()
		row, ok := cache.rows[key]
		cache.mu.RUnlock()
		if ok {
			if !live(&row) {
				return nil, nil
			}
			return &row, nil
		}
	}
	var row Session
	err := st.s.r.Where("key = ? AND (expires_at = 0 OR expires_at > ?)", key, now).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("db: get session: %w", err)
	}
	cache.put(row)
	return &row, nil
}

// Set stores val under key for exp (0 = no expiry). Fiber's CSRF middleware
// re-sets its token on every request; when the value is unchanged and more
// than half of its lifetime is left, the write (an fsync) is skipped. (A
// shorter lifetime than the stored one is always written.)
func (st *SessionStorage) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	var expiresAt int64
	if exp > 0 {
		expiresAt = time.Now().Add(exp).Unix()
		if row, err := st.row(key); err == nil && row != nil && string(row.Data) == string(val) &&
			row.ExpiresAt <= expiresAt && row.ExpiresAt-time.Now().Unix() > int64(exp.Seconds())/2 {
			return nil
		}
	}
	row := Session{Key: key, Data: append([]byte(nil), val...), ExpiresAt: expiresAt}
	err := st.s.write(func(tx *gorm.DB) error {
		return tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "key"}},
			DoUpdates: clause.AssignmentColumns([]string{"data", "expires_at"}),
		}).Create(&row).Error
	})
	if err != nil {
		return fmt.Errorf("db: set session: %w", err)
	}
	st.cache().put(row)
	return nil
}

// Delete removes key.
func (st *SessionStorage) Delete(key string) error {
	if err := st.s.write(func(tx *gorm.DB) error { return tx.Where("key = ?", key).Delete(&Session{}).Error }); err != nil {
		return fmt.Errorf("db: delete session: %w", err)
	}
	st.cache().remove(func(k string, _ Session) bool { return k == key })
	return nil
}

// DeleteMatching removes every session and token whose stored value match
// accepts, and returns how many. It reads the whole table, which suits rare
// events (a participant deleting their data), not requests.
func (st *SessionStorage) DeleteMatching(match func(data []byte) bool) (int64, error) {
	var rows []Session
	if err := st.s.r.Select("key", "data").Find(&rows).Error; err != nil {
		return 0, fmt.Errorf("db: read sessions: %w", err)
	}
	var keys []string
	for _, r := range rows {
		if match(r.Data) {
			keys = append(keys, r.Key)
		}
	}
	if len(keys) == 0 {
		return 0, nil
	}
	gone := map[string]bool{}
	for _, k := range keys {
		gone[k] = true
	}
	var n int64
	err := st.s.write(func(tx *gorm.DB) error {
		res := tx.Where("key IN ?", keys).Delete(&Session{})
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("db: delete sessions: %w", err)
	}
	st.cache().remove(func(k string, _ Session) bool { return gone[k] })
	return n, nil
}

// Reset removes every session and token.
func (st *SessionStorage) Reset() error {
	if err := st.s.w.Where("1 = 1").Delete(&Session{}).Error; err != nil {
		return fmt.Errorf("db: reset sessions: %w", err)
	}
	st.cache().remove(func(string, Session) bool { return true })
	return nil
}

// Close does nothing: the store owns the connection.
func (st *SessionStorage) Close() error { return nil }

// DeleteExpired removes expired sessions and tokens and returns how many.
func (st *SessionStorage) DeleteExpired() (int64, error) {
	now := time.Now().Unix()
	res := st.s.w.Where("expires_at > 0 AND expires_at <= ?", now).Delete(&Session{})
	if res.Error != nil {
		return 0, fmt.Errorf("db: delete expired sessions: %w", res.Error)
	}
	st.cache().remove(func(_ string, r Session) bool { return r.ExpiresAt > 0 && r.ExpiresAt <= now })
	return res.RowsAffected, nil
}

// put keeps a row read from or written to the database; a nil cache (a
// shared database) keeps nothing.
func (c *sessionCache) put(row Session) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rows == nil {
		c.rows = map[string]Session{}
	}
	if _, known := c.rows[row.Key]; known || len(c.rows) < sessionCacheLimit {
		c.rows[row.Key] = row
	}
}

func (c *sessionCache) remove(match func(key string, row Session) bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, r := range c.rows {
		if match(k, r) {
			delete(c.rows, k)
		}
	}
}
