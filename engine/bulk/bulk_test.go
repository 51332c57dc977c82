package bulk

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhirclient/sandbox"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func runJob(t *testing.T, r *rig, req Request, o Options) (*Job, *Summary) {
	t.Helper()
	ctx := context.Background()
	j, err := Create(ctx, r.store, "bulk-test", req)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Run(ctx, j, o)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if j, err = Load(ctx, r.store, j.ID); err != nil {
		t.Fatal(err)
	}
	return j, sum
}

func TestRun_GroupExportPublishesEveryResourceOnce(t *testing.T) {
	r := newRig(t, sandbox.Options{Population: 10, Export: sandbox.ExportOptions{Delay: 100 * time.Millisecond, FileLines: 40}})
	j, sum := runJob(t, r, groupAll(), r.options(r.natsSink()))
	if sum.Status != store.StatusProcessed || j.Status != store.StatusProcessed {
		t.Fatalf("job ended %s (%s), want PROCESSED", sum.Status, sum.Error)
	}
	want := manifestTotals(j)
	if want["Patient"] < 10 || len(want) < 3 {
		t.Fatalf("manifest counts %v: want every patient (10 synthetic and the samples) and their compartments", want)
	}
	bySubject, byID := r.streamed(t)
	for typ, n := range want {
		if got := bySubject[Subject(testTenant, typ)]; int64(got) != n {
			t.Errorf("%s: %d messages on %s, manifest says %d", typ, got, Subject(testTenant, typ), n)
		}
		if sum.Resources[typ] != n {
			t.Errorf("%s: summary counts %d, manifest %d", typ, sum.Resources[typ], n)
		}
	}
	for id, n := range byID {
		if n != 1 || strings.Count(id, "/") != 2 {
			t.Errorf("Nats-Msg-Id %q seen %d times; want type/id/version once", id, n)
		}
	}
	// Files were split (FileLines 40), every one is done, and the log tells the story.
	if len(j.Files) <= len(want) {
		t.Errorf("%d files for %d types: FileLines should have split some", len(j.Files), len(want))
	}
	for _, f := range j.Files {
		if !f.Done || f.Error != "" || f.Lines != f.Count {
			t.Errorf("file %+v: want done, no error, lines = count", f)
		}
	}
	events, err := r.store.Events(context.Background(), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	stages := map[string]int{}
	for _, e := range events {
		stages[e.Stage]++
	}
	if stages["kickoff"] != 1 || stages["manifest"] != 1 {
		t.Errorf("events %v: want one kickoff and one manifest", stages)
	}
}

// cancelAfter is a sink that lets n resources through, then ends the
// run's context: the engine killed midway through a file.
type cancelAfter struct {
	Sink
	n      int64
	cancel context.CancelFunc
	seen   atomic.Int64
}

func (c *cancelAfter) OpenFile(ctx context.Context, job int64, f store.BulkFile) (FileSink, error) {
	fs, err := c.Sink.OpenFile(ctx, job, f)
	return &cancelFile{FileSink: fs, c: c}, err
}

type cancelFile struct {
	FileSink
	c *cancelAfter
}

func (f *cancelFile) Put(ctx context.Context, r Resource) error {
	if f.c.seen.Add(1) == f.c.n {
		f.c.cancel()
	}
	return f.FileSink.Put(ctx, r)
}

func TestRun_StoppedMidFileResumesWithoutDuplicates(t *testing.T) {
	for _, sinkName := range []string{"nats", "dir"} {
		t.Run(sinkName, func(t *testing.T) {
			r := newRig(t, sandbox.Options{Population: 10, Export: sandbox.ExportOptions{Delay: -1, BulkSize: 1200, FileLines: 500}})
			dir := t.TempDir()
			sink := func() Sink {
				if sinkName == "dir" {
					return &DirSink{Dir: dir}
				}
				return r.natsSink()
			}
			ctx, cancel := context.WithCancel(context.Background())
			j, err := Create(ctx, r.store, "bulk-test", groupAll())
			if err != nil {
				t.Fatal(err)
			}
			o := r.options(&cancelAfter{Sink: sink(), n: 700, cancel: cancel})
			o.CheckpointLines, o.Parallel = 150, 1 // checkpoints behind the stop, lines after them
			if _, err := Run(ctx, j, o); !errors.Is(err, context.Canceled) {
				t.Fatalf("first run: %v, want context.Canceled", err)
			}
			// The process died: a new store handle, the job read back from the log.
			r.store.Close()
			r.openStore(t)
			j, err = Load(context.Background(), r.store, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			if j.Status.Final() || j.Manifest == nil {
				t.Fatalf("after the stop: status %s, manifest %v; want unfinished with its manifest", j.Status, j.Manifest != nil)
			}
			var resumedAt int64
			for _, f := range j.Files {
				resumedAt += f.Lines
			}
			if resumedAt == 0 || resumedAt >= 700 {
				t.Fatalf("checkpointed %d lines before a stop at 700: want some, behind the stop", resumedAt)
			}
			sum, err := Run(context.Background(), j, r.options(sink()))
			if err != nil || sum.Status != store.StatusProcessed {
				t.Fatalf("resume: %v, %s %s", err, sum.Status, sum.Error)
			}
			want := manifestTotals(j)
			if sinkName == "dir" {
				got, dups := ndjsonLines(t, dir)
				if dups != 0 {
					t.Errorf("%d resources written twice", dups)
				}
				for typ, n := range want {
					if got[typ] != n {
						t.Errorf("%s: %d lines in files, manifest %d", typ, got[typ], n)
					}
				}
				return
			}
			bySubject, byID := r.streamed(t)
			for typ, n := range want {
				if got := bySubject[Subject(testTenant, typ)]; int64(got) != n {
					t.Errorf("%s: %d in the stream, manifest %d", typ, got, n)
				}
			}
			for id, n := range byID {
				if n != 1 {
					t.Errorf("%s stored %d times", id, n)
				}
			}
		})
	}
}

func TestRun_BrokenDownloadResumesFromItsCheckpoint(t *testing.T) {
	r := newRig(t, sandbox.Options{Population: 5, Export: sandbox.ExportOptions{Delay: -1, BulkSize: 1000, FileLines: 1000}})
	r.sb.SetFaults(sandbox.Faults{DropFileAfter: 250_000}) // every file response is cut off after 250 KB
	o := r.options(r.natsSink())
	o.CheckpointLines, o.FileAttempts = 100, 20
	req := groupAll()
	req.Export.Types = []string{"Observation"}
	j, sum := runJob(t, r, req, o)
	if sum.Status != store.StatusProcessed {
		t.Fatalf("job %s: %s", sum.Status, sum.Error)
	}
	bySubject, _ := r.streamed(t)
	if got, want := int64(bySubject[Subject(testTenant, "Observation")]), manifestTotals(j)["Observation"]; got != want || want < 1000 {
		t.Fatalf("%d Observations in the stream, manifest %d (≥ 1000)", got, want)
	}
	events, _ := r.store.Events(context.Background(), j.ID)
	resumed := 0
	for _, e := range events {
		if strings.Contains(e.Detail, "broke off") {
			resumed++
		}
	}
	if resumed == 0 {
		t.Fatal("no download broke off: the fault did not bite")
	}
}

func TestRun_ErrorFilesAndExpiredFilesEndInAClearState(t *testing.T) {
	t.Run("error file outcomes are recorded", func(t *testing.T) {
		r := newRig(t, sandbox.Options{Population: 5, Export: sandbox.ExportOptions{Delay: -1}})
		r.sb.SetFaults(sandbox.Faults{ExportErrors: true})
		j, sum := runJob(t, r, groupAll(), r.options(r.natsSink()))
		if sum.Status != store.StatusProcessed || sum.Outcomes == 0 {
			t.Fatalf("status %s, %d outcomes: want PROCESSED with the error file's outcomes counted", sum.Status, sum.Outcomes)
		}
		events, _ := r.store.Events(context.Background(), j.ID)
		if !hasEvent(events, "server reported:") {
			t.Fatal("no event carries the error file's OperationOutcome")
		}
	})
	t.Run("an expired file fails the job and names the file", func(t *testing.T) {
		// Files expire the moment the export completes: every download is a 410.
		r := newRig(t, sandbox.Options{Population: 5, Export: sandbox.ExportOptions{Delay: -1, FileExpiry: time.Nanosecond}})
		_, sum := runJob(t, r, groupAll(), r.options(r.natsSink()))
		if sum.Status != store.StatusError || !strings.Contains(sum.Error, "files could not be read") || sum.FailedFiles != sum.Files {
			t.Fatalf("status %s, error %q, %d of %d files failed: want ERROR naming every file", sum.Status, sum.Error, sum.FailedFiles, sum.Files)
		}
		if !strings.Contains(sum.Error, "410") {
			t.Errorf("error %q does not say the file is gone (410)", sum.Error)
		}
		// The abandoned export is dropped at the server.
		deleted := false
		for _, req := range r.sb.Requests() {
			deleted = deleted || req.Method == http.MethodDelete && strings.Contains(req.Path, "/_bulk/status/")
		}
		if !deleted {
			t.Error("the failed job did not DELETE its export at the server")
		}
	})
	t.Run("a failed export ends in ERROR with the server's outcome", func(t *testing.T) {
		r := newRig(t, sandbox.Options{Population: 5, Export: sandbox.ExportOptions{Delay: 50 * time.Millisecond}})
		r.sb.SetFaults(sandbox.Faults{ExportFail: true})
		_, sum := runJob(t, r, groupAll(), r.options(r.natsSink()))
		if sum.Status != store.StatusError || sum.Error == "" {
			t.Fatalf("status %s (%q): want ERROR with the reason", sum.Status, sum.Error)
		}
	})
}

func TestRun_MalformedLinesAreReportedWithFileAndLine(t *testing.T) {
	t.Run("skip", func(t *testing.T) {
		r := newRig(t, sandbox.Options{Population: 5, Export: sandbox.ExportOptions{Delay: -1}})
		r.sb.SetFaults(sandbox.Faults{MalformedEvery: 10})
		j, sum := runJob(t, r, groupAll(), r.options(r.natsSink()))
		if sum.Status != store.StatusProcessed || sum.Skipped == 0 {
			t.Fatalf("status %s, %d skipped: want PROCESSED with the broken lines skipped", sum.Status, sum.Skipped)
		}
		var lines, delivered int64
		for _, f := range j.Files {
			if f.Kind == "output" {
				lines += f.Lines
				delivered += f.Resources
				if f.Lines >= 10 && f.Skipped != f.Lines/10 {
					t.Errorf("%s file %d: %d of %d lines skipped, want every 10th", f.Type, f.Index, f.Skipped, f.Lines)
				}
			}
		}
		if delivered+sum.Skipped != lines {
			t.Errorf("%d delivered + %d skipped != %d lines read", delivered, sum.Skipped, lines)
		}
		bySubject, _ := r.streamed(t)
		var published int64
		for _, n := range bySubject {
			published += int64(n)
		}
		if published != delivered {
			t.Errorf("%d published, %d delivered", published, delivered)
		}
		events, _ := r.store.Events(context.Background(), j.ID)
		if !hasEvent(events, "line 10 skipped: not JSON") {
			t.Error("no event names the file and line 10 of a skipped line")
		}
	})
	t.Run("fail", func(t *testing.T) {
		r := newRig(t, sandbox.Options{Population: 5, Export: sandbox.ExportOptions{Delay: -1}})
		r.sb.SetFaults(sandbox.Faults{MalformedEvery: 10})
		o := r.options(r.natsSink())
		o.Invalid = FailInvalid
		_, sum := runJob(t, r, groupAll(), o)
		if sum.Status != store.StatusError || !strings.Contains(sum.Error, "line 10: malformed line") {
			t.Fatalf("status %s %q: want ERROR naming line 10", sum.Status, sum.Error)
		}
	})
}

func hasEvent(events []store.Event, part string) bool {
	for _, e := range events {
		if strings.Contains(e.Detail, part) {
			return true
		}
	}
	return false
}

func TestCancel_StopsTheServerAndTheJob(t *testing.T) {
	r := newRig(t, sandbox.Options{Population: 5, Export: sandbox.ExportOptions{Delay: time.Hour}})
	ctx := context.Background()
	j, err := Create(ctx, r.store, "bulk-test", groupAll())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, j, r.options(r.natsSink()))
		done <- err
	}()
	// Wait for the kick-off to be recorded, then cancel as an operator would.
	deadline := time.Now().Add(10 * time.Second)
	for {
		loaded, err := Load(ctx, r.store, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if loaded.StatusURL != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no kick-off within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := Cancel(ctx, r.store, r.client, j.ID); err != nil {
		t.Fatal(err)
	}
	j2, _ := Load(ctx, r.store, j.ID)
	if j2.Status != store.StatusError || j2.Error != "cancelled" {
		t.Fatalf("after cancel: %s %q", j2.Status, j2.Error)
	}
	// The server forgot the export: the running job's next poll fails.
	if _, err := r.client.PollExport(ctx, j2.StatusURL); err == nil {
		t.Fatal("the status URL still answers after the cancel")
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the running job did not stop after the cancel")
	}
	if err := Cancel(ctx, r.store, r.client, j.ID); err == nil {
		t.Fatal("a second cancel succeeded")
	}
}

func TestUnfinished_FindsTheSameRequestOnly(t *testing.T) {
	r := newRig(t, sandbox.Options{Population: 1})
	ctx := context.Background()
	a, err := Create(ctx, r.store, "bulk-test", groupAll())
	if err != nil {
		t.Fatal(err)
	}
	other := groupAll()
	other.Export.Types = []string{"Patient"}
	if got, err := Unfinished(ctx, r.store, "bulk-test", other); err != nil || got != nil {
		t.Fatalf("another request found %v, %v", got, err)
	}
	got, err := Unfinished(ctx, r.store, "bulk-test", groupAll())
	if err != nil || got == nil || got.ID != a.ID {
		t.Fatalf("same request: %v, %v; want job %d", got, err, a.ID)
	}
	if err := r.store.Update(ctx, store.Update{ID: a.ID, Status: store.StatusProcessed}); err != nil {
		t.Fatal(err)
	}
	if got, _ := Unfinished(ctx, r.store, "bulk-test", groupAll()); got != nil {
		t.Fatal("a finished job was offered for resuming")
	}
}

func TestParseResource(t *testing.T) {
	for _, tc := range []struct {
		line, msgID, err string
	}{
		{`{"resourceType":"Patient","id":"p1","meta":{"versionId":"3"}}`, "Patient/p1/3", ""},
		{`{"resourceType":"Observation","id":"o.1","meta":{"lastUpdated":"2026-01-02T03:04:05Z"}}`, "Observation/o.1/2026-01-02T03:04:05Z", ""},
		{`{"resourceType":"Patient","id":"p1"}`, "Patient/p1/sha256-43bdf12d90068b936a636806", ""},
		{`{"resourceType":"Patient","id":"p1"`, "", "not JSON"},
		{`[1,2]`, "", "not a FHIR resource"},
		{`{"id":"p1"}`, "", "no valid resourceType"},
		{`{"resourceType":"Patient","id":"a b"}`, "", "without a valid id"},
	} {
		res, err := parseResource([]byte(tc.line))
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.line, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.line, err, tc.err)
		case tc.err == "" && res.MsgID() != tc.msgID:
			t.Errorf("%s: MsgID %q, want %q", tc.line, res.MsgID(), tc.msgID)
		}
	}
}

// The server's Retry-After paces the status polls (the client's own
// interval is 20 ms here), and a gzip-encoded export reads the same.
func TestRun_RetryAfterPacesPollsAndGzipReadsTheSame(t *testing.T) {
	r := newRig(t, sandbox.Options{Population: 5, Export: sandbox.ExportOptions{Delay: 2500 * time.Millisecond, Gzip: true}})
	o := r.options(r.natsSink())
	var mu sync.Mutex
	var wire, decoded int64 // of the last report of each file
	last := map[int][2]int64{}
	o.Progress = func(p Progress) {
		if p.Phase == Downloading {
			mu.Lock()
			last[p.File.Index] = [2]int64{p.WireBytes, p.File.Offset}
			mu.Unlock()
		}
	}
	j, sum := runJob(t, r, groupAll(), o)
	if sum.Status != store.StatusProcessed {
		t.Fatalf("%s: %s", sum.Status, sum.Error)
	}
	for _, wd := range last {
		wire, decoded = wire+wd[0], decoded+wd[1]
	}
	if decoded == 0 || wire*2 > decoded {
		t.Errorf("%d bytes on the wire for %d decoded: the export was not read gzip-encoded", wire, decoded)
	}
	var polls []time.Time
	for _, req := range r.sb.Requests() {
		if req.Method == http.MethodGet && strings.Contains(req.Path, "/_bulk/status/") {
			polls = append(polls, req.Time)
		}
	}
	if len(polls) < 2 || len(polls) > 4 {
		t.Fatalf("%d status polls over a 2.5 s export with Retry-After: 1; want 2 to 4", len(polls))
	}
	for i := 1; i < len(polls); i++ {
		if gap := polls[i].Sub(polls[i-1]); gap < 900*time.Millisecond {
			t.Errorf("poll %d came %s after the previous one; Retry-After asked for 1 s", i+1, gap)
		}
	}
	bySubject, _ := r.streamed(t)
	for typ, n := range manifestTotals(j) {
		if got := bySubject[Subject(testTenant, typ)]; int64(got) != n {
			t.Errorf("%s: %d on NATS from the gzip export, manifest %d", typ, got, n)
		}
	}
}

// An export with nothing to give (everything older than _since) ends
// PROCESSED with no files and says so.
func TestRun_AnEmptyManifestEndsCleanly(t *testing.T) {
	r := newRig(t, sandbox.Options{Population: 5, Export: sandbox.ExportOptions{Delay: -1}})
	req := groupAll()
	req.Export.Since = time.Now().Add(time.Hour)
	j, sum := runJob(t, r, req, r.options(r.natsSink()))
	if sum.Status != store.StatusProcessed || len(j.Manifest.Output) != 0 || sum.Files != len(j.Manifest.Error) {
		t.Fatalf("status %s (%s), %d outputs, %d files: want PROCESSED with no output", sum.Status, sum.Error, len(j.Manifest.Output), sum.Files)
	}
	events, _ := r.store.Events(context.Background(), j.ID)
	if !hasEvent(events, "0 output files") {
		t.Error("the manifest event does not say the export had no output")
	}
}
