package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/internal/natstest"
	"github.com/switchboard-hl7/switchboard/mllp"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

func TestMain(m *testing.M) {
	_, _ = natstest.Binary()
	goleak.VerifyTestMain(m)
}

// testEngine is an engine on temporary storage, on random ports.
type testEngine struct {
	*Engine
	t   testing.TB
	dir string
	cfg *Config
}

// startEngine writes a config (extra YAML appended to the engine config)
// and the given channel files into a temp dir and starts an engine.
func startEngine(t testing.TB, extra string, channels map[string]string) *testEngine {
	t.Helper()
	dir := t.TempDir()
	return startEngineIn(t, dir, extra, channels)
}

func startEngineIn(t testing.TB, dir, extra string, channels map[string]string) *testEngine {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "channels"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range channels {
		if err := os.WriteFile(filepath.Join(dir, "channels", name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	config := "data_dir: data\nhttp: {listen: \"127.0.0.1:0\"}\n" + extra
	if !strings.Contains(extra, "nats:") {
		config += "nats: {listen: \"127.0.0.1:0\", sync_interval: 1s}\n"
	}
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	e := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	te := &testEngine{Engine: e, t: t, dir: dir, cfg: cfg}
	t.Cleanup(func() { te.stop() })
	return te
}

func (te *testEngine) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := te.Shutdown(ctx); err != nil {
		te.t.Errorf("Shutdown: %v", err)
	}
}

const adtChannel = `name: adt
source: {mllp: {listen: "127.0.0.1:0"}}
accept: ["ADT^*"]
destinations: [{nats: {}}]
`

// send sends one message to a channel and returns the parsed ACK.
func (te *testEngine) send(channel string, msg []byte) *hl7.Message {
	te.t.Helper()
	c := &mllp.Client{Addr: te.ChannelAddr(channel).String(), AckTimeout: 10 * time.Second}
	defer c.Close()
	ack, err := c.Send(context.Background(), msg)
	if err != nil {
		te.t.Fatalf("send: %v", err)
	}
	m, err := hl7.Parse(ack)
	if err != nil {
		te.t.Fatalf("ACK does not parse: %v", err)
	}
	return m
}

// waitStatus waits until message id reaches a final status.
func (te *testEngine) waitStatus(id int64, want store.Status) *store.Message {
	te.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := te.Store().Get(context.Background(), id)
		if err == nil && m.Status == want {
			return m
		}
		if time.Now().After(deadline) {
			te.t.Fatalf("message %d: status %v (err %v), want %s", id, statusOf(m), err, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func statusOf(m *store.Message) string {
	if m == nil {
		return "<none>"
	}
	return string(m.Status) + " " + m.Error
}

// lastID returns the id of the newest message of a channel.
func (te *testEngine) lastID(channel string) int64 {
	te.t.Helper()
	msgs, err := te.Store().Search(context.Background(), store.Query{Channel: channel, Limit: 1})
	if err != nil || len(msgs) == 0 {
		te.t.Fatalf("no message stored for %s: %v", channel, err)
	}
	return msgs[0].ID
}

// streamMessages reads every message of the FHIR stream.
func streamMessages(t *testing.T, url string, want int) []jetstream.Msg {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cons, err := js.OrderedConsumer(ctx, "FHIR", jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.Msg
	for len(out) < want {
		batch, err := cons.Fetch(want-len(out), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for m := range batch.Messages() {
			out = append(out, m)
			n++
		}
		if n == 0 {
			break
		}
	}
	return out
}

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEngine_ADTFlowsToNATS(t *testing.T) {
	te := startEngine(t, "", map[string]string{"adt.yaml": adtChannel})
	ack := te.send("adt", sample(t, "adt_a01_msfhirconverter_2.hl7"))
	if ack.Get("MSA-1") != "AA" || ack.Get("MSA-2") != "MSG00001" {
		t.Fatalf("ACK MSA = %s^%s", ack.Get("MSA-1"), ack.Get("MSA-2"))
	}
	m := te.waitStatus(te.lastID("adt"), store.StatusSent)
	if m.Type != "ADT" || m.Trigger != "A01" || m.PatientID != "PATID1234" || m.PatientAssigner != "ADT1" || m.AckCode != "AA" {
		t.Errorf("stored header = %+v", m)
	}
	msgs := streamMessages(t, te.NATSURL(), 1)
	if len(msgs) != 1 {
		t.Fatalf("%d messages on the FHIR stream, want 1", len(msgs))
	}
	got := msgs[0]
	if got.Subject() != "fhir.sandbox.ADT.A01" || got.Headers().Get("HL7-Control-Id") != "MSG00001" || got.Headers().Get("Nats-Msg-Id") == "" {
		t.Errorf("subject %s headers %v", got.Subject(), got.Headers())
	}
	var bundle struct {
		ResourceType, Type string
		Entry              []struct{ Resource struct{ ResourceType string } }
	}
	if err := json.Unmarshal(got.Data(), &bundle); err != nil || bundle.ResourceType != "Bundle" || bundle.Type != "transaction" {
		t.Fatalf("payload is not a transaction Bundle: %v %+v", err, bundle)
	}
	types := map[string]bool{}
	for _, e := range bundle.Entry {
		types[e.Resource.ResourceType] = true
	}
	if !types["Patient"] || !types["Encounter"] {
		t.Errorf("Bundle resources %v, want Patient and Encounter", types)
	}
	if string(m.Output) != string(got.Data()) {
		t.Error("stored output differs from the published Bundle")
	}
	events, err := te.Store().Events(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	var stages []string
	for _, e := range events {
		stages = append(stages, e.Stage)
	}
	if strings.Join(stages, ",") != "receive,publish" || !strings.HasPrefix(events[0].Detail, "ACK AA") || !strings.Contains(events[1].Detail, "fhir.sandbox.ADT.A01") {
		t.Errorf("events = %v", stages)
	}
}

func TestEngine_BadInputIsNAKedStoredAndListenerKeepsServing(t *testing.T) {
	ch := strings.Replace(adtChannel, `listen: "127.0.0.1:0"}`, `listen: "127.0.0.1:0", max_message_size: 2KiB}`, 1)
	te := startEngine(t, "", map[string]string{"adt.yaml": ch})
	tests := []struct {
		name, msg, code, errCode string
	}{
		{"not hl7", "hello, this is not HL7", "AR", "100"},
		{"no MSH-10", "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|||2.5\rPID|1||1\r", "AR", "101"},
		{"no MSH-9", "MSH|^~\\&|A|B|C|D|20240101|||X1|P|2.5\rPID|1||1\r", "AR", "101"},
		{"type not accepted", "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|X2|P|2.5\rPID|1||1\r", "AR", "200"},
		{"bad delimiters", "MSH|^~\\\\&|A|B|C|D|20240101||ADT^A01|X3|P|2.6\rPID|1\r", "AR", "102"},
	}
	conn := mllptest.Dial(t, te.ChannelAddr("adt").String())
	for _, tt := range tests {
		conn.WriteFrame([]byte(tt.msg))
		raw, err := conn.ReadFrame(5 * time.Second)
		if err != nil {
			t.Fatalf("%s: no reply: %v", tt.name, err)
		}
		ack, err := hl7.Parse(raw)
		if err != nil {
			t.Fatalf("%s: NAK does not parse: %v", tt.name, err)
		}
		if ack.Get("MSA-1") != tt.code || ack.Get("ERR-3.1") != tt.errCode {
			t.Errorf("%s: MSA-1 %q ERR-3.1 %q, want %s %s", tt.name, ack.Get("MSA-1"), ack.Get("ERR-3.1"), tt.code, tt.errCode)
		}
		m := te.waitStatus(te.lastID("adt"), store.StatusError)
		if string(m.Raw) != tt.msg || m.Error == "" || m.AckCode != tt.code {
			t.Errorf("%s: stored %q error %q ack %q", tt.name, m.Raw, m.Error, m.AckCode)
		}
	}
	// The same connection still works for a good message.
	conn.WriteFrame(mllptest.Message("GOOD1"))
	raw, err := conn.ReadFrame(5 * time.Second)
	if code, id, _ := mllp.AckCode(raw); err != nil || code != "AA" || id != "GOOD1" {
		t.Fatalf("after bad input: %s %s %v", code, id, err)
	}
	// An over-size frame gets a NAK, then the connection is closed.
	big := append(mllptest.Message("BIG1"), []byte("NTE|1||"+strings.Repeat("x", 4096)+"\r")...)
	conn.WriteFrame(big)
	raw, err = conn.ReadFrame(5 * time.Second)
	if code, id, _ := mllp.AckCode(raw); err != nil || code != "AR" || id != "BIG1" {
		t.Fatalf("over-size: %s %s %v", code, id, err)
	}
	if err := conn.WaitClosed(5 * time.Second); err != nil {
		t.Errorf("connection not closed after over-size frame: %v", err)
	}
	m := te.waitStatus(te.lastID("adt"), store.StatusError)
	if !strings.Contains(m.Error, "max_message_size") {
		t.Errorf("over-size stored with error %q", m.Error)
	}
	// And a new connection is served.
	if ack := te.send("adt", mllptest.Message("GOOD2")); ack.Get("MSA-1") != "AA" {
		t.Errorf("new connection after over-size: %s", ack.Get("MSA-1"))
	}
}

func TestEngine_MappingFailureIsErrorAndDoesNotBlock(t *testing.T) {
	ch := strings.Replace(adtChannel, `accept: ["ADT^*"]`, `accept: ["*"]`, 1)
	te := startEngine(t, "", map[string]string{"adt.yaml": ch})
	// An MDM has no mapping yet: it must end in ERROR, raw kept.
	te.send("adt", sample(t, "mdm_t02_v2tofhir_1.hl7"))
	bad := te.waitStatus(te.lastID("adt"), store.StatusError)
	if !strings.Contains(bad.Error, "map") || len(bad.Raw) == 0 {
		t.Errorf("unmappable message: error %q, raw %d bytes", bad.Error, len(bad.Raw))
	}
	te.send("adt", mllptest.Message("AFTER"))
	te.waitStatus(te.lastID("adt"), store.StatusSent)
}

func TestEngine_FilterAndDuplicates(t *testing.T) {
	ch := adtChannel + `filter: field("PV1-2") != "P"` + "\n"
	te := startEngine(t, "", map[string]string{"adt.yaml": ch})
	pre := strings.Replace(string(mllptest.Message("PRE1")), "PV1|1|I|", "PV1|1|P|", 1)
	te.send("adt", []byte(pre))
	m := te.waitStatus(te.lastID("adt"), store.StatusFiltered)
	if m.Error != "" && !strings.Contains(m.Error, "filter") {
		t.Errorf("filtered message error %q", m.Error)
	}
	te.send("adt", mllptest.Message("DUP1"))
	first := te.waitStatus(te.lastID("adt"), store.StatusSent)
	te.send("adt", mllptest.Message("DUP1"))
	dup := te.waitStatus(te.lastID("adt"), store.StatusFiltered)
	if !strings.Contains(dup.Error, fmt.Sprintf("duplicate of message %d", first.ID)) {
		t.Errorf("resend: error %q", dup.Error)
	}
	if n := len(streamMessages(t, te.NATSURL(), 2)); n != 1 {
		t.Errorf("%d messages on NATS, want 1 (filtered and duplicate dropped)", n)
	}
}

func TestEngine_QueuesWhileNATSIsDownAndDrainsInOrder(t *testing.T) {
	srv := natstest.New(t)
	srv.Start()
	te := startEngine(t, fmt.Sprintf("nats: {url: %q}\n", srv.URL()), map[string]string{"adt.yaml": adtChannel})
	te.send("adt", mllptest.Message("UP1"))
	te.waitStatus(te.lastID("adt"), store.StatusSent)

	srv.Kill()
	deadline := time.Now().Add(10 * time.Second)
	for te.Ready() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var ids []int64
	for i := range 20 {
		if ack := te.send("adt", mllptest.Message(fmt.Sprintf("DOWN%02d", i))); ack.Get("MSA-1") != "AA" {
			t.Fatalf("ACK while NATS is down: %s", ack.Get("MSA-1"))
		}
		ids = append(ids, te.lastID("adt"))
	}
	time.Sleep(300 * time.Millisecond)
	if m, _ := te.Store().Get(context.Background(), ids[0]); m.Status.Final() {
		t.Fatalf("message published while NATS was down: %s", m.Status)
	}
	srv.Start()
	for _, id := range ids {
		te.waitStatus(id, store.StatusSent)
	}
	msgs := streamMessages(t, srv.URL(), 21)
	if len(msgs) != 21 {
		t.Fatalf("%d messages on the stream, want 21", len(msgs))
	}
	for i, m := range msgs[1:] {
		if got, want := m.Headers().Get("HL7-Control-Id"), fmt.Sprintf("DOWN%02d", i); got != want {
			t.Fatalf("stream message %d is %s, want %s (order lost)", i+1, got, want)
		}
	}
}

func TestEngine_ResumesPendingMessagesAfterRestart(t *testing.T) {
	srv := natstest.New(t)
	dir := t.TempDir()
	extra := fmt.Sprintf("nats: {url: %q}\n", srv.URL())
	te := startEngineIn(t, dir, extra, map[string]string{"adt.yaml": adtChannel})
	for i := range 5 {
		te.send("adt", mllptest.Message(fmt.Sprintf("R%d", i)))
	}
	te.stop()

	srv.Start()
	te2 := startEngineIn(t, dir, extra, map[string]string{"adt.yaml": adtChannel})
	msgs, err := te2.Store().Search(context.Background(), store.Query{Channel: "adt"})
	if err != nil || len(msgs) != 5 {
		t.Fatalf("after restart: %d messages, %v", len(msgs), err)
	}
	for _, m := range msgs {
		te2.waitStatus(m.ID, store.StatusSent)
	}
	if n := len(streamMessages(t, srv.URL(), 5)); n != 5 {
		t.Errorf("%d on NATS, want 5", n)
	}
}

func TestEngine_AckOnProcessed(t *testing.T) {
	ch := strings.Replace(adtChannel, `listen: "127.0.0.1:0"}`, `listen: "127.0.0.1:0", ack: on-processed}`, 1)
	ch = strings.Replace(ch, `accept: ["ADT^*"]`, `accept: ["*"]`, 1)
	te := startEngine(t, "", map[string]string{"adt.yaml": ch})
	if ack := te.send("adt", mllptest.Message("P1")); ack.Get("MSA-1") != "AA" {
		t.Errorf("processed message: %s", ack.Get("MSA-1"))
	}
	id := te.lastID("adt")
	te.waitStatus(id, store.StatusSent)
	// The ACK is recorded after it is sent.
	deadline := time.Now().Add(5 * time.Second)
	m, _ := te.Store().Get(context.Background(), id)
	for m.AckCode == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		m, _ = te.Store().Get(context.Background(), id)
	}
	if m.AckCode != "AA" || !strings.Contains(string(m.Ack), "MSA|AA|P1") {
		t.Errorf("stored ack %q %q", m.AckCode, m.Ack)
	}
	ack := te.send("adt", sample(t, "mdm_t02_v2tofhir_1.hl7"))
	if ack.Get("MSA-1") != "AE" || ack.Get("ERR-8") == "" {
		t.Errorf("unmappable message in on-processed mode: MSA-1 %s ERR-8 %q", ack.Get("MSA-1"), ack.Get("ERR-8"))
	}
}

func TestEngine_WorkersKeepEachPatientInOrder(t *testing.T) {
	ch := strings.Replace(adtChannel, "destinations", "workers: 4\ndestinations", 1)
	te := startEngine(t, "", map[string]string{"adt.yaml": ch})
	c := &mllp.Client{Addr: te.ChannelAddr("adt").String()}
	defer c.Close()
	const patients, each = 5, 8
	for i := range each {
		for p := range patients {
			msg := strings.Replace(string(mllptest.Message(fmt.Sprintf("P%d-%d", p, i))), "12345^^^HOSP", fmt.Sprintf("PAT%d^^^HOSP", p), 1)
			if _, err := c.Send(context.Background(), []byte(msg)); err != nil {
				t.Fatal(err)
			}
		}
	}
	msgs := streamMessages(t, te.NATSURL(), patients*each)
	if len(msgs) != patients*each {
		t.Fatalf("%d on NATS, want %d", len(msgs), patients*each)
	}
	next := map[string]int{}
	for _, m := range msgs {
		var p, i int
		fmt.Sscanf(m.Headers().Get("HL7-Control-Id"), "P%d-%d", &p, &i)
		key := fmt.Sprint(p)
		if i != next[key] {
			t.Fatalf("patient %d: message %d arrived when %d was due", p, i, next[key])
		}
		next[key]++
	}
}

func TestEngine_PortInUseIsAClearErrorAndNothingRuns(t *testing.T) {
	te := startEngine(t, "", map[string]string{"adt.yaml": adtChannel})
	busy := te.ChannelAddr("adt").String()
	ch := strings.Replace(adtChannel, `"127.0.0.1:0"`, `"`+busy+`"`, 1)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "channels"), 0o755)
	os.WriteFile(filepath.Join(dir, "channels", "adt.yaml"), []byte(ch), 0o644)
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("data_dir: data\nnats: {listen: \"127.0.0.1:0\"}\nhttp: {listen: \"127.0.0.1:0\"}\n"), 0o644)
	cfg, err := Load(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	e := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	err = e.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "address already in use") || !strings.Contains(err.Error(), "channel adt") {
		t.Fatalf("Start = %v, want a clear address-in-use error naming the channel", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "switchboard.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed start created the message log: %v", err)
	}
}

func TestEngine_HealthReadyAndMetrics(t *testing.T) {
	te := startEngine(t, "", map[string]string{"adt.yaml": adtChannel})
	te.send("adt", mllptest.Message("M1"))
	te.waitStatus(te.lastID("adt"), store.StatusSent)
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + te.HTTPAddr() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz %d", code)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("/readyz %d", code)
	}
	_, body := get("/metrics")
	for _, want := range []string{
		`switchboard_messages_received_total{channel="adt"} 1`,
		`switchboard_acks_total{channel="adt",code="AA"} 1`,
		`switchboard_messages_sent_total{channel="adt"} 1`,
		`switchboard_queue_depth{channel="adt"} 0`,
		`switchboard_ack_latency_seconds_count{channel="adt"} 1`,
		`switchboard_end_to_end_latency_seconds_count{channel="adt"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestEngine_UncleanStopReplaysRecentlySentMessages(t *testing.T) {
	srv := natstest.New(t)
	srv.Start()
	dir := t.TempDir()
	extra := fmt.Sprintf("nats: {url: %q}\n", srv.URL())
	te := startEngineIn(t, dir, extra, map[string]string{"adt.yaml": adtChannel})
	for i := range 5 {
		te.send("adt", mllptest.Message(fmt.Sprintf("U%d", i)))
	}
	for _, m := range searchAll(t, te) {
		te.waitStatus(m.ID, store.StatusSent)
	}
	te.stop()
	// A crash leaves the marker behind, and the OS lost what JetStream had
	// not synced: here, the whole stream.
	if err := os.WriteFile(filepath.Join(dir, "data", runningMarker), []byte("1\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	if err := js.DeleteStream(context.Background(), "FHIR"); err != nil {
		t.Fatal(err)
	}
	nc.Close()

	te2 := startEngineIn(t, dir, extra, map[string]string{"adt.yaml": adtChannel})
	msgs := streamMessages(t, srv.URL(), 5)
	if len(msgs) != 5 {
		t.Fatalf("%d messages on the stream after replay, want 5", len(msgs))
	}
	newest := searchAll(t, te2)[0].ID
	deadline := time.Now().Add(5 * time.Second)
	for {
		events, err := te2.Store().Events(context.Background(), newest)
		if err == nil && events[len(events)-1].Stage == "replay" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no replay event recorded: %v %+v", err, events)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A clean stop removes the marker: the next start replays nothing.
	te2.stop()
	if _, err := os.Stat(filepath.Join(dir, "data", runningMarker)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("marker left after a clean stop: %v", err)
	}
}

func searchAll(t *testing.T, te *testEngine) []*store.Message {
	t.Helper()
	msgs, err := te.Store().Search(context.Background(), store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestEngine_BundleOverMaxPayloadIsErrorAndDoesNotBlock(t *testing.T) {
	te := startEngine(t, "nats: {listen: \"127.0.0.1:0\", max_payload: 16KiB}\n", map[string]string{"adt.yaml": strings.Replace(adtChannel, `["ADT^*"]`, `["ADT^*", "ORU^R01"]`, 1)})
	te.send("adt", sample(t, "oru_r01_reportstream_1.hl7")) // a 157 KB Bundle
	big := te.waitStatus(te.lastID("adt"), store.StatusError)
	if !strings.Contains(big.Error, "refused") || len(big.Output) == 0 {
		t.Errorf("over-size Bundle: error %q, output %d bytes", big.Error, len(big.Output))
	}
	te.send("adt", mllptest.Message("NEXT"))
	te.waitStatus(te.lastID("adt"), store.StatusSent)
}

func TestEngine_MappingWarningsAreRecorded(t *testing.T) {
	te := startEngine(t, "", map[string]string{"adt.yaml": adtChannel})
	msg := strings.Replace(string(mllptest.Message("W1")), "||19800101|F", "||19800231|F", 1)
	te.send("adt", []byte(msg))
	m := te.waitStatus(te.lastID("adt"), store.StatusSent)
	events, err := te.Store().Events(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	var warned bool
	for _, e := range events {
		if e.Stage == "map" && strings.Contains(e.Detail, "PID") && !strings.Contains(e.Detail, "19800231") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no map warning naming PID (without its content) in %+v", events)
	}
}

func TestEngine_ReprocessRunsAMessageAgain(t *testing.T) {
	te := startEngine(t, "", map[string]string{"adt.yaml": adtChannel})
	te.send("adt", mllptest.Message("RP1"))
	orig := te.waitStatus(te.lastID("adt"), store.StatusSent)
	id, err := te.Store().Reprocess(context.Background(), orig.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	// Picked up by the pipeline's next look at the store (at most idleCatchUp).
	deadline := time.Now().Add(idleCatchUp + 5*time.Second)
	for {
		m, err := te.Store().Get(context.Background(), id)
		if err == nil && m.Status == store.StatusSent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reprocessed message %d: %s", id, statusOf(m))
		}
		time.Sleep(50 * time.Millisecond)
	}
	msgs := streamMessages(t, te.NATSURL(), 2)
	if len(msgs) != 2 || msgs[1].Headers().Get("Switchboard-Message-Id") != fmt.Sprint(id) {
		t.Errorf("stream has %d messages; a reprocess must be delivered again", len(msgs))
	}
}
