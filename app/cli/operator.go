package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"einordnung/app"
	"einordnung/db"
)

const operatorUsage = "operator set FILE | operator show"

// operator sets or shows the operator's details (see app.OperatorFile):
// set checks the whole file and stores all of it or nothing, audited;
// show prints what set reads, so that its output can be edited and set.
func (c *cli) operator(args []string) error {
	if len(args) == 0 || (args[0] != "set" && args[0] != "show") {
		fmt.Fprintln(c.errOut, "Usage: einordnung "+operatorUsage)
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return flag.ErrHelp
		}
		return errUsage
	}
	verb := args[0]
	fs, dbPath := c.flags("operator "+verb, operatorUsage)
	rest, err := parse(fs, args[1:])
	if err != nil || (verb == "set" && len(rest) != 1) || (verb == "show" && len(rest) != 0) {
		return orUsage(err, fs)
	}
	var file app.OperatorFile
	if verb == "set" {
		data, err := os.ReadFile(rest[0])
		if err != nil {
			return err
		}
		if file, err = app.ParseOperatorFile(data); err != nil {
			return fmt.Errorf("%s: %w", rest[0], err)
		}
	}
	store, _, err := open(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	if verb == "set" {
		problems, err := app.SetOperator(store, file, db.ActorCLI)
		if errors.Is(err, app.ErrOperatorInvalid) {
			for _, p := range problems {
				fmt.Fprintf(c.errOut, "%s: %s\n", rest[0], p.In("de"))
			}
			return fmt.Errorf("%s: nichts gespeichert", rest[0])
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(c.out, "Betreiberangaben gespeichert.")
	}
	o, err := store.Operator()
	if err != nil {
		return err
	}
	if verb == "show" {
		out, err := yaml.Marshal(app.OperatorFileOf(o))
		if err != nil {
			return err
		}
		fmt.Fprint(c.out, string(out))
	}
	if missing := app.MissingOperatorDetails(o); len(missing) > 0 {
		// A comment, so that show's output stays a file set reads.
		fmt.Fprintf(c.out, "# Es fehlen noch: %s\n", strings.Join(missing, ", "))
	}
	return nil
}
