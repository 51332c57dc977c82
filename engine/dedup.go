package engine

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
)

// recentCap bounds the control ids remembered per channel: at a sustained
// 5,000 msg/s the window shrinks to 20 s; an EHR feed of 50 msg/s keeps
// the full 10 minutes.
const recentCap = 100_000

// recent remembers the control ids a channel received lately, so the
// duplicate check reads the store only when an id repeats. Resends are
// common: an EHR that lost its ACK (a dropped connection, an engine
// restart between commit and ACK) sends the message again, and downstream
// must not see it twice.
type recent struct {
	mu     sync.Mutex
	window time.Duration
	byID   map[string][]int64 // control id → message ids
	ring   []recentEntry      // insertion order, for eviction
	head   int
}

type recentEntry struct {
	controlID string
	id        int64
	at        time.Time
}

func newRecent(window time.Duration) *recent {
	return &recent{window: window, byID: map[string][]int64{}}
}

// add remembers a message, evicting what fell out of the window or cap.
func (r *recent) add(controlID string, id int64, at time.Time) {
	if r.window <= 0 || controlID == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.ring)-r.head > 0 && (len(r.ring)-r.head >= recentCap || at.Sub(r.ring[r.head].at) > r.window) {
		r.evict()
	}
	// A control id is a substring of its whole parsed message: a copy
	// keeps the message itself from staying in memory for the window.
	controlID = strings.Clone(controlID)
	r.ring = append(r.ring, recentEntry{controlID, id, at})
	r.byID[controlID] = append(r.byID[controlID], id)
	if r.head > len(r.ring)/2 && r.head > 1024 {
		r.ring = append(r.ring[:0], r.ring[r.head:]...)
		r.head = 0
	}
}

func (r *recent) evict() {
	e := r.ring[r.head]
	r.ring[r.head] = recentEntry{}
	r.head++
	ids := r.byID[e.controlID]
	if len(ids) <= 1 {
		delete(r.byID, e.controlID)
		return
	}
	r.byID[e.controlID] = ids[1:]
}

// candidates returns earlier messages with this control id.
func (r *recent) candidates(controlID string, before int64) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int64
	for _, id := range r.byID[controlID] {
		if id < before {
			out = append(out, id)
		}
	}
	return out
}

// seed loads the window's control ids from the store at start, so a
// resend right after a restart is still recognised.
func (r *recent) seed(ctx context.Context, st store.Store, channel string) error {
	if r.window <= 0 {
		return nil
	}
	var found []*store.Message
	var before int64
	for len(found) < recentCap {
		page, err := st.Search(ctx, store.Query{Channel: channel, Since: time.Now().Add(-r.window), BeforeID: before, Limit: 1000})
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		found = append(found, page...)
		before = page[len(page)-1].ID
	}
	for i := len(found) - 1; i >= 0; i-- { // Search is newest first
		r.add(found[i].ControlID, found[i].ID, found[i].ReceivedAt)
	}
	return nil
}

// duplicateOf returns the id of an earlier message of this channel with
// the same control id and the same bytes, received within the duplicate
// window, or 0. Messages that ended in ERROR do not count: a sender may
// resend a rejected message on purpose.
func (p *pipeline) duplicateOf(ctx context.Context, m *store.Message) (int64, error) {
	window := p.r.ch.DuplicateWindow.Std()
	if window <= 0 || m.ControlID == "" {
		return 0, nil
	}
	defer p.r.recent.add(m.ControlID, m.ID, m.ReceivedAt)
	for _, id := range p.r.recent.candidates(m.ControlID, m.ID) {
		e, err := p.r.e.store.Get(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("duplicate check: %w", err)
		}
		if e.Status != store.StatusError && m.ReceivedAt.Sub(e.ReceivedAt) <= window && bytes.Equal(e.Raw, m.Raw) {
			return e.ID, nil
		}
	}
	return 0, nil
}
