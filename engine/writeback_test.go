package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/internal/natstest"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

// writebackChannel sends to addr with short timeouts and backoff.
func writebackChannel(addr string, attempts int) string {
	return fmt.Sprintf(`name: wb
source: {nats: {subject: "writeback.sandbox.>"}}
outbound: {receiving_application: EHR, assigning_authorities: {"urn:oid:2.16.840.1.113883.19.5": MRN}}
destinations:
  - mllp: {to: %q, ack_timeout: 300ms, connect_timeout: 300ms, max_attempts: %d, backoff: 50ms, backoff_max: 200ms}
`, addr, attempts)
}

// resultsBundle is a small write-back of lab results for MRN mrn.
func resultsBundle(mrn string) []byte {
	return []byte(`{"resourceType":"Bundle","type":"collection","entry":[
{"fullUrl":"urn:uuid:p1","resource":{"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:oid:2.16.840.1.113883.19.5","value":"` + mrn + `"}],"name":[{"family":"Doe","given":["Jane"]}],"gender":"female","birthDate":"1980-01-02"}},
{"fullUrl":"urn:uuid:r1","resource":{"resourceType":"DiagnosticReport","id":"r1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"58410-2"}]},"subject":{"reference":"urn:uuid:p1"},"result":[{"reference":"urn:uuid:o1"}]}},
{"fullUrl":"urn:uuid:o1","resource":{"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"718-7"}]},"subject":{"reference":"urn:uuid:p1"},"valueQuantity":{"value":13.2,"unit":"g/dL","system":"http://unitsofmeasure.org","code":"g/dL"}}}]}`)
}

// jsClient connects a downstream app to the engine's NATS, closed when
// the test ends.
func jsClient(t testing.TB, te *testEngine) jetstream.JetStream {
	t.Helper()
	return natstest.JetStream(t, te.NATSURL())
}

// publishRequest publishes a write-back request with a correlation id.
func publishRequest(t testing.TB, te *testEngine, kind, corr string, payload []byte) {
	t.Helper()
	js := jsClient(t, te)
	msg := &nats.Msg{Subject: "writeback.sandbox." + kind, Data: payload, Header: nats.Header{"Correlation-Id": {corr}}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		t.Fatal(err)
	}
}

// outcomes reads want outcomes from the OUTCOMES stream.
func outcomes(t *testing.T, te *testEngine, want int) []wbOutcome {
	t.Helper()
	js := jsClient(t, te)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cons, err := js.OrderedConsumer(ctx, "OUTCOMES", jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []wbOutcome
	for len(out) < want && ctx.Err() == nil {
		batch, err := cons.Fetch(want-len(out), jetstream.FetchMaxWait(time.Second))
		if err != nil {
			continue
		}
		for m := range batch.Messages() {
			var o wbOutcome
			json.Unmarshal(m.Data(), &o)
			out = append(out, o)
		}
	}
	return out
}

// waitFinal waits until the channel's n-th stored message (1-based) is in
// a final status.
func (te *testEngine) waitFinal(channel string, n int) *store.Message {
	te.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		msgs, _ := te.Store().Search(context.Background(), store.Query{Channel: channel, Limit: 1000})
		if len(msgs) >= n {
			m := msgs[len(msgs)-n]
			if m.Status.Final() {
				full, err := te.Store().Get(context.Background(), m.ID)
				if err == nil {
					return full
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	te.t.Fatalf("channel %s: message %d never reached a final status", channel, n)
	return nil
}

// A results request leaves as an ORU^R01 the EHR ACKs; the outcome carries
// the correlation id, and the message log has the message and its ACK.
func TestWriteback_ResultsSentAndOutcomePublished(t *testing.T) {
	peer := mllptest.NewPeer(t, mllptest.AlwaysAck("AA"))
	te := startEngine(t, "", map[string]string{"wb.yaml": writebackChannel(peer.Addr(), 3)})
	publishRequest(t, te, "results", "corr-1", resultsBundle("MRN1"))
	m := te.waitFinal("wb", 1)
	if m.Status != store.StatusSent || m.AckCode != "AA" || m.Direction != store.Outbound || m.Type != "ORU" {
		t.Fatalf("stored %s %s %s %s", m.Status, m.AckCode, m.Direction, m.Type)
	}
	got := peer.Received()
	if len(got) != 1 {
		t.Fatalf("EHR received %d messages", len(got))
	}
	msg, err := hl7.Parse(got[0])
	if err != nil {
		t.Fatal(err)
	}
	if msg.Get("MSH-9.1") != "ORU" || msg.Get("PID-3.1") != "MRN1" || msg.Get("PID-3.4") != "MRN" || msg.Get("MSH-10") != m.ControlID || msg.Get("MSH-5") != "EHR" {
		t.Errorf("EHR got MSH-9 %s PID-3 %s^%s MSH-10 %s MSH-5 %s", msg.Get("MSH-9"), msg.Get("PID-3.1"), msg.Get("PID-3.4"), msg.Get("MSH-10"), msg.Get("MSH-5"))
	}
	o := outcomes(t, te, 1)
	if len(o) != 1 || o[0].Status != "sent" || o[0].Correlation != "corr-1" || o[0].AckCode != "AA" || o[0].Kind != "results" {
		t.Errorf("outcomes %+v", o)
	}
}

// byMRN answers the first message for MRN first with AE, every message
// for MRN reject with AR, and everything else AA.
func byMRN(first, reject string) mllptest.Behaviour {
	var mu sync.Mutex
	seen := map[string]bool{}
	return mllptest.Func(func(_ int, raw []byte) mllptest.Action {
		m, _ := hl7.Parse(raw)
		mrn := m.Get("PID-3.1")
		mu.Lock()
		defer mu.Unlock()
		switch {
		case mrn == reject:
			return mllptest.Action{Code: "AR", Text: "unknown patient"}
		case mrn == first && !seen[mrn]:
			seen[mrn] = true
			return mllptest.Action{Code: "AE", Text: "busy"}
		}
		return mllptest.Action{Code: "AA"}
	})
}

func receivedMRNs(p *mllptest.Peer) string {
	var mrns []string
	for _, raw := range p.Received() {
		m, _ := hl7.Parse(raw)
		mrns = append(mrns, m.Get("PID-3.1"))
	}
	return strings.Join(mrns, ",")
}

// AE: retried and sent, while other patients' messages go on; AR: DEAD
// at once with the ACK text; a request that is not FHIR: ERROR, answered,
// never sent.
func TestWriteback_RetryRejectInvalid(t *testing.T) {
	peer := mllptest.NewPeer(t, byMRN("A", "B"))
	te := startEngine(t, "", map[string]string{"wb.yaml": writebackChannel(peer.Addr(), 5)})
	publishRequest(t, te, "results", "a", resultsBundle("A"))
	publishRequest(t, te, "results", "b", resultsBundle("B"))
	publishRequest(t, te, "results", "bad", []byte(`not json`))
	publishRequest(t, te, "results", "c", resultsBundle("C"))
	want := []store.Status{store.StatusSent, store.StatusDead, store.StatusError, store.StatusSent}
	for i, w := range want {
		if m := te.waitFinal("wb", i+1); m.Status != w {
			t.Errorf("request %d: %s (%s), want %s", i+1, m.Status, m.Error, w)
		}
	}
	if got := receivedMRNs(peer); got != "A,B,C,A" {
		t.Errorf("EHR received MRNs %v, want A (AE), B, C, then A again: a retry holds only its patient", got)
	}
	byCorr := map[string]wbOutcome{}
	for _, o := range outcomes(t, te, 4) {
		byCorr[o.Correlation] = o
	}
	if byCorr["a"].Status != "sent" || byCorr["a"].Attempts != 2 || byCorr["b"].Status != "rejected" || byCorr["b"].AckText != "unknown patient" ||
		byCorr["bad"].Status != "invalid" || byCorr["c"].Status != "sent" {
		t.Errorf("outcomes %+v", byCorr)
	}
}

// A patient's later request waits for the earlier one being retried.
func TestWriteback_PatientOrderHoldsThroughRetries(t *testing.T) {
	peer := mllptest.NewPeer(t, byMRN("A", ""))
	te := startEngine(t, "", map[string]string{"wb.yaml": writebackChannel(peer.Addr(), 5)})
	publishRequest(t, te, "results", "a1", resultsBundle("A"))
	publishRequest(t, te, "orders-free", "x", nil) // another kind: no lane of A's
	publishRequest(t, te, "results", "a2", resultsBundle("A"))
	publishRequest(t, te, "results", "b1", resultsBundle("B"))
	for i := 1; i <= 4; i++ {
		te.waitFinal("wb", i)
	}
	var order []string
	for _, raw := range peer.Received() {
		m, _ := hl7.Parse(raw)
		order = append(order, m.Get("PID-3.1")+"/"+m.Get("MSH-10"))
	}
	msgs, _ := te.Store().Search(context.Background(), store.Query{Channel: "wb"})
	ctl := map[int64]string{}
	for _, m := range msgs {
		ctl[m.ID] = m.ControlID
	}
	a1, a2 := ctl[msgs[len(msgs)-1].ID], ctl[msgs[len(msgs)-3].ID]
	pos := func(id string) int {
		last := -1
		for i, o := range order {
			if strings.HasSuffix(o, "/"+id) {
				last = i
			}
		}
		return last
	}
	if pos(a2) < pos(a1) || pos(a1) < 0 || pos(a2) < 0 {
		t.Errorf("EHR order %v: A's second request went before its first was accepted", order)
	}
	if got := receivedMRNs(peer); !strings.HasPrefix(got, "A,B") {
		t.Errorf("EHR order %s: B should not wait for A's retry", got)
	}
}

// An EHR that never answers: each attempt times out and closes the
// connection; after max_attempts the message is DEAD.
func TestWriteback_NoAnswerGoesDead(t *testing.T) {
	peer := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{NoReply: true}))
	te := startEngine(t, "", map[string]string{"wb.yaml": writebackChannel(peer.Addr(), 2)})
	publishRequest(t, te, "results", "x", resultsBundle("X"))
	m := te.waitFinal("wb", 1)
	if m.Status != store.StatusDead || m.Attempts != 2 || !strings.Contains(m.Error, "dead after 2 attempts") {
		t.Errorf("status %s attempts %d error %q", m.Status, m.Attempts, m.Error)
	}
	if peer.Accepted() < 2 {
		t.Errorf("%d connections: a timed-out connection must be closed, not reused", peer.Accepted())
	}
}

// While the EHR is down requests queue; when it comes up they drain in
// order.
func TestWriteback_QueuesWhileTheEHRIsDown(t *testing.T) {
	addr := reserveAddr(t)
	te := startEngine(t, "", map[string]string{"wb.yaml": writebackChannel(addr, 0)})
	for i := range 5 {
		publishRequest(t, te, "results", fmt.Sprint("q", i), resultsBundle(fmt.Sprint("Q", i)))
	}
	time.Sleep(500 * time.Millisecond)
	msgs, _ := te.Store().Search(context.Background(), store.Query{Channel: "wb"})
	for _, m := range msgs {
		if m.Status != store.StatusQueued {
			t.Fatalf("message %d is %s while the EHR is down, want QUEUED", m.ID, m.Status)
		}
	}
	peer := mllptest.NewPeerAt(t, addr, mllptest.AlwaysAck("AA"))
	for i := range 5 {
		te.waitFinal("wb", i+1)
	}
	if got := receivedMRNs(peer); got != "Q0,Q1,Q2,Q3,Q4" {
		t.Errorf("drained %v, want Q0..Q4 in order", got)
	}
}

// reserveAddr returns a loopback address nobody listens on (yet).
func reserveAddr(t *testing.T) string {
	return fmt.Sprintf("127.0.0.1:%d", natstest.FreePort(t))
}

// A paused channel stores and acknowledges requests but sends nothing;
// resumed, it sends them in order. The pause survives a restart.
func TestWriteback_PauseAndResume(t *testing.T) {
	peer := mllptest.NewPeer(t, mllptest.AlwaysAck("AA"))
	dir := t.TempDir()
	chans := map[string]string{"wb.yaml": writebackChannel(peer.Addr(), 3)}
	te := startEngineIn(t, dir, "", chans)
	post := func(te *testEngine, path string) int {
		t.Helper()
		resp, err := http.Post("http://"+te.HTTPAddr()+path, "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(te, "/channels/wb/pause"); code != http.StatusOK {
		t.Fatalf("pause: %d", code)
	}
	if code := post(te, "/channels/nosuch/pause"); code != http.StatusNotFound {
		t.Errorf("pause of an unknown channel: %d, want 404", code)
	}
	publishRequest(t, te, "results", "p1", resultsBundle("P1"))
	publishRequest(t, te, "results", "p2", resultsBundle("P2"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		msgs, _ := te.Store().Search(context.Background(), store.Query{Channel: "wb"})
		if len(msgs) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests stored while paused, want 2", len(msgs))
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(peer.Received()); n != 0 {
		t.Fatalf("a paused channel sent %d messages", n)
	}
	te.stop()
	te2 := startEngineIn(t, dir, "", chans)
	time.Sleep(300 * time.Millisecond)
	if n := len(peer.Received()); n != 0 {
		t.Fatalf("after a restart the paused channel sent %d messages", n)
	}
	post(te2, "/channels/wb/resume")
	te2.waitFinal("wb", 2)
	if got := receivedMRNs(peer); got != "P1,P2" {
		t.Errorf("after resume the EHR got %v, want P1,P2", got)
	}
}

// BenchmarkWriteback measures write-backs per second through one engine
// and one MLLP connection to an EHR that ACKs at once: requests published
// on JetStream, stored, built (results with one Observation), sent,
// ACKed, recorded and their outcomes published. The figure is per
// request (ns/op) and as writebacks/s.
func BenchmarkWriteback(b *testing.B) {
	// An ACK server that keeps nothing: a recording peer copied its
	// whole log on each poll, 13% of the CPU of a 3,000-message run.
	ehr := mllptest.NewAckServer(b)
	te := startEngine(b, "", map[string]string{"wb.yaml": writebackChannel(ehr.Addr(), 3)})
	js := jsClient(b, te)
	payload := resultsBundle("BENCH")
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		msg := &nats.Msg{Subject: "writeback.sandbox.results", Data: payload, Header: nats.Header{"Correlation-Id": {fmt.Sprint("b", i)}}}
		if _, err := js.PublishMsgAsync(msg); err != nil {
			b.Fatal(err)
		}
	}
	<-js.PublishAsyncComplete()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := ehr.WaitAcked(ctx, uint64(b.N)); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "writebacks/s")
}

// EHR behaviours a write-back must survive: a hang-up mid-exchange (the
// message is sent again), a slow ACK inside the timeout, an ACK split
// over several writes, and a late ACK after the timeout, which must not
// be taken for the answer to the next message (each message is
// acknowledged by its own MSA-2).
func TestWriteback_SurvivesEHRBehaviours(t *testing.T) {
	peer := mllptest.NewPeer(t, mllptest.Sequence(
		mllptest.Action{HangUp: true},                              // 1: A, hung up: resent
		mllptest.Action{Code: "AA"},                                // 2: A again
		mllptest.Action{Code: "AA", Delay: 150 * time.Millisecond}, // 3: B, slow but in time
		mllptest.Action{Code: "AA", SplitAt: []int{5, 20, 40}},     // 4: C, split ACK
		mllptest.Action{LateAck: 600 * time.Millisecond},           // 5: D, ACK after the 300ms timeout
		mllptest.Action{Code: "AA"},                                // 6 on: AA at once
	))
	te := startEngine(t, "", map[string]string{"wb.yaml": writebackChannel(peer.Addr(), 5)})
	for _, mrn := range []string{"A", "B", "C", "D", "E"} {
		publishRequest(t, te, "results", "corr-"+mrn, resultsBundle(mrn))
	}
	for i := 1; i <= 5; i++ {
		if m := te.waitFinal("wb", i); m.Status != store.StatusSent || m.AckCode != "AA" {
			t.Errorf("message %d: %s %s (%s)", i, m.Status, m.AckCode, m.Error)
		}
	}
	msgs, _ := te.Store().Search(context.Background(), store.Query{Channel: "wb"})
	attempts := map[string]int{}
	for _, m := range msgs {
		full, _ := te.Store().Get(context.Background(), m.ID)
		acked := ""
		if ack, err := hl7.Parse(full.Ack); err == nil {
			acked = ack.Get("MSA-2")
		}
		if acked != m.ControlID {
			t.Errorf("message %d stored an ACK for %q, not for its own MSH-10 %s", m.ID, acked, m.ControlID)
		}
		attempts[m.PatientID] = m.Attempts
	}
	if attempts["A"] != 2 || attempts["B"] != 1 || attempts["C"] != 1 || attempts["D"] != 2 || attempts["E"] != 1 {
		t.Errorf("attempts per patient %v: want A and D twice (hang-up, timeout), the others once", attempts)
	}
}

// The other kinds through the engine: an order becomes ORM^O01, and a
// ready HL7 message is sent as is (its own MSH-10).
func TestWriteback_OrdersAndReadyHL7(t *testing.T) {
	peer := mllptest.NewPeer(t, mllptest.AlwaysAck("AA"))
	te := startEngine(t, "", map[string]string{"wb.yaml": writebackChannel(peer.Addr(), 3)})
	order := `{"resourceType":"Bundle","type":"collection","entry":[
{"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","id":"p","identifier":[{"system":"urn:oid:2.16.840.1.113883.19.5","value":"ORD1"}]}},
{"fullUrl":"urn:uuid:s","resource":{"resourceType":"ServiceRequest","id":"s","status":"active","intent":"order","code":{"coding":[{"system":"http://loinc.org","code":"24323-8"}]},"subject":{"reference":"urn:uuid:p"},"identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"PLAC"}]},"value":"PL123"}]}}]}`
	publishRequest(t, te, "orders", "o1", []byte(order))
	ready := "MSH|^~\\&|APP|FAC|EHR|FAC|20260101120000||ADT^A08^ADT_A01|READY42|P|2.5.1\rEVN|A08|20260101120000\rPID|1||RDY1^^^MRN^MR||Doe^Jo\r"
	publishRequest(t, te, "hl7", "h1", []byte(ready))
	for i := 1; i <= 2; i++ {
		if m := te.waitFinal("wb", i); m.Status != store.StatusSent {
			t.Errorf("message %d: %s (%s)", i, m.Status, m.Error)
		}
	}
	got := peer.Received()
	if len(got) != 2 {
		t.Fatalf("EHR received %d messages", len(got))
	}
	o, _ := hl7.Parse(got[0])
	if o.Get("MSH-9.1") != "ORM" || o.Get("MSH-9.2") != "O01" || o.Get("PID-3.1") != "ORD1" || o.Segment("ORC") == nil || o.Get("OBR-4.1") != "24323-8" {
		t.Errorf("order sent as %s: PID-3 %s OBR-4 %s", o.Get("MSH-9"), o.Get("PID-3.1"), o.Get("OBR-4.1"))
	}
	if string(got[1]) != ready {
		t.Errorf("the ready HL7 message was changed:\n%q\n%q", got[1], ready)
	}
}

// A backlog longer than the deliverer's window drains without a pause
// when the window, filled while the EHR was down, has been sent: the
// deliverer reads on at once rather than idling as if the log were empty.
func TestWriteback_BacklogBeyondWindowDrainsWithoutPause(t *testing.T) {
	addr := reserveAddr(t)
	te := startEngine(t, "", map[string]string{"wb.yaml": writebackChannel(addr, 0)})
	const n = deliverWindow + 50
	recs, evs := make([]*store.Message, n), make([][]store.Event, n)
	for i := range recs {
		id := fmt.Sprintf("BL%d", i)
		recs[i] = &store.Message{Channel: "wb", Direction: store.Outbound, ControlID: id, Raw: mllptest.Message(id),
			Status: store.StatusQueued, PatientID: fmt.Sprint("P", i), RemoteAddr: "nats:writeback.sandbox.results corr=" + id}
		evs[i] = []store.Event{{Stage: "receive", Status: store.StatusQueued, Time: time.Now()}}
	}
	if err := te.Store().AppendBatch(context.Background(), recs, evs); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // the deliverer fills its window and finds the EHR down
	var (
		mu    sync.Mutex
		times []time.Time
	)
	mllptest.NewPeerAt(t, addr, mllptest.Func(func(int, []byte) mllptest.Action {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		return mllptest.Action{}
	}))
	te.waitStatus(recs[n-1].ID, store.StatusSent)
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap > 700*time.Millisecond {
			t.Errorf("the EHR waited %s between messages %d and %d", gap.Round(time.Millisecond), i, i+1)
		}
	}
}
