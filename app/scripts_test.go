package app_test

import (
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestScriptsRunAsDownloaded downloads the wide CSV and the R script and
// SPSS syntax through the dashboard's download routes into an empty folder,
// each under the name its Content-Disposition gives, as a browser saves
// them, and runs the scripts there with R and PSPP.
func TestScriptsRunAsDownloaded(t *testing.T) {
	e := newEnv(t)
	c := e.demoCohort("ws26", 40, 3)
	cl := e.lead(t, dashLead, c.ID)
	dir := t.TempDir()
	saved := map[string]string{}
	for _, what := range []string{"wide", "r", "sps"} {
		resp, body := cl.full(httptest.NewRequest(http.MethodGet, exportPath(c, what), nil))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", what, resp.StatusCode)
		}
		_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
		name := filepath.Base(params["filename"])
		if err != nil || name == "." || name == "" {
			t.Fatalf("%s: Content-Disposition %q names no file", what, resp.Header.Get("Content-Disposition"))
		}
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o600); err != nil {
			t.Fatal(err)
		}
		saved[what] = name
	}
	var rows int
	if err := e.sql.QueryRow(`SELECT COUNT(*) FROM responses WHERE submitted_at IS NOT NULL`).Scan(&rows); err != nil {
		t.Fatal(err)
	}

	t.Run("R", func(t *testing.T) {
		if _, err := exec.LookPath("Rscript"); err != nil {
			requireTool(t, "Rscript")
		}
		cmd := exec.Command("Rscript", "-e", `source(`+strconv.Quote(saved["r"])+`, encoding = "UTF-8"); cat(nrow(d))`)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("Rscript on %s beside %s: %v\n%s", saved["r"], saved["wide"], err, out)
		}
		if got := strings.TrimSpace(string(out)); got != strconv.Itoa(rows) {
			t.Errorf("R read %q rows, want the %d submitted responses", got, rows)
		}
	})
	t.Run("pspp", func(t *testing.T) {
		if _, err := exec.LookPath("pspp"); err != nil {
			requireTool(t, "pspp")
		}
		// The downloaded syntax as it is, then a count of what it read.
		if err := os.WriteFile(filepath.Join(dir, "count.sps"), []byte("SHOW N.\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("pspp", saved["sps"], "count.sps")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		// Nothing but SHOW's note: any error or warning would show here.
		if want := "count.sps:1: note: SHOW: N is " + strconv.Itoa(rows) + "."; err != nil || strings.TrimSpace(string(out)) != want {
			t.Fatalf("pspp on %s beside %s: %v\n%s\nwant only %q", saved["sps"], saved["wide"], err, out, want)
		}
	})
}

// requireTool skips a check that needs an outside program where it is not
// installed, and fails it when TOOLS_REQUIRED=1 (as .ci/run sets).
func requireTool(t *testing.T, name string) {
	t.Helper()
	if os.Getenv("TOOLS_REQUIRED") == "1" {
		t.Fatalf("%s is not installed, but TOOLS_REQUIRED=1", name)
	}
	t.Skipf("%s is not installed (set TOOLS_REQUIRED=1 to make this a failure)", name)
}
