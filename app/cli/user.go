package cli

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"einordnung/app"
	"einordnung/db"
	"einordnung/questions/clean"
)

func (c *cli) user(args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(c.errOut, "Usage: einordnung user create --email ADDRESS --role admin|lead")
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return flag.ErrHelp
		}
		return errUsage
	}
	fs, dbPath := c.flags("user create", "user create --email ADDRESS --role admin|lead [--password-stdin]")
	email := fs.String("email", "", "e-mail address to sign in with")
	role := fs.String("role", db.RoleLead, "admin (manages accounts, sees all cohorts) or lead (sees assigned cohorts)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input instead of generating a one-time password")
	if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 || *email == "" {
		return orUsage(err, fs)
	}
	password := app.NewPassword()
	if *fromStdin {
		line, err := bufio.NewReader(c.in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		password = strings.TrimRight(line, "\r\n")
	}
	hash, err := app.HashPassword(password)
	if err != nil {
		return fmt.Errorf("password: at least %d characters, at most 72 bytes", app.MinPasswordLength)
	}
	store, _, err := open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	u, err := store.CreateUser(clean.Line(*email), *role, hash, true)
	if err != nil {
		return err
	}
	if err := store.Audit(db.ActorCLI, db.AuditUserCreate, u.Email, "role="+u.Role); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Konto %s (%s) angelegt; das Passwort ist bei der ersten Anmeldung zu ändern.\n", u.Email, u.Role)
	if !*fromStdin {
		fmt.Fprintf(c.out, "Einmal-Passwort: %s\n", password)
	}
	return nil
}
