package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/switchboard-hl7/switchboard/internal/natstest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// The external-server tests need a nats-server binary; build it once
	// here, not in each test. A failure is reported by those tests.
	_, _ = natstest.Binary()
	// nats-server v2.15 and nats.go v1.55 stop all their goroutines on
	// Shutdown and Close, so nothing needs ignoring.
	goleak.VerifyTestMain(m)
}

// testStreams is what most tests configure.
var testStreams = []StreamConfig{
	{Name: "FHIR", Subjects: []string{"fhir.>"}},
	{Name: "OUTCOMES", Subjects: []string{"outcomes.>"}, MaxAge: time.Hour, Duplicates: 2 * time.Minute},
}

// startTestBus starts a Bus, on an embedded server at a random port unless
// o sets URL, with testStreams unless o sets Streams, and closes it when
// the test ends.
func startTestBus(t testing.TB, o Options) *Bus {
	t.Helper()
	if o.URL == "" && o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.URL == "" && o.StoreDir == "" {
		o.StoreDir = t.TempDir()
	}
	if o.Streams == nil {
		o.Streams = testStreams
	}
	if o.Logger == nil {
		o.Logger = testLogger(t)
	}
	b, err := Start(context.Background(), o)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

// testLogger sends warnings and errors to the test log.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// streamInfo fetches a stream's current config and state.
func streamInfo(t testing.TB, b *Bus, name string) *jetstream.StreamInfo {
	t.Helper()
	ctx := testContext(t)
	s, err := b.JetStream().Stream(ctx, name)
	if err != nil {
		t.Fatalf("stream %s: %v", name, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatalf("stream %s info: %v", name, err)
	}
	return info
}

// eventually polls cond every 20 ms until it holds or d passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStart_EmbeddedCreatesStreams(t *testing.T) {
	b := startTestBus(t, Options{})

	if !b.Connected() {
		t.Error("Connected() = false after Start")
	}
	if !strings.HasPrefix(b.ClientURL(), "nats://127.0.0.1:") || strings.HasSuffix(b.ClientURL(), ":0") {
		t.Errorf("ClientURL() = %q, want nats://127.0.0.1:<port>", b.ClientURL())
	}
	want := map[string]jetstream.StreamConfig{
		"FHIR":     {Subjects: []string{"fhir.>"}, Duplicates: DefaultDuplicates, Storage: jetstream.FileStorage},
		"OUTCOMES": {Subjects: []string{"outcomes.>"}, Duplicates: 2 * time.Minute, Storage: jetstream.FileStorage},
	}
	for name, w := range want {
		c := streamInfo(t, b, name).Config
		got := jetstream.StreamConfig{Subjects: c.Subjects, Duplicates: c.Duplicates, Storage: c.Storage}
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("stream %s config (-want +got):\n%s", name, diff)
		}
	}
}

func TestStart_DataSurvivesRestartOnSameStoreDir(t *testing.T) {
	dir := t.TempDir()
	o := Options{Listen: "127.0.0.1:0", StoreDir: dir, Streams: testStreams, Logger: testLogger(t)}
	ctx := testContext(t)

	b, err := Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := b.Publish(ctx, "fhir.t.ADT.A01", []byte("bundle"), Header{MsgID: fmt.Sprint("m", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	b = startTestBus(t, o)
	if got := streamInfo(t, b, "FHIR").State.Msgs; got != 3 {
		t.Errorf("after restart: %d messages, want 3", got)
	}
	// A crash replay after the restart is still deduplicated.
	ack, err := b.Publish(ctx, "fhir.t.ADT.A01", []byte("bundle"), Header{MsgID: "m1"})
	if err != nil {
		t.Fatal(err)
	}
	if !ack.Duplicate || ack.Seq != 2 {
		t.Errorf("replay of m1 = %+v, want Duplicate of seq 2", ack)
	}
}

// A changed stream in the configuration is updated on the next start; an
// unchanged one is left as it is.
func TestStart_UpdatesAChangedStreamOnly(t *testing.T) {
	dir := t.TempDir()
	ctx := testContext(t)
	streams := []StreamConfig{{Name: "FHIR", Subjects: []string{"fhir.>"}, Duplicates: 5 * time.Minute}}
	o := Options{Listen: "127.0.0.1:0", StoreDir: dir, Streams: streams, Logger: testLogger(t)}
	b, err := Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	created := streamInfo(t, b, "FHIR").Created
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b, err = Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if got := streamInfo(t, b, "FHIR"); !got.Created.Equal(created) || got.Config.Duplicates != 5*time.Minute {
		t.Errorf("unchanged stream: %+v", got.Config)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	o.Streams = []StreamConfig{{Name: "FHIR", Subjects: []string{"fhir.>", "extra.>"}, Duplicates: 7 * time.Minute}}
	b = startTestBus(t, o)
	c := streamInfo(t, b, "FHIR").Config
	if !slices.Equal(c.Subjects, []string{"fhir.>", "extra.>"}) || c.Duplicates != 7*time.Minute {
		t.Errorf("changed stream not updated: subjects %v, duplicates %s", c.Subjects, c.Duplicates)
	}
}

func TestStart_PortInUseIsClearError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr := l.Addr().String()

	b, err := Start(context.Background(), Options{Listen: addr, StoreDir: t.TempDir(), Logger: testLogger(t)})
	if err == nil {
		b.Close()
		t.Fatal("Start succeeded on a port in use")
	}
	if want := "bus: nats listen " + addr + ": address already in use"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("errors.Is(%v, EADDRINUSE) = false", err)
	}
}

func TestStart_UnusableStoreDirIsError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := Start(context.Background(), Options{Listen: "127.0.0.1:0", StoreDir: file, Logger: testLogger(t)})
	if err == nil {
		b.Close()
		t.Fatal("Start succeeded with a file as StoreDir")
	}
	if !strings.Contains(err.Error(), "JetStream") {
		t.Errorf("err = %q, want it to mention JetStream", err)
	}
}

func TestStart_StreamRefusedByServerIsError(t *testing.T) {
	overlapping := []StreamConfig{
		{Name: "A", Subjects: []string{"fhir.>"}},
		{Name: "B", Subjects: []string{"fhir.x.>"}},
	}
	b, err := Start(context.Background(), Options{
		Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Streams: overlapping, Logger: testLogger(t),
	})
	if err == nil {
		b.Close()
		t.Fatal("Start succeeded with overlapping stream subjects")
	}
	if !strings.Contains(err.Error(), "stream B") {
		t.Errorf("err = %q, want it to name stream B", err)
	}
}

func TestStart_InvalidOptions(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no store dir", Options{}, "StoreDir is required"},
		{"bad listen", Options{StoreDir: dir, Listen: "4222"}, `Listen "4222"`},
		{"bad port", Options{StoreDir: dir, Listen: "127.0.0.1:99999"}, "invalid port"},
		{"negative sync", Options{StoreDir: dir, SyncInterval: -1}, "SyncInterval"},
		{"negative window", Options{StoreDir: dir, MaxPending: -1}, "MaxPending"},
		{"stream name", Options{StoreDir: dir, Streams: []StreamConfig{{Name: "a.b", Subjects: []string{"x"}}}}, `stream name "a.b"`},
		{"no subjects", Options{StoreDir: dir, Streams: []StreamConfig{{Name: "A"}}}, "stream A: no subjects"},
		{"twice", Options{StoreDir: dir, Streams: []StreamConfig{{Name: "A", Subjects: []string{"a"}}, {Name: "A", Subjects: []string{"b"}}}}, "configured twice"},
		{"window over age", Options{StoreDir: dir, Streams: []StreamConfig{{Name: "A", Subjects: []string{"a"}, MaxAge: time.Minute, Duplicates: time.Hour}}}, "exceeds MaxAge"},
		{"replicas", Options{StoreDir: dir, Streams: []StreamConfig{{Name: "A", Subjects: []string{"a"}, Replicas: 3}}}, "single node"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Start(context.Background(), tt.o)
			if err == nil {
				b.Close()
				t.Fatal("Start succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestStreamConfig_DuplicatesDefaultFitsMaxAge(t *testing.T) {
	c := StreamConfig{Name: "A", Subjects: []string{"a"}, MaxAge: 5 * time.Minute}.withDefaults()
	if c.Duplicates != 5*time.Minute {
		t.Errorf("Duplicates = %v, want MaxAge 5m", c.Duplicates)
	}
}

func TestClose_IsIdempotentAndRefusesPublishes(t *testing.T) {
	b := startTestBus(t, Options{})
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	_, err := b.Publish(context.Background(), "fhir.t.ADT.A01", nil, Header{MsgID: "m"})
	if !errors.Is(err, ErrClosed) {
		t.Errorf("Publish after Close: err = %v, want ErrClosed", err)
	}
}
