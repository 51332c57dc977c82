package store

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
)

func TestAppend_GroupsConcurrentCommits(t *testing.T) {
	s, path := openTest(t, Options{})
	const n = 200
	ids := make([]int64, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			m := testMessage("c", strconv.Itoa(i))
			errs[i] = s.Append(context.Background(), m)
			ids[i] = m.ID
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	t.Logf("%d ops in %d commits", st.Ops, st.Commits)
	if st.Ops != n || st.Commits >= st.Ops {
		t.Errorf("Stats = %+v: want %d ops in fewer commits", st, n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openPath(t, path, Options{})
	seen := make(map[int64]bool)
	for i, id := range ids {
		m, err := s.Get(context.Background(), id)
		if err != nil {
			t.Fatalf("message %d (id %d) after reopen: %v", i, id, err)
		}
		if m.ControlID != strconv.Itoa(i) || seen[id] {
			t.Errorf("id %d: control id %q (want %d), seen before: %t", id, m.ControlID, i, seen[id])
		}
		seen[id] = true
	}
}

func TestUpdateAsync_CallsEveryDone(t *testing.T) {
	s, _ := openTest(t, Options{})
	const n = 300
	ids := bulkAppend(t, s, n, func(i int) (*Message, []Event) { return testMessage("c", strconv.Itoa(i)), nil })
	results := make(chan error, n+1)
	for _, id := range ids {
		s.UpdateAsync(Update{ID: id, Status: StatusSent, Events: []Event{{Stage: "publish", Status: StatusSent}}},
			func(err error) { results <- err })
	}
	s.UpdateAsync(Update{ID: ids[n-1] + 1000, Status: StatusSent}, func(err error) { results <- err })
	s.UpdateAsync(Update{ID: ids[0], Status: StatusSent}, nil) // nil done is allowed

	var notFound int
	for range n + 1 {
		switch err := <-results; {
		case errors.Is(err, ErrNotFound):
			notFound++
		case err != nil:
			t.Error(err)
		}
	}
	if notFound != 1 {
		t.Errorf("%d ErrNotFound results, want 1 (the missing id)", notFound)
	}
	if got, err := s.Pending(context.Background(), "c", 0, 0); err != nil || len(got) != 0 {
		t.Errorf("Pending after async updates = %d messages, %v; want none", len(got), err)
	}
}

func TestClose_FlushesQueuedWritesThenRefuses(t *testing.T) {
	s, path := openTest(t, Options{MaxBatch: 8}) // small batches: many still queued at Close
	ctx := context.Background()
	id := mustAppend(t, s, testMessage("c", "1"))
	const n = 100
	var wg sync.WaitGroup
	wg.Add(n)
	errs := make([]error, n)
	for i := range n {
		s.UpdateAsync(Update{ID: id, Status: StatusQueued, Events: []Event{{Stage: strconv.Itoa(i)}}},
			func(err error) { errs[i] = err; wg.Done() })
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait() // every done has run by the time Close returned
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}

	for name, err := range map[string]error{
		"Append":      s.Append(ctx, testMessage("c", "2")),
		"Update":      s.Update(ctx, Update{ID: id, Status: StatusSent}),
		"Get":         second(s.Get(ctx, id)),
		"Events":      second(s.Events(ctx, id)),
		"Pending":     second(s.Pending(ctx, "c", 0, 0)),
		"Search":      second(s.Search(ctx, Query{})),
		"EventsSince": second(s.EventsSince(ctx, 0, "", nil, 0)),
		"QueueStats":  second(s.QueueStats(ctx)),
		"Close":       s.Close(),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
	done := make(chan error, 1)
	s.UpdateAsync(Update{ID: id, Status: StatusSent}, func(err error) { done <- err })
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("UpdateAsync after Close: %v, want ErrClosed", err)
	}

	s = openPath(t, path, Options{})
	if events, err := s.Events(ctx, id); err != nil || len(events) != n {
		t.Errorf("after reopen: %d events, %v; want %d", len(events), err, n)
	}
}

func second[T any](_ T, err error) error { return err }

func TestAppend_EndedContextQueuesNothing(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// With room in the queue, a select could pick the send over the ended
	// context: try often enough that a 50/50 choice would show.
	for range 20 {
		if err := s.Append(ctx, testMessage("c", "1")); !errors.Is(err, context.Canceled) {
			t.Fatalf("Append with an ended context: %v, want context.Canceled", err)
		}
	}
	if st := s.Stats(); st.Ops != 0 {
		t.Errorf("Stats = %+v after canceled appends, want no ops", st)
	}
}

// A write that fails midway must roll back alone: the others in its batch
// commit, and none of its own rows remain.
func TestWriter_FailedOpsDoNotFailTheirBatch(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := context.Background()
	boom1, boom2 := errors.New("boom 1"), errors.New("boom 2")
	var results [5]error
	var wg sync.WaitGroup
	appendOp := func(i int, fail error) *op {
		return &op{
			apply: func(tx *writeTx) error {
				if err := tx.append(testMessage("c", strconv.Itoa(i)), nil); err != nil {
					return err
				}
				return fail
			},
			done: func(err error) { results[i] = err; wg.Done() },
		}
	}
	missing := &op{
		apply: Update{ID: 999, Status: StatusSent}.apply,
		done:  func(err error) { results[2] = err; wg.Done() },
	}
	// A first op holds the writer until the others are queued, so that
	// they share the next batch.
	running, release := make(chan struct{}), make(chan struct{})
	blocker := &op{
		apply: func(*writeTx) error { close(running); <-release; return nil },
		done:  func(error) {},
	}
	if err := s.w.submit(ctx, blocker); err != nil {
		t.Fatal(err)
	}
	<-running
	batch := []*op{appendOp(0, nil), appendOp(1, boom1), missing, appendOp(3, boom2), appendOp(4, nil)}
	wg.Add(len(batch))
	for _, o := range batch {
		if err := s.w.submit(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	before := s.Stats()
	close(release)
	wg.Wait()

	want := [5]error{nil, boom1, ErrNotFound, boom2, nil}
	for i := range want {
		if !errors.Is(results[i], want[i]) || (want[i] == nil) != (results[i] == nil) {
			t.Errorf("op %d: result %v, want %v", i, results[i], want[i])
		}
	}
	// One commit for the blocker, one for the batch after its two reruns.
	if st := s.Stats(); st.Commits-before.Commits != 2 {
		t.Errorf("%d commits, want 2", st.Commits-before.Commits)
	}
	got, err := s.Search(ctx, Query{Channel: "c"})
	if err != nil {
		t.Fatal(err)
	}
	var controls []string
	for _, m := range got {
		controls = append(controls, m.ControlID)
	}
	if len(controls) != 2 || controls[0] != "4" || controls[1] != "0" {
		t.Errorf("stored control ids %q, want [4 0]", controls)
	}
}

// When another process holds the write lock, BEGIN fails after the busy
// timeout: every op of the batch gets that error once, with no rerun per
// op, and the store works again when the lock is released.
func TestWriter_LockHeldElsewhereFailsTheBatchOnce(t *testing.T) {
	s, path := openTest(t, Options{BusyTimeout: 20 * time.Millisecond})
	ctx := context.Background()
	other := openDB(path, Options{Synchronous: "FULL", BusyTimeout: time.Millisecond}, false, 1)
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil) // BEGIN IMMEDIATE: takes the write lock
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { errs[i] = s.Append(ctx, testMessage("c", strconv.Itoa(i))) })
	}
	wg.Wait()
	for i, err := range errs {
		var serr sqlite3.Error
		if !errors.As(err, &serr) || serr.Code != sqlite3.ErrBusy {
			t.Errorf("Append %d while locked elsewhere: %v, want SQLITE_BUSY", i, err)
		}
	}
	tx.Rollback()
	mustAppend(t, s, testMessage("c", "after"))
}

// errList collects errors from goroutines, the writer's among them, without
// ever blocking.
type errList struct {
	mu   sync.Mutex
	errs []error
}

func (l *errList) add(err error) {
	if err != nil {
		l.mu.Lock()
		l.errs = append(l.errs, err)
		l.mu.Unlock()
	}
}

func TestStore_ConcurrentReadersAndWriters(t *testing.T) {
	s, _ := openTest(t, Options{Synchronous: "NORMAL"})
	ctx := context.Background()
	const writers, perWriter = 4, 50
	var wg sync.WaitGroup
	var errs errList
	for w := range writers {
		wg.Go(func() {
			ch := "ch" + strconv.Itoa(w%2)
			for i := range perWriter {
				m := testMessage(ch, strconv.Itoa(w*perWriter+i))
				if err := s.Append(ctx, m, Event{Stage: "receive", Status: StatusReceived}); err != nil {
					errs.add(err)
					return
				}
				s.UpdateAsync(Update{ID: m.ID, Status: StatusSent, Output: []byte("o")}, errs.add)
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			var after int64
			for range 100 {
				if _, err := s.Pending(ctx, "ch0", 0, 10); err != nil {
					errs.add(err)
					return
				}
				if _, err := s.Search(ctx, Query{Statuses: []Status{StatusSent}, Limit: 5}); err != nil {
					errs.add(err)
					return
				}
				evs, err := s.EventsSince(ctx, after, "ch1", nil, 20)
				if err != nil {
					errs.add(err)
					return
				}
				if len(evs) > 0 {
					after = evs[len(evs)-1].ID
				}
				if _, err := s.QueueStats(ctx); err != nil {
					errs.add(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := s.Close(); err != nil { // flushes the async updates
		t.Fatal(err)
	}
	for _, err := range errs.errs {
		t.Error(err)
	}
	if st := s.Stats(); st.Ops != 2*writers*perWriter {
		t.Errorf("Stats = %+v, want %d ops", st, 2*writers*perWriter)
	}
}

// At close, async ops still deferred commit in groups of maxBatch; the
// result of an op in one group must not stick to the op at the same place
// in the next, which would then be skipped and reported as failed.
func TestWriter_CloseCommitsEveryDeferredGroup(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{})
	m := testMessage("c", "1")
	if err := s.Append(ctx, m); err != nil {
		t.Fatal(err)
	}
	stmts, err := prepareWrites(s.write)
	if err != nil {
		t.Fatal(err)
	}
	// A writer of its own, not started, with four deferred updates: the
	// first of a message that does not exist.
	w := &writer{db: s.write, stmts: stmts, maxBatch: 2, ops: make(chan *op), finishWAL: new(atomic.Bool), exited: make(chan struct{})}
	results := make([]error, 4)
	for i := range results {
		u := Update{ID: m.ID, Events: []Event{{Stage: "note" + strconv.Itoa(i), Status: StatusQueued}}}
		if i == 0 {
			u.ID = m.ID + 100
		}
		w.deferred = append(w.deferred, &op{apply: u.apply, done: func(err error) { results[i] = err }})
	}
	w.deferredAt = time.Now() // not due: they wait for the close
	close(w.ops)
	w.run()
	stmts.close()
	if !errors.Is(results[0], ErrNotFound) {
		t.Errorf("update of a missing message: %v, want ErrNotFound", results[0])
	}
	for i, err := range results[1:] {
		if err != nil {
			t.Errorf("update %d: %v", i+1, err)
		}
	}
	got, err := s.Events(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Errorf("%d events stored, want the 3 notes: %+v", len(got), got)
	}
}
