package engine

import (
	"context"
	"sync"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/mllp"
)

// outcome is how the pipeline left a message.
type outcome struct {
	status store.Status
	err    string
}

// waiters connect on-processed ACKs to pipeline outcomes. An outcome may
// arrive before its handler starts waiting (the pipeline polls the store
// too), so early outcomes are kept for a short while.
type waiters struct {
	mu      sync.Mutex
	wait    map[int64]chan outcome
	early   map[int64]earlyOutcome
	swept   time.Time // last sweep of early outcomes
	enabled bool      // only on-processed channels wait for outcomes
}

type earlyOutcome struct {
	o  outcome
	at time.Time
}

// earlyTTL bounds how long an outcome nobody waits for is kept.
const earlyTTL = time.Minute

func (w *waiters) init(enabled bool) {
	w.enabled = enabled
	w.wait = map[int64]chan outcome{}
	w.early = map[int64]earlyOutcome{}
}

func (w *waiters) register(id int64) <-chan outcome {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan outcome, 1)
	if e, ok := w.early[id]; ok {
		delete(w.early, id)
		ch <- e.o
		return ch
	}
	w.wait[id] = ch
	return ch
}

func (w *waiters) forget(id int64) {
	w.mu.Lock()
	delete(w.wait, id)
	w.mu.Unlock()
}

// resolve runs on the store's writer goroutine: it must stay cheap, so
// stale early outcomes are swept at most once per earlyTTL.
func (w *waiters) resolve(id int64, o outcome) {
	if !w.enabled {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if ch, ok := w.wait[id]; ok {
		delete(w.wait, id)
		ch <- o
		return
	}
	now := time.Now()
	if now.Sub(w.swept) > earlyTTL {
		for k, e := range w.early {
			if now.Sub(e.at) > earlyTTL {
				delete(w.early, k)
			}
		}
		w.swept = now
	}
	w.early[id] = earlyOutcome{o, now}
}

// serveProcessed stores the message, waits for the pipeline (bounded by
// ack_timeout) and answers AA when it was delivered, filtered or
// processed, AE otherwise. The message stays stored either way: an AE
// after a timeout means "not confirmed", and the pipeline still delivers it.
func (r *runner) serveProcessed(ctx context.Context, req *mllp.Request, rec *store.Message, msg *hl7.Message) []byte {
	if err := r.e.store.Append(ctx, rec, receiveEvent(req, store.StatusReceived, "")); err != nil {
		return r.storeFailed(req, msg, err)
	}
	w := r.waiters.register(rec.ID)
	r.handOver(rec)
	t := time.NewTimer(r.ch.Source.MLLP.AckTimeout.Std())
	defer t.Stop()
	var o outcome
	select {
	case o = <-w:
	case <-t.C:
		o = outcome{status: store.StatusReceived, err: "not processed within ack_timeout; the message is kept and will be delivered"}
	case <-ctx.Done():
		o = outcome{status: store.StatusReceived, err: "engine shutting down; the message is kept and will be delivered"}
	}
	r.waiters.forget(rec.ID)
	opts := hl7.AckOptions{Code: hl7.AA}
	switch o.status {
	case store.StatusSent, store.StatusProcessed, store.StatusFiltered:
	default:
		opts = hl7.AckOptions{Code: hl7.AE, Text: o.err, Errors: []hl7.AckError{{Condition: hl7.ApplicationInternalError, Message: o.err}}}
	}
	ack := hl7.BuildAck(msg, opts)
	r.e.store.UpdateAsync(store.Update{ID: rec.ID, AckCode: opts.Code, Ack: ack,
		Events: []store.Event{{Stage: "ack", Status: o.status, Detail: opts.Code}}, Redoable: true}, nil)
	return r.answered(req, opts.Code, ack)
}
