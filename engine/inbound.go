package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/mllp"
)

// ServeMLLP receives one frame: it stores the message (with the ACK about
// to be sent) before answering, so an AA always means "on disk".
func (r *runner) ServeMLLP(ctx context.Context, req *mllp.Request) []byte {
	r.e.metrics.received.WithLabelValues(r.ch.Name).Inc()
	rec := &store.Message{Channel: r.ch.Name, Direction: store.Inbound, RemoteAddr: addrString(req.RemoteAddr), Raw: req.Message}
	msg, perr := hl7.Parse(req.Message)
	if msg == nil {
		msg = hl7.Salvage(req.Message) // so a NAK can still echo MSH-10
	}
	if msg != nil {
		fillHeader(rec, msg)
	}
	if rej := r.check(req, msg, perr); rej != nil {
		return r.reject(ctx, req, rec, msg, rej)
	}
	if r.ch.Source.MLLP.Ack == AckOnProcessed {
		return r.serveProcessed(ctx, req, rec, msg)
	}
	ack := hl7.BuildAck(msg, hl7.AckOptions{Code: hl7.AA})
	rec.Ack, rec.AckCode = ack, hl7.AA
	if err := r.e.store.Append(ctx, rec, receiveEvent(req, store.StatusReceived, "ACK AA")); err != nil {
		return r.storeFailed(req, msg, err)
	}
	r.handOver(rec)
	return r.answered(req, hl7.AA, ack)
}

// rejection is why a frame is refused before it enters the pipeline.
type rejection struct {
	code   string // AR: resending the same bytes cannot succeed
	reason string
	err    hl7.AckError
}

// check decides whether a frame is a message this channel accepts.
func (r *runner) check(req *mllp.Request, msg *hl7.Message, perr error) *rejection {
	if errors.Is(req.Err, mllp.ErrFrameTooLarge) {
		why := fmt.Sprintf("message exceeds max_message_size (%d bytes); only its first %d bytes were kept", r.ch.Source.MLLP.MaxMessageSize, len(req.Message))
		return &rejection{hl7.AR, why, hl7.AckError{Condition: hl7.ApplicationInternalError, Message: why}}
	}
	if perr != nil {
		return parseRejection(perr)
	}
	typ, trigger, _ := msg.Type()
	switch {
	case typ == "" || trigger == "":
		return missing("MSH-9 (message type and trigger event)", 9)
	case msg.ControlID() == "":
		return missing("MSH-10 (message control id)", 10)
	case !r.accepts(typ, trigger):
		cond := hl7.UnsupportedMessageType
		if r.acceptsType(typ) {
			cond = hl7.UnsupportedEventCode
		}
		why := fmt.Sprintf("%s^%s is not accepted by channel %s", typ, trigger, r.ch.Name)
		return &rejection{hl7.AR, why, hl7.AckError{Condition: cond, Segment: "MSH", Field: 9, Message: why}}
	}
	return nil
}

func parseRejection(err error) *rejection {
	e := hl7.AckError{Condition: hl7.SegmentSequenceError, Message: err.Error()}
	var pe *hl7.ParseError
	switch {
	case errors.Is(err, hl7.ErrDelimiters):
		e.Condition, e.Segment, e.Field = hl7.DataTypeError, "MSH", 2
	case errors.Is(err, hl7.ErrNoHeader), errors.Is(err, hl7.ErrEmpty):
		e.Segment = "MSH"
	case errors.As(err, &pe) && pe.Segment > 0:
		e.SegmentSeq = pe.Segment
	}
	return &rejection{hl7.AR, "not a valid HL7 v2 message: " + err.Error(), e}
}

func missing(what string, field int) *rejection {
	why := what + " is empty"
	return &rejection{hl7.AR, why, hl7.AckError{Condition: hl7.RequiredFieldMissing, Segment: "MSH", Field: field, Message: why}}
}

// reject stores a refused frame as ERROR (nothing is lost) and NAKs it.
func (r *runner) reject(ctx context.Context, req *mllp.Request, rec *store.Message, msg *hl7.Message, rej *rejection) []byte {
	ack := hl7.BuildAck(msg, hl7.AckOptions{Code: rej.code, Text: rej.reason, Errors: []hl7.AckError{rej.err}})
	rec.Status, rec.Error, rec.Ack, rec.AckCode = store.StatusError, rej.reason, ack, rej.code
	err := r.e.store.Append(ctx, rec, receiveEvent(req, store.StatusError, "ACK "+rej.code+": "+rej.reason))
	if err != nil {
		return r.storeFailed(req, msg, err)
	}
	r.e.metrics.errored.WithLabelValues(r.ch.Name).Inc()
	r.e.log.Warn("message rejected", "channel", r.ch.Name, "message_id", rec.ID, "control_id", rec.ControlID, "code", rej.code, "reason", rej.reason)
	return r.answered(req, rej.code, ack)
}

// storeFailed answers AE: the message is not on disk, so the sender must
// keep it and resend.
func (r *runner) storeFailed(req *mllp.Request, msg *hl7.Message, err error) []byte {
	r.e.log.Error("message not stored; answering AE", "channel", r.ch.Name, "err", err)
	why := "message could not be stored; resend it"
	return r.answered(req, hl7.AE, hl7.BuildAck(msg, hl7.AckOptions{Code: hl7.AE, Text: why,
		Errors: []hl7.AckError{{Condition: hl7.ApplicationInternalError, Message: why}}}))
}

func (r *runner) answered(req *mllp.Request, code string, ack []byte) []byte {
	r.e.metrics.acks.WithLabelValues(r.ch.Name, code).Inc()
	r.e.metrics.ackLatency.WithLabelValues(r.ch.Name).Observe(time.Since(req.Received).Seconds())
	return ack
}

func (r *runner) accepts(typ, trigger string) bool {
	if len(r.ch.Accept) == 0 {
		return true
	}
	for _, a := range r.ch.Accept {
		t, tr, _ := strings.Cut(a, "^")
		if (t == "*" || t == typ) && (tr == "" || tr == "*" || tr == trigger) {
			return true
		}
	}
	return false
}

func (r *runner) acceptsType(typ string) bool {
	for _, a := range r.ch.Accept {
		if t, _, _ := strings.Cut(a, "^"); t == "*" || t == typ {
			return true
		}
	}
	return false
}

// fillHeader copies the searchable header fields into the record.
func fillHeader(rec *store.Message, msg *hl7.Message) {
	rec.Type, rec.Trigger, rec.Structure = msg.Type()
	rec.ControlID = msg.ControlID()
	if pid := msg.Segment("PID"); pid != nil {
		cx := pid.Field(3).Rep(1)
		rec.PatientID = cx.Component(1).String()
		rec.PatientAssigner = cx.Component(4).SubComponent(1).String()
	}
}

// receiveEvent records the arrival and, when the ACK is decided at once,
// the ACK sent: one event, as the ACK leaves right after this commit.
func receiveEvent(req *mllp.Request, status store.Status, ack string) store.Event {
	detail := fmt.Sprintf("%d bytes, connection %d, frame %d", len(req.Message), req.ConnID, req.Seq)
	if ack != "" {
		detail = ack + "; " + detail
	}
	return store.Event{Stage: "receive", Status: status, Time: req.Received, Detail: detail}
}

func addrString(a interface{ String() string }) string {
	if a == nil {
		return ""
	}
	return a.String()
}
