package reports

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
	"einordnung/reports/internal/rgolden"
)

// readGolden reads the records of a golden CSV in testdata.
func readGolden(t *testing.T, file string) [][]string {
	t.Helper()
	gf, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer gf.Close()
	rows, err := csv.NewReader(gf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// ratingCells reads a cases file's comma-separated ratings of items: NA
// no answer row at all, x an answer without a value ("keine Angabe").
func ratingCells(items []string, cells string, retro bool) []db.Answer {
	var as []db.Answer
	if cells == "" {
		return nil
	}
	for i, v := range strings.Split(cells, ",") {
		switch v {
		case "NA":
		case "x":
			as = append(as, rating(items[i], "", retro))
		default:
			as = append(as, rating(items[i], v, retro))
		}
	}
	return as
}

// loadCases stores the cases of testdata/file in a cohort: lines
// "participant;wave;…" (# starts a comment), one participant per name, one
// submitted response per line with the answers answers reads from its
// fields.
func loadCases(t *testing.T, store *db.Store, cohortID uint, file string, answers func(fields []string) []db.Answer) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	participants := map[string]uint{}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ";")
		id, known := participants[f[0]]
		if !known {
			p, err := store.CreateParticipant(db.NewParticipant{CohortID: cohortID, Pseudonym: f[0], ReturnCodeHash: "h" + f[0]})
			if err != nil {
				t.Fatal(err)
			}
			id = p.ID
			participants[f[0]] = id
		}
		saveResponse(t, store, id, db.Wave(f[1]), answers(f))
	}
}

// TestReportMatchesRWithMissingItems builds report.json's comparisons for a
// cohort with missing items (testdata/missing_cases.txt) and checks them
// against testdata/report_golden.csv, computed from the same cases by an
// independent R script (testdata/report_golden.R, R 4.2, base R only):
//
//	cd reports/testdata && Rscript report_golden.R
//
// Tolerance as in the statistics' golden tests (reports/stats): |got − want|
// ≤ 1e-9 + 1e-7·|want|; counts exactly.
func TestReportMatchesRWithMissingItems(t *testing.T) {
	store, _ := dbtest.Open(t)
	cohort, err := store.CreateCohort("ws26", "Test", "t@1")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.UpdateCohortSettings(cohort.ID, 0, db.MinGroupFloor); err != nil {
		t.Fatal(err)
	}
	cohort.MinGroup = db.MinGroupFloor
	items := []string{"a1", "a2", "a3", "b1", "b2", "b3"}
	loadCases(t, store, cohort.ID, "missing_cases.txt", func(f []string) []db.Answer {
		as := ratingCells(items, f[2], false)
		if len(f) > 3 {
			as = append(as, ratingCells(items, f[3], true)...)
		}
		return as
	})
	c, err := Build(store, testInstrument(), cohort)
	if err != nil {
		t.Fatal(err)
	}

	rows := readGolden(t, "report_golden.csv")
	if len(rows) != 1+2*len(c.Dimensions) {
		t.Fatalf("%d golden rows for %d dimensions: rerun report_golden.R", len(rows)-1, len(c.Dimensions))
	}
	head := rows[0]
	for _, row := range rows[1:] {
		want := map[string]string{}
		for i, h := range head {
			want[h] = row[i]
		}
		list := c.Dimensions
		if want["comparison"] == "post_vs_then" {
			list = c.Then
		}
		var got *DimensionReport
		for i := range list {
			if list[i].Dimension == want["dimension"] {
				got = &list[i]
			}
		}
		name := want["comparison"] + " " + want["dimension"]
		if got == nil {
			t.Errorf("%s: not in the report", name)
			continue
		}
		if got.Suppressed {
			t.Errorf("%s: suppressed, the cases are meant to be shown", name)
		}
		for col, n := range map[string]int{"n_pre": got.NPre, "n_post": got.NPost, "n_pairs": got.NPairs} {
			if strconv.Itoa(n) != want[col] {
				t.Errorf("%s: %s = %d, R: %s", name, col, n, want[col])
			}
		}
		for col, v := range map[string]*float64{"mean_pre": got.MeanPre, "sd_pre": got.SDPre, "mean_post": got.MeanPost,
			"sd_post": got.SDPost, "mean_diff": got.MeanDiff, "sd_diff": got.SDDiff, "t": got.T, "df": got.DF, "p_t": got.PT} {
			if !rgolden.Close(v, want[col]) {
				t.Errorf("%s: %s = %s, R: %s", name, col, show(v), want[col])
			}
		}
	}
	// The wave descriptions are the comparison's own: the then wave is the
	// then list's "pre".
	for d := range c.Dimensions {
		if got, want := c.Waves[db.Then][d].Summary.N, c.Then[d].NPre; got != want {
			t.Errorf("then wave of %s describes %d responses, the then comparison %d", c.Dimensions[d].Dimension, got, want)
		}
	}
}
