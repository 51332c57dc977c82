package store

import (
	"context"
	"testing"
	"time"
)

// synchronousNow reads the writer connection's synchronous setting:
// 0 OFF, 1 NORMAL, 2 FULL.
func synchronousNow(t *testing.T, s *SQLite) int {
	t.Helper()
	var n int
	if err := s.write.QueryRow("PRAGMA synchronous").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A commit of redoable updates only skips the disk sync; any other write
// syncs again, and a store configured below FULL is never changed.
func TestUpdate_RedoableCommitsSkipTheSync(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t, Options{})
	m := testMessage("c", "1")
	if err := s.Append(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got := synchronousNow(t, s); got != 2 {
		t.Fatalf("after an append synchronous = %d, want 2 (FULL)", got)
	}
	if err := s.Update(ctx, Update{ID: m.ID, Status: StatusSent, AckCode: "AA", Redoable: true}); err != nil {
		t.Fatal(err)
	}
	if got := synchronousNow(t, s); got != 1 {
		t.Errorf("after a redoable update synchronous = %d, want 1 (NORMAL)", got)
	}
	if err := s.Update(ctx, Update{ID: m.ID, Events: []Event{{Stage: "note", Status: StatusSent}}}); err != nil {
		t.Fatal(err)
	}
	if got := synchronousNow(t, s); got != 2 {
		t.Errorf("after a plain update synchronous = %d, want 2 (FULL)", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openPath(t, path, Options{})
	if got, err := s.Get(ctx, m.ID); err != nil || got.Status != StatusSent || got.AckCode != "AA" {
		t.Fatalf("after reopening: %+v, %v; want the redoable update kept", got, err)
	}

	off, _ := openTest(t, Options{Synchronous: "OFF"})
	m = testMessage("c", "2")
	if err := off.Append(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := off.Update(ctx, Update{ID: m.ID, Status: StatusSent, Redoable: true}); err != nil {
		t.Fatal(err)
	}
	if got := synchronousNow(t, off); got != 0 {
		t.Errorf("a store opened with OFF is at synchronous = %d after a redoable update", got)
	}
}

// gather waits only for callers that answer ACKs (appends): an update,
// or a lone append when recent cycles had several, is never held for
// another kind of op.
func TestGather_WaitsOnlyForAckingCallers(t *testing.T) {
	w := &writer{peak: 3, last: 3, gatherDelay: time.Hour, maxBatch: 10, ops: make(chan *op, 10)}
	update := &op{sync: true}
	if got := w.gather([]*op{update}); len(got) != 1 {
		t.Fatalf("an update gathered %d ops", len(got))
	}
	// Two more appends are queued: an append waits for them and no longer.
	w.ops <- &op{sync: true, ack: true}
	w.ops <- &op{sync: true}
	w.ops <- &op{sync: true, ack: true}
	w.ops <- &op{sync: true}
	got := w.gather([]*op{{sync: true, ack: true}})
	if len(got) != 4 || countAcks(got) != 3 {
		t.Errorf("an append gathered %d ops with %d appends, want 4 with 3", len(got), countAcks(got))
	}
	if len(w.ops) != 1 {
		t.Errorf("%d ops left queued, want 1", len(w.ops))
	}
	// The last cycle had fewer callers than the peak: they do not come
	// in groups, and waiting would only delay this one.
	w.last = 1
	w.ops <- &op{sync: true, ack: true}
	if got := w.gather([]*op{{sync: true, ack: true}}); len(got) != 1 {
		t.Errorf("after a cycle of one caller, an append gathered %d ops", len(got))
	}
}
