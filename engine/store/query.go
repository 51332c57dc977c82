package store

import "strings"

// The reads' SQL. Every statement is built here so that the tests can ask
// SQLite how it plans each one (see TestSearch_UsesIndexes).

// messageColumns are the header columns, in the order scanMessage reads them.
const messageColumns = `m.id, m.channel, m.direction, m.received_at, m.remote_addr,
	m.type, m.trigger, m.structure, m.control_id, m.patient_id, m.patient_assigner,
	m.status, m.ack_code, m.error, m.attempts, m.updated_at, m.reprocess_of`

// pendingWhere selects non-final rows. It repeats the WHERE clause of the
// partial index messages_pending word for word, with literals rather
// than parameters: only then does SQLite know the index covers the query.
const pendingWhere = `m.status IN ('RECEIVED', 'QUEUED')`

const getSQL = `SELECT ` + messageColumns + `, b.raw, b.ack, o.output
	FROM messages m
	LEFT JOIN bodies b ON b.message_id = m.id
	LEFT JOIN outputs o ON o.message_id = m.id
	WHERE m.id = ?`

const eventsSQL = `SELECT id, message_id, time, stage, status, detail
	FROM events WHERE message_id = ? ORDER BY id`

// Pending and QueueStats name the partial index: should the WHERE clause
// and the index ever drift apart, SQLite then fails the query instead of
// silently scanning every message.
const pendingSQL = `SELECT ` + messageColumns + `, b.raw, o.output
	FROM messages m INDEXED BY messages_pending
	LEFT JOIN bodies b ON b.message_id = m.id
	LEFT JOIN outputs o ON o.message_id = m.id
	WHERE m.channel = ? AND ` + pendingWhere + ` AND m.id > ?
	ORDER BY m.id LIMIT ?`

// queueStatsSQL counts over the partial index alone, then looks up the
// receive time of each channel's first pending message.
const queueStatsSQL = `SELECT q.channel, q.depth, f.received_at FROM (
		SELECT m.channel AS channel, COUNT(*) AS depth, MIN(m.id) AS first
		FROM messages m INDEXED BY messages_pending
		WHERE ` + pendingWhere + ` GROUP BY m.channel
	) q JOIN messages f ON f.id = q.first`

// sqlBuilder accumulates a WHERE clause and its arguments.
type sqlBuilder struct {
	where []string
	args  []any
}

func (b *sqlBuilder) add(cond string, args ...any) {
	b.where = append(b.where, cond)
	b.args = append(b.args, args...)
}

// addIn adds "col IN (values)" to b.
func addIn[T ~string](b *sqlBuilder, col string, values []T) {
	marks := strings.Repeat("?, ", len(values))
	b.where = append(b.where, col+" IN ("+marks[:len(marks)-2]+")")
	for _, v := range values {
		b.args = append(b.args, string(v))
	}
}

func (b *sqlBuilder) whereClause() string {
	if len(b.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(b.where, " AND ")
}

// firstReceivedAt selects the id of the first message received at or
// after a time; NULL if there is none. Among equal times the index yields
// the smallest id first.
const firstReceivedAt = `(SELECT id FROM messages WHERE received_at >= ? ORDER BY received_at LIMIT 1)`

// searchSQL returns the statement and arguments of Search(q).
func searchSQL(q Query) (string, []any) {
	var b sqlBuilder
	if q.Channel != "" {
		b.add("m.channel = ?", q.Channel)
	}
	if len(q.Statuses) > 0 {
		addIn(&b, "m.status", q.Statuses)
	}
	if q.Type != "" {
		b.add("m.type = ?", q.Type)
	}
	if q.Trigger != "" {
		b.add("m.trigger = ?", q.Trigger)
	}
	if q.ControlID != "" {
		b.add("m.control_id = ?", q.ControlID)
	}
	if len(q.ControlIDs) > 0 {
		addIn(&b, "m.control_id", q.ControlIDs)
	}
	if q.PatientID != "" {
		b.add("m.patient_id = ?", q.PatientID)
	}
	// received_at never decreases as id grows (the writer stamps it), so
	// the messages received in [Since, Until) are those with an id from
	// the first received at Since up to, not including, the first
	// received at Until. Filtering on id keeps the index that serves the
	// other filters and the order; SQLite runs each subquery once.
	if !q.Since.IsZero() {
		b.add("m.id >= "+firstReceivedAt, q.Since.UnixNano())
	}
	if !q.Until.IsZero() {
		b.add("m.id < COALESCE("+firstReceivedAt+", 9223372036854775807)", q.Until.UnixNano())
	}
	if q.Direction != "" {
		b.add("m.direction = ?", string(q.Direction))
	}
	if q.BeforeID > 0 {
		b.add("m.id < ?", q.BeforeID)
	}
	b.args = append(b.args, pageSize(q.Limit))
	from := ` FROM messages m`
	if len(q.ControlIDs) > 0 {
		// A list of control ids is a handful of rows. Left to itself,
		// SQLite walks a whole channel by the (channel, id) index to
		// spare itself sorting them.
		from += ` INDEXED BY messages_control_id`
	}
	return `SELECT ` + messageColumns + from + b.whereClause() +
		` ORDER BY m.id DESC LIMIT ?`, b.args
}

// eventsSinceSQL returns the statement and arguments of EventsSince. The
// CROSS JOIN makes SQLite walk events by id and look each message up by
// its key: `tail -f` asks for the few events after the last it printed,
// and any plan starting from messages would visit a whole channel. With a
// negative afterID it reads the newest events, newest first; EventsSince
// reverses them.
func eventsSinceSQL(afterID int64, channel string, statuses []Status, n int) (string, []any) {
	var b sqlBuilder
	if afterID >= 0 {
		b.add("e.id > ?", afterID)
	}
	if channel != "" {
		b.add("m.channel = ?", channel)
	}
	if len(statuses) > 0 {
		addIn(&b, "e.status", statuses)
	}
	order := " ORDER BY e.id"
	if afterID < 0 {
		order += " DESC"
	}
	b.args = append(b.args, pageSize(n))
	return `SELECT e.id, e.message_id, e.time, e.stage, e.status, e.detail,
		m.channel, m.type, m.trigger, m.control_id
		FROM events e CROSS JOIN messages m ON m.id = e.message_id` +
		b.whereClause() + order + ` LIMIT ?`, b.args
}

// pageSize turns a caller's limit into a LIMIT: DefaultLimit unless positive.
func pageSize(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return n
}
