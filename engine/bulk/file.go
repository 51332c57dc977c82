package bulk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhirclient"
)

// maxLineEvents bounds the events one file records for its malformed
// lines and OperationOutcomes; past it they are only counted.
const maxLineEvents = 100

// sinkError is a failure to deliver (NATS down, a full disk): the job
// stops unfinished and resumes later, rather than failing.
type sinkError struct{ err error }

func (e *sinkError) Error() string { return "deliver: " + e.err.Error() }
func (e *sinkError) Unwrap() error { return e.err }

// pauseError is the FHIR server out of reach past the retries (a refused
// or dropped connection, a stall, 429 or 503): the job stops unfinished,
// keeping its status URL and its files' progress, and resumes later,
// rather than abandoning the export on the server for a network outage.
type pauseError struct{ err error }

func (e *pauseError) Error() string { return "the FHIR server is out of reach: " + e.err.Error() }
func (e *pauseError) Unwrap() error { return e.err }

// unreachable reports whether err says the server could not be reached
// (as opposed to the server refusing, or failing, the export or a file).
func unreachable(err error) bool {
	var fe *fhirclient.Error
	if errors.As(err, &fe) {
		return fe.Transient()
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, fhirclient.ErrStalled) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// stopped reports whether err stops a job unfinished, to be resumed: the
// run's end, an operator's cancel, the sink or the server out of reach.
func stopped(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, errCancelled) ||
		errors.As(err, new(*sinkError)) || errors.As(err, new(*pauseError))
}

// readFile reads file f to its end, resuming a broken download from its
// last checkpoint up to FileAttempts times. A file that cannot be read
// (404, 410 expired, refused, malformed under FailInvalid) is recorded
// with its error and returned.
func (r *runner) readFile(ctx context.Context, f *store.BulkFile) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = r.readOnce(ctx, f)
		if err == nil || stopped(ctx, err) {
			return err
		}
		if !retryable(err) || attempt == r.o.FileAttempts {
			break
		}
		r.event(ctx, store.StatusQueued, fmt.Sprintf("%s file %d broke off after line %d (%v); resuming, attempt %d",
			f.Type, f.Index, f.Lines, err, attempt+1))
		if serr := sleep(ctx, r.o.RetryWait<<(attempt-1)); serr != nil {
			return serr
		}
	}
	if unreachable(err) {
		r.event(ctx, store.StatusQueued, fmt.Sprintf("%s file %d: the server is out of reach after line %d (%v); the job stops to resume later",
			f.Type, f.Index, f.Lines, err))
		return &pauseError{err}
	}
	f.Error = err.Error()
	if cerr := r.o.Store.CheckpointBulkFile(ctx, *f); cerr != nil {
		return errors.Join(err, cerr)
	}
	r.event(ctx, store.StatusError, fmt.Sprintf("%s file %d: %v", f.Type, f.Index, err))
	return err
}

// retryable reports whether reading again may succeed: a broken
// connection or a server error may, a missing, expired or refused file
// will not.
func retryable(err error) bool {
	var fe *fhirclient.Error
	if errors.As(err, &fe) {
		return fe.Status == http.StatusTooManyRequests || fe.Status >= 500
	}
	var le *fhirclient.LineError
	return !errors.As(err, &le) && !errors.Is(err, errInvalidLine)
}

// errInvalidLine ends a file under FailInvalid.
var errInvalidLine = errors.New("malformed line")

// fileRead is one pass over a file, from its last checkpoint.
type fileRead struct {
	r    *runner
	f    *store.BulkFile // the checkpointed state
	rd   *fhirclient.NDJSONReader
	sink FileSink // nil for an error file

	// Progress since the checkpoint, copied into f by checkpoint.
	lines, offset, resources, skipped int64
	events                            int // line events recorded
	lastCheckpoint                    time.Time
}

func (r *runner) readOnce(ctx context.Context, f *store.BulkFile) error {
	rd, err := r.o.Client.OpenExportFile(ctx, fhirclient.ExportFile{Type: f.Type, URL: f.URL, Count: f.Count},
		fhirclient.FileOptions{AccessToken: r.job.Manifest.RequiresAccessToken, Offset: f.Offset, Line: f.Lines, MaxLine: r.o.MaxLine})
	if err != nil {
		return err
	}
	defer rd.Close()
	fr := &fileRead{r: r, f: f, rd: rd, lines: f.Lines, offset: f.Offset, resources: f.Resources, skipped: f.Skipped, lastCheckpoint: time.Now()}
	if f.Kind == "output" {
		if fr.sink, err = r.o.Sink.OpenFile(ctx, r.job.ID, *f); err != nil {
			return &sinkError{err}
		}
		defer fr.sink.Close()
	}
	fr.progress()
	if err := fr.loop(ctx); err != nil {
		// Keep what was delivered before the break: the retry resumes
		// after it.
		if cerr := fr.checkpoint(ctx, false); cerr != nil && !errors.As(err, new(*sinkError)) {
			return errors.Join(err, cerr)
		}
		return err
	}
	return fr.checkpoint(ctx, true)
}

// loop reads lines until the end of the file.
func (fr *fileRead) loop(ctx context.Context) error {
	for {
		line, err := fr.rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var le *fhirclient.LineError
		switch {
		case errors.As(err, &le):
			if err := fr.invalid(ctx, le.Line, le.Err); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if err := fr.take(ctx, line); err != nil {
				return err
			}
		}
		fr.lines, fr.offset = fr.rd.Line(), fr.rd.Offset()
		if fr.lines%progressLines == 0 {
			fr.progress()
		}
		if fr.due() {
			if err := fr.checkpoint(ctx, false); err != nil {
				return err
			}
		}
	}
}

// take delivers one line: a resource to the sink, or an OperationOutcome
// of an error file to the job's events.
func (fr *fileRead) take(ctx context.Context, line []byte) error {
	if fr.sink == nil {
		return fr.outcome(ctx, line)
	}
	res, err := parseResource(line)
	if err != nil {
		return fr.invalid(ctx, fr.rd.Line(), err)
	}
	if err := fr.sink.Put(ctx, res); err != nil {
		return &sinkError{err}
	}
	fr.resources++
	return nil
}

// invalid applies the job's policy to a malformed line.
func (fr *fileRead) invalid(ctx context.Context, line int64, err error) error {
	fr.skipped++
	where := fmt.Sprintf("%s file %d line %d", fr.f.Type, fr.f.Index, line)
	if fr.r.o.Invalid == FailInvalid {
		return fmt.Errorf("%s: %w: %v", where, errInvalidLine, err)
	}
	fr.lineEvent(ctx, store.StatusQueued, fmt.Sprintf("%s skipped: %v", where, err))
	return nil
}

// outcome records one OperationOutcome of an error file.
func (fr *fileRead) outcome(ctx context.Context, line []byte) error {
	var oo fhirclient.OperationOutcome
	if err := json.Unmarshal(line, &oo); err != nil || oo.ResourceType != "OperationOutcome" {
		return fr.invalid(ctx, fr.rd.Line(), errors.New("not an OperationOutcome"))
	}
	fr.resources++
	fr.lineEvent(ctx, store.StatusQueued, fmt.Sprintf("server reported: %s", oo.String()))
	return nil
}

func (fr *fileRead) lineEvent(ctx context.Context, status store.Status, detail string) {
	fr.events++
	switch {
	case fr.events < maxLineEvents:
		fr.r.event(ctx, status, detail)
	case fr.events == maxLineEvents:
		fr.r.event(ctx, status, fmt.Sprintf("%s file %d: more lines like this are only counted", fr.f.Type, fr.f.Index))
	}
}

// progressLines is how often, in lines, a file reports its progress
// between checkpoints.
const progressLines = 2000

// progress reports how far the file has been read (not only checkpointed).
func (fr *fileRead) progress() {
	f := *fr.f
	f.Lines, f.Offset, f.Resources, f.Skipped = fr.lines, fr.offset, fr.resources, fr.skipped
	fr.r.o.report(Progress{Job: fr.r.job.ID, Phase: Downloading, Files: len(fr.r.job.Files), File: f, WireBytes: fr.rd.WireBytes()})
}

func (fr *fileRead) due() bool {
	o := &fr.r.o
	return fr.lines-fr.f.Lines >= int64(o.CheckpointLines) || time.Since(fr.lastCheckpoint) >= o.CheckpointEvery
}

// checkpoint makes everything taken so far durable in the sink, then
// records the position: a resume never skips a line the sink lost.
func (fr *fileRead) checkpoint(ctx context.Context, done bool) error {
	next := *fr.f
	if fr.sink != nil {
		written, err := fr.sink.Flush(ctx)
		if err != nil {
			return &sinkError{err}
		}
		next.Written = written
	}
	next.Lines, next.Offset, next.Resources, next.Skipped, next.Done = fr.lines, fr.offset, fr.resources, fr.skipped, done
	if done {
		next.Error = "" // an earlier attempt's failure, read through since
	}
	if err := fr.r.o.Store.CheckpointBulkFile(ctx, next); err != nil {
		return err
	}
	*fr.f = next
	fr.lastCheckpoint = time.Now()
	fr.progress()
	if done {
		fr.r.event(ctx, store.StatusQueued, fmt.Sprintf("%s file %d read: %d resources, %d lines skipped",
			next.Type, next.Index, next.Resources, next.Skipped))
	}
	return nil
}

// cancelPoll is how often a running job looks for an operator's cancel.
const cancelPoll = time.Second

// watchCancel returns a context that ends, with cause errCancelled, once
// the job is final in the log: an operator cancelled it from another
// process. It cuts short whatever the job waits for, a poll included.
func (r *runner) watchCancel(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(cancelPoll)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if m, err := r.o.Store.Get(ctx, r.job.ID); err == nil && m.Status.Final() {
				cancel(errCancelled)
				return
			}
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}

// event records a job event; a failure to record one does not stop the job.
func (r *runner) event(ctx context.Context, status store.Status, detail string) {
	if err := r.o.Store.Update(ctx, store.Update{ID: r.job.ID, Events: []store.Event{{Stage: "bulk", Status: status, Detail: detail}}}); err != nil {
		r.o.Logger.Warn("bulk: record event", "job", r.job.ID, "err", err)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
