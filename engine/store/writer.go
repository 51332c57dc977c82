package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// writer is the single goroutine that writes. It takes the first queued
// op, drains whatever else is already queued (up to maxBatch) into the same
// transaction, commits once and then reports to every op. There is no
// waiting for more ops: at low rates each write commits alone and at once,
// under load batches grow by themselves while the previous commit syncs.
type writer struct {
	db       *sql.DB
	stmts    *writeStmts
	clock    clock // used by the writer goroutine only
	maxBatch int

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
}

func newWriter(db *sql.DB, maxBatch int) (*writer, error) {
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
		maxBatch: maxBatch,
		ops:      make(chan *op, maxBatch),
		exited:   make(chan struct{}),
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
	select {
	case w.ops <- o:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// do queues apply and waits for its commit. If ctx ends first, do returns
// ctx's error and the write may still commit.
func (w *writer) do(ctx context.Context, apply func(*writeTx) error) error {
	result := make(chan error, 1)
	if err := w.submit(ctx, &op{apply: apply, done: func(err error) { result <- err }}); err != nil {
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
	for first := range w.ops {
		batch = w.drain(append(batch[:0], first))
		w.commit(batch, errs[:len(batch)])
		for i, o := range batch {
			o.done(errs[i])
			batch[i], errs[i] = nil, nil // let the ops be collected
		}
	}
}

// drain adds the ops already queued to batch, without waiting for more.
func (w *writer) drain(batch []*op) []*op {
	for len(batch) < w.maxBatch {
		select {
		case o, ok := <-w.ops:
			if !ok {
				return batch
			}
			batch = append(batch, o)
		default:
			return batch
		}
	}
	return batch
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
	return -1, nil
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
