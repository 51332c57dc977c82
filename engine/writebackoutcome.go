package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/bus"
	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// wbOutcome is what a write-back became, published on
// outcomes.<tenant>.<kind> (and the request's Reply-To subject).
type wbOutcome struct {
	Correlation string `json:"correlation_id"`
	Kind        string `json:"kind"`
	Status      string `json:"status"` // sent, rejected, dead or invalid
	MessageID   int64  `json:"message_id"`
	ControlID   string `json:"control_id,omitempty"`
	AckCode     string `json:"ack_code,omitempty"`
	AckText     string `json:"ack_text,omitempty"`
	Error       string `json:"error,omitempty"`
	Attempts    int    `json:"attempts,omitempty"`
}

// outcomeJob is an outcome, already committed, waiting to be published.
type outcomeJob struct {
	req request
	o   wbOutcome
	ack []byte // AckText is read from it by the publisher, off the send path
}

// outcomeQueue bounds the outcomes waiting for the publisher; the
// deliverer blocks when it is full. A restart publishes again as many as
// may have been waiting (replayOutcomes).
const outcomeQueue = 1024

// record counts a final outcome already committed and queues it for
// publishing: the deliverer goes on to the next message at once, and the
// publisher sends outcomes many at a time.
func (w *writeback) record(m *store.Message, status store.Status, code string, ack []byte, attempts int, errText string) {
	if status == store.StatusSent {
		w.e.metrics.sent.WithLabelValues(w.ch.Name).Inc()
	} else {
		w.e.metrics.errored.WithLabelValues(w.ch.Name).Inc()
		w.e.log.Warn("write-back dead", "channel", w.ch.Name, "message_id", m.ID, "control_id", m.ControlID, "ack", code)
	}
	w.outq <- outcomeOf(m, status, code, ack, attempts, errText)
}

func outcomeOf(m *store.Message, status store.Status, code string, ack []byte, attempts int, errText string) outcomeJob {
	label := "sent"
	switch {
	case status == store.StatusError:
		label = "invalid"
	case status == store.StatusDead && (code == hl7.AR || code == "CR"):
		label = "rejected"
	case status == store.StatusDead:
		label = "dead"
	}
	return outcomeJob{req: requestFrom(m), ack: ack, o: wbOutcome{Status: label, MessageID: m.ID,
		ControlID: m.ControlID, AckCode: code, Error: errText, Attempts: attempts}}
}

// publishOutcomes publishes queued outcomes until the queue is closed:
// first those a previous run may not have published, then each batch
// that gathered while the last one was being acknowledged. When an
// outcome had to be given up (NATS away for longer than publishOutcome
// waits), the recent outcomes are replayed once NATS is back.
func (w *writeback) publishOutcomes(ctx context.Context) {
	w.replayOutcomes(ctx, time.Time{})
	tick := time.NewTicker(missedReplayCheck)
	defer tick.Stop()
	batch := make([]outcomeJob, 0, 256)
	for {
		select {
		case j, ok := <-w.outq:
			if !ok {
				return
			}
			batch = append(batch[:0], j)
		case <-tick.C:
			w.replayMissed(ctx)
			continue
		}
	more:
		for len(batch) < cap(batch) {
			select {
			case j, ok := <-w.outq:
				if !ok {
					break more
				}
				batch = append(batch, j)
			default:
				break more
			}
		}
		w.publishBatch(ctx, batch)
	}
}

// missedReplayCheck is how often the publisher looks for given-up
// outcomes to replay.
const missedReplayCheck = time.Second

// replayMissed replays the outcomes finished since the first one given
// up, once NATS is connected again.
func (w *writeback) replayMissed(ctx context.Context) {
	since, _ := w.missedSince.Load().(time.Time)
	if since.IsZero() || !w.e.bus.Connected() {
		return
	}
	w.missedSince.Store(time.Time{})
	w.e.log.Info("write-back outcomes replayed after NATS came back", "channel", w.ch.Name)
	w.replayOutcomes(ctx, since.Add(-time.Minute))
}

// publishBatch publishes outcomes without waiting between them, then
// collects their PubAcks; one that failed is published again, with
// retries, by publishOutcome.
func (w *writeback) publishBatch(ctx context.Context, batch []outcomeJob) {
	pending := make([]*bus.Pending, len(batch))
	for i := range batch {
		subject, id, data := w.outcomeMsg(&batch[i])
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		pending[i], _ = w.e.bus.PublishAsync(pctx, subject, data, bus.Header{MsgID: id})
		cancel()
	}
	for i, j := range batch {
		if p := pending[i]; p != nil {
			wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			ack, err := p.Wait(wctx)
			cancel()
			if err == nil {
				if !ack.Duplicate { // a replayed outcome already answered its requester
					w.reply(j)
				}
				continue
			}
		}
		w.publishOutcome(ctx, j)
	}
}

// outcomeMsg fills in what the outcome takes from its request and ACK and
// returns its subject, its Nats-Msg-Id and its JSON.
func (w *writeback) outcomeMsg(j *outcomeJob) (subject, id string, data []byte) {
	if j.o.Correlation == "" {
		j.o.Correlation = j.req.correlation
	}
	j.o.Kind = j.req.kind
	if j.ack != nil {
		_, j.o.AckText = ackCode(j.ack, nil)
	}
	data, _ = json.Marshal(j.o)
	return "outcomes." + w.ch.Tenant + "." + j.req.kind, fmt.Sprintf("outcome-%s-%d-%s", w.ch.Name, j.o.MessageID, j.o.Status), data
}

// outcomeTries bounds publishOutcome's attempts, a second apart: past
// them the deliverer must not wait any longer (it blocks once the queue is
// full), so the outcome is left to replayMissed.
var outcomeTries = 60

// publishOutcome publishes one outcome, retrying while NATS is away for a
// minute; after that it is replayed once NATS is back (replayMissed).
func (w *writeback) publishOutcome(ctx context.Context, j outcomeJob) {
	subject, id, data := w.outcomeMsg(&j)
	for i := 0; i < outcomeTries; i++ {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		ack, err := w.e.bus.Publish(pctx, subject, data, bus.Header{MsgID: id})
		cancel()
		if err == nil {
			if !ack.Duplicate { // as in publishBatch: the first publish answered
				w.reply(j)
			}
			return
		}
		if i == outcomeTries-1 || !sleep(ctx, time.Second) {
			w.e.log.Error("write-back outcome not published yet; replayed when NATS is back", "channel", w.ch.Name, "message_id", j.o.MessageID, "err", err)
			if since, _ := w.missedSince.Load().(time.Time); since.IsZero() {
				w.missedSince.Store(time.Now())
			}
			return
		}
	}
}

// reply sends the outcome to the request's Reply-To subject, if any: a
// plain NATS publish, for a requester that waits.
func (w *writeback) reply(j outcomeJob) {
	if j.req.reply != "" {
		data, _ := json.Marshal(j.o)
		_ = w.e.bus.Conn().Publish(j.req.reply, data)
	}
}

// replayOutcomes publishes again the outcomes of the channel's latest
// final messages, as many as could have been queued or in flight when the
// engine last stopped, so that a crash loses none. Only those finished
// within the OUTCOMES stream's Duplicates window are replayed: JetStream
// drops the ones already published, by their Nats-Msg-Id.
//
// "Latest" is in the order outcomes were committed, which is not the order
// of ids: a message retried while later ones (other patients') were sent
// finishes after them, and an invalid request is final at once. The
// newest final events give that order; the newest final messages by id
// are kept too, for a message whose final status came without an event.
func (w *writeback) replayOutcomes(ctx context.Context, after time.Time) {
	window := w.e.duplicatesFor("outcomes." + w.ch.Tenant + ".x")
	if window <= 0 {
		return
	}
	final := []store.Status{store.StatusSent, store.StatusDead, store.StatusError}
	msgs, err := w.e.store.Search(ctx, store.Query{Channel: w.ch.Name, Statuses: final, Limit: 2 * outcomeQueue})
	if err != nil {
		w.e.log.Warn("write-back outcomes not replayed", "channel", w.ch.Name, "err", err)
		return
	}
	evs, err := w.e.store.EventsSince(ctx, -1, w.ch.Name, final, 2*outcomeQueue)
	if err != nil {
		w.e.log.Warn("write-back outcomes not replayed", "channel", w.ch.Name, "err", err)
		return
	}
	ids := make(map[int64]bool, len(msgs)+len(evs))
	for _, m := range msgs {
		ids[m.ID] = true
	}
	for _, ev := range evs {
		ids[ev.MessageID] = true
	}
	order := make([]int64, 0, len(ids))
	for id := range ids {
		order = append(order, id)
	}
	slices.Sort(order)
	since := time.Now().Add(-window / 2)
	if !after.IsZero() && after.Before(since) {
		// Given up while NATS was away: those finished before the
		// window was left may be published twice; none is lost.
		since = after
	}
	var batch []outcomeJob
	for _, id := range order {
		full, err := w.e.store.Get(ctx, id)
		if err != nil || !slices.Contains(final, full.Status) || full.UpdatedAt.Before(since) {
			continue
		}
		batch = append(batch, outcomeOf(full, full.Status, full.AckCode, full.Ack, full.Attempts, full.Error))
	}
	for len(batch) > 0 && ctx.Err() == nil {
		n := min(len(batch), 256)
		w.publishBatch(ctx, batch[:n])
		batch = batch[n:]
	}
}
