package app

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strconv"

	"einordnung/db"
	"einordnung/questions"
)

// LoadInstruments is the built-in instruments and every one imported into
// the database, each checked by the same rules: what the server and every
// command that resolves a cohort's instrument work with.
func LoadInstruments(store *db.Store) (*questions.Set, error) {
	set, err := questions.Load()
	if err != nil {
		return nil, err
	}
	if err := addStored(store, set); err != nil {
		return nil, err
	}
	return set, nil
}

// addStored adds to set every instrument imported into the database that it
// lacks: at start all of them, later those another instance on the same
// database has stored since.
func addStored(store *db.Store, set *questions.Set) error {
	files, err := store.InstrumentFiles()
	if err != nil {
		return err
	}
	for _, f := range files {
		if _, ok := set.Get(f.Ref); ok {
			continue
		}
		in, err := questions.Parse("db:"+f.Ref, f.Content)
		if err != nil {
			return fmt.Errorf("imported instrument %s no longer passes the checks of this build:\n%w", f.Ref, err)
		}
		if in.Ref() != f.Ref {
			return fmt.Errorf("imported instrument %s declares %s", f.Ref, in.Ref())
		}
		// A request beside this one may have added it meanwhile.
		if err := set.Add(in); err != nil {
			if _, ok := set.Get(f.Ref); !ok {
				return err
			}
		}
	}
	return nil
}

// ImportInstrument checks an instrument file and stores it under the
// reference it declares. The same reference with the same bytes again is
// no change (created false); with other bytes, or a built-in reference, it
// is refused. A file with problems, or refused, is refused with
// questions.Problems and stores nothing.
func ImportInstrument(store *db.Store, name string, data []byte) (in *questions.Instrument, created bool, err error) {
	in, err = questions.Parse(name, data)
	if err != nil {
		return nil, false, err
	}
	builtin, err := questions.Load()
	if err != nil {
		return nil, false, err
	}
	if _, ok := builtin.Get(in.Ref()); ok {
		return nil, false, refused(name, "%s ist eingebaut und kann nicht überschrieben werden; für eine eigene Fassung bitte eine andere id oder version wählen", in.Ref())
	}
	created, err = store.SaveInstrumentFile(in.Ref(), in.ID, in.Version, data)
	if errors.Is(err, db.ErrInstrumentChanged) {
		return nil, false, refused(name, "%s ist bereits mit anderem Inhalt gespeichert und wird nicht überschrieben; für eine geänderte Fassung bitte „version“ erhöhen", in.Ref())
	}
	if err != nil {
		return nil, false, err
	}
	return in, created, nil
}

// refused is ImportInstrument's refusal of a valid file, as a problem of
// the file like those Parse finds, so that every caller shows it as one.
func refused(name, format string, args ...any) error {
	return questions.Problems{{File: name, Msg: fmt.Sprintf(format, args...)}}
}

// InstrumentRow is one instrument as the lists show it: built in or
// imported, and the slugs of the cohorts (of those given) that use it.
type InstrumentRow struct {
	Inst    *questions.Instrument
	Builtin bool
	Cohorts []string
}

// InstrumentRows lists every instrument of set, by id and version, with
// the cohorts among cohorts that use each.
func InstrumentRows(set *questions.Set, cohorts []db.CohortSummary) ([]InstrumentRow, error) {
	builtin, err := questions.Load()
	if err != nil {
		return nil, err
	}
	using := map[string][]string{}
	for _, co := range cohorts {
		using[co.Instrument] = append(using[co.Instrument], co.Slug)
	}
	var rows []InstrumentRow
	for _, in := range set.All() {
		_, isBuiltin := builtin.Get(in.Ref())
		slugs := using[in.Ref()]
		sort.Strings(slugs)
		rows = append(rows, InstrumentRow{Inst: in, Builtin: isBuiltin, Cohorts: slugs})
	}
	return rows, nil
}

// InstrumentFileName is the name an instrument's file is downloaded under,
// after its reference as the built-in files are named (einordnung-v1.yaml);
// a file that is JSON keeps .json.
func InstrumentFileName(in *questions.Instrument) string {
	ext := ".yaml"
	if t := bytes.TrimSpace(in.Source()); len(t) > 0 && t[0] == '{' {
		ext = ".json"
	}
	return in.ID + "-v" + strconv.Itoa(in.Version) + ext
}

var versionField = regexp.MustCompile(`(?m)^(\s*"?version"?\s*:\s*)(\d+)`)

// NextVersionText is an instrument's file with its version set to one above
// the highest version of its id in set: where a new version from this one
// starts. Only the version's digits change, comments and layout stay.
func NextVersionText(set *questions.Set, in *questions.Instrument) []byte {
	next := in.Version + 1
	if latest, ok := set.Latest(in.ID); ok && latest.Version >= next {
		next = latest.Version + 1
	}
	src := in.Source()
	loc := versionField.FindSubmatchIndex(src)
	if loc == nil {
		return bytes.Clone(src)
	}
	out := append(bytes.Clone(src[:loc[4]]), strconv.Itoa(next)...)
	return append(out, src[loc[5]:]...)
}

// instrument is the instrument ref of the server's set. One it lacks may
// have been stored by another instance on the same database since this
// one started: the set takes it from there first.
func (h *handler) instrument(ref string) (*questions.Instrument, bool) {
	if in, ok := h.set.Get(ref); ok {
		return in, true
	}
	if err := addStored(h.store, h.set); err != nil {
		slog.Error("instruments from the database", "ref", ref, "err", err)
	}
	return h.set.Get(ref)
}

// instrumentOf is the instrument a cohort uses. One the server cannot load
// (a cohort of an instrument no longer built in) is a server error.
func (h *handler) instrumentOf(cohort *db.Cohort) (*questions.Instrument, error) {
	if in, ok := h.instrument(cohort.Instrument); ok {
		return in, nil
	}
	return nil, fmt.Errorf("app: instrument %s is not loaded", cohort.Instrument)
}

// instruments is the server's set with every instrument stored so far, by
// this instance or another: what a lead chooses from.
func (h *handler) instruments() *questions.Set {
	if err := addStored(h.store, h.set); err != nil {
		slog.Error("instruments from the database", "err", err)
	}
	return h.set
}
