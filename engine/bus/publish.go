package bus

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Header is what a publish carries besides its payload.
type Header struct {
	// MsgID becomes Nats-Msg-Id: stable per message and destination, so a
	// replay within the stream's Duplicates window is stored only once.
	// Required.
	MsgID string
	// Extra headers, e.g. Switchboard-Message-Id; a map literal will do.
	// Keys are case-sensitive; a Nats-Msg-Id here is replaced by MsgID.
	Extra nats.Header
}

// Ack is the stream's confirmation that it stored a message.
type Ack struct {
	Stream string
	Seq    uint64
	// Duplicate is true when the stream already held this MsgID; Seq is
	// then the sequence of the earlier copy.
	Duplicate bool
}

// Pending is a publish awaiting its PubAck.
type Pending struct {
	done chan struct{}
	ack  Ack
	err  error
}

// Done is closed once the publish is acknowledged or has failed, so one
// goroutine can collect many; Wait then returns without blocking.
func (p *Pending) Done() <-chan struct{} { return p.done }

// Wait returns the PubAck, or why there is none. An error other than
// ctx's means the message may not be stored: keep it and retry with the
// same MsgID. ctx only bounds this wait, not the publish.
func (p *Pending) Wait(ctx context.Context) (Ack, error) {
	select {
	case <-p.done:
		return p.ack, p.err
	default:
	}
	select {
	case <-p.done:
		return p.ack, p.err
	case <-ctx.Done():
		return Ack{}, ctx.Err()
	}
}

// Publish publishes and waits for the PubAck; see PublishAsync.
func (b *Bus) Publish(ctx context.Context, subject string, data []byte, h Header) (Ack, error) {
	p, err := b.PublishAsync(ctx, subject, data, h)
	if err != nil {
		return Ack{}, err
	}
	return p.Wait(ctx)
}

// PublishAsync sends a message to JetStream and returns without waiting
// for the PubAck; the message counts as sent only once Wait returns an Ack.
//
// When Options.MaxPending publishes await their PubAck, PublishAsync
// blocks until one settles or ctx ends. When the client is disconnected
// it fails at once with ErrNotConnected. data must not be modified until
// the Pending is done: the client may resend it.
func (b *Bus) PublishAsync(ctx context.Context, subject string, data []byte, h Header) (*Pending, error) {
	if h.MsgID == "" {
		return nil, fmt.Errorf("bus: publish %s: %w", subject, ErrMissingMsgID)
	}
	if err := b.acquire(ctx, subject); err != nil {
		return nil, err
	}
	m := &nats.Msg{Subject: subject, Data: data, Header: h.nats()}
	p := &Pending{done: make(chan struct{})}
	if err := b.track(m, p); err != nil {
		<-b.slots
		return nil, err
	}
	if _, err := b.js.PublishMsgAsync(m); err != nil {
		b.settle(m, nil, err)
		return nil, p.err
	}
	return p, nil
}

// acquire takes a slot in the publish window, waiting while it is full.
func (b *Bus) acquire(ctx context.Context, subject string) error {
	// The connection is checked before waiting, so an outage fails fast
	// rather than queueing for a slot that failing publishes will free.
	switch {
	case b.ctx.Err() != nil:
		return fmt.Errorf("bus: publish %s: %w", subject, ErrClosed)
	case ctx.Err() != nil:
		return fmt.Errorf("bus: publish %s: %w", subject, ctx.Err())
	case !b.nc.IsConnected():
		return fmt.Errorf("%w: publish %s", ErrNotConnected, subject)
	}
	select {
	case b.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("bus: publish %s: %w", subject, ctx.Err())
	case <-b.ctx.Done():
		return fmt.Errorf("bus: publish %s: %w", subject, ErrClosed)
	}
}

// track registers p under m, which the publisher's callbacks hand back,
// before m is sent: its PubAck may arrive before PublishMsgAsync returns.
func (b *Bus) track(m *nats.Msg, p *Pending) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return fmt.Errorf("bus: publish %s: %w", m.Subject, ErrClosed)
	}
	b.inflight[m] = p
	return nil
}

// onAck and onPublishError run on the client's goroutines; they must not block.
func (b *Bus) onAck(_ jetstream.JetStream, m *nats.Msg, ack *jetstream.PubAck) {
	b.settle(m, ack, nil)
}

func (b *Bus) onPublishError(_ jetstream.JetStream, m *nats.Msg, err error) {
	b.settle(m, nil, err)
}

// settle completes the Pending for m once, and frees its slot.
func (b *Bus) settle(m *nats.Msg, ack *jetstream.PubAck, err error) {
	b.mu.Lock()
	p, ok := b.inflight[m]
	delete(b.inflight, m)
	b.mu.Unlock()
	if !ok {
		return // already settled, e.g. failed by Close
	}
	if err != nil {
		p.err = publishError(m.Subject, err)
	} else {
		p.ack = Ack{Stream: ack.Stream, Seq: ack.Sequence, Duplicate: ack.Duplicate}
	}
	close(p.done)
	<-b.slots
}

// failInflight settles every outstanding publish with err.
func (b *Bus) failInflight(err error) {
	b.mu.Lock()
	msgs := make([]*nats.Msg, 0, len(b.inflight))
	for m := range b.inflight {
		msgs = append(msgs, m)
	}
	b.mu.Unlock()
	for _, m := range msgs {
		b.settle(m, nil, err)
	}
}

// publishError wraps a client error with the sentinel callers branch on.
func publishError(subject string, err error) error {
	var sentinel error
	switch {
	case errors.Is(err, ErrClosed):
		return fmt.Errorf("bus: publish %s: %w", subject, err)
	case errors.Is(err, nats.ErrConnectionClosed),
		errors.Is(err, nats.ErrConnectionDraining):
		sentinel = ErrClosed
	case errors.Is(err, nats.ErrDisconnected),
		errors.Is(err, nats.ErrReconnectBufExceeded),
		errors.Is(err, nats.ErrConnectionReconnecting),
		errors.Is(err, nats.ErrNoServers):
		sentinel = ErrNotConnected
	case errors.Is(err, jetstream.ErrAsyncPublishTimeout):
		sentinel = ErrAckTimeout
	case errors.Is(err, jetstream.ErrNoStreamResponse):
		sentinel = ErrNoStream
	case errors.Is(err, nats.ErrMaxPayload):
		sentinel = ErrRejected
	default:
		return fmt.Errorf("bus: publish %s: %w", subject, err)
	}
	return fmt.Errorf("%w: publish %s: %w", sentinel, subject, err)
}

// nats returns a fresh header set, so the caller's map is never changed.
func (h Header) nats() nats.Header {
	nh := make(nats.Header, len(h.Extra)+1)
	for k, v := range h.Extra {
		nh[k] = append([]string(nil), v...)
	}
	nh.Set(jetstream.MsgIDHeader, h.MsgID)
	return nh
}
