package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// deliver sends the channel's pending messages to the EHR until ctx ends,
// oldest first, one at a time on its connection. Each patient has a lane:
// a message the EHR answers AE/CE (or not at all) waits for its retry and
// holds back its patient's later messages, never another patient's. An
// EHR that cannot be reached holds everything, in order, until it returns,
// without using up attempts. What was queued before a restart goes first.
//
// At most deliverWindow queued messages are held in memory, however long
// the backlog: the rest wait in the message log.
func (w *writeback) deliver(ctx context.Context) {
	var (
		after     int64 // the last message taken from the log
		held      int   // messages in lanes
		lanes     = map[string]*lane{}
		downUntil time.Time // the EHR was unreachable: nothing goes before this
		down      = newBackoff(w.dest.Backoff.Std(), w.dest.BackoffMax.Std())
	)
	for ctx.Err() == nil {
		if w.paused.Load() {
			select {
			case <-w.wake:
			case <-ctx.Done():
			}
			continue
		}
		want := min(100, deliverWindow-held)
		var pending []*store.Message
		if want > 0 {
			var err error
			if pending, err = w.e.store.Pending(ctx, w.ch.Name, after, want); err != nil {
				sleep(ctx, time.Second)
				continue
			}
		}
		held += len(pending)
		for _, m := range pending {
			after = m.ID
			k := m.PatientAssigner + "\x00" + m.PatientID
			if lanes[k] == nil {
				lanes[k] = &lane{}
			}
			lanes[k].msgs = append(lanes[k].msgs, m)
		}
		for time.Now().After(downUntil) && !w.paused.Load() {
			k, l := nextLane(lanes, time.Now())
			if l == nil {
				break
			}
			switch w.attempt(ctx, l) {
			case stopped:
				return
			case unreachable:
				downUntil = time.Now().Add(down.next())
			case done:
				held--
				down.reset()
			default:
				down.reset()
			}
			if len(l.msgs) == 0 {
				delete(lanes, k)
			}
		}
		// Idle when the log has nothing more, or the window is still full
		// of messages that are not due; a window that was full and has
		// been sent is read on at once.
		if len(pending) < want || want == 0 && held >= deliverWindow {
			w.idle(ctx, lanes, downUntil)
		}
	}
}

// deliverWindow bounds the queued messages (with their bodies) the
// deliverer holds. A patient whose message waits for a retry holds back
// only its own lane, unless its lane alone fills the window: then later
// patients wait for that retry too.
const deliverWindow = 1000

// lane is one patient's queue: msgs[0] is next, and waits until next.
type lane struct {
	msgs []*store.Message
	next time.Time
}

// nextLane returns the due lane whose next message is oldest.
func nextLane(lanes map[string]*lane, now time.Time) (string, *lane) {
	var bk string
	var best *lane
	for k, l := range lanes {
		if len(l.msgs) == 0 || now.Before(l.next) {
			continue
		}
		if best == nil || l.msgs[0].ID < best.msgs[0].ID {
			bk, best = k, l
		}
	}
	return bk, best
}

// idle waits for a new message, the next retry due, or a second.
func (w *writeback) idle(ctx context.Context, lanes map[string]*lane, downUntil time.Time) {
	wait := time.Second
	for _, l := range lanes {
		if len(l.msgs) > 0 {
			wait = min(wait, max(time.Until(l.next), 0))
		}
	}
	wait = max(wait, time.Until(downUntil))
	if wait <= 0 {
		return
	}
	select {
	case <-w.wake:
	case <-time.After(wait):
	case <-ctx.Done():
	}
}

// What one attempt came to.
const (
	done        = iota // SENT or DEAD
	retry              // the lane waits for its next attempt
	unreachable        // no connection: the EHR is down
	stopped            // ctx ended: the message stays queued
)

// attempt sends the lane's next message once and records what came of it.
func (w *writeback) attempt(ctx context.Context, l *lane) int {
	d, m := w.dest, l.msgs[0]
	ack, err := w.client.Send(ctx, m.Raw)
	if ctx.Err() != nil {
		return stopped
	}
	code, text := ackCode(ack, err)
	if isDialError(err) {
		w.e.log.Warn("EHR unreachable; write-backs wait", "channel", w.ch.Name, "to", d.To, "err", err)
		return unreachable
	}
	m.Attempts++
	switch {
	case code == hl7.AA || code == "CA":
		w.finish(ctx, m, store.StatusSent, code, ack, m.Attempts, "", fmt.Sprintf("%s → %s: ACK %s", d.To, w.ch.Destinations[0].Name, code))
		l.msgs = l.msgs[1:]
		return done
	case code == hl7.AR || code == "CR":
		why := "rejected by the EHR (" + code + "): " + text
		w.finish(ctx, m, store.StatusDead, code, ack, m.Attempts, why, why)
		l.msgs = l.msgs[1:]
		return done
	case d.MaxAttempts > 0 && m.Attempts >= d.MaxAttempts:
		why := fmt.Sprintf("dead after %d attempts; last: %s", m.Attempts, describe(code, text))
		w.finish(ctx, m, store.StatusDead, code, ack, m.Attempts, why, why)
		l.msgs = l.msgs[1:]
		return done
	}
	wait := min(d.Backoff.Std()<<min(m.Attempts-1, 20), d.BackoffMax.Std())
	l.next = time.Now().Add(wait)
	note := fmt.Sprintf("attempt %d: %s; next in %s", m.Attempts, describe(code, text), wait)
	err = w.e.store.Update(ctx, store.Update{ID: m.ID, Attempts: m.Attempts, AckCode: code, Ack: ack,
		Events: []store.Event{{Stage: "send", Status: store.StatusQueued, Time: time.Now(), Detail: note}}, Redoable: true})
	if err != nil && ctx.Err() == nil {
		w.e.log.Error("recording a write-back attempt", "channel", w.ch.Name, "message_id", m.ID, "err", err)
	}
	w.e.log.Warn("write-back not accepted; will retry", "channel", w.ch.Name, "message_id", m.ID, "control_id", m.ControlID, "attempt", m.Attempts, "ack", code, "wait", wait)
	return retry
}

// isDialError reports a connection that could not be made (refused,
// unreachable, dial timeout), as opposed to an EHR that took the message
// and did not answer.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// ackCode reads MSA-1 and MSA-3 of an answer; a transport error or a
// non-ACK answer gives "" and the reason.
func ackCode(ack []byte, err error) (code, text string) {
	if err != nil {
		return "", err.Error()
	}
	m, perr := hl7.Parse(ack)
	if perr != nil || m.Segment("MSA") == nil {
		return "", errNoAck.Error()
	}
	return m.Get("MSA-1"), m.Get("MSA-3")
}

func describe(code, text string) string {
	switch {
	case code == "":
		return text
	case text == "":
		return "ACK " + code
	}
	return "ACK " + code + ": " + text
}

// finish records a final outcome and publishes it. The ACK is committed
// before the next message goes out: a crash then resends at most the one
// message whose ACK arrived in the instant before its commit (with its
// MSH-10, which EHR interfaces discard as a repeat). Recording outcomes
// beside the next send measured 1,470 write-backs/s against 600-830, but
// a crash resent every message still in the queue (three to five per kill
// in TestCrash_WritebackSIGKILLLosesNothing): the issue asks for none.
// The commit is Redoable: it waits for the operating system, not the disk
// (a killed engine loses nothing; a power cut can lose the last few
// milliseconds of ACKs, and those messages go again with their MSH-10).
func (w *writeback) finish(ctx context.Context, m *store.Message, status store.Status, code string, ack []byte, attempts int, errText, detail string) {
	u := store.Update{ID: m.ID, Status: status, AckCode: code, Ack: ack, Error: errText, Attempts: attempts,
		Events: []store.Event{{Stage: "send", Status: status, Time: time.Now(), Detail: detail}}, Redoable: true}
	if err := w.e.store.Update(context.WithoutCancel(ctx), u); err != nil {
		w.e.log.Error("recording a write-back outcome", "channel", w.ch.Name, "message_id", m.ID, "err", err)
	}
	w.record(m, status, code, ack, attempts, errText)
}
