package bulk

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard-hl7/switchboard/engine/bus"
	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhirclient"
	"github.com/switchboard-hl7/switchboard/fhirclient/sandbox"
)

// rig is one test's world: the sandbox as the EHR, a tenant client with
// its own key, a SQLite message log and an embedded NATS server.
type rig struct {
	sb     *sandbox.Server
	client *fhirclient.Client
	store  *store.SQLite
	bus    *bus.Bus
	dir    string
}

const testTenant = "acme"

func newRig(t testing.TB, opts sandbox.Options) *rig {
	t.Helper()
	r := &rig{dir: t.TempDir()}
	key, err := fhirclient.GenerateKey("RS384")
	if err != nil {
		t.Fatal(err)
	}
	set := fhirclient.JWKS(key)
	opts.Clients = append(opts.Clients, sandbox.Client{ID: "bulk-app", JWKS: &set})
	if r.sb, err = sandbox.Start("127.0.0.1:0", opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.sb.Close() })
	r.client, err = fhirclient.New(fhirclient.Config{Tenant: testTenant, BaseURL: r.sb.BaseURL(), ClientID: "bulk-app",
		Keys: []*fhirclient.Key{key}, Scopes: []string{"system/*.read"},
		BackoffBase: 10 * time.Millisecond, ExportPollInterval: 20 * time.Millisecond, ExportPollMax: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r.openStore(t)
	if r.bus, err = bus.Start(context.Background(), bus.Options{Listen: "127.0.0.1:0", StoreDir: filepath.Join(r.dir, "nats"),
		SyncInterval: time.Second, Logger: quiet(),
		Streams: []bus.StreamConfig{{Name: "FHIR", Subjects: []string{"fhir.>"}, Duplicates: 20 * time.Minute}}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.bus.Close() })
	return r
}

// openStore opens the message log (again, after closeStore: a restart).
func (r *rig) openStore(t testing.TB) {
	t.Helper()
	st, err := store.Open(filepath.Join(r.dir, "switchboard.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.store = st
	t.Cleanup(func() { st.Close() })
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func (r *rig) options(sink Sink) Options {
	return Options{Store: r.store, Client: r.client, Sink: sink, RetryWait: 10 * time.Millisecond, Logger: quiet()}
}

func (r *rig) natsSink() *NATSSink { return &NATSSink{Bus: r.bus, Tenant: testTenant} }

func groupAll() Request {
	return Request{Tenant: testTenant, Export: fhirclient.ExportRequest{Level: fhirclient.GroupExport, GroupID: "all"}}
}

// streamed reads every message on fhir.<tenant>.bulk.> from the stream and
// returns the count per subject and per Nats-Msg-Id.
func (r *rig) streamed(t testing.TB) (bySubject map[string]int, byID map[string]int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	js := r.bus.JetStream()
	st, err := js.Stream(ctx, "FHIR")
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bySubject, byID = map[string]int{}, map[string]int{}
	total := info.State.Msgs
	if total == 0 {
		return
	}
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"fhir." + testTenant + ".bulk.>"}})
	if err != nil {
		t.Fatal(err)
	}
	for n := uint64(0); n < total; n++ {
		m, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatalf("message %d of %d: %v", n+1, total, err)
		}
		bySubject[m.Subject()]++
		byID[m.Headers().Get("Nats-Msg-Id")]++
	}
	return bySubject, byID
}

// manifestTotals sums a job's manifest counts per resource type.
func manifestTotals(j *Job) map[string]int64 {
	out := map[string]int64{}
	for _, f := range j.Manifest.Output {
		out[f.Type] += f.Count
	}
	return out
}

// ndjsonLines counts the lines of every *.ndjson file in dir, per type
// (the file name's first part), and every line it has seen twice.
func ndjsonLines(t testing.TB, dir string) (perType map[string]int64, dups int) {
	t.Helper()
	perType = map[string]int64{}
	seen := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		typ := strings.SplitN(filepath.Base(path), ".", 2)[0]
		for sc.Scan() {
			res, err := parseResource(sc.Bytes())
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if seen[res.MsgID()] {
				dups++
			}
			seen[res.MsgID()] = true
			perType[typ]++
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return perType, dups
}
