package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Get returns message id with its bodies, or an error wrapping ErrNotFound.
func (s *SQLite) Get(ctx context.Context, id int64) (*Message, error) {
	if err := s.readable(); err != nil {
		return nil, err
	}
	m := new(Message)
	row := s.read.QueryRowContext(ctx, getSQL, id)
	err := row.Scan(append(messageFields(m), &m.Raw, &m.Ack, &m.Output)...)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get message %d: %w", id, err)
	}
	return m, nil
}

// Events returns the events of message id, oldest first; none if the
// message has none or does not exist.
func (s *SQLite) Events(ctx context.Context, id int64) ([]Event, error) {
	if err := s.readable(); err != nil {
		return nil, err
	}
	events, err := queryEvents(ctx, s.read, false, eventsSQL, id)
	if err != nil {
		return nil, fmt.Errorf("store: events of message %d: %w", id, err)
	}
	return events, nil
}

// Pending returns up to limit (DefaultLimit if zero) messages of channel
// with an id above afterID that are not in a final status, in id order,
// with Raw and Output. A worker resumes with afterID = 0 and pages with the
// last id it got.
func (s *SQLite) Pending(ctx context.Context, channel string, afterID int64, limit int) ([]*Message, error) {
	if err := s.readable(); err != nil {
		return nil, err
	}
	msgs, err := s.queryMessages(ctx, true, pendingSQL, channel, afterID, pageSize(limit))
	if err != nil {
		return nil, fmt.Errorf("store: pending of channel %s: %w", channel, err)
	}
	return msgs, nil
}

// Search returns up to q.Limit messages matching q, newest first, without
// bodies. The next page is Search with q.BeforeID set to the last ID.
func (s *SQLite) Search(ctx context.Context, q Query) ([]*Message, error) {
	if err := s.readable(); err != nil {
		return nil, err
	}
	query, args := searchSQL(q)
	msgs, err := s.queryMessages(ctx, false, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	return msgs, nil
}

// EventsSince returns up to limit events with an id above afterEventID,
// oldest first, optionally only those of channel or with one of statuses.
// Each carries its message's channel, type, trigger and control id. With
// a negative afterEventID it returns the newest matching events instead
// (still oldest first): that is where `tail` starts before it follows.
func (s *SQLite) EventsSince(ctx context.Context, afterEventID int64, channel string,
	statuses []Status, limit int) ([]Event, error) {
	if err := s.readable(); err != nil {
		return nil, err
	}
	query, args := eventsSinceSQL(afterEventID, channel, statuses, limit)
	events, err := queryEvents(ctx, s.read, true, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: events since %d: %w", afterEventID, err)
	}
	if afterEventID < 0 {
		slices.Reverse(events)
	}
	return events, nil
}

// QueueStats returns the backlog of every channel that has messages not in
// a final status; channels without a backlog are absent.
func (s *SQLite) QueueStats(ctx context.Context) (map[string]QueueStat, error) {
	if err := s.readable(); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, queueStatsSQL)
	if err != nil {
		return nil, fmt.Errorf("store: queue stats: %w", err)
	}
	defer rows.Close()
	stats := make(map[string]QueueStat)
	for rows.Next() {
		var (
			channel string
			st      QueueStat
			oldest  int64
		)
		if err := rows.Scan(&channel, &st.Depth, &oldest); err != nil {
			return nil, fmt.Errorf("store: queue stats: %w", err)
		}
		st.Oldest = fromNanos(oldest)
		stats[channel] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: queue stats: %w", err)
	}
	return stats, nil
}

// queryMessages runs a query selecting messageColumns, followed by raw and
// output when withBodies is set.
func (s *SQLite) queryMessages(ctx context.Context, withBodies bool, query string, args ...any) ([]*Message, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var msgs []*Message
	for rows.Next() {
		m := new(Message)
		dest := messageFields(m)
		if withBodies {
			dest = append(dest, &m.Raw, &m.Output)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, rows.Err()
}

// messageFields returns scan destinations for messageColumns into m.
func messageFields(m *Message) []any {
	return []any{&m.ID, &m.Channel, &m.Direction,
		(*nanos)(&m.ReceivedAt), &m.RemoteAddr, &m.Type, &m.Trigger, &m.Structure,
		&m.ControlID, &m.PatientID, &m.PatientAssigner, &m.Status,
		&m.AckCode, &m.Error, &m.Attempts, (*nanos)(&m.UpdatedAt), &m.ReprocessOf}
}

// queryEvents runs a query selecting event columns, followed by the joined
// message columns when joined is set.
func queryEvents(ctx context.Context, db *sql.DB, joined bool, query string, args ...any) ([]Event, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var events []Event
	for rows.Next() {
		var e Event
		dest := []any{&e.ID, &e.MessageID, (*nanos)(&e.Time), &e.Stage,
			&e.Status, &e.Detail}
		if joined {
			dest = append(dest, &e.Channel, &e.Type, &e.Trigger, &e.ControlID)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	return events, rows.Err()
}

// nanos scans a Unix-nanosecond column into a time.Time.
type nanos time.Time

func (t *nanos) Scan(src any) error {
	n, ok := src.(int64)
	if !ok {
		return fmt.Errorf("time column holds %T, want int64", src)
	}
	*t = nanos(fromNanos(n))
	return nil
}

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }
