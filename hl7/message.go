package hl7

import (
	"strconv"
	"strings"
)

// Message is a parsed HL7 v2 message (or batch file). Segments hold raw
// field text, so an unmodified message encodes to its original bytes.
type Message struct {
	// Delimiters are taken from MSH-1 and MSH-2 (or FHS/BHS for a batch).
	Delimiters Delimiters
	// Segments in wire order, Z-segments included.
	Segments []*Segment
	// BOM records a UTF-8 byte order mark before the first segment.
	BOM bool
}

// Segment is one segment. Field 0 is the segment name; for MSH (and the
// batch headers FHS and BHS) field 1 is the field separator itself and
// field 2 the encoding characters, as the standard numbers them.
type Segment struct {
	name string
	// text is the segment as written, without terminator, and spans say
	// where each field lies in it (field 0 is the name). Spans hold no
	// pointers, so they cost the collector nothing to scan and half the
	// memory of a string per field. A modified segment gets a new text.
	text  string
	spans []span
	// term is every byte that followed the segment up to the next one:
	// "\r", "\n", "\r\n", blank lines, or "" at the end of the input.
	term string
	d    *Delimiters
}

// Name returns the three-character segment name, e.g. "PID".
func (s *Segment) Name() string { return s.name }

// NumFields returns the number of the last field present (0 if none).
func (s *Segment) NumFields() int { return len(s.spans) - 1 }

// Field returns field n (1-based). A field beyond the end is empty.
func (s *Segment) Field(n int) Value {
	v := Value{d: s.d, lvl: levelField}
	if uint(n) >= uint(len(s.spans)) {
		return v
	}
	v.raw = s.field(n)
	if n <= 2 && (n == 0 || isHeader(s.name)) {
		v.lvl = levelLiteral
	}
	return v
}

// SetField replaces field n (1-based) with raw, already-escaped text,
// adding empty fields when n is beyond the end. MSH-1 and MSH-2 cannot be
// set this way: they follow from the message's Delimiters.
func (s *Segment) SetField(n int, raw string) {
	if n < 1 || (n <= 2 && isHeader(s.name)) {
		return
	}
	f := s.fieldList(n + 1)
	f[n] = raw
	s.setFields(f)
}

// isHeader reports whether a segment declares delimiters in fields 1-2.
func isHeader(name string) bool {
	return name == "MSH" || name == "FHS" || name == "BHS"
}

// Segment returns the first segment with the given name, or nil.
func (m *Message) Segment(name string) *Segment {
	for _, s := range m.Segments {
		if s.name == name {
			return s
		}
	}
	return nil
}

// All returns every segment with the given name, in order.
func (m *Message) All(name string) []*Segment {
	var out []*Segment
	for _, s := range m.Segments {
		if s.name == name {
			out = append(out, s)
		}
	}
	return out
}

// NewSegment appends a segment built from raw (already escaped) field
// texts, fields[0] being field 1, and returns it. For MSH, pass fields from
// MSH-3 on: MSH-1 and MSH-2 come from the message's Delimiters.
func (m *Message) NewSegment(name string, fields ...string) *Segment {
	f := make([]string, 0, len(fields)+3)
	f = append(f, name)
	if isHeader(name) {
		f = append(f, string(m.Delimiters.Field), m.Delimiters.EncodingCharacters())
	}
	f = append(f, fields...)
	s := &Segment{term: "\r", d: &m.Delimiters}
	s.setFields(f)
	if n := len(m.Segments); n > 0 && m.Segments[n-1].term == "" {
		m.Segments[n-1].term = "\r"
	}
	m.Segments = append(m.Segments, s)
	return s
}

// Type returns MSH-9: message code, trigger event and message structure
// (e.g. "ORU", "R01", "ORU_R01"). Any of them may be empty.
func (m *Message) Type() (code, trigger, structure string) {
	h := m.header()
	if h == nil {
		return "", "", ""
	}
	f := h.Field(9)
	return f.Component(1).String(), f.Component(2).String(), f.Component(3).String()
}

// ControlID returns MSH-10, the message control id.
func (m *Message) ControlID() string { return m.fieldString("MSH", 10) }

// Version returns MSH-12.1, e.g. "2.5.1".
func (m *Message) Version() string {
	if h := m.header(); h != nil {
		return h.Field(12).Component(1).String()
	}
	return ""
}

func (m *Message) header() *Segment {
	if len(m.Segments) > 0 && m.Segments[0].name == "MSH" {
		return m.Segments[0]
	}
	return m.Segment("MSH")
}

func (m *Message) fieldString(seg string, n int) string {
	var s *Segment
	if seg == "MSH" {
		s = m.header()
	} else {
		s = m.Segment(seg)
	}
	if s == nil {
		return ""
	}
	return s.Field(n).String()
}

// Get returns the unescaped text at a field path such as "PID-3[2].4.1",
// or "" when the path is invalid or absent. Use Lookup to tell them apart.
func (m *Message) Get(path string) string {
	v, err := m.Lookup(path)
	if err != nil {
		return ""
	}
	return v.String()
}

// Lookup returns the value at a field path. An absent segment or field
// yields an empty Value; only a malformed path is an error.
func (m *Message) Lookup(path string) (Value, error) {
	p, err := ParsePath(path)
	if err != nil {
		return Value{}, err
	}
	return m.Value(p), nil
}

// Value returns the value a parsed path points at.
func (m *Message) Value(p Path) Value {
	n := 0
	for _, s := range m.Segments {
		if s.name != p.Segment {
			continue
		}
		n++
		if n == max(p.SegmentRep, 1) {
			return s.Value(p)
		}
	}
	return Value{d: &m.Delimiters, lvl: levelField}
}

// Value returns the value at p within this segment (p.Segment and
// p.SegmentRep are ignored).
func (s *Segment) Value(p Path) Value {
	v := s.Field(p.Field)
	if p.Rep > 0 {
		v = v.Rep(p.Rep)
	}
	if p.Component > 0 {
		v = v.Component(p.Component)
	}
	if p.SubComponent > 0 {
		v = v.SubComponent(p.SubComponent)
	}
	return v
}

// String returns the segment as it would be encoded, without terminator.
func (s *Segment) String() string {
	var b strings.Builder
	s.writeTo(&b)
	return b.String()
}

// Location formats an HL7 error location (ERL) for ERR-2: "PID^1^3".
func Location(segment string, seq, field int) string {
	return segment + "^" + strconv.Itoa(seq) + "^" + strconv.Itoa(field)
}
