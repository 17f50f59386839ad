package app

import (
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports"
	"einordnung/reports/demo"
)

// BenchmarkDashboardHTML10k measures a lead's dashboard of a demo cohort of
// 10,000 participants: the figures, the view and the HTML page. Issue 4's
// target is under 1 s. It only prints; run it with
//
//	go test ./app -run '^$' -bench DashboardHTML10k -benchtime 3x -count 1

// dashboardBench is the demo cohort of the benchmark, built on first use
// (about 5 s), never by a plain test run, in a temporary directory that
// TestMain removes.
var dashboardBench struct {
	once   sync.Once
	dir    string
	store  *db.Store
	inst   *questions.Instrument
	cohort *db.Cohort
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	closeDashboardBench()
	os.Exit(code)
}

func closeDashboardBench() {
	d := &dashboardBench
	if d.store != nil {
		d.store.Close()
		d.store = nil
	}
	if d.dir != "" {
		os.RemoveAll(d.dir)
		d.dir = ""
	}
}

func dashboardBenchCohort(b *testing.B) (*db.Store, *questions.Instrument, *db.Cohort) {
	b.Helper()
	d := &dashboardBench
	d.once.Do(func() {
		d.err = func() error {
			dir, err := os.MkdirTemp("", "einordnung-bench-")
			if err != nil {
				return err
			}
			d.dir = dir
			set, err := questions.Load()
			if err != nil {
				return err
			}
			if d.inst, err = set.Resolve(questions.DefaultID); err != nil {
				return err
			}
			if d.store, err = db.Open(filepath.Join(dir, "bench.db")); err != nil {
				return err
			}
			if d.cohort, err = d.store.CreateCohort("bench", "Benchmark", d.inst.Ref()); err != nil {
				return err
			}
			_, err = demo.Generate(d.store, d.inst, d.cohort, 10_000, 1, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))
			return err
		}()
		if d.err != nil {
			closeDashboardBench()
		}
	})
	if d.err != nil {
		b.Fatalf("benchmark cohort: %v", d.err)
	}
	return d.store, d.inst, d.cohort
}

// countingWriter counts what is written and throws it away.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return io.Discard.Write(p)
}

func BenchmarkDashboardHTML10k(b *testing.B) {
	store, inst, cohort := dashboardBenchCohort(b)
	engine, err := newEngine()
	if err != nil {
		b.Fatal(err)
	}
	lead := &db.User{ID: 1, Email: "lead@example.org", Role: db.RoleLead}
	var build, view, render time.Duration
	var size int
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		rep, err := reports.Build(store, inst, cohort)
		if err != nil {
			b.Fatal(err)
		}
		build += time.Since(start)

		start = time.Now()
		v := buildReportView("de", cohort, inst, rep)
		view += time.Since(start)

		start = time.Now()
		w := &countingWriter{}
		err = renderPage(w, engine, "admin/report", "layouts/main", envelope{
			Lang: "de", T: messages["de"], Title: messages["de"]["report_title"],
			CSRF: "token", AssetVersion: "bench", Switch: []langLink{{Code: "en", Name: "English", URL: cohortURL(cohort) + "/report?lang=en"}},
			Admin: lead, Data: adminData{Data: v},
		})
		if err != nil {
			b.Fatal(err)
		}
		render += time.Since(start)
		size = w.n
	}
	ms := func(t time.Duration) float64 { return float64(t) / float64(time.Millisecond) / float64(b.N) }
	b.ReportMetric(ms(build), "build-ms/op")
	b.ReportMetric(ms(view), "view-ms/op")
	b.ReportMetric(ms(render), "render-ms/op")
	b.ReportMetric(float64(size), "html-bytes")
}
