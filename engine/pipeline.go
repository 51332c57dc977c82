package engine

import (
	"context"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
)

// pipelineBatch is how many pending messages one store read returns.
const pipelineBatch = 512

// idleCatchUp is how often an idle pipeline re-reads the store: a safety
// net for a message stored but never handed over (its handler died).
const idleCatchUp = 5 * time.Second

// pipeline moves a channel's stored messages through filter, map and
// destinations.
//
// The store is the queue of record. Handlers hand each committed message
// to the pipeline through an in-memory inbox, so in steady state nothing
// is read back; whenever the pipeline may have missed messages (at start,
// when the inbox overflowed, after a failed publish) it quiesces and
// catches up from the store: every message not in a final state, in id
// order. A restart therefore resumes exactly where the last run stopped,
// and a backlog never has to fit in memory.
//
// Messages are spread over workers by patient, so one patient's events
// never overtake each other. Each worker publishes without waiting and
// hands the PubAck futures to its own completer, which records outcomes
// in order. When a publish fails, dispatching stops, in-flight work
// settles, and once the bus is back the pipeline catches up: the failed
// message and everything after it go again, in order, with the same
// Nats-Msg-Id, so nothing is duplicated downstream.
type pipeline struct {
	r        *runner
	inflight sync.WaitGroup
	failed   atomic.Bool
	workers  []chan *store.Message
}

func newPipeline(r *runner) *pipeline {
	p := &pipeline{r: r, workers: make([]chan *store.Message, r.ch.Workers)}
	for i := range p.workers {
		p.workers[i] = make(chan *store.Message, pipelineBatch)
	}
	return p
}

// run dispatches until ctx ends, then lets workers and completers finish
// what they hold.
func (p *pipeline) run(ctx context.Context) {
	if err := p.r.recent.seed(ctx, p.r.e.store, p.r.ch.Name); err != nil {
		p.r.e.log.Error("loading recent control ids; resends right after this start may pass the duplicate check", "channel", p.r.ch.Name, "err", err)
	}
	if p.r.e.unclean {
		if err := p.replay(ctx); err != nil && ctx.Err() == nil {
			p.r.e.log.Error("replay after an unclean stop failed; recently sent messages may be missing downstream", "channel", p.r.ch.Name, "err", err)
		}
	}
	var wg sync.WaitGroup
	for _, in := range p.workers {
		out := make(chan *delivery, pipelineBatch)
		wg.Add(2)
		go func() { defer wg.Done(); p.work(ctx, in, out) }()
		go func() { defer wg.Done(); p.complete(out) }()
	}
	p.dispatch(ctx)
	for _, in := range p.workers {
		close(in)
	}
	wg.Wait()
}

func (p *pipeline) dispatch(ctx context.Context) {
	b := newBackoff(100*time.Millisecond, 30*time.Second)
	idle := time.NewTicker(idleCatchUp)
	defer idle.Stop()
	var seen int64 // highest id the last catch-up read; the inbox skips those
	catchUp := true
	for ctx.Err() == nil {
		if p.failed.Load() {
			p.inflight.Wait()
			p.awaitBus(ctx, b)
			p.failed.Store(false)
			catchUp = true
			continue
		}
		if catchUp || p.r.behind.Load() {
			var ok bool
			if seen, ok = p.catchUp(ctx); ok {
				catchUp = false
				b.reset()
			}
			continue
		}
		select {
		case m := <-p.r.inbox:
			if m.ID > seen {
				p.send(ctx, m)
			}
		case <-idle.C:
			catchUp = len(p.r.inbox) == 0
		case <-ctx.Done():
		}
	}
}

// catchUp waits for in-flight messages to settle, then dispatches every
// message of the channel that is not final, in id order. It returns the
// highest id it read, and false if it had to stop (an error, a failed
// publish, shutdown).
func (p *pipeline) catchUp(ctx context.Context) (int64, bool) {
	p.inflight.Wait()
	// Cleared before reading: a handover dropped after this point sets it
	// again, and one dropped before is already visible to the reads below.
	p.r.behind.Store(false)
	var cursor int64
	for {
		batch, err := p.r.e.store.Pending(ctx, p.r.ch.Name, cursor, pipelineBatch)
		if err != nil {
			if ctx.Err() == nil {
				p.r.e.log.Error("reading pending messages", "channel", p.r.ch.Name, "err", err)
				sleep(ctx, time.Second)
			}
			return 0, false
		}
		for _, m := range batch {
			if p.failed.Load() || ctx.Err() != nil {
				return 0, false
			}
			cursor = m.ID
			p.send(ctx, m)
		}
		if len(batch) < pipelineBatch {
			return cursor, true
		}
	}
}

// send hands a message to its patient's worker, waiting while that
// worker's queue is full (back-pressure: the store keeps the rest).
func (p *pipeline) send(ctx context.Context, m *store.Message) {
	if p.failed.Load() {
		return // the catch-up after recovery picks it up
	}
	p.inflight.Add(1)
	select {
	case p.workers[p.route(m)] <- m:
	case <-ctx.Done():
		p.inflight.Done()
	}
}

// awaitBus waits, with growing pauses, until a retry is worth trying.
func (p *pipeline) awaitBus(ctx context.Context, b *backoff) {
	for {
		sleep(ctx, b.next())
		if ctx.Err() != nil || p.r.e.bus.Connected() {
			return
		}
	}
}

// route picks the worker of a message's patient.
func (p *pipeline) route(m *store.Message) int {
	if len(p.workers) == 1 || m.PatientID == "" {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(m.PatientAssigner))
	h.Write([]byte{0})
	h.Write([]byte(m.PatientID))
	return int(h.Sum32() % uint32(len(p.workers)))
}

// sleep waits d, or until ctx ends; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// backoff doubles a pause up to a ceiling.
type backoff struct{ base, max, cur time.Duration }

func newBackoff(base, max time.Duration) *backoff { return &backoff{base: base, max: max} }

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.base
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	return b.cur
}

func (b *backoff) reset() { b.cur = 0 }
