package loadtest

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"
)

// Report is what a load test measured.
type Report struct {
	Participants int
	Duration     time.Duration // the window in which journeys were started
	Elapsed      time.Duration // until the last journey ended
	Completed    int           // responses submitted (submit acknowledged with 303)
	PageSaves    int           // page saves acknowledged with 303, submits included
	// In the window: acknowledged within Duration, for the rates.
	CompletedInWindow, PageSavesInWindow int
	Latencies                            []Latency // per request type that was made, in journey order
	Failures                             []Failure // by key
}

// Latency is the figures of one request type.
type Latency struct {
	Kind          string
	Count         int
	P50, P95, P99 time.Duration
	Max           time.Duration
}

// Failure counts one kind of failure and keeps its first example.
type Failure struct {
	Key     string // request type and what went wrong, e.g. "code: HTTP 429"
	Count   int
	Example string
}

func (lt *Test) report(elapsed time.Duration) *Report {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	r := &Report{Participants: lt.cfg.Participants, Duration: lt.cfg.Duration, Elapsed: elapsed,
		Completed: len(lt.completed), PageSaves: len(lt.saves)}
	for _, at := range lt.completed {
		if at <= lt.cfg.Duration {
			r.CompletedInWindow++
		}
	}
	for _, at := range lt.saves {
		if at <= lt.cfg.Duration {
			r.PageSavesInWindow++
		}
	}
	for _, kind := range kinds {
		ds := slices.Clone(lt.latency[kind])
		if len(ds) == 0 {
			continue
		}
		slices.Sort(ds)
		r.Latencies = append(r.Latencies, Latency{Kind: kind, Count: len(ds),
			P50: quantile(ds, 0.50), P95: quantile(ds, 0.95), P99: quantile(ds, 0.99), Max: ds[len(ds)-1]})
	}
	for _, e := range lt.errs {
		r.Failures = append(r.Failures, *e)
	}
	sort.Slice(r.Failures, func(i, j int) bool { return r.Failures[i].Key < r.Failures[j].Key })
	return r
}

// quantile is the nearest-rank quantile q of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(float64(len(sorted))*q+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// CompletedPerSecond and PageSavesPerSecond are rates over the window in
// which participants started questionnaires, all of them busy.
func (r *Report) CompletedPerSecond() float64 {
	return float64(r.CompletedInWindow) / r.Duration.Seconds()
}

func (r *Report) PageSavesPerSecond() float64 {
	return float64(r.PageSavesInWindow) / r.Duration.Seconds()
}

// Errors is the number of failed requests and journeys.
func (r *Report) Errors() int {
	n := 0
	for _, e := range r.Failures {
		n += e.Count
	}
	return n
}

// LatencyOf returns the figures of a request type ("page-save", "submit",
// …); Count is 0 for one that was never made.
func (r *Report) LatencyOf(kind string) Latency {
	for _, l := range r.Latencies {
		if l.Kind == kind {
			return l
		}
	}
	return Latency{Kind: kind}
}

// Print writes the report as a table, every failure with an example.
func (r *Report) Print(w io.Writer) {
	ms := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64)
	}
	fmt.Fprintf(w, "participants: %d, duration: %s (+%s to finish questionnaires in progress)\n",
		r.Participants, r.Duration, (r.Elapsed - r.Duration).Round(time.Millisecond))
	fmt.Fprintf(w, "completed responses: %d (%.1f/s)\n", r.Completed, r.CompletedPerSecond())
	fmt.Fprintf(w, "page saves: %d (%.1f/s)\n", r.PageSaves, r.PageSavesPerSecond())
	fmt.Fprintln(w, "(rates count what was acknowledged within the duration)")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "request\tcount\tp50 ms\tp95 ms\tp99 ms\tmax ms\t")
	for _, l := range r.Latencies {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t\n", l.Kind, l.Count, ms(l.P50), ms(l.P95), ms(l.P99), ms(l.Max))
	}
	tw.Flush()
	if len(r.Failures) == 0 {
		fmt.Fprintln(w, "errors: 0")
		return
	}
	fmt.Fprintf(w, "errors: %d\n", r.Errors())
	for _, e := range r.Failures {
		fmt.Fprintf(w, "  %6d × %s (e.g. %s)\n", e.Count, e.Key, e.Example)
	}
}
