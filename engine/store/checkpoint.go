package store

import (
	"context"
	"database/sql"
	"log/slog"
	"sync/atomic"
	"time"
)

// The writer connection never checkpoints (wal_autocheckpoint = 0): an
// automatic checkpoint runs inside the COMMIT that crosses the threshold,
// copying pages and syncing the database file while every caller of that
// commit waits for its ACK. A checkpointer on its own connection does the
// copying beside the writer instead.
const (
	// checkpointGap is the least time between two checkpoints: after a
	// commit the checkpointer runs a PASSIVE checkpoint, which never
	// blocks the writer, at most this often.
	checkpointGap = 20 * time.Millisecond
	// walRestartFrames: past this many frames (≈ 8 MB of 4 KiB pages) a
	// busy writer never lets a passive checkpoint finish the WAL (and a
	// RESTART checkpoint from here would starve waiting for the write
	// lock), so the checkpointer asks the writer to checkpoint the few
	// frames left between two of its transactions: the WAL is then
	// complete and the next commit starts the file from its beginning.
	walRestartFrames = 2048
)

// checkpointer runs checkpoints until stop is closed.
type checkpointer struct {
	db        *sql.DB
	finishWAL *atomic.Bool  // asks the writer to complete the WAL
	committed chan struct{} // the writer committed; capacity 1
	stop      chan struct{}
	done      chan struct{}
}

func startCheckpointer(db *sql.DB, finishWAL *atomic.Bool) *checkpointer {
	c := &checkpointer{db: db, finishWAL: finishWAL, committed: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// notify tells the checkpointer there is new WAL content; it never blocks.
func (c *checkpointer) notify() {
	select {
	case c.committed <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			c.checkpoint("TRUNCATE") // leave a small WAL behind a clean stop
			return
		case <-c.committed:
			if frames := c.checkpoint("PASSIVE"); frames > walRestartFrames {
				c.finishWAL.Store(true)
			}
			select {
			case <-c.stop:
				c.checkpoint("TRUNCATE")
				return
			case <-time.After(checkpointGap):
			}
		}
	}
}

// checkpoint runs one checkpoint and returns the WAL's size in frames.
func (c *checkpointer) checkpoint(mode string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var busy, log, done int
	err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &log, &done)
	if err != nil {
		slog.Warn("store: checkpoint failed; the WAL grows until one succeeds", "mode", mode, "err", err)
		return 0
	}
	return log
}

func (c *checkpointer) close() {
	close(c.stop)
	<-c.done
}
