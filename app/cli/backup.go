package cli

import (
	"fmt"
	"os"

	"einordnung/db"
)

func (c *cli) backup(args []string) error {
	fs, dbPath := c.flags("backup", "backup [--db FILE] --to FILE.db")
	to := fs.String("to", "", "file to write the copy to (must not exist)")
	rest, err := parse(fs, args)
	if err == nil && len(rest) == 0 && db.IsPostgres(*dbPath) {
		return db.ErrBackupPostgres
	}
	if err != nil || len(rest) > 0 || *to == "" {
		return orUsage(err, fs)
	}
	if _, err := os.Stat(*to); err == nil {
		return fmt.Errorf("%s exists already; choose a new file", *to)
	}
	store, _, err := open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(*to); err != nil {
		return err
	}
	copyStore, err := db.Open(*to)
	if err != nil {
		return fmt.Errorf("the copy does not open: %w", err)
	}
	defer copyStore.Close()
	if err := copyStore.Check(); err != nil {
		return fmt.Errorf("the copy is damaged: %w", err)
	}
	if err := store.Audit(db.ActorCLI, db.AuditBackup, *to, ""); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Sicherung geschrieben und geprüft: %s\nDenken Sie an die Schlüsseldatei (%s.secret oder EINORDNUNG_SECRET): ohne sie passen Codes und Rückkehrcodes nicht mehr.\n", *to, *dbPath)
	return nil
}
