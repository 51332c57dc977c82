package hl7

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Acknowledgment codes (MSA-1). The A* codes answer in original mode, the
// C* codes are commit acknowledgments in enhanced mode.
const (
	AA = "AA" // accepted
	AE = "AE" // error: the sender may retry
	AR = "AR" // rejected: do not resend unchanged
	CA = "CA"
	CE = "CE"
	CR = "CR"
)

// Condition is an HL7 error condition from table 0357, used in ERR-3.
type Condition struct {
	Code string
	Text string
}

// Conditions from HL7 table 0357 that an interface engine reports.
var (
	SegmentSequenceError     = Condition{"100", "Segment sequence error"}
	RequiredFieldMissing     = Condition{"101", "Required field missing"}
	DataTypeError            = Condition{"102", "Data type error"}
	TableValueNotFound       = Condition{"103", "Table value not found"}
	UnsupportedMessageType   = Condition{"200", "Unsupported message type"}
	UnsupportedEventCode     = Condition{"201", "Unsupported event code"}
	UnsupportedProcessingID  = Condition{"202", "Unsupported processing id"}
	UnsupportedVersionID     = Condition{"203", "Unsupported version id"}
	DuplicateKeyIdentifier   = Condition{"205", "Duplicate key identifier"}
	ApplicationInternalError = Condition{"207", "Application internal error"}
)

// AckError is one ERR segment.
type AckError struct {
	Condition Condition
	// Severity is ERR-4: E (error, the default), W (warning), I (info) or F (fatal).
	Severity string
	// Segment, SegmentSeq and Field locate the problem (ERR-2); all optional.
	Segment    string
	SegmentSeq int
	Field      int
	// Message is ERR-8, the text a person reads.
	Message string
}

// AckOptions describe an acknowledgment.
type AckOptions struct {
	Code string // MSA-1; required
	Text string // MSA-3
	// ControlID is MSH-10 of the acknowledgment; empty means a new unique id.
	ControlID string
	// Time is MSH-7; zero means now.
	Time   time.Time
	Errors []AckError
}

// BuildAck builds the acknowledgment of req: delimiters, MSH-11 and MSH-12
// echoed, sending and receiving application and facility swapped, MSA-2 =
// MSH-10 of req, every text escaped, and one ERR per error in the layout
// of req's version (ERR-2/3/4/8 from v2.5, ERR-1 before). req may be nil
// when the message could not be parsed at all; the ACK then has an empty
// MSA-2 and version 2.5.1.
func BuildAck(req *Message, o AckOptions) []byte {
	d, h := DefaultDelimiters, (*Segment)(nil)
	if req != nil {
		d, h = req.Delimiters, req.header()
	}
	raw := func(n int) string {
		if h == nil {
			return ""
		}
		return h.Field(n).Raw()
	}
	version := raw(12)
	if h == nil {
		version = "2.5.1"
	}
	ack := &Message{Delimiters: d}
	ack.NewSegment("MSH", raw(5), raw(6), raw(3), raw(4), timestamp(o.Time), "",
		ackType(req, d), controlID(o.ControlID, d), raw(11), version)
	if cs := raw(18); cs != "" {
		ack.Segments[0].SetField(18, cs)
	}
	ack.NewSegment("MSA", Escape(o.Code, d), raw(10), Escape(o.Text, d))
	trimTrailing(ack.Segments[1])
	modern := versionAtLeast(version, 2, 5)
	for _, e := range o.Errors {
		ack.NewSegment("ERR", errFields(e, d, modern)...)
	}
	return ack.Encode()
}

func ackType(req *Message, d Delimiters) string {
	if req == nil {
		return "ACK"
	}
	_, trigger, _ := req.Type()
	switch {
	case trigger == "":
		return "ACK"
	case versionAtLeast(req.Version(), 2, 3, 1):
		return "ACK" + string(d.Component) + Escape(trigger, d) + string(d.Component) + "ACK"
	}
	return "ACK" + string(d.Component) + Escape(trigger, d)
}

func errFields(e AckError, d Delimiters, modern bool) []string {
	c, s := string(d.Component), string(d.SubComponent)
	sev := e.Severity
	if sev == "" {
		sev = "E"
	}
	var loc []string
	if e.Segment != "" {
		loc = append(loc, Escape(e.Segment, d), strconv.Itoa(max(e.SegmentSeq, 1)))
		if e.Field > 0 {
			loc = append(loc, strconv.Itoa(e.Field))
		}
	}
	code, text := Escape(e.Condition.Code, d), Escape(e.Condition.Text, d)
	if !modern {
		for len(loc) < 3 {
			loc = append(loc, "")
		}
		return []string{strings.Join(append(loc, code+s+text+s+"HL70357"), c)}
	}
	return []string{"", strings.Join(loc, c), code + c + text + c + "HL70357", sev, "", "", "", Escape(e.Message, d)}
}

func trimTrailing(s *Segment) {
	n := len(s.spans)
	for n > 1 && s.spans[n-1].start == s.spans[n-1].end {
		n--
	}
	s.spans = s.spans[:n]
	s.text = s.text[:s.spans[n-1].end]
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	return t.Format("20060102150405.000-0700")
}

var ackSeq atomic.Uint64

func init() { ackSeq.Store(rand.Uint64N(1_000_000)) }

// controlID returns id escaped, or a new id: 14 digits of time and a
// 6-digit counter (20 characters, the MSH-10 limit before v2.7).
func controlID(id string, d Delimiters) string {
	if id != "" {
		return Escape(id, d)
	}
	return NewControlID()
}

// NewControlID returns a new message control id, unique within the
// process and very unlikely to repeat across restarts.
func NewControlID() string {
	n := ackSeq.Add(1) % 1_000_000
	return time.Now().UTC().Format("20060102150405") + fmt.Sprintf("%06d", n)
}

// versionAtLeast compares a dotted HL7 version ("2.5.1") with want.
func versionAtLeast(v string, want ...int) bool {
	parts := strings.Split(v, ".")
	for i, w := range want {
		n := 0
		if i < len(parts) {
			n, _ = strconv.Atoi(parts[i])
		}
		if n != w {
			return n > w
		}
	}
	return true
}
