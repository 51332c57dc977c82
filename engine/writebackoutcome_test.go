package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/internal/natstest"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

// An outcome committed to the message log but never published (the
// engine died while it waited in the publisher's queue) is published when
// the engine starts again, and only once however often it restarts.
func TestWriteback_UnpublishedOutcomeIsPublishedOnRestart(t *testing.T) {
	dir := t.TempDir()
	chans := map[string]string{"wb.yaml": writebackChannel(reserveAddr(t), 3)}
	te := startEngineIn(t, dir, "", chans)
	req := request{subject: "writeback.sandbox.results", kind: "results", correlation: "lost-1"}
	ack := mllptest.BuildAck(mllptest.Message("SBLOST"), "AA", "stored")
	m := &store.Message{Channel: "wb", Direction: store.Outbound, RemoteAddr: req.origin(), ControlID: "SBLOST",
		Raw: mllptest.Message("SBLOST"), Status: store.StatusSent, AckCode: "AA", Ack: ack, Attempts: 1}
	if err := te.Store().Append(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	te.stop()

	for range 2 {
		te = startEngineIn(t, dir, "", chans)
		got := outcomes(t, te, 1)
		if len(got) != 1 {
			t.Fatalf("%d outcomes published, want 1", len(got))
		}
		o := got[0]
		if o.Correlation != "lost-1" || o.Status != "sent" || o.MessageID != m.ID || o.AckCode != "AA" || o.AckText != "stored" {
			t.Errorf("outcome %+v", o)
		}
		time.Sleep(300 * time.Millisecond) // a second copy would be in the stream by now
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s, err := jsClient(t, te).Stream(ctx, "OUTCOMES")
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Info(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs != 1 {
			t.Errorf("OUTCOMES holds %d messages, want 1", info.State.Msgs)
		}
		te.stop()
	}
}

// The outcome replayed on start is that of the messages finished last, not
// of those received last: a message retried while two thousand later ones
// (other patients') were sent finishes after them, and its outcome, queued
// when the engine died, must still be published.
func TestWriteback_ReplayFollowsFinishOrderNotIDs(t *testing.T) {
	dir := t.TempDir()
	chans := map[string]string{"wb.yaml": writebackChannel(reserveAddr(t), 3)}
	te := startEngineIn(t, dir, "", chans)
	ctx := context.Background()
	sentEvent := func() []store.Event {
		return []store.Event{{Stage: "send", Status: store.StatusSent, Time: time.Now(), Detail: "ACK AA"}}
	}
	msg := func(corr string) *store.Message {
		req := request{subject: "writeback.sandbox.results", kind: "results", correlation: corr}
		id := controlIDFor("sandbox", corr)
		return &store.Message{Channel: "wb", Direction: store.Outbound, RemoteAddr: req.origin(), ControlID: id,
			Raw: mllptest.Message(id), Status: store.StatusSent, AckCode: "AA", Attempts: 1}
	}
	retried := msg("retried")
	if err := te.Store().Append(ctx, retried); err != nil {
		t.Fatal(err)
	}
	const later = 2 * outcomeQueue
	recs, evs := make([]*store.Message, later), make([][]store.Event, later)
	for i := range recs {
		recs[i], evs[i] = msg(fmt.Sprint("later-", i)), sentEvent()
	}
	if err := te.Store().AppendBatch(ctx, recs, evs); err != nil {
		t.Fatal(err)
	}
	// Its ACK, after all the others: the last outcome committed.
	if err := te.Store().Update(ctx, store.Update{ID: retried.ID, Status: store.StatusSent, AckCode: "AA", Attempts: 3, Events: sentEvent()}); err != nil {
		t.Fatal(err)
	}
	te.stop()

	te = startEngineIn(t, dir, "", chans)
	defer te.stop()
	for _, o := range outcomes(t, te, later+1) {
		if o.Correlation == "retried" {
			return
		}
	}
	t.Errorf("the outcome of the message finished last (id %d) was not replayed", retried.ID)
}

// An outcome published twice (a replay after a restart, through the
// retrying path) reaches the stream once and answers its requester once.
func TestWriteback_RetriedOutcomeRepliesOnce(t *testing.T) {
	te := startEngine(t, "", map[string]string{"wb.yaml": writebackChannel(reserveAddr(t), 3)})
	w := te.writebacks[0]
	inbox := "replies.once"
	sub, err := te.bus.Conn().SubscribeSync(inbox)
	if err != nil {
		t.Fatal(err)
	}
	job := outcomeJob{req: request{subject: "writeback.sandbox.results", reply: inbox, kind: "results", correlation: "twice-1"},
		o: wbOutcome{Status: "sent", MessageID: 424242, ControlID: "SBTWICE", AckCode: "AA"}}
	ctx := context.Background()
	w.publishOutcome(ctx, job)
	w.publishOutcome(ctx, job) // as a replay would
	if _, err := sub.NextMsg(5 * time.Second); err != nil {
		t.Fatalf("no reply: %v", err)
	}
	if m, err := sub.NextMsg(500 * time.Millisecond); err == nil {
		t.Fatalf("a second reply: %s", m.Data)
	}
}

// An outcome given up while NATS was away (past outcomeTries) is
// published once NATS is back, and only once.
func TestWriteback_OutcomeGivenUpIsPublishedWhenNATSIsBack(t *testing.T) {
	// Restored after the engine stops (cleanups run last first), so no
	// engine goroutine reads it meanwhile.
	t.Cleanup(func(n int) func() { return func() { outcomeTries = n } }(outcomeTries))
	outcomeTries = 2
	srv := natstest.New(t)
	srv.Start()
	peer := mllptest.NewPeer(t, mllptest.AlwaysAck("AA"))
	te := startEngine(t, fmt.Sprintf("nats: {url: %q}\n", srv.URL()), map[string]string{"wb.yaml": writebackChannel(peer.Addr(), 3)})
	if err := te.Pause("wb"); err != nil {
		t.Fatal(err)
	}
	publishRequest(t, te, "results", "while-down-1", resultsBundle("MRN-DOWN"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if msgs, _ := te.Store().Search(context.Background(), store.Query{Channel: "wb"}); len(msgs) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the request was not stored")
		}
		time.Sleep(20 * time.Millisecond)
	}
	srv.Kill()
	if err := te.Resume("wb"); err != nil {
		t.Fatal(err)
	}
	m := te.waitFinal("wb", 1) // sent to the EHR while NATS is away
	if m.Status != store.StatusSent {
		t.Fatalf("write-back %s, want SENT", m.Status)
	}
	time.Sleep(3 * time.Second) // outcomeTries a second apart: given up
	srv.Start()
	got := outcomes(t, te, 1)
	if len(got) != 1 || got[0].Correlation != "while-down-1" || got[0].Status != "sent" {
		t.Fatalf("outcomes after NATS came back: %+v", got)
	}
	time.Sleep(2 * missedReplayCheck) // no second copy
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := jsClient(t, te).Stream(ctx, "OUTCOMES")
	if err != nil {
		t.Fatal(err)
	}
	if info, err := s.Info(ctx); err != nil || info.State.Msgs != 1 {
		t.Fatalf("OUTCOMES holds %v messages (%v), want 1", info.State.Msgs, err)
	}
}
