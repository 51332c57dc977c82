package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/switchboard-hl7/switchboard/internal/natstest"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

// BenchmarkWritebackBacklogProcess measures the backlog figure the
// way an operator sees it: the engine binary in its own process, b.N
// write-back requests published from this process while the EHR's port
// is closed, then an EHR that ACKs everything. It reports the drain rate
// and the engine process's peak RSS (VmHWM), during the queueing and in
// all. The figure:
//
//	go test -run '^$' -bench WritebackBacklogProcess -benchtime 100000x ./cmd/switchboard
func BenchmarkWritebackBacklogProcess(b *testing.B) {
	bin := buildBinary(b)
	p := newEngineProcess(b, bin)
	ehrAddr := fmt.Sprintf("127.0.0.1:%d", natstest.FreePort(b))
	ch := fmt.Sprintf(`name: wb
source: {nats: {subject: "writeback.sandbox.>"}}
destinations:
  - mllp: {to: %q, connect_timeout: 300ms, max_attempts: 0, backoff: 50ms, backoff_max: 200ms}
`, ehrAddr)
	if err := os.WriteFile(filepath.Join(p.dir, "channels", "wb.yaml"), []byte(ch), 0o644); err != nil {
		b.Fatal(err)
	}
	p.start()
	publishBacklog(b, p.natsURL, b.N)
	deadline := time.Now().Add(10 * time.Minute)
	for queueDepth(p, "wb") < b.N {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d requests stored", queueDepth(p, "wb"), b.N)
		}
		time.Sleep(100 * time.Millisecond)
	}
	queued := vmHWM(b, p.cmd.Process.Pid)

	b.ResetTimer()
	start := time.Now()
	ehr, err := mllptest.StartAckServer(ehrAddr) // keeps nothing: the RSS is the engine's
	if err != nil {
		b.Fatal(err)
	}
	defer ehr.Close()
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if err := ehr.WaitAcked(ctx, uint64(b.N)); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "drained/s")
	b.ReportMetric(float64(queued)/(1<<20), "queued-peak-RSS-MB")
	b.ReportMetric(float64(vmHWM(b, p.cmd.Process.Pid))/(1<<20), "peak-RSS-MB")
	if acked := ehr.Acked(); acked != uint64(b.N) {
		b.Errorf("the EHR acknowledged %d messages for %d requests", acked, b.N)
	}
}

// publishBacklog publishes n small results requests, at most 5,000
// awaiting their PubAck at a time.
func publishBacklog(t testing.TB, url string, n int) {
	t.Helper()
	js := natstest.JetStream(t, "nats://"+url)
	body := []byte(`{"resourceType":"Bundle","type":"collection","entry":[
{"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","id":"p","identifier":[{"system":"urn:x","value":"BACKLOG"}]}},
{"fullUrl":"urn:uuid:r","resource":{"resourceType":"DiagnosticReport","id":"r","status":"final","code":{"text":"panel"},"subject":{"reference":"urn:uuid:p"},"result":[{"reference":"urn:uuid:o"}]}},
{"fullUrl":"urn:uuid:o","resource":{"resourceType":"Observation","id":"o","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"718-7"}]},"valueString":"x"}}]}`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for i := range n {
		msg := &nats.Msg{Subject: "writeback.sandbox.results", Data: body, Header: nats.Header{"Correlation-Id": {fmt.Sprint("q", i)}}}
		if _, err := js.PublishMsgAsync(msg); err != nil {
			t.Fatal(err)
		}
		if i%5000 == 4999 {
			select {
			case <-js.PublishAsyncComplete():
			case <-ctx.Done():
				t.Fatal("publishing: no PubAcks")
			}
		}
	}
	<-js.PublishAsyncComplete()
}

var depthRE = regexp.MustCompile(`(?m)^switchboard_queue_depth\{channel="([^"]+)"\} (\d+)$`)

// queueDepth reads a channel's switchboard_queue_depth from /metrics; -1
// when it cannot.
func queueDepth(p *engineProcess, channel string) int {
	resp, err := http.Get("http://" + p.httpA + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return -1
	}
	for _, m := range depthRE.FindAllStringSubmatch(string(body), -1) {
		if m[1] == channel {
			n, _ := strconv.Atoi(m[2])
			return n
		}
	}
	return -1
}

// vmHWM reads a process's peak resident set in bytes.
func vmHWM(t testing.TB, pid int) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(data)
	if m == nil {
		t.Fatal("no VmHWM in /proc/PID/status")
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}
