package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/mappings"
	"github.com/switchboard-hl7/switchboard/mllp"
)

// KindHL7 is the write-back kind whose payload is a ready HL7 v2 message,
// validated and sent as is.
const KindHL7 = "hl7"

// writeback runs one write-back channel: a JetStream consumer that stores
// each request in the message log before acknowledging it, and a
// deliverer that sends the stored messages to the EHR in order, records
// each ACK and publishes every outcome.
//
// Order: one deliverer sends one message at a time over one connection,
// oldest first, from per-patient lanes: a later request for a patient
// never overtakes an earlier one, and a message the EHR keeps answering AE
// holds back only its own patient's lane (writebackdeliver.go) — unless
// that patient's messages fill the whole in-memory window.
type writeback struct {
	e      *Engine
	ch     *Channel
	out    *mappings.Outbound
	dest   *MLLPDestination
	client *mllp.Client
	wake   chan struct{}   // capacity 1: a request was stored, or the channel resumed
	outq   chan outcomeJob // committed outcomes for the publisher (writebackoutcome.go)
	paused atomic.Bool     // switchboard channel pause: requests are stored, none sent
	// missedSince is when the first outcome was given up while NATS was
	// away (a time.Time; zero: none): replayMissed publishes from there.
	missedSince atomic.Value
}

func newWriteback(e *Engine, ch *Channel) (*writeback, error) {
	o := ch.Outbound
	out, err := mappings.NewOutbound(mappings.OutboundOptions{
		SendingApplication: o.SendingApplication, SendingFacility: o.SendingFacility,
		ReceivingApplication: o.ReceivingApplication, ReceivingFacility: o.ReceivingFacility,
		Version: o.Version, ProcessingID: o.ProcessingID, OrderStructure: o.OrderStructure,
		AssigningAuthorities: o.AssigningAuthorities, CodingSystems: o.CodingSystems,
	})
	if err != nil {
		return nil, fmt.Errorf("channel %s: outbound: %w", ch.Name, err)
	}
	d := ch.Destinations[0].MLLP
	return &writeback{e: e, ch: ch, out: out, dest: d, wake: make(chan struct{}, 1),
		outq: make(chan outcomeJob, outcomeQueue),
		client: &mllp.Client{Addr: d.To, DialTimeout: d.ConnectTimeout.Std(), AckTimeout: d.AckTimeout.Std(),
			Logger: e.log.With("channel", ch.Name)}}, nil
}

// start runs the consumer, the deliverer and the outcome publisher; the
// publisher ends after the other two, once it has published what they
// queued.
func (w *writeback) start(ctx context.Context, wg *sync.WaitGroup) {
	var producers sync.WaitGroup
	producers.Add(2)
	wg.Add(2)
	go func() { defer producers.Done(); w.consume(ctx) }()
	go func() { defer producers.Done(); w.deliver(ctx); w.client.Close() }()
	go func() { producers.Wait(); close(w.outq); wg.Done() }()
	go func() { defer wg.Done(); w.publishOutcomes(ctx) }()
}

// consume fetches requests from the channel's durable consumer until ctx
// ends, riding out NATS outages. A fetcher goroutine fetches the next
// batch while the last one is stored: one after the other, the round
// trips to the server took as long as storing the requests. MaxAckPending
// bounds what is fetched and not yet acknowledged.
func (w *writeback) consume(ctx context.Context) {
	batches := make(chan []jetstream.Msg, 1)
	go w.fetch(ctx, batches)
	for msgs := range batches {
		w.take(ctx, msgs)
	}
}

// fetch sends batches of requests until ctx ends, then closes batches.
func (w *writeback) fetch(ctx context.Context, batches chan<- []jetstream.Msg) {
	defer close(batches)
	var cons jetstream.Consumer
	for ctx.Err() == nil {
		if cons == nil {
			c, err := w.consumer(ctx)
			if err != nil {
				w.e.log.Warn("write-back consumer not ready; retrying", "channel", w.ch.Name, "err", err)
				sleep(ctx, time.Second)
				continue
			}
			cons = c
		}
		batch, err := cons.Fetch(64, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			if ctx.Err() == nil {
				cons = nil // the consumer may be gone with a restarted server: make it again
				sleep(ctx, 500*time.Millisecond)
			}
			continue
		}
		var msgs []jetstream.Msg
		for msg := range batch.Messages() {
			msgs = append(msgs, msg)
		}
		if len(msgs) > 0 {
			select {
			case batches <- msgs:
			case <-ctx.Done():
			}
		}
	}
}

func (w *writeback) consumer(ctx context.Context) (jetstream.Consumer, error) {
	n := w.ch.Source.NATS
	stream := w.e.streamFor(strings.TrimSuffix(n.Subject, ">") + "x")
	if stream == "" {
		return nil, fmt.Errorf("no stream captures %s", n.Subject)
	}
	return w.e.bus.JetStream().CreateOrUpdateConsumer(ctx, stream, jetstream.ConsumerConfig{
		Durable: n.Durable, FilterSubject: n.Subject, AckPolicy: jetstream.AckExplicitPolicy,
		// A request is acknowledged once stored, within milliseconds; a
		// short AckWait brings back those fetched by an engine that then
		// died, and a redelivery is recognised (seen).
		AckWait: 5 * time.Second, MaxAckPending: 256, DeliverPolicy: jetstream.DeliverAllPolicy,
	})
}

// take stores a fetched batch of requests (each as the v2 message to
// send, or as ERROR when it cannot be built) in one transaction, in
// order, then acknowledges them. A request delivered again (the engine
// died between the two) is recognised by its control id, which is
// derived from the correlation id, and only acknowledged.
func (w *writeback) take(ctx context.Context, msgs []jetstream.Msg) {
	batch := make([]taken, len(msgs))
	for i, msg := range msgs {
		batch[i] = w.prepare(msg)
	}
	stored, err := w.stored(ctx, batch)
	if err != nil {
		return // nothing acknowledged: JetStream redelivers the batch
	}
	var (
		keep   []taken
		recs   []*store.Message
		events [][]store.Event
	)
	for _, t := range batch {
		if stored[t.rec.ControlID] {
			continue
		}
		stored[t.rec.ControlID] = true // a repeat within the batch
		keep, recs, events = append(keep, t), append(recs, t.rec), append(events, t.events)
	}
	if len(recs) > 0 {
		if err := w.e.store.AppendBatch(ctx, recs, events); err != nil {
			w.e.log.Error("write-back requests not stored; JetStream will redeliver them", "channel", w.ch.Name, "err", err)
			return
		}
	}
	for _, msg := range msgs {
		msg.Ack()
	}
	for _, t := range keep {
		if t.rec.Status == store.StatusError {
			w.e.metrics.errored.WithLabelValues(w.ch.Name).Inc()
			w.outq <- outcomeJob{req: t.req, o: wbOutcome{Status: "invalid", MessageID: t.rec.ID, ControlID: t.rec.ControlID, Error: t.rec.Error}}
		}
	}
	w.poke()
}

// taken is a fetched request made ready to store.
type taken struct {
	req    request
	rec    *store.Message
	events []store.Event
}

// prepare builds the record of a request: QUEUED with the v2 message to
// send, or ERROR with the reason it cannot be built.
func (w *writeback) prepare(msg jetstream.Msg) taken {
	req := requestOf(msg)
	rec := &store.Message{Channel: w.ch.Name, Direction: store.Outbound, RemoteAddr: req.origin(), Output: msg.Data()}
	evs := []store.Event{{Stage: "receive", Status: store.StatusQueued, Time: time.Now(),
		Detail: fmt.Sprintf("write-back %s, correlation %s, %d bytes", req.kind, req.correlation, len(msg.Data()))}}
	v2, reason := w.build(req, msg.Data(), rec)
	rec.Raw, rec.Status = v2, store.StatusQueued
	if reason != "" {
		rec.Raw, rec.Status, rec.Error = msg.Data(), store.StatusError, reason
		evs = append(evs, store.Event{Stage: "build", Status: store.StatusError, Detail: reason})
	}
	return taken{req: req, rec: rec, events: evs}
}

// poke wakes the deliverer without blocking.
func (w *writeback) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// build makes the v2 message of a request and fills rec's header; reason
// says why a request is invalid.
func (w *writeback) build(req request, payload []byte, rec *store.Message) (v2 []byte, reason string) {
	rec.ControlID = controlIDFor(w.ch.Tenant, req.correlation)
	if req.kind == KindHL7 {
		m, err := hl7.Parse(payload)
		switch {
		case err != nil:
			return nil, "not a valid HL7 v2 message: " + err.Error()
		case m.ControlID() == "":
			return nil, "the HL7 message has no MSH-10"
		}
		rec.Type, rec.Trigger, rec.Structure = m.Type()
		rec.ControlID = m.ControlID() // sent as is
		fillHeader(rec, m)
		return payload, ""
	}
	built, err := w.out.Build(req.kind, payload, time.Now())
	if err != nil {
		return nil, err.Error()
	}
	m, err := hl7.Parse(built.Message)
	if err == nil {
		err = m.Set("MSH-10", rec.ControlID)
	}
	if err != nil {
		return nil, "built message does not parse: " + err.Error()
	}
	rec.Type, rec.Trigger, rec.Structure = built.Type, built.Trigger, built.Structure
	rec.PatientID, rec.PatientAssigner = built.PatientID, built.PatientAssigner
	return m.Encode(), ""
}

// stored returns which of the batch's control ids this channel already
// stored, with one query for the whole batch.
func (w *writeback) stored(ctx context.Context, batch []taken) (map[string]bool, error) {
	ids := make([]string, len(batch))
	for i, t := range batch {
		ids[i] = t.rec.ControlID
	}
	got, err := w.e.store.Search(ctx, store.Query{Channel: w.ch.Name, ControlIDs: ids, Limit: len(ids)})
	seen := make(map[string]bool, len(batch))
	for _, m := range got {
		seen[m.ControlID] = true
	}
	return seen, err
}

// controlIDFor derives MSH-10 from the request's correlation id: unique per
// request, and the same when JetStream delivers the request again.
func controlIDFor(tenant, correlation string) string {
	sum := sha256.Sum256([]byte(tenant + "\x00" + correlation))
	return "SB" + strings.ToUpper(hex.EncodeToString(sum[:9]))
}

// request is what a write-back request says about itself.
type request struct {
	subject, reply, kind, correlation string
}

func requestOf(msg jetstream.Msg) request {
	r := request{subject: msg.Subject(), reply: msg.Headers().Get("Reply-To")}
	r.kind = r.subject[strings.LastIndexByte(r.subject, '.')+1:]
	r.correlation = msg.Headers().Get("Correlation-Id")
	if r.correlation == "" {
		r.correlation = msg.Headers().Get("Nats-Msg-Id")
	}
	if r.correlation == "" {
		if md, err := msg.Metadata(); err == nil {
			r.correlation = fmt.Sprintf("%s-%d", md.Stream, md.Sequence.Stream)
		}
	}
	return r
}

// origin is how the message log records where a request came from
// ("nats:SUBJECT corr=ID reply=SUBJECT", the id query-escaped); the
// deliverer reads the request back from it after a restart.
func (r request) origin() string {
	s := "nats:" + r.subject + " corr=" + url.QueryEscape(r.correlation)
	if r.reply != "" {
		s += " reply=" + r.reply
	}
	return s
}

func requestFrom(m *store.Message) request {
	s := strings.TrimPrefix(m.RemoteAddr, "nats:")
	subject, rest, _ := strings.Cut(s, " corr=")
	corr, reply, _ := strings.Cut(rest, " reply=")
	r := request{subject: subject, reply: reply}
	r.correlation, _ = url.QueryUnescape(corr)
	r.kind = subject[strings.LastIndexByte(subject, '.')+1:]
	return r
}

// errNoAck: the EHR answered something that is not an ACK.
var errNoAck = errors.New("the answer is not an HL7 ACK")
