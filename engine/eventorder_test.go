package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/mllp"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

// Events are numbered in commit order, which is the order tail prints.
// Under concurrent connections and enrichment, whose receive and enrich
// events carry the time of the frame and of the lookup rather than of the
// commit, different messages' events may interleave out of time order
// (tail --help says so), but each message's own events are in time order
// and start with its receive.
func TestEngine_EachMessagesEventsAreInTimeOrderByID(t *testing.T) {
	te := startEngine(t, sandboxTenant, map[string]string{"adt.yaml": fmt.Sprintf(enrichChannel, "retry", "continue")})
	const conns, each = 4, 15
	var wg sync.WaitGroup
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := &mllp.Client{Addr: te.ChannelAddr("adt").String(), AckTimeout: 10 * time.Second}
			defer cl.Close()
			for i := range each {
				if _, err := cl.Send(context.Background(), mllptest.Message(fmt.Sprintf("C%d-%d", c, i))); err != nil {
					t.Errorf("connection %d message %d: %v", c, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	waitFinal(t, te, "adt")
	events, err := te.Store().EventsSince(context.Background(), 0, "adt", nil, 10*conns*each)
	if err != nil {
		t.Fatal(err)
	}
	last := map[int64]store.Event{}
	for _, e := range events {
		p, seen := last[e.MessageID]
		switch {
		case !seen && e.Stage != "receive":
			t.Errorf("message %d: first event %s %s, want receive", e.MessageID, e.Stage, e.Status)
		case seen && e.Time.Before(p.Time):
			t.Errorf("message %d: event %d (%s %s, %s) is after event %d (%s %s, %s)", e.MessageID,
				e.ID, e.Stage, e.Status, e.Time.Format(time.StampMicro), p.ID, p.Stage, p.Status, p.Time.Format(time.StampMicro))
		}
		last[e.MessageID] = e
	}
	if len(last) != conns*each {
		t.Errorf("events of %d messages, want %d", len(last), conns*each)
	}
}

// waitFinal waits until no message of channel is pending.
func waitFinal(t *testing.T, te *testEngine, channel string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		pending, err := te.Store().Search(context.Background(), store.Query{Channel: channel,
			Statuses: []store.Status{store.StatusReceived, store.StatusQueued}, Limit: 1})
		if err == nil && len(pending) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: messages still pending (err %v)", channel, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
