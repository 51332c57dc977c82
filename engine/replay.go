package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// runningMarker exists in the data directory while an engine runs; found
// at start, it means the last run did not stop cleanly (a crash, SIGKILL,
// power loss).
const runningMarker = "engine.running"

// replayScan bounds how far back an unclean start looks for messages to
// republish: messages received in this window, at most replayScanMax.
const (
	replayScan    = 10 * time.Minute
	replayScanMax = 100_000
)

// markRunning records that the engine runs and reports whether the last
// run ended uncleanly.
func (e *Engine) markRunning() (unclean bool, err error) {
	p := filepath.Join(e.cfg.DataDir, runningMarker)
	_, statErr := os.Stat(p)
	unclean = statErr == nil
	err = os.WriteFile(p, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o640)
	return unclean, err
}

func (e *Engine) markStopped() error {
	return os.Remove(filepath.Join(e.cfg.DataDir, runningMarker))
}

// replayWindow is how much acknowledged JetStream data an OS crash may
// have lost: the embedded server's fsync interval, plus a margin. For an
// external server we cannot know its settings; a generous fixed window
// costs only deduplicated republishes.
func (e *Engine) replayWindow() time.Duration {
	d, err := time.ParseDuration(e.cfg.NATS.SyncInterval)
	if err != nil || e.cfg.NATS.URL != "" {
		d = 10 * time.Second
	}
	return d + 5*time.Second
}

// replay republishes, after an unclean stop, the messages marked SENT in
// the last replayWindow before the stop. JetStream acknowledged them, but
// with a sync interval an OS crash can lose what was not yet on disk.
// Each keeps its Nats-Msg-Id, so those that survived are dropped by the
// stream's dedup window and only lost ones are stored again.
func (p *pipeline) replay(ctx context.Context) error {
	msgs, err := p.recentlySent(ctx)
	if err != nil || len(msgs) == 0 {
		return err
	}
	replayed, restored := 0, 0
	for _, m := range msgs {
		full, err := p.r.e.store.Get(ctx, m.ID)
		if err != nil {
			return err
		}
		msg, err := hl7.Parse(full.Raw)
		if err != nil || len(full.Output) == 0 {
			continue
		}
		d := p.publish(ctx, full, msg, full.Output)
		if d.err != nil {
			return d.err
		}
		var events []store.Event
		for i, pend := range d.pending {
			ack, err := pend.Wait(ctx)
			if err != nil {
				return err
			}
			detail := fmt.Sprintf("replayed after an unclean stop: %s (stream %s seq %d)", d.dests[i], ack.Stream, ack.Seq)
			if ack.Duplicate {
				detail += " already delivered"
			} else {
				restored++
			}
			events = append(events, store.Event{Stage: "replay", Status: store.StatusSent, Detail: detail})
		}
		replayed++
		if err := p.r.e.store.Update(ctx, store.Update{ID: m.ID, Events: events}); err != nil {
			return err
		}
	}
	p.r.e.log.Warn("unclean stop: republished recently sent messages", "channel", p.r.ch.Name,
		"replayed", replayed, "restored", restored, "window", p.r.e.replayWindow())
	return nil
}

// recentlySent returns the SENT messages updated within replayWindow of
// the newest update, oldest first.
func (p *pipeline) recentlySent(ctx context.Context) ([]*store.Message, error) {
	var all []*store.Message
	var before int64
	for len(all) < replayScanMax {
		page, err := p.r.e.store.Search(ctx, store.Query{Channel: p.r.ch.Name, Statuses: []store.Status{store.StatusSent},
			Since: time.Now().Add(-replayScan), BeforeID: before, Limit: 1000})
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		before = page[len(page)-1].ID
	}
	var last time.Time
	for _, m := range all {
		if m.UpdatedAt.After(last) {
			last = m.UpdatedAt
		}
	}
	cutoff := last.Add(-p.r.e.replayWindow())
	var out []*store.Message
	for i := len(all) - 1; i >= 0; i-- {
		if !all[i].UpdatedAt.Before(cutoff) {
			out = append(out, all[i])
		}
	}
	return out, nil
}
