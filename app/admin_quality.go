package app

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports"
)

// qualityView is the page "Qualität des Fragebogens" of one cohort.
type qualityView struct {
	Cohort    *db.Cohort
	URL       string
	MinGroup  int
	Scales    []qualityScale
	Knowledge []qualityKnowledgeRow
	Shift     []qualityShiftRow
}

// qualityScale is one dimension in one wave: its summary line and items.
type qualityScale struct {
	ID, Title, Wave  string
	N, K             int
	Alpha, CI, Omega string
	Hidden           string // why the scale is withheld, "" if shown
	Items            []qualityItemRow
}

type qualityItemRow struct {
	ID, Text                                          string
	Mean, SD, Missing, RDrop, AlphaIfDropped, Loading string
	Flags                                             string
}

type qualityKnowledgeRow struct {
	ID, Text, Wave             string
	N                          int
	Difficulty, Discrimination string
	Flags                      string
	Hidden                     string
}

type qualityShiftRow struct {
	Title                     string
	N                         int
	Pre, Then, Diff, T, P, DZ string
	Reading                   string
}

// showQuality shows how well a cohort's questionnaire measured.
func (h *handler) showQuality(c *fiber.Ctx) error {
	cohort := c.Locals("cohort").(*db.Cohort)
	inst, err := h.instrumentOf(cohort)
	if err != nil {
		return err
	}
	q, err := reports.BuildQuality(h.store, inst, cohort)
	if err != nil {
		return err
	}
	return h.renderAdmin(c, "admin/quality", "quality_title", buildQualityView(lang(c), cohort, inst, q), "")
}

// flagKeys are the texts of the quality flags.
var flagKeys = map[reports.Flag]string{
	reports.FlagWeak:          "quality_flag_weak",
	reports.FlagBetterWithout: "quality_flag_better_without",
	reports.FlagFloorCeiling:  "quality_flag_floor_ceiling",
	reports.FlagMissing:       "quality_flag_missing",
	reports.FlagEasy:          "quality_flag_easy",
	reports.FlagNegative:      "quality_flag_negative",
}

func flagText(l string, fs []reports.Flag) string {
	var out []string
	for _, f := range fs {
		out = append(out, msg(l, flagKeys[f]))
	}
	return strings.Join(out, "; ")
}

func buildQualityView(l string, cohort *db.Cohort, inst *questions.Instrument, q *reports.Quality) qualityView {
	v := qualityView{Cohort: cohort, URL: cohortURL(cohort), MinGroup: cohort.MinGroup}
	f := figures{lang: l, min: cohort.MinGroup}
	titles := map[string]string{}
	for _, d := range inst.Dimensions {
		titles[d.ID] = d.Title.In(l)
	}
	for _, s := range q.Scales {
		sc := qualityScale{ID: s.Dimension + "-" + string(s.Wave), Title: titles[s.Dimension], Wave: msg(l, "wave_"+string(s.Wave)),
			N: s.N, K: s.K, Alpha: f.num(s.Alpha, 2), CI: f.ci(s.AlphaCILow, s.AlphaCIHigh), Omega: f.num(s.Omega, 2),
			Hidden: hiddenText(l, s.Hidden, f.min)}
		for j, it := range s.Items {
			item, _ := inst.Item(it.Item)
			sc.Items = append(sc.Items, qualityItemRow{ID: it.Item, Text: item.Text.In(l),
				Mean: f.num(it.Mean, 2), SD: f.num(it.SD, 2), Missing: pct(l, it.Missing), RDrop: f.num(it.RDrop, 2),
				AlphaIfDropped: f.num(it.AlphaIfDropped, 2), Loading: f.num(it.Loading, 2), Flags: flagText(l, s.ItemFlags(j))})
		}
		v.Scales = append(v.Scales, sc)
	}
	for _, k := range q.Knowledge {
		item, _ := inst.KnowledgeItem(k.Item)
		v.Knowledge = append(v.Knowledge, qualityKnowledgeRow{ID: k.Item, Text: item.Text.In(l), Wave: msg(l, "wave_"+string(k.Wave)),
			N: k.N, Difficulty: pct(l, k.Difficulty), Discrimination: f.num(k.Discrimination, 2), Flags: flagText(l, k.Flags()),
			Hidden: hiddenText(l, k.Hidden, f.min)})
	}
	for _, s := range q.Shift {
		row := qualityShiftRow{Title: titles[s.Dimension], N: s.N, Pre: f.num(s.MeanPre, 2), Then: f.num(s.MeanThen, 2),
			Diff: f.num(s.MeanDiff, 2), T: f.num(s.T, 2), P: formatP(l, s.P), DZ: f.num(s.DZ, 2)}
		switch r, ok := reports.ReadShift(s); {
		case s.Hidden != reports.Shown:
			row.Reading = fmt.Sprintf(msg(l, "report_hidden"), hiddenText(l, s.Hidden, f.min))
		case !ok:
			row.Reading = "–"
		case !r.Shifted:
			row.Reading = msg(l, "quality_shift_none")
		case r.Direction == reports.DirectionDown:
			row.Reading = msg(l, "quality_shift_down")
		default:
			row.Reading = msg(l, "quality_shift_up")
		}
		v.Shift = append(v.Shift, row)
	}
	return v
}
