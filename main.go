// Command einordnung serves the AI literacy self-assessment and manages its
// cohorts; see "einordnung help".
package main

import (
	"os"

	"einordnung/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:]))
}
