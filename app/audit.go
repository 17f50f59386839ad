package app

import (
	"strings"

	"einordnung/db"
)

// auditRow is an audit entry as the audit page shows it: who, in words,
// and what, as a sentence (the detail stays as it was written, for the
// record).
type auditRow struct {
	db.AuditEntry
	Who, Sentence string
}

// auditRows describes entries in language l.
func auditRows(l string, entries []db.AuditEntry) []auditRow {
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{AuditEntry: e, Who: auditActor(l, e.Actor), Sentence: auditSentence(l, e)}
	}
	return rows
}

// auditActor names the actors that are no account; an account is its
// e-mail address.
func auditActor(l, actor string) string {
	switch actor {
	case db.ActorCLI, "cli":
		return messages[l]["audit_actor_cli"]
	case db.ActorSystem:
		return messages[l]["audit_actor_system"]
	case db.ActorParticipant:
		return messages[l]["audit_actor_participant"]
	}
	return actor
}

// auditSentence says in language l what an entry records, completing the
// actor: "hat die Befragung „Vorher“ von Jahrgang ws26 geöffnet". Every
// action has its sentence in messages under audit_ACTION (some with
// variants read from the detail); an action this build does not know is
// shown by its code.
func auditSentence(l string, e db.AuditEntry) string {
	m := messages[l]
	f := db.AuditFields(e.Detail)
	key := "audit_" + e.Action
	what := ""
	switch e.Action {
	case db.AuditWaveChange:
		if f["open"] != "true" {
			key = "audit_wave_change_closed"
		}
		what = m["wave_"+f["wave"]]
	case db.AuditUserCreate:
		if e.Detail == db.FirstAdminDetail {
			key = "audit_user_create_first"
		}
		what = m["admin_role_"+f["role"]]
	case db.AuditUserUpdate:
		switch e.Detail {
		case "disable":
			key = "audit_user_update_disable"
		case "enable":
			key = "audit_user_update_enable"
		case "password reset":
			key = "audit_user_update_reset"
		}
	case db.AuditCohortCreate:
		what = f["name"]
	case db.AuditExport:
		what = e.Detail
	}
	sentence, ok := m[key]
	if !ok {
		return e.Action
	}
	// Not Sprintf: a sentence may use neither placeholder, and a target
	// may hold a percent sign.
	return strings.NewReplacer("%[1]s", e.Target, "%[2]s", what).Replace(sentence)
}
