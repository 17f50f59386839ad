package reports

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"einordnung/db"
	"einordnung/db/dbtest"
	"einordnung/questions"
	"einordnung/reports/internal/rgolden"
)

// qualityInstrument is the instrument of testdata/quality_cases.txt: k = 3
// with a reverse item, k = 2, k = 5 with a reverse item, and k = 3 with an
// item that is constant in the pre wave.
func qualityInstrument() *questions.Instrument {
	inst := &questions.Instrument{ID: "q", Version: 1, Scale: questions.Scale{Min: 1, Max: 5}}
	for _, d := range []string{"a", "b", "c", "d"} {
		inst.Dimensions = append(inst.Dimensions, questions.Dimension{ID: d})
	}
	for _, id := range qualityItems {
		inst.Items = append(inst.Items, questions.Item{ID: id, Dimension: id[:1], Reverse: id == "a3" || id == "c2"})
	}
	for i, correct := range []bool{true, false, true, false} {
		inst.Knowledge = append(inst.Knowledge, questions.KnowledgeItem{ID: fmt.Sprintf("k%d", i+1), Correct: correct})
	}
	return inst
}

var qualityItems = []string{"a1", "a2", "a3", "b1", "b2", "c1", "c2", "c3", "c4", "c5", "d1", "d2", "d3"}

// qualityCohort stores the cases of testdata/quality_cases.txt in a cohort
// whose minimum group is 8.
func qualityCohort(t *testing.T) (*db.Store, *db.Cohort) {
	t.Helper()
	store, _ := dbtest.Open(t)
	cohort, err := store.CreateCohort("ws26", "Test", "q@1")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.UpdateCohortSettings(cohort.ID, 0, 8); err != nil {
		t.Fatal(err)
	}
	cohort.MinGroup = 8
	loadCases(t, store, cohort.ID, "quality_cases.txt", func(f []string) []db.Answer {
		as := append(ratingCells(qualityItems, f[2], false), ratingCells(qualityItems, f[3], true)...)
		for i, cell := range strings.Split(f[4], ",") {
			if cell == "NA" {
				continue
			}
			a := db.Answer{Item: fmt.Sprintf("k%d", i+1), Kind: db.KindKnowledge, Value: str(map[byte]string{'T': "true", 'F': "false"}[cell[0]])}
			if len(cell) > 1 {
				c, _ := strconv.Atoi(cell[1:])
				a.Confidence = num(c)
			}
			as = append(as, a)
		}
		return as
	})
	return store, cohort
}

// flatten turns quality.json into "scale/a/pre/item/a1/loading"-style keys,
// the keys of testdata/quality_golden.csv; numbers as *float64 (nil for
// null), booleans as TRUE or FALSE.
func flatten(t *testing.T, q *Quality) (nums map[string]*float64, flags map[string]string) {
	t.Helper()
	raw, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Scales    []map[string]any `json:"scales"`
		Knowledge []map[string]any `json:"knowledge"`
		Shift     []map[string]any `json:"shift"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	nums, flags = map[string]*float64{}, map[string]string{}
	add := func(prefix string, obj map[string]any, skip ...string) {
		for k, v := range obj {
			if slices.Contains(skip, k) {
				continue
			}
			switch x := v.(type) {
			case nil:
				nums[prefix+"/"+k] = nil
			case float64:
				nums[prefix+"/"+k] = &x
			case bool:
				flags[prefix+"/"+k] = strings.ToUpper(strconv.FormatBool(x))
			}
		}
	}
	for _, s := range doc.Scales {
		prefix := "scale/" + s["dimension"].(string) + "/" + s["wave"].(string)
		add(prefix, s, "dimension", "wave", "items")
		for _, it := range s["items"].([]any) {
			item := it.(map[string]any)
			add(prefix+"/item/"+item["item"].(string), item, "item")
		}
	}
	for _, k := range doc.Knowledge {
		add("knowledge/"+k["item"].(string)+"/"+k["wave"].(string), k, "item", "wave")
	}
	for _, s := range doc.Shift {
		add("shift/"+s["dimension"].(string), s, "dimension")
	}
	return nums, flags
}

// TestQualityMatchesR builds quality.json for the cases of
// testdata/quality_cases.txt (missing items, reverse keys, a constant item,
// k = 2, 3 and 5, a group exactly at the minimum of 8 and one of 7) and
// checks every figure against testdata/quality_golden.csv, written by
// testdata/report_golden.R (R 4.2: factanal, cor, qf, t.test):
//
//	cd reports/testdata && Rscript report_golden.R
//
// Tolerance: loadings and ω 1e-4 absolute (R's factanal stops its
// optimiser early), everything else 1e-9 + 1e-7·|want| as in every golden
// test; counts and "suppressed" exactly. Every figure of quality.json must
// have its golden value, and every golden value its figure.
func TestQualityMatchesR(t *testing.T) {
	store, cohort := qualityCohort(t)
	q, err := BuildQuality(store, qualityInstrument(), cohort)
	if err != nil {
		t.Fatal(err)
	}
	nums, flags := flatten(t, q)
	rows := readGolden(t, "quality_golden.csv")
	seen := map[string]bool{}
	for _, row := range rows[1:] {
		key, want := row[0], row[1]
		seen[key] = true
		if f, ok := flags[key]; ok {
			if f != want {
				t.Errorf("%s = %s, R: %s", key, f, want)
			}
			continue
		}
		got, ok := nums[key]
		if !ok {
			t.Errorf("%s: not in quality.json (R: %s)", key, want)
			continue
		}
		field := key[strings.LastIndex(key, "/")+1:]
		close := rgolden.Close(got, want)
		if field == "loading" || field == "omega" {
			close = rgolden.Within(got, want, 1e-4)
		}
		if !close {
			t.Errorf("%s = %s, R: %s", key, show(got), want)
		}
	}
	for key := range nums {
		if !seen[key] {
			t.Errorf("%s: in quality.json, but R has no value for it", key)
		}
	}
	for key := range flags {
		if !seen[key] {
			t.Errorf("%s: in quality.json, but R has no value for it", key)
		}
	}
}

// The flags start just past their thresholds: r_drop below .30, α higher
// by more than .02 without the item, more than 15 % at an end, more than
// 10 % missing; more than 90 % correct, a negative discrimination.
func TestQualityFlagsAtTheirThresholds(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	scale := ScaleQuality{Alpha: f(0.80), Items: []ItemQuality{
		{RDrop: f(0.30), AlphaIfDropped: f(0.82), Floor: f(0.15), Ceiling: f(0.15), Missing: f(0.10)},
		{RDrop: f(0.2999), AlphaIfDropped: f(0.8201), Floor: f(0.1501), Missing: f(0.1001)},
		{Ceiling: f(0.16)},
		{},
	}}
	for j, want := range []string{"", "weak better_without floor_ceiling missing", "floor_ceiling", ""} {
		if got := fmt.Sprint(scale.ItemFlags(j)); got != "["+want+"]" {
			t.Errorf("item %d: flags %s, want [%s]", j, got, want)
		}
	}
	for _, c := range []struct {
		k    KnowledgeQuality
		want string
	}{
		{KnowledgeQuality{Difficulty: f(0.90), Discrimination: f(0)}, "[]"},
		{KnowledgeQuality{Difficulty: f(0.9001), Discrimination: f(-0.0001)}, "[easy negative]"},
		{KnowledgeQuality{}, "[]"},
	} {
		if got := fmt.Sprint(c.k.Flags()); got != c.want {
			t.Errorf("knowledge %+v: flags %s, want %s", c.k, got, c.want)
		}
	}
}

func TestReadShift(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, c := range []struct {
		s    Shift
		want string
		ok   bool
	}{
		{Shift{MeanDiff: f(-0.5), P: f(0.049)}, "{true down}", true},
		{Shift{MeanDiff: f(0.5), P: f(0.01)}, "{true up}", true},
		{Shift{MeanDiff: f(-0.5), P: f(0.05)}, "{false down}", true},
		{Shift{MeanDiff: f(-0.5)}, "{false }", false},
	} {
		r, ok := ReadShift(c.s)
		if got := fmt.Sprint(r); got != c.want || ok != c.ok {
			t.Errorf("ReadShift(%v, p %v) = %s %v, want %s %v", *c.s.MeanDiff, c.s.P, got, ok, c.want, c.ok)
		}
	}
}
