// Package store is the engine's durable message log: every message, its bodies and its stage events.
// SQLite is the default implementation; writes are committed in groups so durability costs little.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors callers branch on. Methods wrap them with context; test with errors.Is.
var (
	// ErrNotFound reports that no message has the requested id.
	ErrNotFound = errors.New("store: message not found")
	// ErrClosed reports a call made after Close.
	ErrClosed = errors.New("store: closed")
	// ErrReadOnly reports a write attempted on a store opened with OpenReadOnly.
	ErrReadOnly = errors.New("store: read-only")
)

// Status is where a message stands in its channel's pipeline.
type Status string

// The statuses a message moves through. RECEIVED and QUEUED are pending;
// every other status is final.
const (
	StatusReceived  Status = "RECEIVED"  // stored, not yet processed by its channel
	StatusFiltered  Status = "FILTERED"  // dropped by the channel's filter
	StatusQueued    Status = "QUEUED"    // mapped, waiting for its destinations
	StatusSent      Status = "SENT"      // every destination confirmed it
	StatusProcessed Status = "PROCESSED" // handled; the channel has no destinations
	StatusError     Status = "ERROR"     // failed for good
	// StatusDead: a write-back the EHR rejected (AR/CR), or that failed
	// (AE/CE, no connection, no ACK) more times than the channel allows.
	StatusDead Status = "DEAD"
)

// Final reports whether s ends the message's life in its channel:
// a message in a final status is never resumed.
func (s Status) Final() bool {
	switch s {
	case StatusFiltered, StatusSent, StatusProcessed, StatusError, StatusDead:
		return true
	}
	return false
}

// Valid reports whether s is one of the statuses above.
func (s Status) Valid() bool {
	return s == StatusReceived || s == StatusQueued || s.Final()
}

// Direction tells whether a message came into the engine or is going out of it.
type Direction string

// The two directions.
const (
	Inbound  Direction = "in"
	Outbound Direction = "out"
)

// Message is one HL7 message as the store keeps it. The header fields are
// copied out of the message so that searches never parse bodies.
type Message struct {
	ID        int64 // set by Append; grows with every message, never reused
	Channel   string
	Direction Direction
	// ReceivedAt is set by Append to the time the store took the message.
	// It never decreases as ID grows, which lets Search turn a time range
	// into an ID range.
	ReceivedAt time.Time
	RemoteAddr string

	Type, Trigger, Structure string // MSH-9.1, MSH-9.2, MSH-9.3
	ControlID                string // MSH-10

	PatientID, PatientAssigner string // the first PID-3: CX.1 and CX.4.1

	Status  Status
	AckCode string // the MSA-1 sent (inbound) or received (outbound)
	// ReprocessOf is the id of the message this one reprocesses (an
	// operator asked to run it through its channel again), or 0.
	ReprocessOf int64
	Error       string
	Attempts    int
	UpdatedAt   time.Time

	// Bodies live in their own table and are loaded only by Get and Pending
	// (Pending loads Raw and Output). nil means absent or not loaded; an
	// empty, non-nil slice is stored and returned as empty.
	Raw, Ack, Output []byte
}

// Event records one stage of a message's processing.
type Event struct {
	ID        int64
	MessageID int64
	Time      time.Time
	Stage     string // e.g. "receive", "filter", "map", "publish"
	Status    Status
	Detail    string

	// Filled by EventsSince from the event's message, so that `tail`
	// prints a line without a second read.
	Channel, Type, Trigger, ControlID string
}

// Update records the outcome of processing a message.
type Update struct {
	ID int64
	// Status is the new status; empty leaves status and error unchanged
	// (an update that only records an ACK or events).
	Status  Status
	Error   string // replaces the stored error when Status is set; empty clears it
	AckCode string // empty leaves the stored code unchanged
	Ack     []byte // the ACK sent; nil leaves the stored one unchanged
	Output  []byte // nil leaves the stored output unchanged
	// Attempts replaces the stored count; zero leaves it unchanged.
	Attempts int
	Events   []Event // appended; MessageID is set to ID and a zero Time to now
	// Redoable says that losing this update to a power cut costs only
	// work done again, never a message: a status after the Bundle was
	// published (published again, JetStream drops the repeat) or a
	// write-back's ACK (sent again with the same MSH-10). Its commit
	// returns once the update is with the operating system, where a
	// killed process cannot lose it, and reaches the disk with the
	// next synced commit or checkpoint (see writer.setSync); the
	// store's synchronous setting still governs every other write.
	Redoable bool
}

// Query selects messages for Search. Zero fields do not filter.
type Query struct {
	Channel   string
	Statuses  []Status // any of
	Type      string
	Trigger   string
	ControlID string
	// ControlIDs: any of these (a consumer checking a batch for repeats).
	ControlIDs []string
	PatientID  string
	Since      time.Time // received at or after
	Until      time.Time // received before
	Direction  Direction

	// BeforeID pages backwards: pass the smallest ID of the previous page.
	BeforeID int64
	Limit    int // zero means DefaultLimit
}

// DefaultLimit is the page size of Search, Pending and EventsSince when the
// caller gives none.
const DefaultLimit = 100

// QueueStat describes one channel's backlog.
type QueueStat struct {
	Depth  int       // messages not in a final status
	Oldest time.Time // ReceivedAt of the first of them
}

// WriterStats counts the work of the store's single writer. Ops greater than
// Commits means that commits were grouped.
type WriterStats struct {
	Ops     uint64 // writes committed (Append, Update)
	Commits uint64 // transactions committed
	Queued  int    // writes waiting for the writer now
}

// Store is the message log. Writes return only once they are durable; reads
// see every write that has returned. Implementations are safe for
// concurrent use.
type Store interface {
	// Append stores a new message with its bodies and first events. It
	// sets m.ID, m.ReceivedAt and m.UpdatedAt, and an empty m.Status to
	// StatusReceived.
	Append(ctx context.Context, m *Message, events ...Event) error
	// AppendBatch is Append of several messages in one transaction, in
	// order; all or none are stored.
	AppendBatch(ctx context.Context, ms []*Message, events [][]Event) error
	// Update records the outcome of processing message u.ID.
	Update(ctx context.Context, u Update) error
	// UpdateAsync queues u and returns; done receives Update's result
	// once it is known. It blocks only while the write queue is full.
	UpdateAsync(u Update, done func(error))

	// Get returns message id with its bodies.
	Get(ctx context.Context, id int64) (*Message, error)
	// Events returns the events of message id, oldest first.
	Events(ctx context.Context, id int64) ([]Event, error)
	// Pending returns channel's messages with an id above afterID that
	// are not final, in id order, with Raw and Output.
	Pending(ctx context.Context, channel string, afterID int64, limit int) ([]*Message, error)
	// Search returns the messages matching q, newest first, without bodies.
	Search(ctx context.Context, q Query) ([]*Message, error)
	// EventsSince returns events with an id above afterEventID, oldest
	// first, filled with their message's channel and header fields.
	EventsSince(ctx context.Context, afterEventID int64, channel string, statuses []Status, limit int) ([]Event, error)
	// Reprocess copies message id into a new RECEIVED message of its
	// channel and returns the new id.
	Reprocess(ctx context.Context, id int64, reason string) (int64, error)
	// Prune deletes up to limit final messages received before cutoff
	// and returns how many it deleted.
	Prune(ctx context.Context, cutoff time.Time, limit int) (int, error)
	// QueueStats returns the backlog of every channel that has one.
	QueueStats(ctx context.Context) (map[string]QueueStat, error)

	// AddBulkFiles records the files of a Bulk Data export job's
	// manifest; files already recorded keep their progress.
	AddBulkFiles(ctx context.Context, files []BulkFile) error
	// CheckpointBulkFile records how far a job's file has been read.
	CheckpointBulkFile(ctx context.Context, f BulkFile) error
	// BulkFiles returns a job's files in manifest order.
	BulkFiles(ctx context.Context, job int64) ([]BulkFile, error)

	// Stats reports the writer's counters.
	Stats() WriterStats
	// Close commits every queued write, then releases the store.
	Close() error
}
