package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/internal/natstest"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

// The engine is SIGKILLed twice while write-back requests are queued and
// being sent. After the restarts every request reaches the EHR, and none
// twice, except at most the one per kill whose ACK arrived in the instant
// between the EHR's answer and the engine's commit (resent with the same
// MSH-10, which EHR interfaces discard as a repeat).
func TestCrash_WritebackSIGKILLLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	peer := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{Delay: 5 * time.Millisecond}))
	p := newEngineProcess(t, bin)
	ch := fmt.Sprintf(`name: wb
source: {nats: {subject: "writeback.sandbox.>"}}
destinations:
  - mllp: {to: %q, ack_timeout: 2s, connect_timeout: 1s, max_attempts: 0, backoff: 50ms, backoff_max: 200ms}
`, peer.Addr())
	if err := os.WriteFile(filepath.Join(p.dir, "channels", "wb.yaml"), []byte(ch), 0o644); err != nil {
		t.Fatal(err)
	}
	p.start()

	const n = 300
	publish(t, p.natsURL, n)
	for kill := 1; kill <= 2; kill++ {
		waitReceived(t, peer, kill*n/4)
		p.kill()
		p.start()
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(distinct(peer)) < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	seen := map[string]int{}
	for _, raw := range peer.Received() {
		m, err := hl7.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		seen[m.ControlID()]++
	}
	if len(seen) != n {
		t.Fatalf("the EHR received %d distinct messages, want %d (lost requests)", len(seen), n)
	}
	twice := 0
	for id, c := range seen {
		if c > 2 {
			t.Errorf("%s sent %d times", id, c)
		}
		if c == 2 {
			twice++
		}
	}
	if twice > 2 {
		t.Errorf("%d messages sent twice over 2 kills; at most one per kill may be", twice)
	}
	waitChannelDrained(t, p, "wb") // the last ACKs are committed
	p.kill()
	st, err := store.OpenReadOnly(filepath.Join(p.dir, "data", "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	msgs, err := st.Search(context.Background(), store.Query{Channel: "wb", Limit: 1000})
	if err != nil || len(msgs) != n {
		t.Fatalf("message log holds %d write-backs (%v), want %d: a request stored twice or lost", len(msgs), err, n)
	}
	for _, m := range msgs {
		if m.Status != store.StatusSent {
			t.Errorf("message %d is %s", m.ID, m.Status)
		}
	}
}

// publish sends n results requests with correlation ids r0000…
func publish(t *testing.T, url string, n int) {
	t.Helper()
	js := natstest.JetStream(t, "nats://"+url)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range n {
		body := fmt.Sprintf(`{"resourceType":"Bundle","type":"collection","entry":[
{"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","id":"p","identifier":[{"system":"urn:x","value":"M%d"}]}},
{"fullUrl":"urn:uuid:r","resource":{"resourceType":"DiagnosticReport","id":"r","status":"final","code":{"text":"panel"},"subject":{"reference":"urn:uuid:p"},"result":[{"reference":"urn:uuid:o"}]}},
{"fullUrl":"urn:uuid:o","resource":{"resourceType":"Observation","id":"o","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"718-7"}]},"valueString":"x"}}]}`, i%7)
		msg := &nats.Msg{Subject: "writeback.sandbox.results", Data: []byte(body), Header: nats.Header{"Correlation-Id": {fmt.Sprintf("r%04d", i)}}}
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
}

func distinct(p *mllptest.Peer) map[string]bool {
	ids := map[string]bool{}
	for _, raw := range p.Received() {
		if m, err := hl7.Parse(raw); err == nil {
			ids[m.ControlID()] = true
		}
	}
	return ids
}

func waitReceived(t *testing.T, p *mllptest.Peer, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(p.Received()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the EHR received %d messages, want %d", len(p.Received()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
