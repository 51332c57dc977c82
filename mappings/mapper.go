package mappings

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// Sentinel errors Map wraps.
var (
	// ErrUnsupported: the message type and trigger have no map yet. The
	// error text names them ("ADT^A40").
	ErrUnsupported = errors.New("mappings: message type not supported")
	// ErrMalformed: the message lacks what its type requires (an ORU
	// without PID, an ORU without OBR, no MSH-9).
	ErrMalformed = errors.New("mappings: malformed message")
)

// Bundle types Options.BundleType accepts.
const (
	BundleTransaction = "transaction"
	BundleMessage     = "message"
)

// Options configure a Mapper. The zero value is usable.
type Options struct {
	// Location is the sender's time zone, given to timestamps that carry no
	// offset of their own (FHIR requires one as soon as a time is present).
	// It must be the sending system's zone, never the server's. Nil is UTC.
	Location *time.Location
	// BundleType is "transaction" (the default: every entry a PUT to
	// Type/id, so a replay is an idempotent upsert) or "message" (a
	// MessageHeader first, entries without requests).
	BundleType string
	// Namespace is mixed into every resource id, and into the fallback
	// identifier systems. The engine passes the tenant: the same MRN from two
	// hospitals names two different patients, and without the tenant in
	// the hash their ids would collide downstream, where one tenant's
	// upsert would overwrite the other's patient.
	Namespace string
	// IdentifierSystems maps an assigning authority (the namespace id HD.1,
	// or else the universal id HD.2, of CX.4, XCN.9, XON.6, EI.2-3) to the
	// FHIR identifier system URI to emit. An authority not listed gets, in
	// order: urn:oid:<HD.2> when HD.3 is ISO (or HD.2 is an OID),
	// urn:uuid:<HD.2> when HD.3 is UUID, HD.2 or HD.1 itself when it is an
	// absolute URI, and otherwise
	// urn:switchboard:[<namespace>:]aa:<HD.1> (percent-escaped), a stable
	// local URI an interface team can later map. Without a configured
	// system, Identifier.assigner.display keeps HD.1.
	IdentifierSystems map[string]string
	// CodeSystems maps coding system names as senders write them in CWE.3,
	// .6 and .12 (e.g. "99LAB") to the URI to emit. It wins over the
	// built-in table of HL7 table 0396 names.
	CodeSystems map[string]string
	// Fields set FHIR elements from v2 fields after the map: a channel's
	// overrides and its Z-segment rules (see FieldRule).
	Fields []FieldRule
	// IgnoreSegments are Z-segments the channel knows it does not map. Any
	// other Z-segment that no field rule reads gets a warning, so site data
	// nobody mapped shows in the message log instead of vanishing.
	IgnoreSegments []string
}

// Mapper maps HL7 v2 messages to FHIR R4 bundles. It is safe for concurrent
// use.
type Mapper struct {
	runs       sync.Pool // *run
	loc        *time.Location
	utc        bool
	bundleType string
	namespace  string
	nsURN      string // escaped namespace for fallback systems, with ':'
	systems    map[string]string
	// codeSystems are Options.CodeSystems; fields Options.Fields, and
	// fieldsObs whether one of them writes Observations (which are then
	// not streamed: a rule needs the resource, not its JSON).
	codeSystems map[string]string
	fields      []FieldRule
	fieldsObs   bool
	zKnown      map[string]bool // Z-segments read by a rule or ignored
}

// New validates the options and returns a Mapper.
func New(o Options) (*Mapper, error) {
	m := &Mapper{loc: o.Location, bundleType: o.BundleType, namespace: o.Namespace}
	if m.loc == nil {
		m.loc = time.UTC
	}
	m.utc = m.loc == time.UTC
	switch m.bundleType {
	case "":
		m.bundleType = BundleTransaction
	case BundleTransaction, BundleMessage:
	default:
		return nil, fmt.Errorf("mappings: bundle type %q: want %q or %q", o.BundleType, BundleTransaction, BundleMessage)
	}
	if o.Namespace != "" {
		m.nsURN = escapeURN(o.Namespace) + ":"
	}
	m.systems = make(map[string]string, len(o.IdentifierSystems))
	for k, v := range o.IdentifierSystems {
		if strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("mappings: identifier system for an empty assigning authority")
		}
		if !isURI(v) {
			return nil, fmt.Errorf("mappings: identifier system %q for %q: want an absolute URI without spaces", v, k)
		}
		m.systems[strings.TrimSpace(k)] = v
	}
	for k, v := range o.CodeSystems {
		if !isURI(v) {
			return nil, fmt.Errorf("mappings: code system %q for %q: want an absolute URI without spaces", v, k)
		}
	}
	m.codeSystems = o.CodeSystems
	if err := m.setFields(o.Fields); err != nil {
		return nil, err
	}
	m.zKnown = map[string]bool{}
	for _, f := range o.Fields {
		m.zKnown[f.From.Segment] = true
	}
	for _, s := range o.IgnoreSegments {
		m.zKnown[s] = true
	}
	return m, nil
}

// messageMap maps one message structure.
type messageMap func(r *run) error

// adtEvents are the ADT triggers whose structure is MSH EVN PID [PD1] ...
// PV1 [PV2] ...: one patient and at most one visit. A40 (merge) has its own
// map (mrg.go): its PID/MRG pairs become Patient.link.
var adtEvents = map[string]bool{
	"A01": true, "A02": true, "A03": true, "A04": true, "A05": true, "A06": true, "A07": true,
	"A08": true, "A11": true, "A12": true, "A13": true, "A28": true, "A31": true,
}

func lookupMap(typ, trigger string) messageMap {
	switch {
	case typ == "ADT" && adtEvents[trigger]:
		return mapADT
	case typ == "ADT" && trigger == "A40":
		return mapA40
	case typ == "ORU" && trigger == "R01":
		return mapORU
	}
	return nil
}

// Supported reports whether Map handles a message type and trigger event,
// e.g. Supported("ORU", "R01").
func Supported(typ, trigger string) bool { return lookupMap(typ, trigger) != nil }

// Warning is a problem Map worked around: an invalid date skipped, a code
// no table knows. It names the field, never its content, so it can be
// logged without PHI.
type Warning struct {
	// Field is the HL7 location, e.g. "PID-7" or "OBX[3]-14".
	Field string
	// Reason says what was wrong and what the mapper did.
	Reason string
}

// String formats the warning for a log line: "PID-7: invalid date/time: skipped".
func (w Warning) String() string { return w.Field + ": " + w.Reason }

// Map maps a message to one FHIR R4 bundle. Types without a map give an
// error wrapping ErrUnsupported; a message missing what its type requires
// gives one wrapping ErrMalformed. Problems the mapper can work around are
// dropped; MapWarnings returns them.
func (m *Mapper) Map(msg *hl7.Message) (*fhir.Bundle, error) {
	b, _, err := m.MapWarnings(msg)
	return b, err
}

// MapWarnings is Map that also returns the warnings.
func (m *Mapper) MapWarnings(msg *hl7.Message) (*fhir.Bundle, []Warning, error) {
	r, err := m.start(msg, false, nil)
	if r == nil {
		return nil, nil, err
	}
	defer m.release(r)
	if err != nil {
		return nil, r.warnings, err
	}
	return r.bundle(), r.warnings, nil
}

// start checks the message, picks its map and runs it. The run it returns
// (also with a mapping error, for its warnings) is for the caller to
// release.
func (m *Mapper) start(msg *hl7.Message, stream bool, enr *Enrichment) (*run, error) {
	if msg == nil || len(msg.Segments) == 0 || msg.Segments[0].Name() != "MSH" {
		return nil, fmt.Errorf("%w: no MSH segment", ErrMalformed)
	}
	typ, trigger, _ := msg.Type()
	typ, trigger = strings.ToUpper(strings.TrimSpace(typ)), strings.ToUpper(strings.TrimSpace(trigger))
	if trigger == "" {
		// v2.1-2.2 senders put the trigger only in EVN-1.
		if evn := msg.Segment("EVN"); evn != nil {
			trigger = strings.ToUpper(text(evn.Field(1)))
		}
	}
	if typ == "" {
		return nil, fmt.Errorf("%w: MSH-9 has no message type", ErrMalformed)
	}
	mm := lookupMap(typ, trigger)
	if mm == nil {
		return nil, fmt.Errorf("%w: %s^%s", ErrUnsupported, typ, trigger)
	}
	r := m.newRun(msg, trigger)
	r.stream, r.enr = stream && !m.fieldsObs, enr
	if err := mm(r); err != nil {
		return r, fmt.Errorf("%s^%s %s: %w", typ, trigger, r.controlID, err)
	}
	for _, e := range r.late {
		r.add(e.ident, e.res)
	}
	r.carryAbsentSegments()
	r.addIncluded()
	r.applyFields()
	r.warnUnmappedZ()
	r.record()
	return r, nil
}

// MapJSON maps a message and returns the bundle's JSON: the bytes
// fhir.Marshal gives for Map's bundle, written without building the
// Bundle itself.
func (m *Mapper) MapJSON(msg *hl7.Message) ([]byte, error) {
	return m.AppendJSON(nil, msg)
}

// AppendJSON is MapJSON appending to dst, so that a worker can reuse one
// buffer for every message (the engine copies the bytes out when it
// publishes them). With a nil or too small dst it allocates.
func (m *Mapper) AppendJSON(dst []byte, msg *hl7.Message) ([]byte, error) {
	out, _, err := m.appendJSONWith(dst, msg, false, nil)
	return out, err
}

// MapJSONWarnings is MapJSON that also returns what the mapping skipped or
// replaced (a field and a reason each, never content), for the message log.
func (m *Mapper) MapJSONWarnings(msg *hl7.Message) ([]byte, []Warning, error) {
	return m.appendJSONWith(nil, msg, true, nil)
}

func (m *Mapper) appendJSONWith(dst []byte, msg *hl7.Message, warnings bool, enr *Enrichment) ([]byte, []Warning, error) {
	r, err := m.start(msg, true, enr)
	if r != nil {
		defer m.release(r)
	}
	if err != nil {
		return dst, nil, err
	}
	var out []byte
	if need := r.sizeHint(); cap(dst)-len(dst) >= need {
		// The caller's buffer has room (a worker reusing it): write there.
		if out, err = r.appendJSON(dst); err != nil {
			return dst, nil, err
		}
	} else {
		// Otherwise write into the run's buffer, kept across messages, and
		// copy the bundle out (into dst when it has room after all, else
		// in one allocation of the bundle's exact size): sizing the result
		// from an estimate allocates (and zeroes) more than the bundle
		// needs, and that garbage is what the collector's work grows with.
		// append of the finished bytes neither over-sizes nor zeroes what
		// it copies over.
		if cap(r.out) < need {
			r.out = make([]byte, 0, need)
		}
		if r.out, err = r.appendJSON(r.out[:0]); err != nil {
			return dst, nil, err
		}
		out = append(dst, r.out...)
	}
	var ws []Warning
	if warnings && len(r.warnings) > 0 {
		ws = slices.Clone(r.warnings) // r goes back to the pool
	}
	return out, ws, nil
}
