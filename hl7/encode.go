package hl7

import (
	"bytes"
	"strings"
)

// Encode returns the message in wire form. An unmodified parsed message
// encodes to exactly the bytes it was parsed from.
func (m *Message) Encode() []byte {
	var b bytes.Buffer
	b.Grow(m.size())
	if m.BOM {
		b.WriteString(bom)
	}
	for _, s := range m.Segments {
		s.writeTo(&b)
		b.WriteString(s.term)
	}
	return b.Bytes()
}

// size is the encoded length, so Encode allocates once.
func (m *Message) size() int {
	n := len(bom)
	for _, s := range m.Segments {
		n += len(s.term) + len(s.text)
	}
	return n
}

type stringWriter interface {
	WriteString(string) (int, error)
	WriteByte(byte) error
}

func (s *Segment) writeTo(w stringWriter) {
	w.WriteString(s.text)
}

var _ stringWriter = (*strings.Builder)(nil)
