package app

import (
	"fmt"
	"io"
	"strings"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports"
	"einordnung/reports/exchange"
)

// exportSource is what an export reads: the cohort, its instrument, and
// the report, built only for the formats that need it.
type exportSource struct {
	store  *db.Store
	inst   *questions.Instrument
	cohort *db.Cohort
	lang   string
}

func (s exportSource) report() (*reports.Cohort, error) {
	return reports.Build(s.store, s.inst, s.cohort)
}

func (s exportSource) quality() (*reports.Quality, error) {
	return reports.BuildQuality(s.store, s.inst, s.cohort)
}

// exportFormat is one file a lead can download, or the CLI can write.
type exportFormat struct {
	name  string // --what of the CLI, and the download's address
	file  string // file name after the cohort's short code
	mime  string
	write func(io.Writer, exportSource) error
}

// exportFormats are every download, in the order the dashboard lists them.
// They are set in init because the HTML report lists them in turn.
var exportFormats []exportFormat

func init() {
	exportFormats = []exportFormat{
		{"responses", "responses.csv", "text/csv; charset=utf-8", func(w io.Writer, s exportSource) error {
			return exchange.WriteLong(w, s.store, s.inst, s.cohort)
		}},
		{"excel", "responses-excel.csv", "text/csv; charset=utf-8", func(w io.Writer, s exportSource) error {
			return exchange.WriteLongExcel(w, s.store, s.inst, s.cohort)
		}},
		{"wide", "wide.csv", "text/csv; charset=utf-8", func(w io.Writer, s exportSource) error {
			return exchange.WriteWide(w, s.store, s.inst, s.cohort)
		}},
		{"xlsx", "einordnung.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", func(w io.Writer, s exportSource) error {
			rep, err := s.report()
			if err != nil {
				return err
			}
			qual, err := s.quality()
			if err != nil {
				return err
			}
			return exchange.WriteXLSX(w, s.store, s.inst, s.cohort, rep, qual)
		}},
		{"codebook", "codebook.csv", "text/csv; charset=utf-8", func(w io.Writer, s exportSource) error {
			return exchange.WriteCodebook(w, s.inst)
		}},
		{"sps", "einordnung.sps", "text/plain; charset=utf-8", func(w io.Writer, s exportSource) error {
			return exchange.WriteSPSS(w, s.inst, DownloadName(s.cohort, "wide"))
		}},
		{"r", "einordnung.R", "text/plain; charset=utf-8", func(w io.Writer, s exportSource) error {
			return exchange.WriteRScript(w, s.inst, DownloadName(s.cohort, "wide"), DownloadName(s.cohort, "r"))
		}},
		{"json", "report.json", "application/json; charset=utf-8", func(w io.Writer, s exportSource) error {
			rep, err := s.report()
			if err != nil {
				return err
			}
			return exchange.WriteReportJSON(w, rep)
		}},
		{"quality", "quality.json", "application/json; charset=utf-8", func(w io.Writer, s exportSource) error {
			q, err := s.quality()
			if err != nil {
				return err
			}
			return exchange.WriteQualityJSON(w, q)
		}},
		{"html", "report.html", "text/html; charset=utf-8", func(w io.Writer, s exportSource) error {
			rep, err := s.report()
			if err != nil {
				return err
			}
			return writeReportHTML(w, s.lang, s.cohort, s.inst, rep)
		}},
	}
}

// DownloadName is the file name export format name of a cohort is
// downloaded under: the cohort's short code, a dash and the format's file.
// The R script and SPSS syntax open the wide CSV by this name, so that they
// run as downloaded, beside the downloaded data file.
func DownloadName(cohort *db.Cohort, name string) string {
	f, ok := findExport(name)
	if !ok {
		panic("app: no export format " + name)
	}
	if cohort.Demo {
		// Synthetic answers say so wherever the file goes.
		return cohort.Slug + "-demo-" + f.file
	}
	return cohort.Slug + "-" + f.file
}

// findExport returns the format with the given name.
func findExport(name string) (exportFormat, bool) {
	for _, f := range exportFormats {
		if f.name == name {
			return f, true
		}
	}
	return exportFormat{}, false
}

// ExportNames lists the name of every export format (the CLI's --what),
// in the order the dashboard lists the downloads.
func ExportNames() []string {
	names := make([]string, len(exportFormats))
	for i, f := range exportFormats {
		names[i] = f.name
	}
	return names
}

// WriteExport writes export format name of a cohort to w: the same file a
// lead downloads from the dashboard. lang is the language of the html
// report (de or en).
func WriteExport(w io.Writer, name string, store *db.Store, inst *questions.Instrument, cohort *db.Cohort, lang string) error {
	format, ok := findExport(name)
	if !ok {
		return fmt.Errorf("export %q: use %s", name, strings.Join(ExportNames(), "|"))
	}
	return format.write(w, exportSource{store: store, inst: inst, cohort: cohort, lang: lang})
}
