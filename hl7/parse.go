package hl7

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// Sentinel errors a ParseError wraps.
var (
	ErrEmpty    = errors.New("hl7: empty message")
	ErrNoHeader = errors.New("hl7: message does not start with an MSH segment")
	ErrSegment  = errors.New("hl7: bad segment")
)

// ParseError says where parsing stopped. Segment is 1-based (0 when the
// error is not tied to one segment).
type ParseError struct {
	Segment int
	Reason  string
	Err     error
}

func (e *ParseError) Error() string {
	if e.Segment > 0 {
		return fmt.Sprintf("%v: segment %d: %s", e.Err, e.Segment, e.Reason)
	}
	if e.Reason == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("%v: %s", e.Err, e.Reason)
}

func (e *ParseError) Unwrap() error { return e.Err }

const bom = "\xef\xbb\xbf"

// Parse parses one HL7 v2 message, or a batch file whose first segment is
// FHS or BHS. Segments may end in \r, \n or \r\n and a UTF-8 byte order
// mark is accepted. When the message contains any \r, a \n ends a segment
// only where a new segment visibly starts, so text fields may hold
// newlines (and files that mix terminators still parse).
//
// On error the returned Message is nil, unless the header segment was
// readable: then it holds the segments before the error, so that a
// negative acknowledgement can still echo MSH-10.
func Parse(data []byte) (*Message, error) {
	return parseString(string(data))
}

func parseString(s string) (*Message, error) {
	m := &Message{}
	if strings.HasPrefix(s, bom) {
		m.BOM, s = true, s[len(bom):]
	}
	if strings.TrimLeft(s, "\r\n \t") == "" {
		return nil, &ParseError{Err: ErrEmpty}
	}
	if uint64(len(s)) > maxLen {
		return nil, &ParseError{Reason: "message larger than 4 GiB", Err: ErrSegment}
	}
	if len(s) < 4 || !isHeader(s[:3]) {
		return nil, &ParseError{Segment: 1, Reason: "the first segment must be MSH", Err: ErrNoHeader}
	}
	d, _, err := parseDelimiters(s)
	if err != nil {
		return nil, &ParseError{Segment: 1, Reason: strings.TrimPrefix(err.Error(), ErrDelimiters.Error()+": "), Err: ErrDelimiters}
	}
	m.Delimiters = d
	hasCR := strings.IndexByte(s, '\r') >= 0
	nseg := strings.Count(s, "\r") + strings.Count(s, "\n") + 1
	segs := make([]Segment, 0, nseg)
	pool := make([]span, 0, strings.Count(s, string(d.Field))+2*nseg)
	for i := 1; s != ""; i++ {
		end := segmentEnd(s, d.Field, hasCR)
		next := end
		for next < len(s) && (s[next] == '\r' || s[next] == '\n') {
			next++
		}
		text := s[:end]
		if reason := checkSegment(text, d.Field); reason != "" {
			m.Segments = pointers(segs)
			return m, &ParseError{Segment: i, Reason: reason, Err: ErrSegment}
		}
		start := len(pool)
		pool = splitFields(pool, text, d.Field)
		segs = append(segs, Segment{name: text[:3], text: text, spans: pool[start:len(pool):len(pool)], term: s[end:next], d: &m.Delimiters})
		s = s[next:]
	}
	m.Segments = pointers(segs)
	return m, nil
}

// segmentEnd returns the index of the terminator that ends the first
// segment of s (len(s) if none).
func segmentEnd(s string, fs byte, hasCR bool) int {
	if !hasCR {
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			return i
		}
		return len(s)
	}
	off := 0
	for {
		end := len(s)
		if cr := strings.IndexByte(s[off:], '\r'); cr >= 0 {
			end = off + cr
		}
		// A \n before the next \r ends the segment only where a new
		// segment visibly starts (or nothing but terminators follows).
		lf := strings.IndexByte(s[off:end], '\n')
		if lf < 0 {
			return end
		}
		i := off + lf
		rest := s[i+1:]
		if startsSegment(rest, fs) || strings.TrimLeft(rest, "\r\n") == "" {
			return i
		}
		off = i + 1
	}
}

// startsSegment reports whether s begins like a segment: a name then the
// field separator (or the end of the line).
func startsSegment(s string, fs byte) bool {
	if len(s) < 3 || !isSegmentName(s[:3]) {
		return false
	}
	return len(s) == 3 || s[3] == fs || s[3] == '\r' || s[3] == '\n'
}

// checkSegment returns why a segment is malformed, or "".
func checkSegment(text string, fs byte) string {
	if len(text) < 3 || !isSegmentName(text[:3]) {
		return "segment name must be three upper-case letters or digits"
	}
	if len(text) > 3 && text[3] != fs {
		return "segment name must be followed by the field separator"
	}
	return ""
}

// splitFields appends where the fields of one segment lie in its text to
// pool. Header segments get MSH-1 (the separator) and MSH-2 (encoding
// characters) as fields 1-2.
func splitFields(pool []span, text string, fs byte) []span {
	pool = append(pool, span{0, 3})
	if len(text) <= 3 {
		return pool
	}
	i := 4
	if isHeader(text[:3]) {
		pool = append(pool, span{3, 4})
	}
	start := i
	// Fields are a few bytes long on average: look for separators eight
	// bytes at a time rather than calling IndexByte once per field.
	for ; i+8 <= len(text); i += 8 {
		for m := matchBytes(load64(text, i), fs); m != 0; m &= m - 1 {
			end := i + bits.TrailingZeros64(m)/8
			pool = append(pool, span{uint32(start), uint32(end)})
			start = end + 1
		}
	}
	for ; i < len(text); i++ {
		if text[i] == fs {
			pool = append(pool, span{uint32(start), uint32(i)})
			start = i + 1
		}
	}
	return append(pool, span{uint32(start), uint32(len(text))})
}

func pointers(segs []Segment) []*Segment {
	out := make([]*Segment, len(segs))
	for i := range segs {
		out[i] = &segs[i]
	}
	return out
}

// Salvage returns a best-effort header for data that Parse refused (bad
// encoding characters, say), so that a negative acknowledgement can still
// echo its MSH-10: the first line split at the byte after "MSH", read
// with the default component delimiters. It returns nil when data does
// not start with MSH.
func Salvage(data []byte) *Message {
	s := strings.TrimPrefix(string(data), bom)
	if len(s) < 4 || s[:3] != "MSH" {
		return nil
	}
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	d := DefaultDelimiters
	d.Field = s[3]
	m := &Message{Delimiters: d}
	fields := strings.Split(s[4:], string(d.Field))
	f := make([]string, 0, len(fields)+2)
	f = append(f, "MSH", string(d.Field))
	f = append(f, fields...)
	m.Segments = []*Segment{{term: "\r", d: &m.Delimiters}}
	m.Segments[0].setFields(f)
	return m
}
