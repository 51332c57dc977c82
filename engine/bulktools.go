package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/bus"
	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhirclient"
	"github.com/switchboard-hl7/switchboard/fhirclient/sandbox"
)

// BulkTools is what `switchboard bulk` needs from the engine's
// configuration when it runs beside the engine rather than inside it: the
// message log (where jobs and their checkpoints live), the tenants' FHIR
// clients and, to publish, a connection to the engine's NATS.
type BulkTools struct {
	cfg  *Config
	keys map[string][]*fhirclient.Key

	// Store is the engine's message log, opened for writing beside the
	// engine (SQLite serialises the two writers).
	Store *store.SQLite
	// Bus is set when OpenBulkTools was asked to publish.
	Bus *bus.Bus
}

// bulkConnectWait bounds the wait for the engine's NATS server.
const bulkConnectWait = 5 * time.Second

// OpenBulkTools opens the message log of cfg and, when publish is set,
// connects to its NATS server: nats.url, or the embedded server of a
// running engine at nats.listen.
func OpenBulkTools(ctx context.Context, cfg *Config, publish bool, log *slog.Logger) (*BulkTools, error) {
	keys, err := loadTenantKeys(cfg.Tenants)
	if err != nil {
		return nil, err
	}
	t := &BulkTools{cfg: cfg, keys: keys}
	if t.Store, err = store.Open(cfg.Store.Path, store.Options{Synchronous: strings.ToUpper(cfg.Store.Synchronous)}); err != nil {
		return nil, fmt.Errorf("store %s: %w", cfg.Store.Path, err)
	}
	if publish {
		if err := t.connect(ctx, log); err != nil {
			t.Store.Close()
			return nil, err
		}
	}
	return t, nil
}

func (t *BulkTools) connect(ctx context.Context, log *slog.Logger) error {
	url := t.cfg.NATS.URL
	if url == "" {
		url = "nats://" + t.cfg.NATS.Listen
	}
	o := bus.Options{URL: url, Name: "switchboard-bulk", Logger: log}
	for _, s := range t.cfg.NATS.Streams {
		o.Streams = append(o.Streams, bus.StreamConfig{Name: s.Name, Subjects: s.Subjects,
			MaxAge: s.MaxAge.Std(), MaxBytes: int64(s.MaxBytes), Duplicates: s.Duplicates.Std(), WorkQueue: s.WorkQueue})
	}
	b, err := bus.Start(ctx, o)
	if err != nil {
		return fmt.Errorf("nats: %w", err)
	}
	deadline := time.Now().Add(bulkConnectWait)
	for !b.Connected() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			b.Close()
			return fmt.Errorf("no NATS server at %s: start the engine (switchboard run) or set SWITCHBOARD_NATS_URL", url)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Bus = b
	return nil
}

// Client returns tenant's FHIR client. A tenant on the built-in sandbox
// reaches it at sandbox.listen, so the engine must be running.
func (t *BulkTools) Client(tenant string) (*fhirclient.Client, error) {
	tc, ok := t.cfg.Tenants[tenant]
	if !ok {
		return nil, fmt.Errorf("no tenant %q in %s", tenant, t.cfg.File)
	}
	base := tc.FHIRBase
	if base == SandboxBase {
		if !t.cfg.Sandbox.Enabled {
			return nil, fmt.Errorf("tenant %s: fhir_base is %q but sandbox.enabled is false in %s", tenant, SandboxBase, t.cfg.File)
		}
		base = "http://" + t.cfg.Sandbox.Listen + sandbox.BasePath
	}
	return newTenantClient(tenant, tc, base, t.keys[tenant], nil)
}

// Close closes the NATS connection and the message log.
func (t *BulkTools) Close() error {
	var errs []error
	if t.Bus != nil {
		errs = append(errs, t.Bus.Close())
	}
	return errors.Join(append(errs, t.Store.Close())...)
}
