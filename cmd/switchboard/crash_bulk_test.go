package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard-hl7/switchboard/engine/bulk"
	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/internal/natstest"
)

// TestBulk_SIGKILLMidExportResumesExactlyOnce is the bulk export as a new
// user runs it: the engine (its sandbox as the tenant, its NATS), then
// `switchboard bulk export --publish` killed midway and run again. The
// second run resumes the same job and every resource of the manifest is
// on NATS exactly once.
func TestBulk_SIGKILLMidExportResumesExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	p := newEngineProcess(t, bin)
	sandboxAddr := fmt.Sprintf("127.0.0.1:%d", natstest.FreePort(t))
	config := fmt.Sprintf(`data_dir: data
nats: {listen: %q}
http: {listen: %q}
tenants:
  sandbox:
    fhir_base: sandbox
    client_id: bulk-test
    keys: [data/keys/sandbox]
    generate_key: ES384
    scopes: [system/*.read]
sandbox: {enabled: true, listen: %q, population: 5, bulk_size: 30000}
`, p.natsURL, p.httpA, sandboxAddr)
	if err := os.WriteFile(filepath.Join(p.dir, "config.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	p.start()
	cfg := filepath.Join(p.dir, "config.yaml")
	args := []string{"bulk", "export", "--config", cfg, "--tenant", "sandbox", "--group", "all", "--publish", "--parallel", "1"}

	// First run: killed once some resources are checkpointed.
	first := exec.Command(bin, args...)
	var out1 bytes.Buffer
	first.Stdout, first.Stderr = &out1, &out1
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(p.dir, "data", "switchboard.db")
	job := waitCheckpointed(t, db, 5000)
	_ = first.Process.Signal(syscall.SIGKILL)
	_ = first.Wait()
	if done, total := progress(t, db, job); done >= total {
		t.Fatalf("the export finished (%d of %d lines) before the kill: make it bigger\n%s", done, total, out1.String())
	}

	// Second run: the same command resumes it.
	out, stderr, code := run(t, bin, args...)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("resuming job %d", job)) || !strings.Contains(out, "PROCESSED") {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, stderr)
	}
	st, err := store.OpenReadOnly(db)
	if err != nil {
		t.Fatal(err)
	}
	j, err := bulk.Load(context.Background(), st, job)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	var want int
	for _, f := range j.Manifest.Output {
		want += int(f.Count)
	}
	ids := bulkMsgIDs(t, "nats://"+p.natsURL)
	if len(ids) != want || want < 30000 {
		t.Fatalf("%d messages on fhir.sandbox.bulk.>, manifest %d (≥ 30000)", len(ids), want)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("%s published twice", id)
		}
		seen[id] = true
	}
}

// waitCheckpointed waits for a bulk job with at least n lines
// checkpointed and returns its id.
func waitCheckpointed(t *testing.T, db string, n int64) int64 {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if st, err := store.OpenReadOnly(db); err == nil {
			jobs, _ := bulk.List(context.Background(), st, 1)
			if len(jobs) == 1 {
				if done, _ := progressOf(st, jobs[0].ID); done >= n {
					st.Close()
					return jobs[0].ID
				}
			}
			st.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no job checkpointed %d lines within 60s", n)
	return 0
}

func progress(t *testing.T, db string, job int64) (done, total int64) {
	st, err := store.OpenReadOnly(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return progressOf(st, job)
}

func progressOf(st store.Store, job int64) (done, total int64) {
	files, _ := st.BulkFiles(context.Background(), job)
	for _, f := range files {
		done += f.Lines
		total += f.Count
	}
	return done, total
}

// bulkMsgIDs returns the Nats-Msg-Id of every message on fhir.*.bulk.>.
func bulkMsgIDs(t *testing.T, url string) []string {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, "FHIR")
	if err != nil {
		t.Fatal(err)
	}
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"fhir.*.bulk.>"}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for {
		batch, err := cons.Fetch(5000, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for m := range batch.Messages() {
			ids = append(ids, m.Headers().Get("Nats-Msg-Id"))
			n++
		}
		if n == 0 {
			return ids
		}
	}
}
