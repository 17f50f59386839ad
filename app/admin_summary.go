package app

import (
	"fmt"
	"strings"

	"einordnung/reports"
)

// summaryView is the dashboard's first screen: the program's question
// answered in sentences, each built from the report's own figure objects
// (reports.Summarize) with the formatters the tables use, so that every
// number in a sentence is the number in its table.
type summaryView struct {
	Dimensions []summaryLine
	Knowledge  string
	// Shift explains once which change to trust where the yardstick moved.
	Shift    string
	Cautions []string
}

type summaryLine struct {
	ID       string // the dimension's id, for the page's anchors and tests
	Change   string // post − pre
	Then     string // post − then beside it, "" without retrospective ratings
	Shift    string // which to trust when the two read differently
	FewPairs string
}

// summary writes the first screen's sentences in f's language.
func (f figures) summary(rep *reports.Cohort, titles []string) summaryView {
	l := f.lang
	s := reports.Summarize(rep)
	var v summaryView
	fewest := 0
	for d, ds := range s.Dimensions {
		line := summaryLine{ID: ds.Change.Dimension, Change: f.changeSentence(titles[d], ds.Change, ds.Reading, ds.Readable)}
		if ds.FewPairs {
			line.FewPairs = fmt.Sprintf(msg(l, "report_summary_few_pairs_short"), ds.Change.NPairs)
			if fewest == 0 || ds.Change.NPairs < fewest {
				fewest = ds.Change.NPairs
			}
		}
		if ds.ThenReadable {
			th := ds.Then
			line.Then = fmt.Sprintf(msg(l, "report_summary_then"), f.num(th.MeanDiff, 2), f.ci(th.CILow, th.CIHigh),
				msg(l, effectKeys[ds.ThenReading.Effect]), f.num(th.DZ, 2), th.NPairs, f.fig(ds.Change.MeanDiff, ds.Change.HiddenPairs, 2))
		}
		if ds.Shifted {
			line.Shift, v.Shift = msg(l, "report_summary_shift_short"), msg(l, "report_summary_shift")
		}
		v.Dimensions = append(v.Dimensions, line)
	}
	v.Knowledge = f.knowledgeSentence(s.Knowledge)
	if fewest > 0 {
		v.Cautions = append(v.Cautions, fmt.Sprintf(msg(l, "report_summary_few_pairs"), fewest, reports.FewPairsForCertainty))
	}
	if s.DropOutDiffers {
		key := "report_summary_dropout_higher"
		if s.LeftLower {
			key = "report_summary_dropout_lower"
		}
		d := s.DropOut
		v.Cautions = append(v.Cautions, fmt.Sprintf(msg(l, key), d.PreOnly, f.num(d.PreMeanLeft, 2), f.num(d.PreMeanStayed, 2)))
	}
	return v
}

// changeSentence says a dimension's change post − pre: which way and by how
// much, how sure (interval, Holm's p), how large (the effect reading of
// reports.ReadEffect, in the words of the change table) and on how many
// pairs; or why there is nothing to say yet.
func (f figures) changeSentence(title string, r reports.DimensionReport, reading reports.ChangeReading, readable bool) string {
	l := f.lang
	if !readable {
		why := missingReasons(l, r, f.min)
		if why == "" {
			why = msg(l, "report_read_none") + "."
		}
		return fmt.Sprintf(msg(l, "report_summary_none"), title, why)
	}
	by := *r.MeanDiff
	if by < 0 {
		by = -by
	}
	sure := "report_not_sure"
	if reading.Significant {
		sure = "report_sure"
	}
	return fmt.Sprintf(msg(l, "report_summary_change"), title, msg(l, summaryDirectionKeys[reading.Direction]), f.num(&by, 2),
		f.ci(r.CILow, r.CIHigh), msg(l, sure), formatP(l, r.PTHolm), msg(l, effectKeys[reading.Effect]), f.num(r.DZ, 2), r.NPairs)
}

// knowledgeSentence says the knowledge and calibration before and after.
func (f figures) knowledgeSentence(k [2]reports.KnowledgeSummary) string {
	l := f.lang
	pre, post := k[0], k[1]
	if !pre.Readable || !post.Readable {
		var why []string
		for i, w := range []string{"pre", "post"} {
			if s := waveReason(l, w, k[i].N, k[i].Hidden, f.min); s != "" {
				why = append(why, s)
			}
		}
		if len(why) == 0 {
			why = append(why, msg(l, "report_read_none"))
		}
		return fmt.Sprintf(msg(l, "report_summary_knowledge_none"), strings.Join(why, "; "))
	}
	calibration := func(k reports.KnowledgeSummary) string { return msg(l, summaryCalibrationKeys[k.Calibration]) }
	return fmt.Sprintf(msg(l, "report_summary_knowledge"), pct(l, pre.Accuracy), pct(l, post.Accuracy), pre.N, post.N,
		pct(l, pre.Confidence), pct(l, post.Confidence),
		f.num(pre.Bias, 2), calibration(pre), f.num(post.Bias, 2), calibration(post))
}

// summaryDirectionKeys and summaryCalibrationKeys are the readings' words
// within a sentence of the summary.
var (
	summaryDirectionKeys = map[reports.Direction]string{
		reports.DirectionUp:   "report_summary_up",
		reports.DirectionDown: "report_summary_down",
	}
	summaryCalibrationKeys = map[reports.Calibration]string{
		reports.Overconfident:  "report_summary_overconfident",
		reports.Underconfident: "report_summary_underconfident",
		reports.Calibrated:     "report_summary_calibrated",
	}
)
