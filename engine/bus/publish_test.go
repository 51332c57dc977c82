package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go"
)

func TestPublish_SameMsgIDIsStoredOnce(t *testing.T) {
	b := startTestBus(t, Options{})
	ctx := testContext(t)
	h := Header{MsgID: "msg-1/dest-1"}

	first, err := b.Publish(ctx, "fhir.sandbox.ADT.A01", []byte("one"), h)
	if err != nil {
		t.Fatal(err)
	}
	second, err := b.Publish(ctx, "fhir.sandbox.ADT.A01", []byte("one again"), h)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Ack{Stream: "FHIR", Seq: 1}); first != want {
		t.Errorf("first = %+v, want %+v", first, want)
	}
	if want := (Ack{Stream: "FHIR", Seq: 1, Duplicate: true}); second != want {
		t.Errorf("second = %+v, want %+v", second, want)
	}
	if got := streamInfo(t, b, "FHIR").State.Msgs; got != 1 {
		t.Errorf("stream holds %d messages, want 1", got)
	}
}

func TestPublish_HeadersReachSubscriber(t *testing.T) {
	b := startTestBus(t, Options{})
	ctx := testContext(t)

	// A downstream app connects with ClientURL, as the engine tells it to.
	nc, err := nats.Connect(b.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	sub, err := nc.SubscribeSync("fhir.sandbox.>")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}

	extra := nats.Header{"Switchboard-Message-Id": {"42"}, "HL7-Event": {"ADT^A01"}}
	if _, err := b.Publish(ctx, "fhir.sandbox.ADT.A01", []byte("{}"), Header{MsgID: "42/fhir", Extra: extra}); err != nil {
		t.Fatal(err)
	}
	m, err := sub.NextMsg(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := nats.Header{"Nats-Msg-Id": {"42/fhir"}, "Switchboard-Message-Id": {"42"}, "HL7-Event": {"ADT^A01"}}
	if diff := cmp.Diff(want, m.Header); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if len(extra) != 2 {
		t.Errorf("caller's Extra was modified: %v", extra)
	}
}

func TestPublish_Errors(t *testing.T) {
	b := startTestBus(t, Options{})
	ctx := testContext(t)

	if _, err := b.Publish(ctx, "fhir.t.ADT.A01", nil, Header{}); !errors.Is(err, ErrMissingMsgID) {
		t.Errorf("no MsgID: err = %v, want ErrMissingMsgID", err)
	}
	if _, err := b.Publish(ctx, "nostream.x", nil, Header{MsgID: "m"}); !errors.Is(err, ErrNoStream) {
		t.Errorf("no stream: err = %v, want ErrNoStream", err)
	}
}

func TestPublishAsync_SmallWindowAppliesBackPressure(t *testing.T) {
	const maxPending, publishers, perPublisher = 2, 4, 250
	b := startTestBus(t, Options{MaxPending: maxPending})
	ctx := testContext(t)

	var wg sync.WaitGroup
	errs := make(chan error, publishers*perPublisher)
	for w := range publishers {
		wg.Go(func() {
			pending := make([]*Pending, 0, perPublisher)
			for i := range perPublisher {
				id := fmt.Sprintf("w%d-%d", w, i)
				p, err := b.PublishAsync(ctx, "fhir.t.ORU.R01", []byte(id), Header{MsgID: id})
				if err != nil {
					errs <- err
					return
				}
				pending = append(pending, p)
			}
			for _, p := range pending {
				if _, err := p.Wait(ctx); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := streamInfo(t, b, "FHIR").State.Msgs; got != publishers*perPublisher {
		t.Errorf("stream holds %d messages, want %d", got, publishers*perPublisher)
	}
}

func TestPublishAsync_FullWindowWaitsForContextThenAckTimeoutFreesIt(t *testing.T) {
	b := startTestBus(t, Options{MaxPending: 1, AckTimeout: 500 * time.Millisecond})
	ctx := testContext(t)

	// A subscriber that never replies holds the only slot: the publish
	// has a responder, so no "no responders" error, and no PubAck either.
	sub, err := b.Conn().Subscribe("silent.x", func(*nats.Msg) {})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	held, err := b.PublishAsync(ctx, "silent.x", nil, Header{MsgID: "held"})
	if err != nil {
		t.Fatal(err)
	}

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := b.PublishAsync(short, "fhir.t.ADT.A01", nil, Header{MsgID: "blocked"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("PublishAsync with a full window: err = %v, want DeadlineExceeded", err)
	}

	if _, err := held.Wait(ctx); !errors.Is(err, ErrAckTimeout) {
		t.Fatalf("held.Wait: err = %v, want ErrAckTimeout", err)
	}
	if _, err := b.Publish(ctx, "fhir.t.ADT.A01", nil, Header{MsgID: "after"}); err != nil {
		t.Errorf("Publish after the slot was freed: %v", err)
	}
}

func TestPending_DoneLetsOneGoroutineCollectMany(t *testing.T) {
	b := startTestBus(t, Options{})
	ctx := testContext(t)

	const n = 100
	queue := make(chan *Pending, n)
	var collected []Ack
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range queue {
			<-p.Done()
			ack, err := p.Wait(ctx)
			if err != nil {
				t.Error(err)
				continue
			}
			collected = append(collected, ack)
		}
	}()
	for i := range n {
		p, err := b.PublishAsync(ctx, "fhir.t.ADT.A08", nil, Header{MsgID: fmt.Sprint(i)})
		if err != nil {
			t.Error(err)
			break
		}
		queue <- p
	}
	close(queue)
	<-done
	for i, ack := range collected {
		if ack.Seq != uint64(i+1) {
			t.Fatalf("ack %d has Seq %d, want %d", i, ack.Seq, i+1)
		}
	}
	if len(collected) != n {
		t.Errorf("collected %d acks, want %d", len(collected), n)
	}
}

func TestPublish_OverMaxPayloadIsRejectedForGood(t *testing.T) {
	b := startTestBus(t, Options{MaxPayload: 4096})
	_, err := b.Publish(testContext(t), "fhir.t.ORU.R01", make([]byte, 8192), Header{MsgID: "big"})
	if !errors.Is(err, ErrRejected) {
		t.Fatalf("err = %v, want ErrRejected", err)
	}
	if _, err := b.Publish(testContext(t), "fhir.t.ORU.R01", make([]byte, 1024), Header{MsgID: "small"}); err != nil {
		t.Fatalf("a message within the limit after a refused one: %v", err)
	}
}
