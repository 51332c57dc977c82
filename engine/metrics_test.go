package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every per-channel series the README documents is on /metrics at 0 as
// soon as the engine starts, so an alert on errors, rejections or a
// paused channel sees 0 rather than nothing before the first event.
func TestEngine_MetricsStartAtZeroForEveryChannel(t *testing.T) {
	enriched := adtChannel + "enrich:\n  - name: patient\n    search: Patient?identifier=urn:oid:2.16.840.1.113883.19.5|{PID-3.1}\n"
	bulkCh := "name: pop\ntenant: sandbox\nsource:\n  bulk:\n    group: all\n    types: [Patient, Observation]\n    interval: 1h\n"
	te := startEngine(t, bulkTenant, map[string]string{"adt.yaml": enriched, "wb.yaml": writebackChannel("127.0.0.1:1", 1), "pop.yaml": bulkCh})
	body := scrape(t, te)
	var want []string
	for _, s := range []string{"messages_received_total", "messages_filtered_total", "messages_sent_total", "messages_errored_total",
		"publish_failures_total", "mllp_connections", "ack_latency_seconds_count", "end_to_end_latency_seconds_count", "queue_depth"} {
		want = append(want, `switchboard_`+s+`{channel="adt"} 0`)
	}
	for _, code := range []string{"AA", "AE", "AR"} {
		want = append(want, `switchboard_acks_total{channel="adt",code="`+code+`"} 0`)
	}
	for _, result := range []string{"ehr", "cache", "shared", "error"} {
		want = append(want, `switchboard_enrichments_total{channel="adt",result="`+result+`",step="patient"} 0`)
	}
	for _, s := range []string{"messages_sent_total", "messages_errored_total", "channel_paused", "queue_depth"} {
		want = append(want, `switchboard_`+s+`{channel="wb"} 0`)
	}
	want = append(want, `switchboard_bulk_jobs_total{channel="pop",status="ERROR"} 0`)
	for _, w := range want {
		if !strings.Contains(body, w+"\n") {
			t.Errorf("/metrics lacks %s", w)
		}
	}
	// The export that started with the engine may have ended by now.
	for _, w := range []string{`switchboard_bulk_jobs_total{channel="pop",status="PROCESSED"} `, `switchboard_bulk_resources_total{channel="pop",type="Observation"} `} {
		if !strings.Contains(body, w) {
			t.Errorf("/metrics lacks %s", w)
		}
	}
}

// A write-back channel paused before a restart reports 1 from the start.
func TestEngine_MetricsShowARestoredPause(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "data", "paused"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data", "paused", "wb"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	te := startEngineIn(t, dir, "", map[string]string{"wb.yaml": writebackChannel("127.0.0.1:1", 1)})
	if body := scrape(t, te); !strings.Contains(body, `switchboard_channel_paused{channel="wb"} 1`+"\n") {
		t.Errorf("/metrics lacks switchboard_channel_paused{channel=\"wb\"} 1:\n%s", grepLines(body, "paused"))
	}
}
