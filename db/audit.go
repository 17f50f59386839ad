package db

import (
	"fmt"
	"strconv"
	"strings"
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
	AuditDemo           = "demo"
	// An instrument stored from a file, and one written back to a file
	// (target: its reference).
	AuditInstrumentImport = "instrument_import"
	AuditInstrumentExport = "instrument_export"
	// AuditOperatorUpdate: the operator's details (privacy notice) changed;
	// the detail names the fields that did.
	AuditOperatorUpdate = "operator_update"
)

// AuditActions are every action above, for those who describe them.
var AuditActions = []string{AuditLogin, AuditLoginFailed, AuditLogout, AuditPasswordChange, AuditUserCreate,
	AuditUserUpdate, AuditCohortCreate, AuditCohortUpdate, AuditWaveChange, AuditDeleteData, AuditRetention,
	AuditExport, AuditImport, AuditBackup, AuditDemo, AuditInstrumentImport, AuditInstrumentExport, AuditOperatorUpdate}

// CohortCreateDetail is the detail of an AuditCohortCreate entry.
func CohortCreateDetail(c *Cohort) string {
	return fmt.Sprintf("name=%q instrument=%s", c.Name, c.Instrument)
}

// FirstAdminDetail is the detail of the AuditUserCreate entry of the first
// administrator, made by the server at its first start.
const FirstAdminDetail = "role=admin (first start)"

// WaveChangeDetail is the detail of an AuditWaveChange entry; the web adds
// the dates it sets.
func WaveChangeDetail(w Wave, open bool) string {
	return fmt.Sprintf("wave=%s open=%t", w, open)
}

// AuditFields reads the key=value pairs of an entry's detail (a value may
// be a Go-quoted string); words that are no pair are left out.
func AuditFields(detail string) map[string]string {
	fields := map[string]string{}
	for rest := strings.TrimSpace(detail); rest != ""; rest = strings.TrimSpace(rest) {
		key, value, ok := strings.Cut(rest, "=")
		if !ok || strings.ContainsAny(key, " \t\"") {
			word, after, _ := strings.Cut(rest, " ")
			_, rest = word, after
			continue
		}
		if strings.HasPrefix(value, `"`) {
			if quoted, err := strconv.QuotedPrefix(value); err == nil {
				fields[key], _ = strconv.Unquote(quoted)
				rest = value[len(quoted):]
				continue
			}
		}
		value, rest, _ = strings.Cut(value, " ")
		fields[key] = value
	}
	return fields
}

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
