package bulk

import (
	"context"
	"errors"
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
