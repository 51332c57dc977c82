package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// writer is the single goroutine that writes. It takes the first queued
// op, drains whatever else is already queued (up to maxBatch) into the same
// transaction, commits once and then reports to every op. At low rates each
// write commits alone and at once; under load batches grow while the
// previous commit syncs, and gather holds a commit briefly for callers that
// are about to come back.
type writer struct {
	db       *sql.DB
	stmts    *writeStmts
	clock    clock // used by the writer goroutine only
	maxBatch int
	full     bool // synchronous=FULL: redoable-only commits may relax (setSync)
	relaxed  bool // the connection is at synchronous=NORMAL now

	onCommit    func()       // after each commit; must not block
	finishWAL   *atomic.Bool // the checkpointer asks for a checkpoint here
	gatherDelay time.Duration
	deferred    []*op        // async ops waiting for a commit (writer goroutine only)
	deferredAt  time.Time    // when the oldest deferred op was deferred
	queuedAcks  atomic.Int64 // ACKing callers' ops in the queue
	peak        int          // callers seen in one commit cycle, recently
	last        int          // callers seen in the last commit cycle
	peakAt      time.Time

	mu     sync.RWMutex // held for reading while sending on ops
	closed bool
	ops    chan *op
	exited chan struct{}

	nops, commits atomic.Uint64
}

// op is one queued write. apply runs inside the batch's transaction and
// may run twice (see commit); done runs on the writer goroutine after the
// outcome is known, so it must be quick and must not write to the store.
type op struct {
	apply func(*writeTx) error
	done  func(error)
	sync  bool // a caller blocks until the commit (Append, Update)
	// ack: the caller answers an ACK once this commits (Append) and is
	// back with its next write a moment later; gather waits for these.
	ack bool
	// redoable: a power cut that loses this write costs only work done
	// again (see Update.Redoable), so its commit need not wait for the
	// disk.
	redoable bool
}

func newWriter(db *sql.DB, opts Options, onCommit func(), finishWAL *atomic.Bool) (*writer, error) {
	var last int64
	if err := db.QueryRow("SELECT COALESCE(MAX(received_at), 0) FROM messages").Scan(&last); err != nil {
		return nil, fmt.Errorf("read last receive time: %w", err)
	}
	stmts, err := prepareWrites(db)
	if err != nil {
		return nil, err
	}
	w := &writer{
		db:       db,
		stmts:    stmts,
		clock:    clock{last},
		maxBatch: opts.MaxBatch,
		ops:      make(chan *op, opts.MaxBatch),
		full:     opts.Synchronous == "FULL",

		gatherDelay: opts.GatherDelay,
		onCommit:    onCommit,
		finishWAL:   finishWAL,
		exited:      make(chan struct{}),
	}
	go w.run()
	return w, nil
}

// submit queues o, blocking while the queue is full.
func (w *writer) submit(ctx context.Context, o *op) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return ErrClosed
	}
	// select picks at random among ready cases: check ctx first so that
	// an ended ctx never queues a write.
	if err := ctx.Err(); err != nil {
		return err
	}
	if o.ack {
		w.queuedAcks.Add(1)
	}
	select {
	case w.ops <- o:
		return nil
	case <-ctx.Done():
		if o.ack {
			w.queuedAcks.Add(-1)
		}
		return ctx.Err()
	}
}

// do queues apply and waits for its commit. If ctx ends first, do returns
// ctx's error and the write may still commit.
func (w *writer) do(ctx context.Context, apply func(*writeTx) error) error {
	return w.wait(ctx, &op{apply: apply})
}

// wait queues o and waits for its commit, as do does.
func (w *writer) wait(ctx context.Context, o *op) error {
	result := make(chan error, 1)
	o.done, o.sync = func(err error) { result <- err }, true
	if err := w.submit(ctx, o); err != nil {
		return err
	}
	select {
	case err := <-result:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w (the write may still commit)", ctx.Err())
	}
}

func (w *writer) run() {
	defer close(w.exited)
	batch := make([]*op, 0, w.maxBatch)
	errs := make([]error, w.maxBatch)
	for {
		first, ok := w.next()
		if !ok {
			break
		}
		batch = w.drain(append(batch[:0], first))
		batch = w.gather(batch)
		batch = w.withDeferred(batch)
		if len(batch) == 0 {
			continue
		}
		w.commit(batch, errs[:len(batch)])
		w.observe(batch)
		for i, o := range batch {
			o.done(errs[i])
			batch[i], errs[i] = nil, nil // let the ops be collected
		}
		if w.finishWAL.Swap(false) {
			// Between transactions no frame is added while this runs, so
			// it completes the WAL and the next commit restarts it.
			_, _ = w.db.Exec("PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
	// Closing: commit everything still deferred.
	for len(w.deferred) > 0 {
		n := min(len(w.deferred), w.maxBatch)
		batch = append(batch[:0], w.deferred[:n]...)
		w.deferred = w.deferred[n:]
		w.commit(batch, errs[:n])
		for i, o := range batch {
			o.done(errs[i])
			errs[i] = nil // commit skips ops that have a result
		}
	}
}

// Async writes (UpdateAsync: a pipeline recording outcomes) are deferred
// while callers wait for commits, and committed together once enough have
// gathered or the oldest has waited asyncDelay. Each commit that a caller
// waits for then carries its own few pages, not every outcome recorded
// since the last one, and outcomes share index and table pages when they
// are written many at a time.
const (
	asyncDelay = 10 * time.Millisecond
	asyncBatch = 256
)

// next returns the next op to start a batch with: a queued one, or nil
// when deferred async ops are due. ok is false once the queue is closed.
func (w *writer) next() (o *op, ok bool) {
	if len(w.deferred) == 0 {
		o, ok = <-w.ops
		return w.took(o), ok
	}
	wait := asyncDelay - time.Since(w.deferredAt)
	if wait <= 0 {
		return nil, true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case o, ok = <-w.ops:
		if !ok {
			return nil, false
		}
		return w.took(o), true
	case <-t.C:
		return nil, true
	}
}

// withDeferred moves async ops out of batch into the deferred list, and
// back in (oldest first) when they are due: the list is full or its
// oldest op has waited asyncDelay. Due ops ride along with the callers'
// next commit; they commit alone only when no caller comes within
// asyncDelay, so an idle writer still settles them promptly.
func (w *writer) withDeferred(batch []*op) []*op {
	syncOps := batch[:0]
	for _, o := range batch {
		if o == nil {
			continue
		}
		if o.sync {
			syncOps = append(syncOps, o)
			continue
		}
		if len(w.deferred) == 0 {
			w.deferredAt = time.Now()
		}
		w.deferred = append(w.deferred, o)
	}
	due := len(w.deferred) >= asyncBatch || time.Since(w.deferredAt) >= asyncDelay
	if !due || len(w.deferred) == 0 {
		return syncOps
	}
	room := w.maxBatch - len(syncOps)
	n := min(room, len(w.deferred))
	out := append(syncOps, w.deferred[:n]...)
	w.deferred = append(w.deferred[:0], w.deferred[n:]...)
	w.deferredAt = time.Now()
	return out
}

// drain adds the ops already queued to batch, without waiting for more.
// A nil first op (deferred ops due) is dropped by withDeferred.
func (w *writer) drain(batch []*op) []*op {
	for len(batch) < w.maxBatch {
		select {
		case o, ok := <-w.ops:
			if !ok {
				return batch
			}
			batch = append(batch, w.took(o))
		default:
			return batch
		}
	}
	return batch
}

// took accounts for an op leaving the queue.
func (w *writer) took(o *op) *op {
	if o != nil && o.ack {
		w.queuedAcks.Add(-1)
	}
	return o
}

// gather holds the batch open until it has as many waiting callers as
// recent commit cycles had, and for gatherDelay at most. Callers such as
// MLLP connections each wait for their commit and send their next write a
// fraction of a millisecond later; without this, four of them settle into
// two groups of two that take turns on the fsync, and the disk does twice
// the syncs for the same work (PostgreSQL's commit_delay, made adaptive).
// Only such callers are waited for (ops marked ack): a lone caller, a
// pipeline's updates or a write-back's outcome never wait. The write-back
// deliverer, one caller sending one message at a time, once waited the
// full delay for a second caller whenever the consumer's batch had shared
// a commit with it: 20% of its throughput.
//
// And it waits only while callers come in groups: when the last cycle had
// as many as the peak. Under a moderate load (a paced 1,000 msg/s over
// four connections) the peak is two now and then while most cycles have
// one, and each commit waited out the delay, which Go's timers stretch to
// about 1.5 ms on this VM: ACK p50 2.4-3.1 ms, against 1.0-1.2 ms now
// (p99 6.6-9.4 against 5.3-6.0). Flat out, four connections come as a
// group each cycle and are gathered as before (1,550-1,910 msg/s against
// 1,600-1,820 in alternating runs). A group one late caller split (3+1)
// merges again when the late one arrives during the others' commit, as
// it does here where a commit outlasts a caller's round trip. On a disk
// whose commits are shorter than that, a split can last (2+2 settles
// with a peak of 2): twice the syncs, on the disk where syncs are
// cheapest. Resting after a wait in vain instead kept groups together
// but held moderate loads more (p50 1.9 ms); telling callers apart would
// take a caller identity the store does not have.
//
// It blocks on the queue rather than polling it. An earlier version spun
// (Gosched and the clock) to stop at a 300 µs gap, because Go timers fire
// about a millisecond late on an idle VM; but on two vCPUs the spin took
// the CPU from the very callers it waited for. Alternating runs of the
// engine (switchboard bench -c 4, synchronous=FULL): blocking 1,430-2,130
// msg/s, spinning 1,170-1,510, spinning 50 µs then blocking 1,720-1,950;
// the same ACK latency at a paced 1,000 msg/s. The message log alone
// (BenchmarkAppendParallel, nothing else wanting the CPU) is 10-20% faster
// spinning: the engine is what runs in production.
func (w *writer) gather(batch []*op) []*op {
	want, have := w.peak, countAcks(batch)
	if w.gatherDelay <= 0 || have == 0 || have >= want || w.last < want {
		return batch
	}
	timer := time.NewTimer(w.gatherDelay)
	defer timer.Stop()
	for have < want && len(batch) < w.maxBatch {
		select {
		case o, ok := <-w.ops:
			if !ok {
				return batch
			}
			batch = append(batch, w.took(o))
			if o.ack {
				have++
			}
		case <-timer.C:
			return batch
		}
	}
	return batch
}

// peakWindow is how long the largest cycle is remembered: a caller that
// went quiet costs at most this long of needless gathering.
const peakWindow = 100 * time.Millisecond

// observe records how many ACKing callers took part in the cycle just
// committed (those in the batch and those already queued for the next
// one) and keeps the largest seen within peakWindow.
func (w *writer) observe(batch []*op) {
	n := countAcks(batch) + int(w.queuedAcks.Load())
	w.last = n
	if now := time.Now(); n >= w.peak || now.Sub(w.peakAt) > peakWindow {
		w.peak, w.peakAt = n, now
	}
}

func countAcks(batch []*op) int {
	n := 0
	for _, o := range batch {
		if o != nil && o.ack {
			n++
		}
	}
	return n
}

// commit runs batch in one transaction and leaves each op's result in
// errs. When an op fails, the transaction is rolled back and run again
// without it, so that one bad op fails alone; each rerun drops an op, so
// there are at most len(batch) of them. A failure of BEGIN or COMMIT
// belongs to no op and fails them all.
func (w *writer) commit(batch []*op, errs []error) {
	for range batch {
		failed, err := w.runTx(batch, errs)
		switch {
		case err == nil:
			return
		case failed < 0:
			for i := range errs {
				if errs[i] == nil {
					errs[i] = err
				}
			}
			return
		}
		errs[failed] = err
	}
}

// runTx applies, in one transaction, the ops that have no result yet. An
// op that finds its message missing has written nothing: ErrNotFound is
// its result, for good, and the transaction goes on. Any other error
// rolls back and returns the index of the op that failed, or -1 if no op
// did.
func (w *writer) runTx(ops []*op, errs []error) (failed int, err error) {
	ctx := context.Background() // one caller giving up must not abort the others' commit
	if err := w.setSync(ops, errs); err != nil {
		return -1, err
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return -1, fmt.Errorf("begin: %w", err)
	}
	wtx := w.stmts.bind(ctx, tx, &w.clock)
	n := 0
	for i, o := range ops {
		if errs[i] != nil {
			continue
		}
		switch err := o.apply(wtx); {
		case err == nil:
			n++
		case errors.Is(err, ErrNotFound):
			errs[i] = err
		default:
			tx.Rollback()
			return i, err
		}
	}
	if err := tx.Commit(); err != nil {
		return -1, fmt.Errorf("commit: %w", err)
	}
	w.commits.Add(1)
	w.nops.Add(uint64(n))
	if w.onCommit != nil {
		w.onCommit()
	}
	return -1, nil
}

// setSync puts the connection at synchronous=NORMAL for a commit whose ops
// are all redoable, and back at FULL for any other. In WAL mode a NORMAL
// commit is written to the operating system before it returns, so it
// survives the process being killed; it reaches the disk with the next
// FULL commit or checkpoint, which sync the whole WAL and so every frame
// before theirs. The checkpointer runs one within checkpointGap of each
// commit, and it syncs the WAL when it has frames to copy (not while a
// long read holds an old snapshot: then the next FULL commit or the
// operating system's writeback does). A power cut loses at most redoable
// commits, never a write that was not redoable, since each is synced.
// Saving the sync is what lets a write-back deliverer, which records each
// ACK before it sends the next message, go at the speed of the EHR
// rather than of the disk.
func (w *writer) setSync(ops []*op, errs []error) error {
	if !w.full {
		return nil
	}
	relax := true
	for i, o := range ops {
		if errs[i] == nil && !o.redoable {
			relax = false
			break
		}
	}
	if relax == w.relaxed {
		return nil
	}
	mode := "FULL"
	if relax {
		mode = "NORMAL"
	}
	if _, err := w.db.Exec("PRAGMA synchronous = " + mode); err != nil {
		return fmt.Errorf("synchronous = %s: %w", mode, err)
	}
	w.relaxed = relax
	return nil
}

// close stops accepting ops, waits until the queued ones are committed and
// the writer has exited, then releases the prepared statements.
func (w *writer) close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	// No sender holds the read lock now, so closing cannot race a send.
	close(w.ops)
	w.mu.Unlock()
	<-w.exited
	return w.stmts.close()
}

func (w *writer) stats() WriterStats {
	return WriterStats{Ops: w.nops.Load(), Commits: w.commits.Load(), Queued: len(w.ops)}
}
