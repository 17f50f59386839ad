// Command einordnung serves the AI literacy self-assessment and manages its
// cohorts; see "einordnung help".
package main

import (
	"os"

	"einordnung/app/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
