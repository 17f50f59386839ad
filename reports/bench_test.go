//go:build unix

package reports

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"einordnung/db"
	"einordnung/questions"
	"einordnung/reports/demo"
	"einordnung/reports/internal/reportstest"
)

// The speed benchmarks of issue 4: report.json of a demo cohort of 10,000
// participants (pre, then, post, knowledge: over a million answers) against
// one plain read of the same answer rows. They only print; run them with
//
//	go test ./reports -run '^$' -bench '10k' -benchtime 3x -count 1
//
// Targets on a 2-core machine: report ≤ 3× the plain read, peak memory
// under 200 MB.

const benchParticipants = 10_000

// benchData is the cohort the benchmarks share. It is built by the first
// benchmark that needs it (about 5 s), never by a plain test run, in a
// temporary directory that TestMain removes.
type benchData struct {
	dir, path string
	store     *db.Store
	inst      *questions.Instrument
	cohort    *db.Cohort
	answers   int // rows of the cohort's submitted answers
	err       error
}

var (
	benchOnce sync.Once
	bench     benchData
)

func TestMain(m *testing.M) {
	code := m.Run()
	bench.close()
	os.Exit(code)
}

// benchCohort returns the shared demo cohort, building it on first use.
func benchCohort(b *testing.B) *benchData {
	b.Helper()
	benchOnce.Do(func() {
		if bench.err = bench.build(); bench.err != nil {
			bench.close()
		}
	})
	if bench.err != nil {
		b.Fatalf("benchmark cohort: %v", bench.err)
	}
	return &bench
}

func (d *benchData) build() error {
	dir, err := os.MkdirTemp("", "einordnung-bench-")
	if err != nil {
		return err
	}
	d.dir, d.path = dir, filepath.Join(dir, "bench.db")
	set, err := questions.Load()
	if err != nil {
		return err
	}
	if d.inst, err = set.Resolve(questions.DefaultID); err != nil {
		return err
	}
	if d.store, err = db.Open(d.path); err != nil {
		return err
	}
	if d.cohort, err = d.store.CreateCohort("bench", "Benchmark", d.inst.Ref()); err != nil {
		return err
	}
	st, err := demo.Generate(d.store, d.inst, d.cohort, benchParticipants, 1, reportstest.DemoDay)
	if err != nil {
		return err
	}
	d.answers = st.Answers
	return nil
}

func (d *benchData) close() {
	if d.store != nil {
		d.store.Close()
		d.store = nil
	}
	if d.dir != "" {
		os.RemoveAll(d.dir)
		d.dir = ""
	}
}

// openPlain opens the benchmark database a second time, read-only, with
// one connection and without GORM.
func (d *benchData) openPlain(b *testing.B) *sql.DB {
	b.Helper()
	conn, err := sql.Open("sqlite3", d.path+"?_query_only=true")
	if err != nil {
		b.Fatal(err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	b.Cleanup(func() { conn.Close() })
	return conn
}

// plainAnswerQuery is db.EachAnswer's query.
const plainAnswerQuery = `SELECT responses.id, participants.pseudonym, responses.wave, responses.submitted_at,
			answers.item, answers.retro, answers.kind, answers.value, answers.confidence
		FROM answers
		JOIN responses ON responses.id = answers.response_id
		JOIN participants ON participants.id = responses.participant_id
		WHERE participants.cohort_id = ? AND responses.submitted_at IS NOT NULL
		ORDER BY responses.id, answers.id`

// plainRead reads every answer row of the cohort once, scanning each into
// locals as EachAnswer does, and returns how many there were.
func plainRead(conn *sql.DB, cohortID uint) (int, error) {
	rows, err := conn.Query(plainAnswerQuery, cohortID)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var (
		response    uint
		participant string
		wave        db.Wave
		submitted   time.Time
		item        string
		retro       bool
		kind        string
		value       sql.NullString
		confidence  sql.NullInt64
		n           int
	)
	for rows.Next() {
		if err := rows.Scan(&response, &participant, &wave, &submitted, &item, &retro, &kind, &value, &confidence); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// reportJSON builds the cohort's report and encodes report.json.
func (d *benchData) reportJSON() ([]byte, error) {
	rep, err := Build(d.store, d.inst, d.cohort)
	if err != nil {
		return nil, err
	}
	return json.Marshal(rep.Report)
}

func (d *benchData) checkRows(b *testing.B, n int, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
	if n != d.answers {
		b.Fatalf("plain read: %d rows, the demo stored %d answers", n, d.answers)
	}
}

// BenchmarkReport10k builds report.json of the demo cohort.
func BenchmarkReport10k(b *testing.B) {
	d := benchCohort(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.reportJSON(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.answers), "answers/op")
}

// BenchmarkPlainRead10k reads the demo cohort's answer rows once with a
// plain query: the baseline of BenchmarkReport10k.
func BenchmarkPlainRead10k(b *testing.B) {
	d := benchCohort(b)
	conn := d.openPlain(b)
	b.ReportAllocs()
	for b.Loop() {
		n, err := plainRead(conn, d.cohort.ID)
		d.checkRows(b, n, err)
	}
	b.ReportMetric(float64(d.answers), "answers/op")
}

// BenchmarkReportVsPlainRead10k times the plain read and the report
// alternately in one run, so that their ratio compares like with like, then
// measures the peak heap during one more report and the process's max RSS.
func BenchmarkReportVsPlainRead10k(b *testing.B) {
	d := benchCohort(b)
	conn := d.openPlain(b)
	var plain, report time.Duration
	for b.Loop() {
		start := time.Now()
		n, err := plainRead(conn, d.cohort.ID)
		plain += time.Since(start)
		d.checkRows(b, n, err)

		start = time.Now()
		_, err = d.reportJSON()
		report += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
	}
	ms := func(t time.Duration) float64 { return float64(t) / float64(time.Millisecond) / float64(b.N) }
	b.ReportMetric(ms(plain), "plain-ms/op")
	b.ReportMetric(ms(report), "report-ms/op")
	b.ReportMetric(float64(report)/float64(plain), "ratio")

	base, peak, err := peakHeapDuring(d.reportJSON)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(base)/(1<<20), "base-heap-MB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(maxRSSMB(b), "maxrss-MB")
}

// qualityJSON builds the cohort's questionnaire quality and encodes quality.json.
func (d *benchData) qualityJSON() ([]byte, error) {
	q, err := BuildQuality(d.store, d.inst, d.cohort)
	if err != nil {
		return nil, err
	}
	return json.Marshal(q)
}

// BenchmarkQuality10k builds quality.json of the demo cohort (issue 13).
func BenchmarkQuality10k(b *testing.B) {
	d := benchCohort(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.qualityJSON(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.answers), "answers/op")
}

// BenchmarkQualityVsReport10k times the report and quality.json
// alternately in one run; target: quality ≤ 2× the report.
//
//	go test ./reports -run '^$' -bench 'QualityVsReport10k' -benchtime 3x -count 1
func BenchmarkQualityVsReport10k(b *testing.B) {
	d := benchCohort(b)
	var report, quality time.Duration
	for b.Loop() {
		start := time.Now()
		_, err := d.reportJSON()
		report += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		_, err = d.qualityJSON()
		quality += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
	}
	ms := func(t time.Duration) float64 { return float64(t) / float64(time.Millisecond) / float64(b.N) }
	b.ReportMetric(ms(report), "report-ms/op")
	b.ReportMetric(ms(quality), "quality-ms/op")
	b.ReportMetric(float64(quality)/float64(report), "ratio")
	_, peak, err := peakHeapDuring(d.qualityJSON)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(peak)/(1<<20), "quality-peak-heap-MB")
}

// peakHeapDuring runs fn after a garbage collection and samples the heap in
// use every 5 ms meanwhile: base is the heap in use before, peak the most
// seen while fn ran.
func peakHeapDuring(fn func() ([]byte, error)) (base, peak uint64, err error) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak = ms.HeapInuse, ms.HeapInuse
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		max := uint64(0)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			max = maxU64(max, ms.HeapInuse)
			select {
			case <-stop:
				done <- max
				return
			case <-tick.C:
			}
		}
	}()
	_, err = fn()
	runtime.ReadMemStats(&ms)
	stop <- struct{}{} // not close: this package's tests define their own close
	peak = maxU64(maxU64(peak, <-done), ms.HeapInuse)
	return base, peak, err
}

func maxU64(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

// maxRSSMB is the process's peak resident set so far (fixture included) in MB.
func maxRSSMB(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	if runtime.GOOS == "darwin" {
		return float64(ru.Maxrss) / (1 << 20) // bytes
	}
	return float64(ru.Maxrss) / 1024 // KB
}
