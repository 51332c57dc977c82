package engine

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/mappings"
	"github.com/switchboard-hl7/switchboard/mllp"
)

// runner runs one channel: its MLLP listener and its processing pipeline.
type runner struct {
	e      *Engine
	ch     *Channel
	mapper *mappings.Mapper
	tenant *tenant // the channel's tenant; nil when none is configured
	ln     net.Listener
	srv    *mllp.Server

	inbox   chan *store.Message // committed messages handed to the pipeline
	behind  atomic.Bool         // the inbox overflowed: the pipeline must read the store
	waiters waiters             // on-processed ACKs waiting for an outcome
	recent  *recent             // control ids received lately, for the duplicate check
	pipe    *pipeline
}

func newRunner(e *Engine, ch *Channel) (*runner, error) {
	mapper, err := mappings.New(ch.MappingOptions())
	if err != nil {
		return nil, fmt.Errorf("channel %s: mapping: %w", ch.Name, err)
	}
	r := &runner{e: e, ch: ch, mapper: mapper, inbox: make(chan *store.Message, inboxSize),
		recent: newRecent(ch.DuplicateWindow.Std())}
	r.waiters.init(ch.Source.MLLP.Ack == AckOnProcessed)
	return r, nil
}

// listen binds the channel's address; it runs before anything else starts
// so a port in use stops the engine with a clear error.
func (r *runner) listen() error {
	ln, err := net.Listen("tcp", r.ch.Source.MLLP.Listen)
	if err != nil {
		return fmt.Errorf("channel %s (%s): listen %s: %w", r.ch.Name, r.ch.File, r.ch.Source.MLLP.Listen, err)
	}
	r.ln = ln
	return nil
}

// start launches the pipeline and then the listener.
func (r *runner) start(ctx context.Context, wg *sync.WaitGroup) {
	r.pipe = newPipeline(r)
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.pipe.run(ctx)
	}()
	src := r.ch.Source.MLLP
	r.srv = &mllp.Server{
		Handler:        r,
		MaxMessageSize: int(src.MaxMessageSize),
		ReadTimeout:    src.ReadTimeout.Std(),
		IdleTimeout:    src.IdleTimeout.Std(),
		MaxConnections: src.MaxConnections,
		TLSConfig:      r.ch.tls,
		Logger:         r.e.log.With("channel", r.ch.Name),
		ConnState: func(_ net.Addr, s mllp.ConnState) {
			g := r.e.metrics.connections.WithLabelValues(r.ch.Name)
			switch s {
			case mllp.StateNew:
				g.Inc()
			case mllp.StateClosed:
				g.Dec()
			}
		},
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := r.srv.Serve(r.ln); err != nil && err != mllp.ErrServerClosed {
			r.e.log.Error("mllp listener stopped", "channel", r.ch.Name, "err", err)
		}
	}()
}

// inboxSize bounds the messages waiting in memory for the pipeline; past
// it they wait in the store only.
const inboxSize = 1024

// handOver gives a committed message to the pipeline without blocking the
// sender's ACK: when the inbox is full the pipeline is told to read the
// store instead.
func (r *runner) handOver(m *store.Message) {
	select {
	case r.inbox <- m:
	default:
		r.behind.Store(true)
	}
}

// Addr returns the address the channel listens on.
func (r *runner) Addr() net.Addr { return r.ln.Addr() }

// MappingOptions returns the mapper options the channel's file declares.
func (ch *Channel) MappingOptions() mappings.Options {
	return mappings.Options{
		Location:          ch.loc,
		BundleType:        ch.Mapping.Bundle,
		Namespace:         ch.Tenant,
		IdentifierSystems: ch.Mapping.IdentifierSystems,
		CodeSystems:       ch.Mapping.CodeSystems,
		Fields:            ch.Mapping.fields,
		IgnoreSegments:    ch.Mapping.IgnoreSegments,
	}
}
