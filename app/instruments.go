package app

import (
	"errors"
	"fmt"

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
	files, err := store.InstrumentFiles()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		in, err := questions.Parse("db:"+f.Ref, f.Content)
		if err != nil {
			return nil, fmt.Errorf("imported instrument %s no longer passes the checks of this build:\n%w", f.Ref, err)
		}
		if in.Ref() != f.Ref {
			return nil, fmt.Errorf("imported instrument %s declares %s", f.Ref, in.Ref())
		}
		if err := set.Add(in); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// ImportInstrument checks an instrument file and stores it under the
// reference it declares. The same reference with the same bytes again is
// no change (created false); with other bytes, or a built-in reference, it
// is refused. A file with problems is refused with questions.Problems and
// stores nothing.
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
		return nil, false, fmt.Errorf("%s ist eingebaut und kann nicht überschrieben werden; für eine eigene Fassung bitte eine andere id oder version wählen", in.Ref())
	}
	created, err = store.SaveInstrumentFile(in.Ref(), in.ID, in.Version, data)
	if errors.Is(err, db.ErrInstrumentChanged) {
		return nil, false, fmt.Errorf("%s ist bereits mit anderem Inhalt gespeichert und wird nicht überschrieben; für eine geänderte Fassung bitte „version“ erhöhen", in.Ref())
	}
	if err != nil {
		return nil, false, err
	}
	return in, created, nil
}
