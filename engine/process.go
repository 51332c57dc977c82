package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/switchboard-hl7/switchboard/engine/bus"
	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/mappings"
)

// delivery is a message whose publishes await their PubAcks.
type delivery struct {
	m       *store.Message
	output  []byte
	mapped  time.Time
	dests   []string
	pending []*bus.Pending
	notes   []store.Event // mapping warnings, recorded with the outcome
	err     error         // a publish that failed before it was sent
}

// work processes one worker's messages in order.
func (p *pipeline) work(ctx context.Context, in <-chan *store.Message, out chan<- *delivery) {
	defer close(out)
	for m := range in {
		if ctx.Err() != nil {
			p.inflight.Done() // shutting down: the store keeps it for the next run
			continue
		}
		if d := p.process(ctx, m); d != nil {
			out <- d
		}
	}
}

// process filters, maps and publishes one message. It returns the
// delivery to complete, or nil when the message already has its outcome.
func (p *pipeline) process(ctx context.Context, m *store.Message) *delivery {
	msg, err := hl7.Parse(m.Raw)
	if err != nil {
		p.finish(m, store.StatusError, "parse: "+err.Error(), nil, store.Event{Stage: "parse", Status: store.StatusError, Detail: err.Error()})
		return nil
	}
	output := m.Output // a QUEUED message publishes what it was mapped to
	var notes []store.Event
	if m.Status != store.StatusQueued || output == nil {
		var ok bool
		if output, notes, ok = p.transform(ctx, m, msg); !ok {
			return nil
		}
	}
	if len(p.r.ch.Destinations) == 0 {
		notes = append(notes, store.Event{Stage: "map", Status: store.StatusProcessed, Detail: fmt.Sprintf("%d bytes", len(output))})
		p.finish(m, store.StatusProcessed, "", output, notes...)
		return nil
	}
	d := p.publish(ctx, m, msg, output)
	d.notes = notes
	return d
}

// transform runs the duplicate check, the filter and the mapping. When
// the message ends here it records the outcome and returns ok false;
// otherwise it returns the output and events worth keeping (warnings).
func (p *pipeline) transform(ctx context.Context, m *store.Message, msg *hl7.Message) (output []byte, notes []store.Event, ok bool) {
	r := p.r
	if m.Status == store.StatusReceived && m.ReprocessOf == 0 { // a reprocess repeats on purpose
		dup, err := p.duplicateOf(ctx, m)
		if err != nil && ctx.Err() == nil {
			r.e.log.Error("duplicate check failed; processing the message", "channel", r.ch.Name, "message_id", m.ID, "err", err)
		}
		if dup > 0 {
			why := fmt.Sprintf("duplicate of message %d (same MSH-10 and content within %s)", dup, r.ch.DuplicateWindow.Std())
			p.finish(m, store.StatusFiltered, why, nil, store.Event{Stage: "filter", Status: store.StatusFiltered, Detail: why})
			return nil, nil, false
		}
	}
	if r.ch.filter != nil {
		pass, err := r.ch.filter.Match(msg, r.ch.Name, r.ch.Tenant)
		if err != nil {
			p.finish(m, store.StatusError, err.Error(), nil, store.Event{Stage: "filter", Status: store.StatusError, Detail: err.Error()})
			return nil, nil, false
		}
		if !pass {
			p.finish(m, store.StatusFiltered, "", nil, store.Event{Stage: "filter", Status: store.StatusFiltered, Detail: "filter is false"})
			return nil, nil, false
		}
	}
	enr, notes, end, why := p.enrich(ctx, msg)
	switch end {
	case enrichStopped:
		p.inflight.Done() // the store keeps it pending for the next run
		return nil, nil, false
	case enrichFailed:
		p.finish(m, store.StatusError, "enrich: "+why, nil, notes...)
		return nil, nil, false
	}
	if enr == nil {
		enr = &mappings.Enrichment{}
	}
	key := stateKey(r.ch.Tenant, m)
	enr.Previous, enr.Mapped = p.previous(ctx, key, m), map[string]fhir.Resource{}
	output, warnings, err := r.mapper.MapJSONEnriched(msg, enr)
	if err == nil {
		r.e.state.put(key, enr.Mapped)
	}
	if err != nil {
		notes = append(notes, store.Event{Stage: "map", Status: store.StatusError, Detail: err.Error()})
		p.finish(m, store.StatusError, "map: "+err.Error(), nil, notes...)
		return nil, nil, false
	}
	if len(warnings) > 0 {
		notes = append(notes, store.Event{Stage: "map", Status: store.StatusQueued, Detail: warningText(warnings)})
	}
	return output, notes, true
}

// warningText lists mapping warnings (fields and reasons, no content).
func warningText(ws []mappings.Warning) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.String()
	}
	return fmt.Sprintf("%d warning(s): %s", len(ws), strings.Join(parts, "; "))
}

// publish sends the output to every destination without waiting.
func (p *pipeline) publish(ctx context.Context, m *store.Message, msg *hl7.Message, output []byte) *delivery {
	r := p.r
	d := &delivery{m: m, output: output, mapped: time.Now()}
	typ, trigger, _ := msg.Type()
	for i, t := range r.ch.subjects {
		subject := t.Render(msg, r.ch.Name, r.ch.Tenant)
		h := bus.Header{MsgID: msgID(m, i), Extra: nats.Header{
			"Switchboard-Message-Id": {strconv.FormatInt(m.ID, 10)},
			"Switchboard-Channel":    {r.ch.Name},
			"HL7-Control-Id":         {m.ControlID},
			"HL7-Event":              {typ + "^" + trigger},
			"Content-Type":           {"application/fhir+json"},
		}}
		pend, err := r.e.bus.PublishAsync(ctx, subject, output, h)
		if err != nil {
			d.err = err
			break
		}
		d.dests = append(d.dests, r.ch.Destinations[i].Name+" → "+subject)
		d.pending = append(d.pending, pend)
	}
	return d
}

// msgID is the Nats-Msg-Id of a message at one destination: stable over
// replays, and unique even if the message log is recreated (the receive
// time in nanoseconds tells two databases' message 1 apart).
func msgID(m *store.Message, dest int) string {
	return "sb-" + strconv.FormatInt(m.ID, 10) + "-" + strconv.FormatInt(m.ReceivedAt.UnixNano(), 36) + "-" + strconv.Itoa(dest)
}

// complete records each delivery's outcome, in order.
func (p *pipeline) complete(in <-chan *delivery) {
	for d := range in {
		events := d.notes
		mapped := fmt.Sprintf("mapped %d bytes at %s; ", len(d.output), d.mapped.UTC().Format("15:04:05.000000"))
		err := d.err
		for i, pend := range d.pending {
			ack, werr := pend.Wait(context.Background())
			if werr != nil {
				err = werr
				continue
			}
			detail := fmt.Sprintf("%s (stream %s seq %d)", d.dests[i], ack.Stream, ack.Seq)
			if ack.Duplicate {
				detail += " duplicate: already delivered"
			}
			events = append(events, store.Event{Stage: "publish", Status: store.StatusSent, Detail: mapped + detail})
			mapped = ""
		}
		if errors.Is(err, bus.ErrRejected) {
			// Retrying cannot help, and queueing would stop the channel.
			why := "publish: " + err.Error()
			p.finish(d.m, store.StatusError, why, d.output, append(events, store.Event{Stage: "publish", Status: store.StatusError, Detail: why})...)
			continue
		}
		if err != nil {
			p.requeue(d, err, events)
			continue
		}
		p.r.e.metrics.e2eLatency.WithLabelValues(p.r.ch.Name).Observe(time.Since(d.m.ReceivedAt).Seconds())
		p.finish(d.m, store.StatusSent, "", d.output, events...)
	}
}

// requeue keeps a message whose publish failed, with its output, and
// makes the pipeline rewind to it once the bus is back.
func (p *pipeline) requeue(d *delivery, err error, events []store.Event) {
	r := p.r
	r.e.metrics.published.WithLabelValues(r.ch.Name).Inc()
	r.e.log.Warn("publish failed; message queued for retry", "channel", r.ch.Name, "message_id", d.m.ID, "err", err)
	events = append(events, store.Event{Stage: "publish", Status: store.StatusQueued, Detail: "will retry: " + err.Error()})
	p.failed.Store(true)
	u := store.Update{ID: d.m.ID, Status: store.StatusQueued, Error: "publish: " + err.Error(), Output: d.output, Attempts: d.m.Attempts + 1, Events: events, Redoable: true}
	r.e.store.UpdateAsync(u, func(err error) {
		if err != nil {
			r.e.log.Error("recording queued message", "channel", r.ch.Name, "message_id", d.m.ID, "err", err)
		}
		p.inflight.Done()
	})
}

// finish records a final outcome and answers any on-processed ACK waiting.
func (p *pipeline) finish(m *store.Message, status store.Status, errText string, output []byte, events ...store.Event) {
	r := p.r
	switch status {
	case store.StatusFiltered:
		r.e.metrics.filtered.WithLabelValues(r.ch.Name).Inc()
	case store.StatusError:
		r.e.metrics.errored.WithLabelValues(r.ch.Name).Inc()
		r.e.log.Warn("message failed", "channel", r.ch.Name, "message_id", m.ID, "control_id", m.ControlID, "err", errText)
	default:
		r.e.metrics.sent.WithLabelValues(r.ch.Name).Inc()
	}
	// Redoable: a message whose outcome a power cut took is processed
	// again on start, and its Bundle published with the same Nats-Msg-Id.
	u := store.Update{ID: m.ID, Status: status, Error: errText, Output: output, Events: events, Redoable: true}
	r.e.store.UpdateAsync(u, func(err error) {
		if err != nil {
			r.e.log.Error("recording outcome", "channel", r.ch.Name, "message_id", m.ID, "err", err)
		}
		r.waiters.resolve(m.ID, outcome{status: status, err: errText})
		p.inflight.Done()
	})
}
