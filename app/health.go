package app

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"einordnung/db"
)

// showHealth answers whether the process is alive (liveness): it needs
// nothing but a running server.
func (h *handler) showHealth(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString("ok")
}

// showReady answers whether the server can do its work (readiness): the
// database must answer within two seconds.
func (h *handler) showReady(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := h.store.Ping(ctx); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable")
	}
	return c.SendString("ready")
}

// Metrics are the server's Prometheus metrics, in a registry of their own.
type Metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	saves     prometheus.Counter
	submitted prometheus.Counter
	errors    *prometheus.CounterVec
}

// NewMetrics creates the metrics; pass them to New in Config.Metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "einordnung_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "einordnung_http_request_duration_seconds", Help: "HTTP request latency by route pattern and method.",
			Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
		saves: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "einordnung_page_saves_total", Help: "Questionnaire pages saved.",
		}),
		submitted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "einordnung_responses_submitted_total", Help: "Responses sent off.",
		}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "einordnung_errors_total", Help: "Requests that ended in a server error, by route pattern.",
		}, []string{"route"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.saves, m.submitted, m.errors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// watchCommits exposes the counters of the store's group commit (SQLite;
// both stay 0 on PostgreSQL). Registering twice (a second app on the same
// metrics) keeps the first.
func (m *Metrics) watchCommits(store *db.Store) {
	counter := func(name, help string, pick func(commits, writes int64) int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 {
			return float64(pick(store.CommitStats()))
		})
	}
	_ = m.registry.Register(counter("einordnung_db_commits_total",
		"Transactions run by the group commit of participants' writes.", func(c, _ int64) int64 { return c }))
	_ = m.registry.Register(counter("einordnung_db_commit_writes_total",
		"Writes those transactions held; writes/commits is the mean batch size.", func(_, w int64) int64 { return w }))
}

// observe records every request under its route pattern (not its path, so
// that neither ids nor codes become label values).
func (m *Metrics) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		if fe, ok := err.(*fiber.Error); ok {
			status = fe.Code
		} else if pe, ok := err.(*pageError); ok {
			status = pe.status
		} else {
			status = fiber.StatusInternalServerError
		}
	}
	// Fiber's strings point into buffers it reuses: the label values are
	// kept by Prometheus, so they must be copies.
	route, method := strings.Clone(c.Route().Path), strings.Clone(c.Method())
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	if status >= 500 {
		m.errors.WithLabelValues(route).Inc()
	}
	return err
}

// Handler serves the metrics for Prometheus. It is not a route of the app:
// the operator serves it on an address of their own (serve --metrics-addr),
// so participants never reach it.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
