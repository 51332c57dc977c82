package bulk

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhirclient"
	"github.com/switchboard-hl7/switchboard/fhirclient/sandbox"
)

// stopAtKickOff is the engine stopped (SIGTERM) just as the server's 202
// came back: the run's context ends before the status URL is recorded.
type stopAtKickOff struct {
	Exporter
	cancel context.CancelFunc
}

func (s *stopAtKickOff) StartExport(ctx context.Context, r fhirclient.ExportRequest) (string, error) {
	u, err := s.Exporter.StartExport(ctx, r)
	s.cancel()
	return u, err
}

// The status URL of an export the server accepted is never lost: a stop
// right after the kick-off still records it, and the resume polls it
// rather than starting a second export.
func TestRun_StopRightAfterTheKickOffKeepsTheStatusURL(t *testing.T) {
	r := newRig(t, sandbox.Options{Population: 2, Export: sandbox.ExportOptions{Delay: -1}})
	ctx, cancel := context.WithCancel(context.Background())
	j, err := Create(ctx, r.store, "bulk-test", groupAll())
	if err != nil {
		t.Fatal(err)
	}
	o := r.options(r.natsSink())
	o.Client = &stopAtKickOff{Exporter: r.client, cancel: cancel}
	if _, err := Run(ctx, j, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("run: %v, want context.Canceled", err)
	}
	j, err = Load(context.Background(), r.store, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if j.StatusURL == "" || j.Status.Final() {
		t.Fatalf("after a stop right after the kick-off: status %s, status URL %q; want unfinished with the URL", j.Status, j.StatusURL)
	}
}

// slowRelease answers the final DELETE (the release of the files) only
// after the job's cancel watcher has looked at the log again.
type slowRelease struct{ Exporter }

func (s slowRelease) CancelExport(ctx context.Context, u string) error {
	select {
	case <-ctx.Done():
	case <-time.After(cancelPoll + 700*time.Millisecond):
	}
	return s.Exporter.CancelExport(ctx, u)
}

// A job that finished is not reported as cancelled because its own
// PROCESSED was seen by the cancel watcher.
func TestRun_AFinishedJobIsNotCancelled(t *testing.T) {
	r := newRig(t, sandbox.Options{Population: 2, Export: sandbox.ExportOptions{Delay: -1}})
	ctx := context.Background()
	j, err := Create(ctx, r.store, "bulk-test", groupAll())
	if err != nil {
		t.Fatal(err)
	}
	o := r.options(r.natsSink())
	o.Client = slowRelease{r.client}
	sum, err := Run(ctx, j, o)
	if err != nil || sum.Status != store.StatusProcessed {
		t.Fatalf("run: %v, status %s; want PROCESSED and no error", err, sum.Status)
	}
}

// unreachableEHR is the FHIR server gone for a while: the connection is
// refused while the job polls, or while it reads a file.
type unreachableEHR struct {
	Exporter
	poll, files bool
}

func refused() error {
	return fmt.Errorf("tenant acme: GET $export-status: %w", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")})
}

func (u unreachableEHR) WaitExport(ctx context.Context, s string, p func(fhirclient.ExportStatus)) (*fhirclient.Manifest, error) {
	if u.poll {
		return nil, refused()
	}
	return u.Exporter.WaitExport(ctx, s, p)
}

func (u unreachableEHR) OpenExportFile(ctx context.Context, f fhirclient.ExportFile, o fhirclient.FileOptions) (*fhirclient.NDJSONReader, error) {
	if u.files {
		return nil, refused()
	}
	return u.Exporter.OpenExportFile(ctx, f, o)
}

// A server out of reach (a dropped connection, a refused one, a 503
// past the retries) stops the job unfinished, keeping its status URL and
// its files' progress, and the next run finishes it: the server-side
// export is not abandoned for a network blip.
func TestRun_AnUnreachableServerStopsTheJobToResume(t *testing.T) {
	for _, where := range []string{"poll", "files"} {
		t.Run(where, func(t *testing.T) {
			r := newRig(t, sandbox.Options{Population: 3, Export: sandbox.ExportOptions{Delay: -1}})
			ctx := context.Background()
			j, err := Create(ctx, r.store, "bulk-test", groupAll())
			if err != nil {
				t.Fatal(err)
			}
			o := r.options(r.natsSink())
			o.Client = unreachableEHR{Exporter: r.client, poll: where == "poll", files: where == "files"}
			o.FileAttempts = 2
			if _, err := Run(ctx, j, o); err == nil {
				t.Fatal("run with the server out of reach: no error")
			}
			if j, err = Load(ctx, r.store, j.ID); err != nil {
				t.Fatal(err)
			}
			if j.Status.Final() || j.StatusURL == "" {
				t.Fatalf("after the outage: %s %q, status URL %q; want unfinished, to resume", j.Status, j.Error, j.StatusURL)
			}
			o.Client = r.client
			sum, err := Run(ctx, j, o)
			if err != nil || sum.Status != store.StatusProcessed {
				t.Fatalf("resume: %v, %s %q", err, sum.Status, sum.Error)
			}
			if sum.FailedFiles != 0 {
				t.Errorf("%d files reported failed after the resume read them all", sum.FailedFiles)
			}
		})
	}
}
