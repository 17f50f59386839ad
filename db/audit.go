package db

import (
	"fmt"
	"unicode/utf8"
)

// Audit actions.
const (
	AuditLogin          = "login"
	AuditLoginFailed    = "login_failed"
	AuditLogout         = "logout"
	AuditPasswordChange = "password_change"
	AuditUserCreate     = "user_create"
	AuditUserUpdate     = "user_update"
	AuditCohortCreate   = "cohort_create"
	AuditCohortUpdate   = "cohort_update"
	AuditWaveChange     = "wave_change"
	AuditDeleteData     = "delete_data"
	AuditRetention      = "retention_purge"
	AuditExport         = "export"
	AuditImport         = "import"
	AuditBackup         = "backup"
)

// Actors that are no account: the server itself (first start, retention),
// a participant deleting their own data, and whoever runs a command of the
// command line on the server ("cli" in entries written before it had this
// name).
const (
	ActorSystem      = "system"
	ActorParticipant = "participant"
	ActorCLI         = "Kommandozeile"
)

// Audit appends an entry to the audit log. Texts are cut to the column sizes.
func (s *Store) Audit(actor, action, target, detail string) error {
	if err := s.w.Create(auditEntry(actor, action, target, detail)).Error; err != nil {
		return fmt.Errorf("db: audit %s: %w", action, err)
	}
	return nil
}

func auditEntry(actor, action, target, detail string) *AuditEntry {
	return &AuditEntry{At: utcNow(), Actor: clip(actor, 254), Action: action, Target: clip(target, 254), Detail: clip(detail, 1000)}
}

// AuditLog returns up to limit entries, newest first, skipping offset.
func (s *Store) AuditLog(limit, offset int) ([]AuditEntry, error) {
	var es []AuditEntry
	if err := s.r.Order("at DESC, id DESC").Limit(limit).Offset(offset).Find(&es).Error; err != nil {
		return nil, fmt.Errorf("db: read audit log: %w", err)
	}
	return es, nil
}

// clip cuts s to at most n characters, on a character boundary.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
