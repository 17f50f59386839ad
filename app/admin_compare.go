package app

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports"
	"einordnung/reports/charts"
)

type compareChoice struct {
	ID       uint
	Name     string
	Demo     bool
	Selected bool
}

type compareCell struct {
	Pre, Post, Change, DZ string
	Pairs                 int
	Why                   string // why figures are missing, "" if none is
}

type compareRow struct {
	Title string
	Cells []compareCell
}

type compareView struct {
	Choices []compareChoice
	Names   []string
	Rows    []compareRow
	Chart   *charts.Chart
}

// showCompare compares the selected cohorts side by side: the same
// dimensions, so only cohorts of one instrument family.
func (h *handler) showCompare(c *fiber.Ctx) error {
	u := c.Locals("user").(*db.User)
	visible, err := h.store.CohortsFor(u)
	if err != nil {
		return err
	}
	selected := map[uint]bool{}
	for _, raw := range c.Context().QueryArgs().PeekMulti("cohort") {
		id, err := strconv.ParseUint(string(raw), 10, 32)
		if err != nil {
			return errBadForm
		}
		selected[uint(id)] = true
	}
	v := compareView{}
	var chosen []*db.Cohort
	for i := range visible {
		co := &visible[i].Cohort
		v.Choices = append(v.Choices, compareChoice{ID: co.ID, Name: co.Name + " (" + co.Slug + ")", Demo: co.Demo, Selected: selected[co.ID]})
		if selected[co.ID] {
			chosen = append(chosen, co)
			delete(selected, co.ID)
		}
	}
	if len(selected) > 0 {
		return errNotFound // a cohort the user may not see, or none at all
	}
	if len(chosen) == 0 {
		return h.renderAdmin(c, "admin/compare", "compare_title", v, "")
	}
	family := func(ref string) string { id, _, _ := strings.Cut(ref, "@"); return id }
	for _, co := range chosen {
		if family(co.Instrument) != family(chosen[0].Instrument) {
			c.Status(fiber.StatusUnprocessableEntity)
			return h.renderAdmin(c, "admin/compare", "compare_title", v, h.t(c, "compare_family"))
		}
	}
	var inst *questions.Instrument
	var built []*reports.Cohort
	for _, co := range chosen {
		in, ok := h.instrument(co.Instrument)
		if !ok {
			return errNotFound
		}
		if inst == nil || in.Version > inst.Version {
			inst = in
		}
		rep, err := reports.Build(h.store, in, co)
		if err != nil {
			return err
		}
		built = append(built, rep)
		name := co.Name
		if co.Demo {
			// In the table's heading and the chart's legend alike.
			name += " (" + msg(lang(c), "demo_badge") + ")"
		}
		v.Names = append(v.Names, name)
	}
	l := lang(c)
	for _, dim := range inst.Dimensions {
		row := compareRow{Title: dim.Title.In(l)}
		for _, rep := range built {
			cell := compareCell{Pre: "–", Post: "–", Change: "–", DZ: "–", Why: msg(l, "compare_why_not_asked")}
			for _, r := range rep.Dimensions {
				if r.Dimension == dim.ID {
					cell = compareCell{Pre: formatNumber(l, r.MeanPre, 2), Post: formatNumber(l, r.MeanPost, 2),
						Change: formatNumber(l, r.MeanDiff, 2), DZ: formatNumber(l, r.DZ, 2), Pairs: r.NPairs,
						Why: missingReasons(l, r, rep.MinGroup)}
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		v.Rows = append(v.Rows, row)
	}
	chart := charts.Compare(inst, built, v.Names, l, msg(lang(c), "compare_chart"))
	v.Chart = &chart
	return h.renderAdmin(c, "admin/compare", "compare_title", v, "")
}

// missingReasons says why figures of a comparison are missing, in the
// order of the cell: nothing answered yet, no pairs, the privacy rule's
// reasons (reports.Hidden, never a count against the threshold here), a
// figure that cannot be computed. "" when every figure is there.
func missingReasons(l string, r reports.DimensionReport, minGroup int) string {
	var why []string
	add := func(key string, args ...any) {
		if s := fmt.Sprintf(msg(l, key), args...); !slices.Contains(why, s) {
			why = append(why, s)
		}
	}
	for _, s := range []string{waveReason(l, "pre", r.NPre, r.HiddenPre, minGroup), waveReason(l, "post", r.NPost, r.HiddenPost, minGroup)} {
		if s != "" {
			why = append(why, s)
		}
	}
	switch {
	case r.NPre > 0 && r.NPost > 0 && r.NPairs == 0:
		add("compare_why_no_pairs")
	case r.NPairs > 0 && r.HiddenPairs != reports.Shown:
		add("compare_why_part", msg(l, "report_change"), hiddenText(l, r.HiddenPairs, minGroup))
	case r.HiddenPairs == reports.Shown && r.MeanDiff != nil && r.DZ == nil:
		add("compare_why_no_spread")
	}
	if len(why) == 0 {
		return ""
	}
	return strings.Join(why, "; ") + "."
}

// waveReason says why a wave's figure is missing: nobody completed the wave
// yet, or the privacy rule's reason; "" when it is shown.
func waveReason(l, wave string, n int, h reports.Hidden, minGroup int) string {
	switch {
	case n == 0:
		return msg(l, map[string]string{"pre": "compare_why_no_pre", "post": "compare_why_no_post"}[wave])
	case h != reports.Shown:
		return fmt.Sprintf(msg(l, "compare_why_part"), msg(l, "wave_"+wave), hiddenText(l, h, minGroup))
	}
	return ""
}
