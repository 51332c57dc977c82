package hl7

import "strings"

// Set stores text (escaped here) at a field path, creating the segment at
// the end of the message and any missing fields, repetitions or
// components. Setting "" empties the value; set `""` with SetRaw for an
// explicit null.
func (m *Message) Set(path, text string) error {
	return m.set(path, Escape(text, m.Delimiters))
}

// SetRaw is Set for already-escaped text.
func (m *Message) SetRaw(path, raw string) error {
	return m.set(path, raw)
}

func (m *Message) set(path, raw string) error {
	p, err := ParsePath(path)
	if err != nil {
		return err
	}
	if isHeader(p.Segment) && p.Field <= 2 {
		return &ParseError{Reason: p.Segment + "-1 and -2 follow from the message delimiters", Err: ErrPath}
	}
	seg := m.nth(p.Segment, max(p.SegmentRep, 1))
	for seg == nil {
		m.NewSegment(p.Segment)
		seg = m.nth(p.Segment, max(p.SegmentRep, 1))
	}
	d := m.Delimiters
	f := seg.Field(p.Field).raw
	if p.Rep == 0 && p.Component == 0 {
		seg.SetField(p.Field, raw)
		return nil
	}
	rep := replacePiece(f, d.Repetition, max(p.Rep, 1), func(r string) string {
		if p.Component == 0 {
			return raw
		}
		return replacePiece(r, d.Component, p.Component, func(c string) string {
			if p.SubComponent == 0 {
				return raw
			}
			return replacePiece(c, d.SubComponent, p.SubComponent, func(string) string { return raw })
		})
	})
	seg.SetField(p.Field, rep)
	return nil
}

// nth returns the n-th (1-based) segment with the given name, or nil.
func (m *Message) nth(name string, n int) *Segment {
	for _, s := range m.Segments {
		if s.name == name {
			if n--; n == 0 {
				return s
			}
		}
	}
	return nil
}

// replacePiece replaces piece n (1-based) of s split at sep with
// f(old piece), padding with empty pieces as needed.
func replacePiece(s string, sep byte, n int, f func(string) string) string {
	parts := strings.Split(s, string(sep))
	if s == "" {
		parts = parts[:0]
	}
	for len(parts) < n {
		parts = append(parts, "")
	}
	parts[n-1] = f(parts[n-1])
	return strings.TrimRight(strings.Join(parts, string(sep)), string(sep))
}
