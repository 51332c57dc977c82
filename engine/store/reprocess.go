package store

import (
	"context"
	"fmt"
)

// Reprocess copies message id into a new message of the same channel, in
// status RECEIVED and with ReprocessOf set, so that the channel runs it
// again (after a mapping or configuration fix, say) while the original and
// its history stay as they were. The original gets an event naming the
// copy. It returns the new message's id.
func (s *SQLite) Reprocess(ctx context.Context, id int64, reason string) (int64, error) {
	orig, err := s.Get(ctx, id)
	if err != nil {
		return 0, err
	}
	if orig.Direction != Inbound || orig.Raw == nil {
		return 0, fmt.Errorf("store: reprocess message %d: only inbound messages with their raw text can be reprocessed", id)
	}
	copyOf := &Message{Channel: orig.Channel, Direction: orig.Direction, RemoteAddr: orig.RemoteAddr,
		Type: orig.Type, Trigger: orig.Trigger, Structure: orig.Structure, ControlID: orig.ControlID,
		PatientID: orig.PatientID, PatientAssigner: orig.PatientAssigner, Raw: orig.Raw, ReprocessOf: id}
	detail := fmt.Sprintf("reprocess of message %d", id)
	if reason != "" {
		detail += ": " + reason
	}
	if err := s.Append(ctx, copyOf, Event{Stage: "reprocess", Status: StatusReceived, Detail: detail}); err != nil {
		return 0, err
	}
	note := Event{Stage: "reprocess", Status: orig.Status, Detail: fmt.Sprintf("reprocessed as message %d", copyOf.ID)}
	if err := s.Update(ctx, Update{ID: id, Events: []Event{note}}); err != nil {
		return copyOf.ID, err
	}
	return copyOf.ID, nil
}
