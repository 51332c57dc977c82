package store

import (
	"context"
	"fmt"
	"time"
)

// pruneSQL deletes up to ? final messages received before a time, oldest
// first; bodies, outputs and events go with them (ON DELETE CASCADE).
// Messages not yet final are never pruned, however old: they are work.
const pruneSQL = `DELETE FROM messages WHERE id IN (
	SELECT id FROM messages
	WHERE id < COALESCE(` + firstReceivedAt + `, 9223372036854775807)
	  AND status IN ('FILTERED', 'SENT', 'PROCESSED', 'ERROR', 'DEAD')
	ORDER BY id LIMIT ?)`

// Prune deletes final messages received before cutoff, at most limit in
// one transaction, and returns how many it deleted. Callers loop until it
// returns fewer than limit, so each transaction stays short and the
// writer keeps serving new messages between them. Ids stay monotonic
// (AUTOINCREMENT), so a pruned id is never given again.
func (s *SQLite) Prune(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	if s.w == nil {
		return 0, ErrReadOnly
	}
	var n int64
	err := s.w.do(ctx, func(tx *writeTx) error {
		res, err := tx.tx.ExecContext(tx.ctx, pruneSQL, cutoff.UnixNano(), pageSize(limit))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune before %s: %w", cutoff.Format(time.RFC3339), err)
	}
	return int(n), nil
}
