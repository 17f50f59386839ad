package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"einordnung/db"
	"einordnung/questions/clean"
)

// The operator's details (db.Operator) are the one source of what the
// privacy notice (/privacy, the consent page) and the record of processing
// activities say beyond what the software knows itself. The web form and
// the command line ("einordnung operator set") both go through
// CheckOperator; the notice names every required detail not given yet
// (MissingOperatorDetails) instead of showing a stand-in for it.

// OperatorFile is the file "einordnung operator set" reads and "operator
// show" prints (YAML, or JSON), and the fields of the admin page's form,
// under the same names.
type OperatorFile struct {
	ControllerName    string `yaml:"controller_name" json:"controller_name"`
	ControllerAddress string `yaml:"controller_address" json:"controller_address"`
	ContactEmail      string `yaml:"contact_email" json:"contact_email"`
	DPOContact        string `yaml:"dpo_contact" json:"dpo_contact"`
	Purpose           string `yaml:"purpose" json:"purpose"`
	LegalBasis        string `yaml:"legal_basis" json:"legal_basis"`
	LegalBasisLaw     string `yaml:"legal_basis_law" json:"legal_basis_law"`
	Recipients        string `yaml:"recipients" json:"recipients"`
	Hosting           string `yaml:"hosting" json:"hosting"`
}

// operatorField is one detail: its name in files and forms, whether it may
// span lines, its longest value, and where it lives.
type operatorField struct {
	name      string
	multiline bool
	max       int
	file      func(*OperatorFile) *string
	stored    func(*db.Operator) *string
}

// operatorFields are the details in the order the notice names them.
var operatorFields = []operatorField{
	{"controller_name", false, 200, func(f *OperatorFile) *string { return &f.ControllerName }, func(o *db.Operator) *string { return &o.ControllerName }},
	{"controller_address", true, 2000, func(f *OperatorFile) *string { return &f.ControllerAddress }, func(o *db.Operator) *string { return &o.ControllerAddress }},
	{"contact_email", false, 254, func(f *OperatorFile) *string { return &f.ContactEmail }, func(o *db.Operator) *string { return &o.ContactEmail }},
	{"dpo_contact", true, 2000, func(f *OperatorFile) *string { return &f.DPOContact }, func(o *db.Operator) *string { return &o.DPOContact }},
	{"purpose", true, 2000, func(f *OperatorFile) *string { return &f.Purpose }, func(o *db.Operator) *string { return &o.Purpose }},
	{"legal_basis", false, 20, func(f *OperatorFile) *string { return &f.LegalBasis }, func(o *db.Operator) *string { return &o.LegalBasis }},
	{"legal_basis_law", false, 200, func(f *OperatorFile) *string { return &f.LegalBasisLaw }, func(o *db.Operator) *string { return &o.LegalBasisLaw }},
	{"recipients", true, 2000, func(f *OperatorFile) *string { return &f.Recipients }, func(o *db.Operator) *string { return &o.Recipients }},
	{"hosting", true, 2000, func(f *OperatorFile) *string { return &f.Hosting }, func(o *db.Operator) *string { return &o.Hosting }},
}

// OperatorProblem is one detail CheckOperator refused.
type OperatorProblem struct {
	Field string // the detail's name in files and forms
	Key   string // message key of what is wrong
	Max   int    // the longest value, for operator_too_long
}

// In says in language l what is wrong: "controller_name: …".
func (p OperatorProblem) In(l string) string {
	text := messages[l][p.Key]
	if p.Key == "operator_too_long" {
		text = fmt.Sprintf(text, p.Max)
	}
	return fmt.Sprintf("%s (%s): %s", messages[l]["operator_field_"+p.Field], p.Field, text)
}

// CheckOperator normalises the details as every text from outside is
// (package clean: one-line fields as lines, the others as free text) and
// checks them. A detail left empty is no problem here: it is missing, and
// the notice says so (MissingOperatorDetails).
func CheckOperator(in OperatorFile) (db.Operator, []OperatorProblem) {
	var out db.Operator
	var problems []OperatorProblem
	for _, f := range operatorFields {
		raw := *f.file(&in)
		if !utf8.ValidString(raw) {
			problems = append(problems, OperatorProblem{Field: f.name, Key: "operator_invalid_encoding"})
			continue
		}
		v := clean.Line(raw)
		if f.multiline {
			v = clean.Text(raw)
		}
		if utf8.RuneCountInString(v) > f.max {
			problems = append(problems, OperatorProblem{Field: f.name, Key: "operator_too_long", Max: f.max})
			continue
		}
		*f.stored(&out) = v
	}
	if out.ContactEmail != "" {
		if email, ok := db.NormalizeEmail(out.ContactEmail); ok {
			out.ContactEmail = email
		} else {
			problems = append(problems, OperatorProblem{Field: "contact_email", Key: "operator_bad_email"})
		}
	}
	switch out.LegalBasis {
	case "", db.LegalBasisConsent, db.LegalBasisPublicTask:
	default:
		problems = append(problems, OperatorProblem{Field: "legal_basis", Key: "operator_bad_legal_basis"})
	}
	if out.LegalBasisLaw != "" && out.LegalBasis != db.LegalBasisPublicTask {
		problems = append(problems, OperatorProblem{Field: "legal_basis_law", Key: "operator_law_without_task"})
	}
	return out, problems
}

// MissingOperatorDetails names the required details not given yet, in the
// notice's order: every detail, the law only for a public task.
func MissingOperatorDetails(o *db.Operator) []string {
	var missing []string
	for _, f := range operatorFields {
		if f.name == "legal_basis_law" && o.LegalBasis != db.LegalBasisPublicTask {
			continue
		}
		if *f.stored(o) == "" {
			missing = append(missing, f.name)
		}
	}
	return missing
}

// OperatorFileOf is the file form of stored details.
func OperatorFileOf(o *db.Operator) OperatorFile {
	var f OperatorFile
	for _, field := range operatorFields {
		*field.file(&f) = *field.stored(o)
	}
	return f
}

// ParseOperatorFile reads an operator file, YAML or JSON (a JSON object is
// YAML too); a key it does not know is an error, so that a misspelt
// detail is not silently dropped.
func ParseOperatorFile(data []byte) (OperatorFile, error) {
	var f OperatorFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return OperatorFile{}, fmt.Errorf("kein gültiges YAML oder JSON: %w", err)
	}
	return f, nil
}

// OperatorChanges names the details that differ between two versions, for
// the audit entry ("fields=controller_name,purpose").
func OperatorChanges(old, next *db.Operator) string {
	var names []string
	for _, f := range operatorFields {
		if *f.stored(old) != *f.stored(next) {
			names = append(names, f.name)
		}
	}
	return "fields=" + strings.Join(names, ",")
}

// ErrOperatorInvalid reports details CheckOperator refused.
var ErrOperatorInvalid = errors.New("die Betreiberangaben sind ungültig")

// SetOperator checks and stores the operator's details for actor, with the
// audit entry naming what changed; it returns the problems when there are any.
func SetOperator(store *db.Store, in OperatorFile, actor string) ([]OperatorProblem, error) {
	next, problems := CheckOperator(in)
	if len(problems) > 0 {
		return problems, ErrOperatorInvalid
	}
	old, err := store.Operator()
	if err != nil {
		return nil, err
	}
	return nil, store.SetOperator(next, actor, OperatorChanges(old, &next))
}

// ConsentTemplateVersion names the generation of the consent and privacy
// texts; the hash in ConsentVersion follows every change of their wording
// by itself, so this only needs a change to mark a new generation.
const ConsentTemplateVersion = "2026-12-v2"

// consentWordingPrefixes are the message keys a participant reads before
// consenting.
var consentWordingPrefixes = []string{"consent_", "notice_", "rights_", "privacy_"}

// consentWording is every text a participant reads before consenting, in
// both languages: the templates of the consent and privacy pages and the
// messages they show (consent_*, notice_*, rights_*, privacy_*), in a fixed
// order, so that the version changes when any of them is reworded.
var consentWording = func() []byte {
	var b bytes.Buffer
	for _, name := range []string{"templates/pages/consent.html", "templates/pages/privacy.html", "templates/partials/notice.html"} {
		data, err := templateFS.ReadFile(name)
		if err != nil {
			panic("app: consent template " + name + ": " + err.Error())
		}
		b.Write(data)
	}
	var keys []string
	for k := range messages["de"] {
		for _, prefix := range consentWordingPrefixes {
			if strings.HasPrefix(k, prefix) {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s\x00%s\x00%s\x00", k, messages["de"][k], messages["en"][k])
	}
	return b.Bytes()
}()

// consentWordingSum is the hash of consentWording, taken once: every
// version hashes it with the filled-in details instead of the 12 KB text.
var consentWordingSum = sha256.Sum256(consentWording)

// ConsentVersion identifies the consent text a participant of the cohort
// is shown: the template version and a hash of its wording and of
// everything filled into it (the operator's details, the cohort's
// retention period and privacy threshold), e.g. "2026-12-v2+1a2b3c4d". It
// is stored with every response, so a change of any of them shows in the
// responses that follow. Values stored before it had the hash part
// ("2026-11-v1") stay as they are.
func ConsentVersion(o *db.Operator, cohort *db.Cohort) string {
	content, _ := json.Marshal(struct {
		Operator      OperatorFile
		RetentionDays int
		MinGroup      int
	}{OperatorFileOf(o), cohort.RetentionDays, cohort.MinGroup})
	sum := sha256.Sum256(append(consentWordingSum[:], content...))
	return ConsentTemplateVersion + "+" + hex.EncodeToString(sum[:4])
}
