package hl7

import "strings"

// span is where a field lies in its segment's text: text[start:end].
type span struct{ start, end uint32 }

// maxLen is the longest message a span can address.
const maxLen = 1<<32 - 1

// field returns the raw text of field n, 0 <= n < len(s.spans).
func (s *Segment) field(n int) string {
	p := s.spans[n]
	return s.text[p.start:p.end]
}

// fieldList returns the fields as strings, at least n of them (padded
// with empty fields).
func (s *Segment) fieldList(n int) []string {
	f := make([]string, max(n, len(s.spans)))
	for i := range s.spans {
		f[i] = s.field(i)
	}
	return f
}

// setFields makes f (f[0] the name; for a header segment f[1] the field
// separator and f[2] the encoding characters) the segment's fields,
// joined with the field separator into a new text.
func (s *Segment) setFields(f []string) {
	header := isHeader(f[0])
	var b strings.Builder
	spans := make([]span, 0, len(f))
	for i, x := range f {
		if i > 0 && (i > 2 || !header) {
			b.WriteByte(s.d.Field)
		}
		start := b.Len()
		b.WriteString(x)
		spans = append(spans, span{uint32(start), uint32(b.Len())})
	}
	s.name, s.text, s.spans = f[0], b.String(), spans
}
