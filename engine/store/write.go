package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The writer's statements, prepared once on the write connection.
const (
	insertMessageSQL = `INSERT INTO messages (channel, direction, received_at, remote_addr,
		type, trigger, structure, control_id, patient_id, patient_assigner,
		status, ack_code, error, attempts, updated_at, reprocess_of)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertBodiesSQL = `INSERT INTO bodies (message_id, raw, ack) VALUES (?, ?, ?)`
	upsertOutputSQL = `INSERT INTO outputs (message_id, output) VALUES (?, ?)
		ON CONFLICT (message_id) DO UPDATE SET output = excluded.output`
	insertEventSQL   = `INSERT INTO events (message_id, time, stage, status, detail) VALUES (?, ?, ?, ?, ?)`
	updateAckSQL     = `UPDATE bodies SET ack = ? WHERE message_id = ?`
	updateMessageSQL = `UPDATE messages SET status = COALESCE(NULLIF(?1, ''), status),
		error = CASE WHEN ?1 = '' THEN error ELSE ?2 END,
		ack_code = COALESCE(NULLIF(?, ''), ack_code),
		attempts = COALESCE(NULLIF(?, 0), attempts),
		updated_at = ?
		WHERE id = ?`
)

// writeStmts are the writer's prepared statements. They are prepared on
// the pool, not on a transaction, so that every transaction on the one
// write connection reuses them.
type writeStmts struct {
	insertMessage, insertBodies, upsertOutput, insertEvent, updateMessage, updateAck *sql.Stmt
}

func prepareWrites(db *sql.DB) (*writeStmts, error) {
	s := new(writeStmts)
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&s.insertMessage, insertMessageSQL},
		{&s.insertBodies, insertBodiesSQL},
		{&s.upsertOutput, upsertOutputSQL},
		{&s.insertEvent, insertEventSQL},
		{&s.updateMessage, updateMessageSQL},
		{&s.updateAck, updateAckSQL},
	} {
		stmt, err := db.Prepare(p.sql)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*p.dst = stmt
	}
	return s, nil
}

func (s *writeStmts) close() error {
	var errs []error
	for _, stmt := range []*sql.Stmt{s.insertMessage, s.insertBodies, s.upsertOutput, s.insertEvent, s.updateMessage, s.updateAck} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	return errors.Join(errs...)
}

// writeTx is the writer's statements bound to one transaction, with the
// writer's clock.
type writeTx struct {
	ctx   context.Context
	clock *clock
	tx    *sql.Tx // for the rare statement not prepared (Prune)
	writeStmts
}

func (s *writeStmts) bind(ctx context.Context, tx *sql.Tx, c *clock) *writeTx {
	return &writeTx{ctx, c, tx, writeStmts{
		insertMessage: tx.StmtContext(ctx, s.insertMessage),
		insertBodies:  tx.StmtContext(ctx, s.insertBodies),
		upsertOutput:  tx.StmtContext(ctx, s.upsertOutput),
		insertEvent:   tx.StmtContext(ctx, s.insertEvent),
		updateMessage: tx.StmtContext(ctx, s.updateMessage),
		updateAck:     tx.StmtContext(ctx, s.updateAck),
	}}
}

// clock stamps received_at. Its stamps never decrease, even when the
// system clock steps back, so that received_at grows with id.
type clock struct{ last int64 } // Unix nanoseconds

func (c *clock) stamp(now time.Time) int64 {
	c.last = max(c.last, now.UnixNano())
	return c.last
}

// Append stores m and events and returns once they are committed; see
// Store.Append. If ctx ends first, Append returns its error and the
// message may still be stored.
func (s *SQLite) Append(ctx context.Context, m *Message, events ...Event) error {
	if s.w == nil {
		return ErrReadOnly
	}
	if err := checkMessage(m); err != nil {
		return fmt.Errorf("store: append: %w", err)
	}
	// The writer works on copies: if ctx ends, the caller may reuse m.
	rec := *m
	if rec.Status == "" {
		rec.Status = StatusReceived
	}
	evs := slices.Clone(events)
	// ack: the caller is typically an MLLP connection waiting to ACK.
	if err := s.w.wait(ctx, &op{apply: func(tx *writeTx) error { return tx.append(&rec, evs) }, ack: true}); err != nil {
		return fmt.Errorf("store: append to channel %s: %w", m.Channel, err)
	}
	m.ID, m.ReceivedAt, m.UpdatedAt, m.Status = rec.ID, rec.ReceivedAt, rec.UpdatedAt, rec.Status
	return nil
}

// AppendBatch stores several messages, each with its events, in one
// transaction and in order (ids ascending): a consumer that fetched many
// requests at once makes them durable with one sync. Either all are stored
// or none.
func (s *SQLite) AppendBatch(ctx context.Context, ms []*Message, events [][]Event) error {
	if s.w == nil {
		return ErrReadOnly
	}
	recs := make([]Message, len(ms))
	evs := make([][]Event, len(ms))
	for i, m := range ms {
		if err := checkMessage(m); err != nil {
			return fmt.Errorf("store: append: %w", err)
		}
		recs[i] = *m
		if recs[i].Status == "" {
			recs[i].Status = StatusReceived
		}
		if i < len(events) {
			evs[i] = slices.Clone(events[i])
		}
	}
	err := s.w.do(ctx, func(tx *writeTx) error {
		for i := range recs {
			if err := tx.append(&recs[i], evs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: append %d messages: %w", len(ms), err)
	}
	for i, m := range ms {
		m.ID, m.ReceivedAt, m.UpdatedAt, m.Status = recs[i].ID, recs[i].ReceivedAt, recs[i].UpdatedAt, recs[i].Status
	}
	return nil
}

func checkMessage(m *Message) error {
	switch {
	case m.Channel == "":
		return errors.New("message has no channel")
	case m.Direction != Inbound && m.Direction != Outbound:
		return fmt.Errorf("direction %q: want %q or %q", m.Direction, Inbound, Outbound)
	case m.Status != "" && !m.Status.Valid():
		return fmt.Errorf("unknown status %q", m.Status)
	}
	return nil
}

// append inserts m and sets its ID, ReceivedAt and UpdatedAt.
func (tx *writeTx) append(m *Message, events []Event) error {
	// Stamped here, in id order, so that received_at never decreases as
	// ids grow: searches by time rely on it (see searchSQL).
	at := tx.clock.stamp(time.Now())
	res, err := tx.insertMessage.ExecContext(tx.ctx, m.Channel, string(m.Direction),
		at, m.RemoteAddr, m.Type, m.Trigger, m.Structure,
		m.ControlID, m.PatientID, m.PatientAssigner, string(m.Status),
		m.AckCode, m.Error, m.Attempts, at, m.ReprocessOf)
	if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	// No bodies row when there is nothing to keep: a read finds NULLs
	// either way.
	if m.Raw != nil || m.Ack != nil {
		if _, err := tx.insertBodies.ExecContext(tx.ctx, id, m.Raw, m.Ack); err != nil {
			return fmt.Errorf("insert bodies: %w", err)
		}
	}
	m.ID, m.ReceivedAt, m.UpdatedAt = id, fromNanos(at), fromNanos(at)
	return tx.finish(id, m.Output, events, m.ReceivedAt)
}

// finish writes what Append and Update share: the output, when given, and
// the events.
func (tx *writeTx) finish(id int64, output []byte, events []Event, now time.Time) error {
	if output != nil {
		if _, err := tx.upsertOutput.ExecContext(tx.ctx, id, output); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	for _, e := range events {
		t := e.Time
		if t.IsZero() {
			t = now
		}
		if _, err := tx.insertEvent.ExecContext(tx.ctx, id, t.UnixNano(), e.Stage, string(e.Status), e.Detail); err != nil {
			return fmt.Errorf("insert event: %w", err)
		}
	}
	return nil
}

// Update records u and returns once it is committed. It returns
// ErrNotFound if message u.ID does not exist. If ctx ends first, Update
// returns its error and the update may still be stored.
func (s *SQLite) Update(ctx context.Context, u Update) error {
	if s.w == nil {
		return ErrReadOnly
	}
	if err := checkUpdate(u); err != nil {
		return fmt.Errorf("store: update message %d: %w", u.ID, err)
	}
	u.Events = slices.Clone(u.Events)
	if err := s.w.wait(ctx, &op{apply: u.apply, redoable: u.Redoable}); err != nil {
		return fmt.Errorf("store: update message %d: %w", u.ID, err)
	}
	return nil
}

// UpdateAsync queues u and returns without waiting for the commit, so that
// a worker can go on with the next message; done (if not nil) then gets
// what Update would have returned. done runs on the store's writer
// goroutine, in commit order: it must be quick and must not call the
// store's write methods. UpdateAsync blocks only while the write queue is
// full, and calls done before returning if u cannot be queued.
func (s *SQLite) UpdateAsync(u Update, done func(error)) {
	report := func(err error) {
		if done == nil {
			return
		}
		if err != nil {
			err = fmt.Errorf("store: update message %d: %w", u.ID, err)
		}
		done(err)
	}
	if s.w == nil {
		report(ErrReadOnly)
		return
	}
	if err := checkUpdate(u); err != nil {
		report(err)
		return
	}
	u.Events = slices.Clone(u.Events)
	if err := s.w.submit(context.Background(), &op{apply: u.apply, done: report, redoable: u.Redoable}); err != nil {
		report(err)
	}
}

func checkUpdate(u Update) error {
	if u.Status != "" && !u.Status.Valid() {
		return fmt.Errorf("unknown status %q", u.Status)
	}
	return nil
}

// apply runs in the writer. It updates the message row first: if the row
// is missing nothing has been written and the error is ErrNotFound, which
// the writer treats as this op's failure alone.
func (u Update) apply(tx *writeTx) error {
	now := time.Now()
	res, err := tx.updateMessage.ExecContext(tx.ctx, string(u.Status), u.Error, u.AckCode,
		u.Attempts, now.UnixNano(), u.ID)
	if err != nil {
		return fmt.Errorf("update message: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	if u.Ack != nil {
		if _, err := tx.updateAck.ExecContext(tx.ctx, u.Ack, u.ID); err != nil {
			return fmt.Errorf("update ack: %w", err)
		}
	}
	return tx.finish(u.ID, u.Output, u.Events, now)
}
