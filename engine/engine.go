package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/bus"
	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhirclient"
	"github.com/switchboard-hl7/switchboard/fhirclient/sandbox"
)

// Engine runs every enabled channel of a configuration.
type Engine struct {
	cfg        *Config
	log        *slog.Logger
	store      store.Store
	bus        *bus.Bus
	metrics    *metrics
	runners    []*runner
	writebacks []*writeback
	bulks      []*bulkChannel
	keys       map[string][]*fhirclient.Key // per tenant, newest first
	tenants    map[string]*tenant
	sandbox    *sandbox.Server // the built-in sandbox, when enabled
	state      *patientState   // what each patient's last message mapped to

	httpLn  net.Listener
	httpSrv *http.Server

	cancel  context.CancelFunc
	wg      sync.WaitGroup // pipelines and listeners
	started atomic.Bool
	unclean bool // the last run did not stop cleanly
}

// New returns an engine for cfg (from Load). Start runs it.
func New(cfg *Config, log *slog.Logger) *Engine {
	if log == nil {
		log = slog.Default()
	}
	return &Engine{cfg: cfg, log: log}
}

// Start binds every listener first (so a port in use fails before
// anything runs), opens the message log, connects NATS, resumes pending
// messages and starts serving. On error everything opened is closed.
func (e *Engine) Start(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			e.abort()
		}
	}()
	for _, ch := range e.cfg.ChannelList {
		if ch.Disabled {
			continue
		}
		if ch.Source.Bulk != nil {
			e.bulks = append(e.bulks, &bulkChannel{e: e, ch: ch})
			continue
		}
		if ch.Source.NATS != nil {
			w, err := newWriteback(e, ch)
			if err != nil {
				return err
			}
			e.writebacks = append(e.writebacks, w)
			continue
		}
		r, err := newRunner(e, ch)
		if err != nil {
			return err
		}
		e.runners = append(e.runners, r)
		if err := r.listen(); err != nil {
			return err
		}
	}
	if e.cfg.HTTP.Listen != "off" {
		if e.httpLn, err = net.Listen("tcp", e.cfg.HTTP.Listen); err != nil {
			return fmt.Errorf("http.listen %s (%s): %w", e.cfg.HTTP.Listen, e.cfg.File, err)
		}
	}
	if e.keys, err = e.loadKeys(); err != nil {
		return err
	}
	if err := e.startSandbox(e.keys); err != nil {
		return err
	}
	if err := os.MkdirAll(e.cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("data_dir: %w", err)
	}
	if e.unclean, err = e.markRunning(); err != nil {
		return fmt.Errorf("data_dir: %w", err)
	}
	if e.store, err = store.Open(e.cfg.Store.Path, store.Options{Synchronous: strings.ToUpper(e.cfg.Store.Synchronous)}); err != nil {
		return fmt.Errorf("store %s: %w", e.cfg.Store.Path, err)
	}
	if e.bus, err = bus.Start(ctx, e.busOptions()); err != nil {
		return fmt.Errorf("nats: %w", err)
	}
	names := make([]string, 0, len(e.runners)+len(e.writebacks))
	for _, r := range e.runners {
		names = append(names, r.ch.Name)
	}
	for _, w := range e.writebacks {
		names = append(names, w.ch.Name)
	}
	for _, b := range e.bulks {
		names = append(names, b.ch.Name)
	}
	e.metrics = newMetrics(e.store, names)
	e.state = newPatientState(patientStateSize)
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.cancel = cancel
	if err := e.startTenants(runCtx, e.keys); err != nil {
		return err
	}
	for _, r := range e.runners {
		r.tenant = e.tenants[r.ch.Tenant]
		e.metrics.startInbound(r.ch)
		r.start(runCtx, &e.wg)
	}
	e.restorePaused()
	for _, w := range e.writebacks {
		e.metrics.startWriteback(w.ch)
		w.start(runCtx, &e.wg)
	}
	for _, b := range e.bulks {
		e.metrics.startBulk(b.ch)
		b.start(runCtx, &e.wg)
	}
	e.checkTokens(runCtx)
	e.serveHTTP()
	if e.cfg.Store.Retention > 0 {
		e.wg.Add(1)
		go func() { defer e.wg.Done(); e.prune(runCtx) }()
	}
	e.started.Store(true)
	e.log.Info("switchboard started", "channels", len(e.runners)+len(e.writebacks)+len(e.bulks), "nats", e.bus.ClientURL(), "store", e.cfg.Store.Path, "http", e.HTTPAddr())
	return nil
}

func (e *Engine) busOptions() bus.Options {
	o := bus.Options{URL: e.cfg.NATS.URL, Listen: e.cfg.NATS.Listen, StoreDir: e.cfg.NATS.StoreDir,
		MaxPayload: int(e.cfg.NATS.MaxPayload), Logger: e.log}
	if d, err := time.ParseDuration(e.cfg.NATS.SyncInterval); err == nil {
		o.SyncInterval = d
	}
	for _, s := range e.cfg.NATS.Streams {
		o.Streams = append(o.Streams, bus.StreamConfig{Name: s.Name, Subjects: s.Subjects,
			MaxAge: s.MaxAge.Std(), MaxBytes: int64(s.MaxBytes), Duplicates: s.Duplicates.Std(), WorkQueue: s.WorkQueue})
	}
	return o
}

// patientStateSize bounds the patients whose last mapped Patient and
// Encounters are kept in memory (a few KB each); others are read back from
// the message log when they next appear.
const patientStateSize = 20000

// Shutdown stops taking messages (in-flight ones are stored and ACKed),
// lets the pipelines record what they published, then closes NATS and
// the message log. Messages not yet processed resume on the next start.
func (e *Engine) Shutdown(ctx context.Context) error {
	if !e.started.CompareAndSwap(true, false) {
		return nil
	}
	var errs []error
	for _, r := range e.runners {
		if err := r.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("channel %s: %w", r.ch.Name, err))
		}
	}
	e.cancel()
	if e.httpSrv != nil {
		errs = append(errs, e.httpSrv.Shutdown(ctx))
	}
	done := make(chan struct{})
	go func() { e.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("pipelines did not stop: %w", ctx.Err()))
	}
	errs = append(errs, e.bus.Close(), e.store.Close())
	if e.sandbox != nil {
		errs = append(errs, e.sandbox.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return err // keep the marker: the next start replays to be safe
	}
	e.log.Info("switchboard stopped")
	return e.markStopped()
}

// abort closes whatever a failed Start opened.
func (e *Engine) abort() {
	if e.cancel != nil {
		e.cancel()
	}
	for _, r := range e.runners {
		if r.ln != nil {
			r.ln.Close()
		}
	}
	if e.httpLn != nil {
		e.httpLn.Close()
	}
	if !e.unclean {
		_ = e.markStopped() // this start ran nothing; keep an older run's marker
	}
	if e.bus != nil {
		e.bus.Close()
	}
	if e.store != nil {
		e.store.Close()
	}
	if e.sandbox != nil {
		e.sandbox.Close()
	}
}

// SandboxURL returns the built-in sandbox's FHIR base URL, or "".
func (e *Engine) SandboxURL() string {
	if e.sandbox == nil {
		return ""
	}
	return e.sandbox.BaseURL()
}

// ChannelAddr returns the address a channel listens on (nil if unknown).
func (e *Engine) ChannelAddr(name string) net.Addr {
	for _, r := range e.runners {
		if r.ch.Name == name {
			return r.Addr()
		}
	}
	return nil
}

// HTTPAddr returns the operations endpoint's address, or "" when off.
func (e *Engine) HTTPAddr() string {
	if e.httpLn == nil {
		return ""
	}
	return e.httpLn.Addr().String()
}

// NATSURL returns the URL downstream apps use to subscribe.
func (e *Engine) NATSURL() string { return e.bus.ClientURL() }

// Store returns the message log (for tests and the bench command).
func (e *Engine) Store() store.Store { return e.store }

// Ready reports whether every channel listens and NATS is connected.
func (e *Engine) Ready() bool {
	return e.started.Load() && e.bus.Connected()
}
