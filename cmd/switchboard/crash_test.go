package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/internal/natstest"
	"github.com/switchboard-hl7/switchboard/mllp"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

// buildBinary builds this command once per test run.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "switchboard")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// engineProcess is the real binary running on fixed ports in one dir, so
// it can be killed and started again on the same data.
type engineProcess struct {
	t                    testing.TB
	bin, dir             string
	mllp, natsURL, httpA string
	cmd                  *exec.Cmd
}

func newEngineProcess(t testing.TB, bin string) *engineProcess {
	dir := t.TempDir()
	p := &engineProcess{t: t, bin: bin, dir: dir,
		mllp:    fmt.Sprintf("127.0.0.1:%d", natstest.FreePort(t)),
		natsURL: fmt.Sprintf("127.0.0.1:%d", natstest.FreePort(t)),
		httpA:   fmt.Sprintf("127.0.0.1:%d", natstest.FreePort(t)),
	}
	os.MkdirAll(filepath.Join(dir, "channels"), 0o755)
	config := fmt.Sprintf("data_dir: data\nnats: {listen: %q}\nhttp: {listen: %q}\n", p.natsURL, p.httpA)
	channel := fmt.Sprintf("name: adt\nsource: {mllp: {listen: %q}}\naccept: [\"ADT^*\"]\ndestinations: [{nats: {}}]\n", p.mllp)
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(config), 0o644)
	os.WriteFile(filepath.Join(dir, "channels", "adt.yaml"), []byte(channel), 0o644)
	t.Cleanup(func() { p.kill() })
	return p
}

func (p *engineProcess) start() {
	p.t.Helper()
	log, err := os.OpenFile(filepath.Join(p.dir, "engine.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	defer log.Close()
	p.cmd = exec.Command(p.bin, "run", "--config", filepath.Join(p.dir, "config.yaml"))
	p.cmd.Stdout, p.cmd.Stderr = log, log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + p.httpA + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(p.dir, "engine.log"))
			p.t.Fatalf("engine not ready: %v\n%s", err, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill sends SIGKILL: no shutdown code runs.
func (p *engineProcess) kill() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
	p.cmd = nil
}

// sender is one EHR connection: it sends numbered messages in order and,
// like a real interface, resends a message until it gets an AA.
type sender struct {
	conn  int
	mu    sync.Mutex
	acked []string // control ids that got AA, in send order
}

func (s *sender) run(ctx context.Context, addr string, n int) error {
	c := &mllp.Client{Addr: addr, AckTimeout: 3 * time.Second, DialTimeout: time.Second}
	defer c.Close()
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("C%d-%04d", s.conn, i)
		msg := strings.Replace(string(mllptest.Message(id)), "12345^^^HOSP", fmt.Sprintf("PAT%d^^^HOSP", s.conn), 1)
		for {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			ack, err := c.Send(ctx, []byte(msg))
			if err == nil {
				code, _, _ := mllp.AckCode(ack)
				if code == "AA" {
					s.mu.Lock()
					s.acked = append(s.acked, id)
					s.mu.Unlock()
					break
				}
				return fmt.Errorf("%s: ACK %s", id, code)
			}
			time.Sleep(50 * time.Millisecond) // engine down: retry the same message
		}
	}
	return nil
}

func TestCrash_SIGKILLMidStreamLosesAndDuplicatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	p := newEngineProcess(t, bin)
	p.start()

	const conns, each = 3, 150
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	senders := make([]*sender, conns)
	errs := make(chan error, conns)
	var wg sync.WaitGroup
	for c := range conns {
		senders[c] = &sender{conn: c}
		wg.Go(func() { errs <- senders[c].run(ctx, p.mllp, each) })
	}
	// Kill mid-stream, twice, each time once some messages went through.
	for range 2 {
		waitAcked(t, senders, len(ackedAll(senders))+60)
		p.kill()
		time.Sleep(200 * time.Millisecond)
		p.start()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	// Every AA'd message is in the message log.
	all := ackedAll(senders)
	if len(all) != conns*each {
		t.Fatalf("%d messages AA'd, want %d", len(all), conns*each)
	}
	waitDrained(t, p)
	st, err := store.OpenReadOnly(filepath.Join(p.dir, "data", "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, id := range all {
		msgs, err := st.Search(ctx, store.Query{ControlID: id})
		if err != nil || len(msgs) == 0 {
			t.Fatalf("AA'd message %s not in the store (%v)", id, err)
		}
	}

	stored, _ := st.Search(ctx, store.Query{Limit: 10 * conns * each})
	dups := 0
	for _, m := range stored {
		if m.Status == store.StatusFiltered {
			dups++
		}
	}
	t.Logf("%d AA'd, %d stored (%d resends recognised as duplicates)", len(all), len(stored), dups)

	// Every AA'd message reached NATS exactly once, in order per connection.
	seen := readStream(t, "nats://"+p.natsURL)
	count := map[string]int{}
	for _, id := range seen {
		count[id]++
	}
	for _, id := range all {
		if count[id] != 1 {
			t.Errorf("%s on NATS %d times, want exactly once", id, count[id])
		}
	}
	if len(seen) != len(all) {
		t.Errorf("%d messages on NATS, %d AA'd", len(seen), len(all))
	}
	last := map[string]string{}
	for _, id := range seen {
		conn := id[:strings.IndexByte(id, '-')]
		if id <= last[conn] {
			t.Fatalf("connection %s: %s arrived after %s", conn, id, last[conn])
		}
		last[conn] = id
	}
}

func ackedAll(ss []*sender) []string {
	var out []string
	for _, s := range ss {
		s.mu.Lock()
		out = append(out, s.acked...)
		s.mu.Unlock()
	}
	return out
}

func waitAcked(t *testing.T, ss []*sender, n int) {
	deadline := time.Now().Add(30 * time.Second)
	for len(ackedAll(ss)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d messages AA'd, waiting for %d", len(ackedAll(ss)), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitDrained waits until the engine reports no queued messages.
func waitDrained(t *testing.T, p *engineProcess) { waitChannelDrained(t, p, "adt") }

// waitChannelDrained waits until the channel has nothing pending.
func waitChannelDrained(t testing.TB, p *engineProcess, channel string) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if queueDepth(p, channel) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("queue did not drain")
}

// readStream returns the HL7-Control-Id of every message on the FHIR
// stream, in stream order.
func readStream(t *testing.T, url string) []string {
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	info, err := js.Stream(ctx, "FHIR")
	if err != nil {
		t.Fatal(err)
	}
	total := info.CachedInfo().State.Msgs
	cons, err := js.OrderedConsumer(ctx, "FHIR", jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for uint64(len(ids)) < total {
		batch, err := cons.Fetch(int(total)-len(ids), jetstream.FetchMaxWait(2*time.Second))
		if err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			t.Fatal(err)
		}
		n := 0
		for m := range batch.Messages() {
			ids = append(ids, m.Headers().Get("HL7-Control-Id"))
			n++
		}
		if n == 0 {
			break
		}
	}
	return ids
}
