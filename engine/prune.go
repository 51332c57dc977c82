package engine

import (
	"context"
	"time"
)

// pruneEvery is how often the pruner looks for messages past retention;
// pruneBatch bounds one delete transaction so new messages keep flowing.
const (
	pruneEvery = 10 * time.Minute
	pruneBatch = 1000
)

// prune deletes, until ctx ends, final messages older than the store's
// retention: without it the message log grows until the disk is full.
func (e *Engine) prune(ctx context.Context) {
	keep := e.cfg.Store.Retention.Std()
	t := time.NewTimer(time.Minute) // not during start-up's catch-up
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cutoff := time.Now().Add(-keep)
		total := 0
		for ctx.Err() == nil {
			n, err := e.store.Prune(ctx, cutoff, pruneBatch)
			total += n
			if err != nil {
				if ctx.Err() == nil {
					e.log.Error("pruning the message log", "err", err)
				}
				break
			}
			if n < pruneBatch {
				break
			}
		}
		if total > 0 {
			e.log.Info("pruned the message log", "messages", total, "received_before", cutoff.Format(time.RFC3339))
		}
		t.Reset(pruneEvery)
	}
}
