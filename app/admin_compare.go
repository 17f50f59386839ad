package app

import (
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
	Selected bool
}

type compareCell struct {
	Pre, Post, Change, DZ string
	Pairs                 int
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
		v.Choices = append(v.Choices, compareChoice{ID: co.ID, Name: co.Name + " (" + co.Slug + ")", Selected: selected[co.ID]})
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
		v.Names = append(v.Names, co.Name)
	}
	l := lang(c)
	for _, dim := range inst.Dimensions {
		row := compareRow{Title: dim.Title.In(l)}
		for _, rep := range built {
			cell := compareCell{Pre: "–", Post: "–", Change: "–", DZ: "–"}
			for _, r := range rep.Dimensions {
				if r.Dimension == dim.ID {
					min := rep.MinGroup
					cell = compareCell{Pre: figureText(l, r.MeanPre, r.HiddenPre, min, 2), Post: figureText(l, r.MeanPost, r.HiddenPost, min, 2),
						Change: figureText(l, r.MeanDiff, r.HiddenPairs, min, 2), DZ: formatNumber(l, r.DZ, 2), Pairs: r.NPairs}
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
