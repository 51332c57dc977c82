package engine

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/switchboard-hl7/switchboard/engine/bulk"
	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhirclient"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// metrics are the engine's Prometheus series. Each engine has its own
// registry so tests can run several engines in one process.
type metrics struct {
	reg         *prometheus.Registry
	received    *prometheus.CounterVec
	acks        *prometheus.CounterVec
	filtered    *prometheus.CounterVec
	sent        *prometheus.CounterVec
	errored     *prometheus.CounterVec
	published   *prometheus.CounterVec
	connections *prometheus.GaugeVec
	ackLatency  *prometheus.HistogramVec
	e2eLatency  *prometheus.HistogramVec
	fhirCalls   *prometheus.CounterVec
	fhirLatency *prometheus.HistogramVec
	enrichments *prometheus.CounterVec
	paused      *prometheus.GaugeVec
	bulkJobs    *prometheus.CounterVec
	bulkRes     *prometheus.CounterVec
}

// latencyBuckets span 100 µs to 30 s: an ACK takes about a millisecond,
// a backlog drained after an outage takes minutes.
var latencyBuckets = prometheus.ExponentialBucketsRange(0.0001, 30, 18)

func newMetrics(st store.Store, channels []string) *metrics {
	ch := []string{"channel"}
	m := &metrics{
		reg: prometheus.NewRegistry(),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_messages_received_total",
			Help: "Messages received by a channel's source, including rejected ones."}, ch),
		acks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_acks_total",
			Help: "Acknowledgements sent, by MSA-1 code."}, []string{"channel", "code"}),
		filtered: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_messages_filtered_total",
			Help: "Messages the channel's filter dropped."}, ch),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_messages_sent_total",
			Help: "Messages every destination confirmed (or processed, without destinations)."}, ch),
		errored: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_messages_errored_total",
			Help: "Messages that ended in ERROR (rejected, unmappable, filter failure)."}, ch),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_publish_failures_total",
			Help: "Publishes that failed and left the message queued for retry."}, ch),
		connections: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "switchboard_mllp_connections",
			Help: "Open MLLP connections."}, ch),
		ackLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "switchboard_ack_latency_seconds",
			Help: "From the end of a frame to its ACK being ready (stored first).", Buckets: latencyBuckets}, ch),
		e2eLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "switchboard_end_to_end_latency_seconds",
			Help: "From storing a message to the last destination's confirmation.", Buckets: latencyBuckets}, ch),
		fhirCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_fhir_requests_total",
			Help: "HTTP requests to a tenant's EHR, by endpoint (resource type or token) and status code (0: no response)."}, []string{"tenant", "endpoint", "code"}),
		fhirLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "switchboard_fhir_request_seconds",
			Help: "Duration of HTTP requests to a tenant's EHR.", Buckets: latencyBuckets}, []string{"tenant", "endpoint"}),
		paused: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "switchboard_channel_paused",
			Help: "1 while a write-back channel is paused (switchboard channel pause)."}, []string{"channel"}),
		bulkJobs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_bulk_jobs_total",
			Help: "Bulk Data exports of a bulk channel that ended, by final status."}, []string{"channel", "status"}),
		bulkRes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_bulk_resources_total",
			Help: "Resources a bulk channel's exports published, by resource type (counted when a job ends)."}, []string{"channel", "type"}),
		enrichments: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_enrichments_total",
			Help: "Enrichment lookups by how they were answered: ehr, cache, shared (a concurrent identical call) or error."}, []string{"channel", "step", "result"}),
	}
	m.reg.MustRegister(m.received, m.acks, m.filtered, m.sent, m.errored, m.published, m.connections, m.ackLatency, m.e2eLatency,
		m.fhirCalls, m.fhirLatency, m.enrichments, m.paused, m.bulkJobs, m.bulkRes,
		&queueCollector{st: st, channels: channels}, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// queueCollector reads queue depth and age from the store at scrape time,
// so the figures are true even for messages left by a previous run.
type queueCollector struct {
	st       store.Store
	channels []string // reported even when empty, so dashboards show 0
}

var (
	depthDesc = prometheus.NewDesc("switchboard_queue_depth",
		"Messages stored but not yet in a final status.", []string{"channel"}, nil)
	ageDesc = prometheus.NewDesc("switchboard_queue_oldest_age_seconds",
		"Age of the oldest message not yet in a final status.", []string{"channel"}, nil)
)

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- depthDesc; ch <- ageDesc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stats, err := c.st.QueueStats(ctx)
	if err != nil {
		return
	}
	for _, name := range c.channels {
		if _, ok := stats[name]; !ok {
			stats[name] = store.QueueStat{}
		}
	}
	for name, s := range stats {
		ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(s.Depth), name)
		age := 0.0
		if s.Depth > 0 && !s.Oldest.IsZero() {
			age = time.Since(s.Oldest).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(ageDesc, prometheus.GaugeValue, age, name)
	}
}

// fhirCall records one HTTP request to an EHR (fhirclient.Config.OnCall).
func (m *metrics) fhirCall(c fhirclient.Call) {
	m.fhirCalls.WithLabelValues(c.Tenant, c.Endpoint, strconv.Itoa(c.Status)).Inc()
	m.fhirLatency.WithLabelValues(c.Tenant, c.Endpoint).Observe(c.Duration.Seconds())
}

// bulkJob counts an export of a bulk channel that ended.
func (m *metrics) bulkJob(channel string, s *bulk.Summary) {
	m.bulkJobs.WithLabelValues(channel, string(s.Status)).Inc()
	for t, n := range s.Resources {
		m.bulkRes.WithLabelValues(channel, t).Add(float64(n))
	}
}

// The series below are created at 0 when their channel starts, so that an
// alert on rejections, errors or a paused channel sees 0 rather than
// nothing until the first event. Series whose labels come from traffic
// (a bulk export's resource types when the channel does not list them,
// FHIR requests by status code) still appear with their first event.

// inboundAckCodes are the MSA-1 codes an MLLP channel answers with.
var inboundAckCodes = []string{hl7.AA, hl7.AE, hl7.AR}

// enrichResults are the values of switchboard_enrichments_total's result.
var enrichResults = []string{fromEHR, fromCache, fromShared, "error"}

// startInbound creates an MLLP channel's series.
func (m *metrics) startInbound(ch *Channel) {
	for _, c := range []*prometheus.CounterVec{m.received, m.filtered, m.sent, m.errored, m.published} {
		c.WithLabelValues(ch.Name)
	}
	for _, code := range inboundAckCodes {
		m.acks.WithLabelValues(ch.Name, code)
	}
	m.connections.WithLabelValues(ch.Name)
	m.ackLatency.WithLabelValues(ch.Name)
	m.e2eLatency.WithLabelValues(ch.Name)
	for _, s := range ch.Enrich {
		for _, r := range enrichResults {
			m.enrichments.WithLabelValues(ch.Name, s.Name, r)
		}
	}
}

// startWriteback creates a write-back channel's series (a paused gauge
// restorePaused already set to 1 stays 1).
func (m *metrics) startWriteback(ch *Channel) {
	m.sent.WithLabelValues(ch.Name)
	m.errored.WithLabelValues(ch.Name)
	m.paused.WithLabelValues(ch.Name)
}

// startBulk creates a bulk channel's series: jobs by final status, and
// resources by the types the channel asks for.
func (m *metrics) startBulk(ch *Channel) {
	for _, s := range []store.Status{store.StatusProcessed, store.StatusError} {
		m.bulkJobs.WithLabelValues(ch.Name, string(s))
	}
	for _, t := range ch.Source.Bulk.Types {
		m.bulkRes.WithLabelValues(ch.Name, t)
	}
}
