package app

import (
	"fmt"
	"io"
	"strings"
	"time"

	"einordnung/db"
)

// record is the entry for the operator's record of processing activities
// (Art. 30 DSGVO), built from the operator's details, the cohorts and what
// the software itself does. The printable page, the HTML file and the
// Markdown file are renderings of it; the operator's texts are escaped in
// each (html/template, mdEscape).
type record struct {
	Title    string
	Date     string
	Missing  []string
	Sections []recordSection
}

type recordSection struct {
	Heading string
	Entries []recordEntry
}

// recordEntry is one detail; an empty Label makes it a bullet. A Missing
// entry is a required detail the operator has not given, shown as such.
type recordEntry struct {
	Label, Value string
	Missing      bool
}

func buildRecord(l string, o *db.Operator, cohorts []*db.Cohort, now time.Time) *record {
	m := messages[l]
	n := buildNotice(l, o, cohorts...)
	given := func(field, value string) recordEntry {
		return recordEntry{Label: m["operator_field_"+field], Value: value, Missing: value == ""}
	}
	basis := ""
	switch o.LegalBasis {
	case db.LegalBasisConsent:
		basis = m["notice_basis_consent"]
	case db.LegalBasisPublicTask:
		basis = m["notice_basis_public_task"] + " " + o.LegalBasisLaw
		if o.LegalBasisLaw == "" {
			basis = ""
		}
	}
	bullets := func(keys ...string) []recordEntry {
		out := make([]recordEntry, len(keys))
		for i, k := range keys {
			out[i] = recordEntry{Value: m[k]}
		}
		return out
	}
	var retention []recordEntry
	for _, t := range n.Cohorts {
		retention = append(retention, recordEntry{Label: t.Name, Value: t.Retention + "; " + fmt.Sprintf(m["record_min_group"], t.MinGroup)})
	}
	if len(cohorts) == 0 {
		retention = append(retention, recordEntry{Value: m["record_no_cohorts"]})
	}
	retention = append(retention, recordEntry{Value: fmt.Sprintf(m["record_retention_sessions"], int(participantSessionLifetime.Hours()), int(idleTimeout.Minutes()))})
	retention = append(retention, bullets("record_retention_accounts", "record_retention_audit")...)
	return &record{
		Title:   m["record_title"],
		Date:    now.Format("02.01.2006"),
		Missing: n.Missing,
		Sections: []recordSection{
			{m["record_controller"], []recordEntry{given("controller_name", o.ControllerName), given("controller_address", o.ControllerAddress),
				given("contact_email", o.ContactEmail), given("dpo_contact", o.DPOContact)}},
			{m["record_purpose"], []recordEntry{given("purpose", o.Purpose), {Label: m["operator_field_legal_basis"], Value: basis, Missing: basis == ""}}},
			{m["record_subjects"], bullets("record_subjects_participants", "record_subjects_leads")},
			{m["record_data"], bullets("record_data_answers", "record_data_codes", "record_data_meta", "record_data_accounts", "record_data_not")},
			{m["record_recipients"], []recordEntry{given("recipients", o.Recipients), given("hosting", o.Hosting), {Label: m["record_third_country"], Value: m["record_third_country_text"]}}},
			{m["record_retention"], retention},
			{m["record_toms"], bullets("record_tom_pseudonyms", "record_tom_hashes", "record_tom_no_ip", "record_tom_deletion",
				"record_tom_secure_delete", "record_tom_roles", "record_tom_audit", "record_tom_web", "record_tom_backup", "record_tom_threshold")},
		},
	}
}

// Markdown renders the record as Markdown; every text is escaped, so that
// an operator's "*" or "<script>" is shown, not interpreted.
func (r *record) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n", mdEscape(r.Title), mdEscape(r.Date))
	if len(r.Missing) > 0 {
		fmt.Fprintf(&b, "\n**%s** %s\n", mdEscape(msgFor(r, "notice_missing_heading")), mdEscape(strings.Join(r.Missing, ", ")))
	}
	for _, s := range r.Sections {
		fmt.Fprintf(&b, "\n## %s\n\n", mdEscape(s.Heading))
		for _, e := range s.Entries {
			value := mdEscape(e.Value)
			if e.Missing {
				value = "*" + mdEscape(msgFor(r, "notice_not_given")) + "*"
			}
			// Continuation lines are indented to stay in the list item.
			value = strings.ReplaceAll(value, "\n", "  \n  ")
			if e.Label == "" {
				fmt.Fprintf(&b, "- %s\n", value)
			} else {
				fmt.Fprintf(&b, "- **%s:** %s\n", mdEscape(e.Label), value)
			}
		}
	}
	return b.String()
}

// msgFor reads a message in the record's language, told by its title.
func msgFor(r *record, key string) string {
	if r.Title == messages["en"]["record_title"] {
		return messages["en"][key]
	}
	return messages["de"][key]
}

// mdEscape makes text literal in Markdown (CommonMark): every character
// that can start markup gets a backslash, and so does a "." or ")" after
// leading digits (an ordered list). "<" and "&" are escaped too: Markdown
// passes raw HTML and entities through.
func mdEscape(s string) string {
	var b strings.Builder
	lineStart, digits := true, false
	for _, r := range s {
		switch {
		case strings.ContainsRune("\\`*_{}[]<>()#+-!|~&", r):
			b.WriteByte('\\')
		case (r == '.' || r == ')') && digits:
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		switch {
		case r == '\n':
			lineStart, digits = true, false
		case r >= '0' && r <= '9' && (lineStart || digits):
			lineStart, digits = false, true
		case r == ' ' && lineStart:
		default:
			lineStart, digits = false, false
		}
	}
	return b.String()
}

// writeRecordHTML writes the record as one self-contained HTML file.
func writeRecordHTML(w io.Writer, l string, rec *record) error {
	return renderStandalone(w, "admin/record", envelope{Lang: l, T: messages[l], Title: rec.Title, Data: adminData{Data: rec}})
}
