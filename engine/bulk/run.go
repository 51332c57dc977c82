package bulk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhirclient"
)

// Summary is what a job did.
type Summary struct {
	Job             int64
	Status          store.Status
	Error           string
	TransactionTime time.Time
	Resources       map[string]int64 // delivered, per resource type
	Skipped         int64            // malformed lines
	Outcomes        int64            // OperationOutcomes in the error files
	Files           int
	FailedFiles     int
	Elapsed         time.Duration // since the job was created
}

// Run takes job j as far as it can go: kick-off, wait for the manifest,
// read every file into the sink. It resumes from what the log holds, so
// calling it again on a job that was stopped midway continues it. When
// ctx ends Run returns its error and the job stays unfinished, to be
// resumed; a job the server or its files fail ends in ERROR.
func Run(ctx context.Context, j *Job, o Options) (*Summary, error) {
	o = o.withDefaults()
	r := &runner{job: j, o: o}
	if !j.Status.Final() {
		wctx, stop := r.watchCancel(ctx)
		err := r.run(wctx)
		// The watcher also sees the job's own PROCESSED (say while the
		// files are released): only a run that did not finish was
		// cancelled.
		cancelled := err != nil && context.Cause(wctx) == errCancelled
		stop()
		if cancelled {
			err = errCancelled
			if m, gerr := o.Store.Get(context.WithoutCancel(ctx), j.ID); gerr == nil {
				j.Status, j.Error = m.Status, m.Error
			}
		}
		if err != nil {
			// A stop (shutdown, cancel, the sink down) leaves the job to
			// be resumed; anything else is the export's own failure.
			if stopped(ctx, err) {
				return r.summary(), err
			}
			if ferr := r.fail(err); ferr != nil {
				return r.summary(), errors.Join(err, ferr)
			}
		}
	}
	return r.summary(), nil
}

type runner struct {
	job *Job
	o   Options
}

func (r *runner) run(ctx context.Context) error {
	if r.job.StatusURL == "" {
		if err := r.kickOff(ctx); err != nil {
			return err
		}
	}
	if r.job.Manifest == nil {
		if err := r.awaitManifest(ctx); err != nil {
			return err
		}
	}
	return r.readFiles(ctx)
}

// kickOff starts the export on the server and records its status URL
// before anything else, so that a restart polls it instead of starting a
// second export.
func (r *runner) kickOff(ctx context.Context) error {
	u, err := r.o.Client.StartExport(ctx, r.job.Request.Export)
	if err != nil {
		return fmt.Errorf("kick-off: %w", err)
	}
	r.job.StatusURL = u
	// The server holds an export now: record it even if the run is being
	// stopped, or the resume would start a second one and lose this one.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	ev := store.Event{Stage: "kickoff", Status: store.StatusReceived, Detail: "the server accepted the export"}
	return r.save(sctx, state{StatusURL: u}, "", ev)
}

// recordTimeout bounds a write to the log that must not be cut short by
// the run's end.
const recordTimeout = 10 * time.Second

func (r *runner) awaitManifest(ctx context.Context) error {
	m, err := r.o.Client.WaitExport(ctx, r.job.StatusURL, func(s fhirclient.ExportStatus) {
		r.o.report(Progress{Job: r.job.ID, Phase: Exporting, Server: s.Progress})
	})
	if err != nil {
		var fe *fhirclient.Error
		if errors.As(err, &fe) && fe.Status == http.StatusNotFound {
			return fmt.Errorf("the server no longer knows this export (404 on its status URL): start a new one: %w", err)
		}
		if unreachable(err) {
			return &pauseError{fmt.Errorf("export: %w", err)}
		}
		return fmt.Errorf("export: %w", err)
	}
	for i, f := range m.Output {
		// The type names subjects and files: it must be a resource type.
		if !fhirclient.ValidType(f.Type) {
			return fmt.Errorf("manifest: output file %d has type %q, not a resource type", i+1, f.Type)
		}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	r.job.Manifest = m
	files := manifestFiles(r.job.ID, m)
	if err := r.o.Store.AddBulkFiles(ctx, files); err != nil {
		return err
	}
	ev := store.Event{Stage: "manifest", Status: store.StatusQueued, Detail: describeManifest(m)}
	if err := r.save(ctx, state{StatusURL: r.job.StatusURL, Manifest: raw}, store.StatusQueued, ev); err != nil {
		return err
	}
	r.job.Files, err = r.o.Store.BulkFiles(ctx, r.job.ID)
	return err
}

// manifestFiles lists m's files as the log keeps them: outputs, then
// error files. Deleted-resource files are outside this engine's scope
// (a consumer of bulk subjects cannot act on a tombstone without its
// resource), so they are counted in the manifest event only.
func manifestFiles(job int64, m *fhirclient.Manifest) []store.BulkFile {
	files := make([]store.BulkFile, 0, len(m.Output)+len(m.Error))
	for _, f := range m.Output {
		files = append(files, store.BulkFile{Job: job, Index: len(files), Kind: "output", Type: f.Type, URL: f.URL, Count: f.Count})
	}
	for _, f := range m.Error {
		files = append(files, store.BulkFile{Job: job, Index: len(files), Kind: "error", Type: f.Type, URL: f.URL, Count: f.Count})
	}
	return files
}

func describeManifest(m *fhirclient.Manifest) string {
	counts := map[string]int64{}
	for _, f := range m.Output {
		counts[f.Type] += f.Count
	}
	types := make([]string, 0, len(counts))
	for t, n := range counts {
		types = append(types, fmt.Sprintf("%s %d", t, n))
	}
	sort.Strings(types)
	d := fmt.Sprintf("%d output files, %d error files, %d deleted files; transactionTime %s",
		len(m.Output), len(m.Error), len(m.Deleted), m.TransactionTimeRaw)
	if len(types) > 0 {
		d += "; " + strings.Join(types, ", ")
	}
	return d
}

// readFiles reads every unfinished file, Parallel at a time, and ends the
// job: PROCESSED when every file was read, ERROR naming the files that
// could not be.
func (r *runner) readFiles(ctx context.Context) error {
	var (
		wg   sync.WaitGroup
		sem  = make(chan struct{}, r.o.Parallel)
		mu   sync.Mutex
		errs []string
		stop error // the first error that stops the job (ctx, cancel)
	)
	for i := range r.job.Files {
		f := &r.job.Files[i]
		if f.Done {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := r.readFile(ctx, f)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
			case stopped(ctx, err):
				if stop == nil {
					stop = err
				}
			default:
				errs = append(errs, fmt.Sprintf("%s file %d: %v", f.Type, f.Index, err))
			}
		}()
	}
	wg.Wait()
	if stop != nil {
		return stop
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d files could not be read: %s", len(errs), len(r.job.Files), strings.Join(errs, "; "))
	}
	return r.finish(ctx)
}

// finish marks the job PROCESSED and lets the server delete its files.
func (r *runner) finish(ctx context.Context) error {
	var resources int64
	for _, f := range r.job.Files {
		resources += f.Resources
	}
	ev := store.Event{Stage: "bulk", Status: store.StatusProcessed,
		Detail: fmt.Sprintf("%d resources from %d files", resources, len(r.job.Files))}
	if err := r.o.Store.Update(ctx, store.Update{ID: r.job.ID, Status: store.StatusProcessed, Events: []store.Event{ev}}); err != nil {
		return err
	}
	r.job.Status = store.StatusProcessed
	r.o.report(Progress{Job: r.job.ID, Phase: Finished, Files: len(r.job.Files)})
	// The spec lets a client tell the server it is done with the files.
	// A refusal changes nothing for the job.
	if err := r.o.Client.CancelExport(ctx, r.job.StatusURL); err != nil {
		r.o.Logger.Debug("bulk: release of the export's files refused", "job", r.job.ID, "err", err)
	}
	return nil
}

// fail ends the job in ERROR with err.
func (r *runner) fail(err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg := err.Error()
	r.job.Status, r.job.Error = store.StatusError, msg
	r.o.Logger.Warn("bulk: export failed", "job", r.job.ID, "tenant", r.job.Request.Tenant)
	events := []store.Event{{Stage: "bulk", Status: store.StatusError, Detail: msg}}
	// The job is abandoned: let the server stop the export or drop its
	// files rather than keep them for a client that will not come back.
	if r.job.StatusURL != "" {
		if err := r.o.Client.CancelExport(ctx, r.job.StatusURL); err == nil {
			events = append(events, store.Event{Stage: "bulk", Status: store.StatusError, Detail: "the server was told to drop the export (DELETE)"})
		}
	}
	return r.o.Store.Update(ctx, store.Update{ID: r.job.ID, Status: store.StatusError, Error: msg, Events: events})
}

// save records the job's state (status URL, manifest) as its output.
func (r *runner) save(ctx context.Context, s state, status store.Status, ev store.Event) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if status != "" {
		r.job.Status = status
	}
	return r.o.Store.Update(ctx, store.Update{ID: r.job.ID, Status: status, Output: raw, Events: []store.Event{ev}})
}

// summary totals the job's files.
func (r *runner) summary() *Summary {
	j := r.job
	s := &Summary{Job: j.ID, Status: j.Status, Error: j.Error, Resources: map[string]int64{}, Files: len(j.Files)}
	if j.Manifest != nil {
		s.TransactionTime = j.Manifest.TransactionTime
	}
	for _, f := range j.Files {
		switch f.Kind {
		case "output":
			s.Resources[f.Type] += f.Resources
			s.Skipped += f.Skipped
		case "error":
			s.Outcomes += f.Resources
		}
		if f.Error != "" {
			s.FailedFiles++
		}
	}
	s.Elapsed = time.Since(j.Created)
	return s
}
