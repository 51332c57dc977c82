package bulk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhirclient"
)

// MessageType is the message type of a job in the message log.
const MessageType = "BULK"

// Request is what a job exports: the tenant and the kick-off parameters.
// It is the job message's raw body.
type Request struct {
	Tenant string                   `json:"tenant"`
	Export fhirclient.ExportRequest `json:"export"`
}

// key identifies a request, so that running the same export again finds
// the unfinished job instead of starting another one.
func (r Request) key() string {
	b, _ := json.Marshal(r) // plain data: cannot fail
	sum := sha256.Sum256(b)
	return "bulk-" + hex.EncodeToString(sum[:8])
}

// trigger names the export level in the log: GROUP, PATIENT or SYSTEM.
func (r Request) trigger() string { return strings.ToUpper(string(r.Export.Level)) }

// state is what a job has learned from the server: the job message's
// output body.
type state struct {
	StatusURL string          `json:"statusUrl,omitempty"`
	Manifest  json.RawMessage `json:"manifest,omitempty"`
}

// Job is one export as the message log keeps it.
type Job struct {
	ID      int64
	Channel string
	Status  store.Status // RECEIVED: exporting; QUEUED: downloading; PROCESSED; ERROR
	Error   string
	Request Request
	Created time.Time
	Updated time.Time

	StatusURL string
	Manifest  *fhirclient.Manifest // nil until the server finished
	Files     []store.BulkFile
}

// Create records a new job for r in channel and returns it. It does not
// contact the server: Run does.
func Create(ctx context.Context, st store.Store, channel string, r Request) (*Job, error) {
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("bulk: encode request: %w", err)
	}
	m := &store.Message{Channel: channel, Direction: store.Inbound, Type: MessageType,
		Trigger: r.trigger(), ControlID: r.key(), Raw: raw}
	ev := store.Event{Stage: "bulk", Status: store.StatusReceived, Detail: describe(r)}
	if err := st.Append(ctx, m, ev); err != nil {
		return nil, err
	}
	return &Job{ID: m.ID, Channel: channel, Status: m.Status, Request: r, Created: m.ReceivedAt, Updated: m.UpdatedAt}, nil
}

// Unfinished returns the newest job of channel for the same request that
// has not ended, or nil.
func Unfinished(ctx context.Context, st store.Store, channel string, r Request) (*Job, error) {
	ms, err := st.Search(ctx, store.Query{Channel: channel, Type: MessageType, ControlID: r.key(),
		Statuses: []store.Status{store.StatusReceived, store.StatusQueued}, Limit: 1})
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	return Load(ctx, st, ms[0].ID)
}

// Load reads job id with its files.
func Load(ctx context.Context, st store.Store, id int64) (*Job, error) {
	m, err := st.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.Type != MessageType {
		return nil, fmt.Errorf("bulk: message %d is a %s message, not a bulk export job", id, m.Type)
	}
	j := &Job{ID: m.ID, Channel: m.Channel, Status: m.Status, Error: m.Error, Created: m.ReceivedAt, Updated: m.UpdatedAt}
	if err := json.Unmarshal(m.Raw, &j.Request); err != nil {
		return nil, fmt.Errorf("bulk: job %d: request: %w", id, err)
	}
	var s state
	if len(m.Output) > 0 {
		if err := json.Unmarshal(m.Output, &s); err != nil {
			return nil, fmt.Errorf("bulk: job %d: state: %w", id, err)
		}
	}
	j.StatusURL = s.StatusURL
	if len(s.Manifest) > 0 {
		j.Manifest = new(fhirclient.Manifest)
		if err := json.Unmarshal(s.Manifest, j.Manifest); err != nil {
			return nil, fmt.Errorf("bulk: job %d: manifest: %w", id, err)
		}
	}
	if j.Files, err = st.BulkFiles(ctx, id); err != nil {
		return nil, err
	}
	return j, nil
}

// List returns the newest jobs, of every channel, newest first.
func List(ctx context.Context, st store.Store, limit int) ([]*store.Message, error) {
	return st.Search(ctx, store.Query{Type: MessageType, Limit: limit})
}

// describe says what r exports, without its parameters' values beyond
// what an operator needs (no patient ids).
func describe(r Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "tenant %s: ", r.Tenant)
	switch r.Export.Level {
	case fhirclient.GroupExport:
		fmt.Fprintf(&b, "Group/%s/$export", r.Export.GroupID)
	case fhirclient.PatientExport:
		b.WriteString("Patient/$export")
	default:
		b.WriteString("$export")
	}
	if len(r.Export.Types) > 0 {
		fmt.Fprintf(&b, " _type=%s", strings.Join(r.Export.Types, ","))
	}
	if !r.Export.Since.IsZero() {
		fmt.Fprintf(&b, " _since=%s", r.Export.Since.Format(time.RFC3339))
	}
	if n := len(r.Export.Patients); n > 0 {
		fmt.Fprintf(&b, " for %d patients", n)
	}
	return b.String()
}

// errCancelled ends a job an operator cancelled.
var errCancelled = errors.New("cancelled")
