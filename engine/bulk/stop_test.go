package bulk

import (
	"context"
	"errors"
	"testing"

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
