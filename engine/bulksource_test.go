package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/bulk"
	"github.com/switchboard-hl7/switchboard/engine/store"
)

// Bulk channel mistakes are refused at load with file, line and fix.
func TestLoad_BulkChannelErrors(t *testing.T) {
	const tenant = "tenants:\n  sandbox:\n    fhir_base: https://ehr.example.org/api/FHIR/R4\n    client_id: app\n    keys: [k]\n    scopes: [system/*.read]\n"
	const head = "name: pop\ntenant: sandbox\nsource:\n  bulk:\n"
	tests := []struct {
		name, config, channel string
		line                  int
		want                  string
	}{
		{"group without id", tenant, head + "    level: group\n", 4, "needs group"},
		{"bad level", tenant, head + "    level: everything\n", 5, "group, patient or system"},
		{"bad type", tenant, head + "    group: all\n    types: [Patient, observation]\n", 6, "not a FHIR resource type"},
		{"interval too short", tenant, head + "    group: all\n    interval: 10s\n", 6, "at least 1m"},
		{"bad policy", tenant, head + "    group: all\n    on_invalid: ignore\n", 6, "skip or fail"},
		{"destinations", tenant, head + "    group: all\ndestinations: [{nats: {}}]\n", 3, "takes no destinations"},
		{"two sources", tenant, head + "    group: all\n  mllp: {listen: 127.0.0.1:0}\n", 3, "not several"},
		{"unknown tenant", "", head + "    group: all\n", 2, "exports from tenant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, "data_dir: d\n"+tt.config, map[string]string{"a.yaml": tt.channel}))
			var errs ConfigErrors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("Load error = %v, want ConfigErrors", err)
			}
			for _, e := range errs {
				if strings.HasSuffix(e.File, "a.yaml") && e.Line == tt.line && strings.Contains(e.Msg, tt.want) {
					return
				}
			}
			t.Errorf("got %v\nwant a.yaml:%d: ...%s...", errs, tt.line, tt.want)
		})
	}
}

// bulkTenant is the sandbox as a tenant that may export everything.
const bulkTenant = `sandbox: {enabled: true, listen: "127.0.0.1:0", population: 5}
tenants:
  sandbox:
    fhir_base: sandbox
    client_id: engine-test
    keys: [keys/sandbox]
    generate_key: ES384
    scopes: [system/*.read]
`

// A bulk channel exports on start, then again after its interval asking
// only for what changed since the first export's transactionTime; its
// resources are on NATS and its jobs in the log and /metrics.
func TestEngine_BulkChannelExportsIncrementally(t *testing.T) {
	ch := "name: pop\ntenant: sandbox\nsource:\n  bulk:\n    group: all\n    types: [Patient, Observation]\n    interval: 1m\n"
	te := startEngine(t, bulkTenant, map[string]string{"pop.yaml": ch})
	first := waitJobs(t, te, "pop", 1)[0]
	if first.Status != store.StatusProcessed {
		t.Fatalf("first export %s: %s", first.Status, first.Error)
	}
	ctx := context.Background()
	j, err := bulk.Load(ctx, te.Store(), first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !j.Request.Export.Since.IsZero() {
		t.Errorf("the first export asked _since=%s, want everything", j.Request.Export.Since)
	}
	var want int
	for _, f := range j.Manifest.Output {
		want += int(f.Count)
	}
	if got := len(streamMessages(t, te.NATSURL(), want)); got != want || want == 0 {
		t.Fatalf("%d messages on NATS, manifest %d", got, want)
	}
	metrics := scrape(t, te)
	if !strings.Contains(metrics, `switchboard_bulk_jobs_total{channel="pop",status="PROCESSED"} 1`) ||
		!strings.Contains(metrics, fmt.Sprintf(`switchboard_bulk_resources_total{channel="pop",type="Patient"} %d`, countOf(j, "Patient"))) {
		t.Errorf("metrics lack the job and its resources:\n%s", grepLines(metrics, "switchboard_bulk"))
	}

	// Restart with the first export an interval old: the next one is
	// incremental from its transactionTime.
	te.stop()
	if err := backdate(te, first.ID, time.Minute); err != nil {
		t.Fatal(err)
	}
	te2 := startEngineIn(t, te.dir, bulkTenant, map[string]string{"pop.yaml": ch})
	second := waitJobs(t, te2, "pop", 2)[0]
	j2, err := bulk.Load(ctx, te2.Store(), second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !j2.Request.Export.Since.Equal(j.Manifest.TransactionTime) {
		t.Fatalf("second export _since=%s, want the first's transactionTime %s", j2.Request.Export.Since, j.Manifest.TransactionTime)
	}
	if second.Status != store.StatusProcessed {
		t.Fatalf("second export %s: %s", second.Status, second.Error)
	}
}

func countOf(j *bulk.Job, typ string) int64 {
	var n int64
	for _, f := range j.Manifest.Output {
		if f.Type == typ {
			n += f.Count
		}
	}
	return n
}

// waitJobs waits until channel has n finished jobs and returns them,
// newest first.
func waitJobs(t *testing.T, te *testEngine, channel string, n int) []*store.Message {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ms, err := te.Store().Search(context.Background(), store.Query{Channel: channel, Type: bulk.MessageType})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) >= n && ms[0].Status.Final() {
			return ms
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs of channel %s after 60s, want %d finished", len(ms), channel, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// backdate moves message id's receive time back by d in a stopped
// engine's log, as if it had been received that much earlier.
func backdate(te *testEngine, id int64, d time.Duration) error {
	db, err := sql.Open("sqlite3", te.cfg.Store.Path)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec("UPDATE messages SET received_at = received_at - ? WHERE id = ?", d.Nanoseconds(), id)
	return err
}

func scrape(t *testing.T, te *testEngine) string {
	t.Helper()
	resp, err := http.Get("http://" + te.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
