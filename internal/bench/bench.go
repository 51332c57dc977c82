// Package bench drives a complete engine over loopback MLLP and measures
// throughput, ACK latency and end-to-end latency to NATS. It backs
// `switchboard bench`; it is a tool, not part of the engine.
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard-hl7/switchboard/engine"
	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/mllp"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

// Options configure a run.
type Options struct {
	Connections int           // MLLP connections, each waiting for its ACK (default 4)
	Duration    time.Duration // sending time (default 10s)
	MaxMessages int           // stop after this many (default 10 million)
	Rate        int           // total messages per second offered; 0 = as fast as ACKs allow
	Message     []byte        // template; MSH-10 is replaced per message (default: an ADT^A01)
	Synchronous string        // store synchronous setting (default full)
	Workers     int           // channel workers (default 1)
	Baseline    bool          // also measure a bare MLLP ACK echo
	Dir         string        // where the temporary engine lives (default os.TempDir())
	HeapProfile string        // if set, a heap profile taken when sending ends is written here
}

// Result is what a run measured.
type Result struct {
	Sent, Acked, Delivered int
	Elapsed                time.Duration // first send to last delivery
	Throughput             float64       // delivered messages per second
	AckP50, AckP99         time.Duration
	E2EP50, E2EP99         time.Duration
	PeakRSS                int64  // bytes (VmHWM of this process: engine and load generator)
	Commits, Writes        uint64 // message log transactions and the writes they carried
	Baseline               *BaselineResult
}

// BaselineResult is the wire limit: an MLLP peer that only ACKs.
type BaselineResult struct {
	Throughput     float64
	AckP50, AckP99 time.Duration
}

func (o *Options) defaults() error {
	if o.Connections <= 0 {
		o.Connections = 4
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	if o.MaxMessages <= 0 {
		o.MaxMessages = 10_000_000
	}
	if o.Message == nil {
		o.Message = []byte(defaultMessage)
	}
	if _, err := hl7.Parse(o.Message); err != nil {
		return fmt.Errorf("bench message: %w", err)
	}
	if o.Synchronous == "" {
		o.Synchronous = "full"
	}
	if o.Workers <= 0 {
		o.Workers = 1
	}
	return nil
}

// Run starts an engine on temporary storage with the embedded NATS
// server, drives it, checks every ACKed message arrived on NATS exactly
// once, and reports.
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(o.Dir, "switchboard-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	e, err := startEngine(ctx, dir, o)
	if err != nil {
		return nil, err
	}
	defer e.Shutdown(context.Background())
	res, err := drive(ctx, e, o)
	if err != nil {
		return nil, err
	}
	if o.Baseline {
		if res.Baseline, err = baseline(ctx, o); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func startEngine(ctx context.Context, dir string, o Options) (*engine.Engine, error) {
	cfgPath := filepath.Join(dir, "config.yaml")
	chPath := filepath.Join(dir, "channels", "bench.yaml")
	if err := os.MkdirAll(filepath.Dir(chPath), 0o755); err != nil {
		return nil, err
	}
	config := fmt.Sprintf("data_dir: data\nstore: {synchronous: %s}\nnats: {listen: \"127.0.0.1:0\"}\nhttp: {listen: \"off\"}\nlog: {level: warn}\n", o.Synchronous)
	channel := fmt.Sprintf("name: bench\nsource: {mllp: {listen: \"127.0.0.1:0\"}}\ndestinations: [{nats: {subject: \"fhir.{tenant}.{type}.{trigger}\"}}]\nworkers: %d\n", o.Workers)
	if err := os.WriteFile(cfgPath, []byte(config), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(chPath, []byte(channel), 0o644); err != nil {
		return nil, err
	}
	cfg, err := engine.Load(cfgPath)
	if err != nil {
		return nil, err
	}
	e := engine.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := e.Start(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// drive sends for the configured time and waits for every delivery.
func drive(ctx context.Context, e *engine.Engine, o Options) (*Result, error) {
	nc, err := nats.Connect(e.NATSURL())
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	var sentAt sync.Map // control id → time sent
	var lastDelivery atomic.Int64
	e2e := newSamples()
	var dups atomic.Int64
	sub, err := nc.Subscribe("fhir.>", func(m *nats.Msg) {
		now := time.Now()
		// An entry lives only until its message arrives, so memory stays
		// flat; a second arrival finds none and counts as a duplicate.
		t, ok := sentAt.LoadAndDelete(m.Header.Get("HL7-Control-Id"))
		if !ok {
			dups.Add(1)
			return
		}
		e2e.add(now.Sub(t.(time.Time)))
		lastDelivery.Store(now.UnixNano())
	})
	if err != nil {
		return nil, err
	}
	defer sub.Unsubscribe()
	sub.SetPendingLimits(-1, -1)
	resetPeakRSS()

	addr := e.ChannelAddr("bench").String()
	start := time.Now()
	acks, sent, acked, err := load(ctx, addr, o, func(id string) { sentAt.Store(id, time.Now()) })
	if err != nil {
		return nil, err
	}
	rss := peakRSS()
	if o.HeapProfile != "" {
		if err := writeHeapProfile(o.HeapProfile); err != nil {
			return nil, err
		}
	}
	// The live subscription times deliveries; the stream is the record of
	// what arrived, so completeness and uniqueness are checked there.
	stored, err := waitStored(ctx, nc, acked)
	if err != nil {
		return nil, err
	}
	ids, err := streamControlIDs(ctx, nc, stored)
	if err != nil {
		return nil, err
	}
	st := e.Store().Stats()
	res := &Result{Sent: sent, Acked: acked, Delivered: len(ids), PeakRSS: rss, Commits: st.Commits, Writes: st.Ops}
	if n := len(ids); n != stored {
		return res, fmt.Errorf("%d messages on the stream, %d distinct control ids: duplicates", stored, n)
	}
	if res.Delivered != acked {
		return res, fmt.Errorf("%d messages ACKed AA but %d arrived on NATS", acked, res.Delivered)
	}
	if dups.Load() > 0 {
		return res, fmt.Errorf("%d messages arrived twice on the subscription", dups.Load())
	}
	res.Elapsed = time.Unix(0, lastDelivery.Load()).Sub(start)
	res.Throughput = float64(res.Delivered) / res.Elapsed.Seconds()
	res.AckP50, res.AckP99 = acks.quantile(0.50), acks.quantile(0.99)
	res.E2EP50, res.E2EP99 = e2e.quantile(0.50), e2e.quantile(0.99)
	return res, nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	runtime.GC()
	return pprof.WriteHeapProfile(f)
}

// waitStored waits (at most a minute) until the FHIR stream holds want
// messages and returns how many it holds.
func waitStored(ctx context.Context, nc *nats.Conn, want int) (int, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return 0, err
	}
	deadline := time.Now().Add(time.Minute)
	for {
		s, err := js.Stream(ctx, "FHIR")
		if err != nil {
			return 0, err
		}
		n := int(s.CachedInfo().State.Msgs)
		if n >= want || time.Now().After(deadline) || ctx.Err() != nil {
			return n, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// streamControlIDs reads the headers of every message on the FHIR stream
// and returns the distinct HL7-Control-Id values.
func streamControlIDs(ctx context.Context, nc *nats.Conn, n int) (map[string]bool, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	cons, err := js.OrderedConsumer(ctx, "FHIR", jetstream.OrderedConsumerConfig{HeadersOnly: true})
	if err != nil {
		return nil, err
	}
	ids := make(map[string]bool, n)
	for read := 0; read < n; {
		batch, err := cons.Fetch(min(n-read, 10000), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return nil, err
		}
		got := 0
		for m := range batch.Messages() {
			ids[m.Headers().Get("HL7-Control-Id")] = true
			got++
		}
		if got == 0 {
			return nil, fmt.Errorf("stream read stopped after %d of %d messages", read, n)
		}
		read += got
	}
	return ids, nil
}

// load runs the MLLP senders: each connection sends, waits for its ACK,
// and sends the next, as real EHR feeds do.
func load(ctx context.Context, addr string, o Options, onSend func(id string)) (*samples, int, int, error) {
	acks := newSamples()
	var sent, acked atomic.Int64
	var firstErr error
	var errOnce sync.Once
	stop := time.Now().Add(o.Duration)
	var pace <-chan time.Time
	if o.Rate > 0 {
		t := time.NewTicker(time.Second / time.Duration(o.Rate))
		defer t.Stop()
		pace = t.C
	}
	var wg sync.WaitGroup
	for c := range o.Connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := &mllp.Client{Addr: addr, AckTimeout: 10 * time.Second}
			defer cl.Close()
			for n := 0; time.Now().Before(stop) && ctx.Err() == nil; n++ {
				if pace != nil {
					<-pace
				}
				if sent.Add(1) > int64(o.MaxMessages) {
					sent.Add(-1)
					return
				}
				id := "B" + strconv.Itoa(c) + "-" + strconv.Itoa(n)
				msg := withControlID(o.Message, id)
				onSend(id)
				t0 := time.Now()
				ack, err := cl.Send(ctx, msg)
				if err == nil {
					code, _, aerr := mllp.AckCode(ack)
					if aerr == nil && code == hl7.AA {
						acks.add(time.Since(t0))
						acked.Add(1)
						continue
					}
					err = fmt.Errorf("ACK %s %v", code, aerr)
				}
				errOnce.Do(func() { firstErr = err })
				return
			}
		}()
	}
	wg.Wait()
	return acks, int(sent.Load()), int(acked.Load()), firstErr
}

func baseline(ctx context.Context, o Options) (*BaselineResult, error) {
	srv, err := mllptest.StartAckServer("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	start := time.Now()
	acks, _, acked, err := load(ctx, srv.Addr(), o, func(string) {})
	if err != nil {
		return nil, err
	}
	return &BaselineResult{Throughput: float64(acked) / time.Since(start).Seconds(), AckP50: acks.quantile(0.5), AckP99: acks.quantile(0.99)}, nil
}

// withControlID returns msg with MSH-10 set to id.
func withControlID(tmpl []byte, id string) []byte {
	m, _ := hl7.Parse(tmpl)
	_ = m.Set("MSH-10", id)
	return m.Encode()
}

// samples collects durations for quantiles.
type samples struct {
	mu sync.Mutex
	d  []time.Duration
}

func newSamples() *samples { return &samples{d: make([]time.Duration, 0, 1<<16)} }

func (s *samples) add(d time.Duration) {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
}

func (s *samples) quantile(q float64) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.d) == 0 {
		return 0
	}
	slices.Sort(s.d)
	return s.d[min(int(q*float64(len(s.d))), len(s.d)-1)]
}

// resetPeakRSS makes VmHWM start from the current RSS (Linux).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS reads VmHWM from /proc/self/status.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// defaultMessage is a realistic ADT^A01 (synthetic; no real patient).
const defaultMessage = "MSH|^~\\&|EPIC|MAINHOSP|SWITCHBOARD|MAINHOSP|20261126083000-0500||ADT^A01^ADT_A01|0|P|2.5.1|||AL|NE\r" +
	"EVN|A01|20261126082955-0500|||JSMITH^Smith^Jane^^^^^^EPIC\r" +
	"PID|1||E1234567^^^EPIC^MRN~999-12-3456^^^SSA^SS||TESTPATIENT^ALPHA^Q^^^^L||19700401|F||2106-3^White^CDCREC|100 MAIN ST^APT 4^MADISON^WI^53703^USA^H||^PRN^PH^^1^608^5550100~^NET^Internet^alpha@example.org|^WPN^PH^^1^608^5550199|EN^English^ISO639|M^Married^HL70002|||||2186-5^Not Hispanic or Latino^CDCREC\r" +
	"NK1|1|TESTPATIENT^BETA|SPO^Spouse^HL70063|100 MAIN ST^^MADISON^WI^53703^USA|^PRN^PH^^1^608^5550101\r" +
	"PV1|1|I|4W^401^A^MAINHOSP^^^^^4 West|E|||1234567890^Attending^Alice^^^Dr^^^NPI^L^^^NPI|2345678901^Referring^Rob^^^Dr^^^NPI|||MED||||7|||1234567890^Attending^Alice^^^Dr^^^NPI|IN||SELF|||||||||||||||||||MAINHOSP||ADM|||20261126080000-0500\r" +
	"PV2|||^Chest pain\r" +
	"AL1|1|DA|70618^Penicillin^RXNORM|SV|Hives\r" +
	"DG1|1||R07.9^Chest pain, unspecified^I10||20261126|A\r"
