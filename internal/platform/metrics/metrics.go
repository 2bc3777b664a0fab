// Package metrics exposes Prometheus metrics: API requests and latencies per
// method, job outcomes and durations, queue depth, and photo pipeline stage
// timings. Each process has its own registry (no global state).
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"

	"github.com/veridoc/veridoc/internal/platform/database"
)

// Metrics holds one process's collectors.
type Metrics struct {
	Registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	jobs        *prometheus.CounterVec
	jobDuration *prometheus.HistogramVec
	stages      *prometheus.HistogramVec
}

// New registers the collectors; db answers the queue-depth gauge at scrape time.
func New(db *database.DB) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "veridoc_requests_total",
		Help: "API calls by method and HTTP status."}, []string{"method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "veridoc_request_duration_seconds",
		Help: "API call latency by method.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)}, []string{"method"})
	m.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "veridoc_jobs_total",
		Help: "Job attempts by kind and outcome (completed, failed, cancelled, snoozed)."}, []string{"kind", "outcome"})
	m.jobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "veridoc_job_duration_seconds",
		Help: "Job run time by kind.", Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 12)}, []string{"kind"})
	m.stages = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "veridoc_photo_stage_seconds",
		Help:    "Photo pipeline time per stage (decode, detect, landmarks, crop, encode, sheet).",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}, []string{"stage"})
	m.Registry.MustRegister(m.requests, m.latency, m.jobs, m.jobDuration, m.stages, &queueDepth{db: db},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// ObserveRequest counts an API call.
func (m *Metrics) ObserveRequest(method string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method).Observe(d.Seconds())
}

// ObserveStage records a photo pipeline stage.
func (m *Metrics) ObserveStage(stage string, d time.Duration) {
	m.stages.WithLabelValues(stage).Observe(d.Seconds())
}

// WatchJobs records job outcomes from the queue's events until ctx ends.
func (m *Metrics) WatchJobs(ctx context.Context, events <-chan *river.Event, stop func()) {
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if ev.Job == nil {
				continue
			}
			outcome := map[river.EventKind]string{river.EventKindJobCompleted: "completed", river.EventKindJobFailed: "failed",
				river.EventKindJobCancelled: "cancelled", river.EventKindJobSnoozed: "snoozed"}[ev.Kind]
			if outcome == "" {
				continue
			}
			m.jobs.WithLabelValues(ev.Job.Kind, outcome).Inc()
			if ev.JobStats != nil {
				m.jobDuration.WithLabelValues(ev.Job.Kind).Observe(ev.JobStats.RunDuration.Seconds())
			}
		}
	}
}

// queueDepth reads the job table at scrape time: jobs by state and kind.
type queueDepth struct{ db *database.DB }

var queueDesc = prometheus.NewDesc("veridoc_queue_jobs", "Jobs in the queue by state and kind.", []string{"state", "kind"}, nil)

func (q *queueDepth) Describe(ch chan<- *prometheus.Desc) { ch <- queueDesc }

func (q *queueDepth) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := q.db.QueueDepth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueDesc, err)
		return
	}
	for _, r := range rows {
		ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(r.Jobs), r.State, r.Kind)
	}
}
