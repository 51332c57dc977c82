package hl7

// span is where a field lies in its segment's text: text[start:end].
type span struct{ start, end uint32 }

// maxLen is the longest message a span can address.
const maxLen = 1<<32 - 1

// count returns the number of fields, the name included.
func (s *Segment) count() int {
	if s.fields != nil {
		return len(s.fields)
	}
	return len(s.spans)
}

// field returns the raw text of field n, 0 <= n < s.count().
func (s *Segment) field(n int) string {
	if s.fields != nil {
		return s.fields[n]
	}
	p := s.spans[n]
	return s.text[p.start:p.end]
}

// own turns a parsed segment's spans into fields it can modify.
func (s *Segment) own() {
	if s.fields != nil {
		return
	}
	f := make([]string, len(s.spans), len(s.spans)+1)
	for i, p := range s.spans {
		f[i] = s.text[p.start:p.end]
	}
	s.fields = f
	s.text, s.spans = "", nil
}
