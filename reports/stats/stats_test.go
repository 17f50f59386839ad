package stats

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"einordnung/reports/internal/rgolden"
)

// The golden values in testdata/*_golden.csv come from R 4.2 (t.test,
// wilcox.test, quantile type 7, p.adjust, alpha by its formula) run on the
// inputs in testdata/*_cases.txt by testdata/golden.R. Regenerate with
//
//	cd reports/stats/testdata && Rscript golden.R
//
// Figures are compared with rgolden.Close, whose doc states the tolerance.

func show(v *float64) string {
	if v == nil {
		return "nil"
	}
	return strconv.FormatFloat(*v, 'g', 17, 64)
}

// readCases reads name;field;field lines, skipping comments.
func readCases(t *testing.T, file string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, ";")
		cases[fields[0]] = fields[1:]
	}
	return cases
}

func floats(t *testing.T, s string) []float64 {
	t.Helper()
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatalf("bad number %q", f)
		}
		out = append(out, v)
	}
	return out
}

// readGolden returns the rows of a golden CSV keyed by case, each a map of
// column to value.
func readGolden(t *testing.T, file string) map[string]map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, col := range rows[0] {
			m[col] = r[i]
		}
		out[r[0]] = m
	}
	if len(out) == 0 {
		t.Fatalf("%s has no cases", file)
	}
	return out
}

func TestPairTestMatchesR(t *testing.T) {
	cases := readCases(t, "paired_cases.txt")
	golden := readGolden(t, "paired_golden.csv")
	if len(golden) != len(cases) {
		t.Fatalf("%d cases but %d golden rows: rerun golden.R", len(cases), len(golden))
	}
	for name, want := range golden {
		t.Run(name, func(t *testing.T) {
			c := cases[name]
			got := PairTest(floats(t, c[0]), floats(t, c[1]))
			if strconv.Itoa(got.N) != want["n"] {
				t.Errorf("n = %d, want %s", got.N, want["n"])
			}
			for col, v := range map[string]*float64{
				"mean_diff": got.MeanDiff, "sd_diff": got.SDDiff, "ci_low": got.CILow, "ci_high": got.CIHigh,
				"t": got.T, "df": got.DF, "p_t": got.PT, "d_z": got.DZ, "d_av": got.DAv,
				"w_plus": got.WPlus, "p_w": got.PW, "r_rb": got.RRB,
			} {
				if !rgolden.Close(v, want[col]) {
					t.Errorf("%s = %s, R says %s", col, show(v), want[col])
				}
			}
		})
	}
}

func TestWilcoxonUsesExactPOnlyWithoutTiesOrZeros(t *testing.T) {
	cases := readCases(t, "paired_cases.txt")
	tests := []struct {
		name  string
		exact bool
	}{
		{"small_exact", true},
		{"negative_change", true},
		{"with_ties", false},
		{"with_zero_diffs", false},
		{"large_normal", false}, // n ≥ 50
	}
	for _, tt := range tests {
		c := cases[tt.name]
		if got := PairTest(floats(t, c[0]), floats(t, c[1])); got.PWExact != tt.exact {
			t.Errorf("%s: exact = %v, want %v", tt.name, got.PWExact, tt.exact)
		}
	}
}

func TestCronbachAlphaMatchesR(t *testing.T) {
	cases := readCases(t, "alpha_cases.txt")
	for name, want := range readGolden(t, "alpha_golden.csv") {
		rows := strings.Split(cases[name][0], "|")
		a := NewAlpha(len(floats(t, rows[0])))
		for _, r := range rows {
			a.Add(floats(t, r))
		}
		if got := a.Value(); !rgolden.Close(got, want["alpha"]) {
			t.Errorf("%s: alpha = %s, R says %s", name, show(got), want["alpha"])
		}
	}
	one := NewAlpha(2)
	one.Add([]float64{1, 2})
	single := NewAlpha(1)
	single.Add([]float64{1})
	single.Add([]float64{2})
	if one.Value() != nil || single.Value() != nil {
		t.Error("alpha of one response or one item must be nil")
	}
}

// TestAlphaMergesSlices checks that α over two merged halves equals α over
// all rows (the report reads a wave in slices side by side).
func TestAlphaMergesSlices(t *testing.T) {
	rows := [][]float64{{3, 4, 5}, {6, 6, 7}, {2, 3, 2}, {8, 7, 9}, {5, 5, 4}, {4, 6, 5}}
	all, a, b := NewAlpha(3), NewAlpha(3), NewAlpha(3)
	for i, r := range rows {
		all.Add(r)
		if i%2 == 0 {
			a.Add(r)
		} else {
			b.Add(r)
		}
	}
	a.Merge(b)
	if got, want := a.Value(), all.Value(); got == nil || want == nil || math.Abs(*got-*want) > 1e-12 {
		t.Errorf("merged alpha %s, want %s", show(got), show(want))
	}
}

func TestDescribeMatchesR(t *testing.T) {
	cases := readCases(t, "describe_cases.txt")
	for name, want := range readGolden(t, "describe_golden.csv") {
		got := Describe(floats(t, cases[name][0]))
		if strconv.Itoa(got.N) != want["n"] {
			t.Errorf("%s: n = %d", name, got.N)
		}
		for col, v := range map[string]*float64{"mean": got.Mean, "sd": got.SD, "median": got.Median, "q1": got.Q1,
			"q3": got.Q3, "ci_low": got.CILow, "ci_high": got.CIHigh} {
			if !rgolden.Close(v, want[col]) {
				t.Errorf("%s: %s = %s, R says %s", name, col, show(v), want[col])
			}
		}
	}
	if empty := Describe(nil); empty.N != 0 || empty.Mean != nil {
		t.Errorf("no values: %+v", empty)
	}
}

func TestHolmMatchesR(t *testing.T) {
	cases := readCases(t, "holm_cases.txt")
	for name, want := range readGolden(t, "holm_golden.csv") {
		var ps []*float64
		for _, f := range strings.Split(cases[name][0], ",") {
			if f == "NA" {
				ps = append(ps, nil)
				continue
			}
			v, _ := strconv.ParseFloat(f, 64)
			ps = append(ps, &v)
		}
		got := Holm(ps)
		wants := strings.Fields(want["adjusted"])
		for i := range wants {
			if !rgolden.Close(got[i], wants[i]) {
				t.Errorf("%s[%d] = %s, R says %s", name, i, show(got[i]), wants[i])
			}
		}
	}
}

func TestExactSignedRankDistribution(t *testing.T) {
	// n = 3: the 8 sign patterns give V = 0,1,2,3,3,4,5,6. P(V ≤ 0) = 1/8, so
	// V = 0 has two-sided p = 2/8; V = 3 sits in the middle: p = 1.
	tests := []struct {
		v, n int
		want float64
	}{
		{0, 3, 0.25}, {6, 3, 0.25}, {1, 3, 0.5}, {3, 3, 1}, {0, 1, 1}, {1, 1, 1},
	}
	for _, tt := range tests {
		if got := exactSignedRankP(tt.v, tt.n); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("p(V=%d, n=%d) = %v, want %v", tt.v, tt.n, got, tt.want)
		}
	}
}

func TestPearsonMatchesR(t *testing.T) {
	cases := readCases(t, "pearson_cases.txt")
	golden := readGolden(t, "pearson_golden.csv")
	if len(golden) != len(cases) {
		t.Fatalf("%d cases but %d golden rows: rerun golden.R", len(cases), len(golden))
	}
	for name, want := range golden {
		xs, ys := floats(t, cases[name][0]), floats(t, cases[name][1])
		if got := Pearson(xs, ys); !rgolden.Close(got, want["r"]) {
			t.Errorf("%s: r = %s, R says %s", name, show(got), want["r"])
		}
	}
	if Pearson([]float64{1}, []float64{2}) != nil {
		t.Error("r of one pair must be nil")
	}
}
