package hl7

import "strings"

// level says what a Value holds, and so which delimiter splits it next.
type level uint8

const (
	levelField     level = iota // a whole field, repetitions included
	levelRep                    // one repetition: components
	levelComponent              // one component: sub-components
	levelSub                    // one sub-component: a leaf
	levelLiteral                // MSH-1, MSH-2, a segment name: never split
)

// Value is a field, repetition, component or sub-component: raw text cut
// from the message plus the delimiters needed to split and unescape it.
// The zero Value is empty.
type Value struct {
	raw string
	d   *Delimiters
	lvl level
}

// Raw returns the text exactly as written in the message, still escaped.
func (v Value) Raw() string { return v.raw }

// String returns the unescaped text. For a value that still has inner
// delimiters (a whole XPN, say) they are left in place; read leaves.
func (v Value) String() string {
	if v.d == nil || v.lvl == levelLiteral {
		return v.raw
	}
	return Unescape(v.raw, *v.d)
}

// IsEmpty reports whether the value is absent or empty: "no change" in an
// update message.
func (v Value) IsEmpty() bool { return v.raw == "" }

// IsNull reports whether the value is the explicit null `""`: "delete the
// stored value" in an update message. Null is not empty.
func (v Value) IsNull() bool { return v.raw == `""` }

// Reps returns the repetitions of a field (one for a non-repeating field,
// none for an empty one).
func (v Value) Reps() []Value {
	if v.raw == "" {
		return nil
	}
	if v.lvl != levelField {
		return []Value{v}
	}
	n := strings.Count(v.raw, string(v.d.Repetition)) + 1
	out := make([]Value, 0, n)
	rest := v.raw
	for {
		i := strings.IndexByte(rest, v.d.Repetition)
		if i < 0 {
			out = append(out, Value{raw: rest, d: v.d, lvl: levelRep})
			return out
		}
		out = append(out, Value{raw: rest[:i], d: v.d, lvl: levelRep})
		rest = rest[i+1:]
	}
}

// Rep returns repetition n (1-based) of a field. On a value below field
// level, Rep(1) is the value itself.
func (v Value) Rep(n int) Value {
	switch v.lvl {
	case levelField:
		return v.split(v.d.Repetition, n, levelRep)
	case levelLiteral:
		return v
	}
	if n == 1 {
		return v
	}
	return Value{d: v.d, lvl: v.lvl}
}

// Component returns component n (1-based) of the first repetition (or of
// this repetition).
func (v Value) Component(n int) Value {
	switch v.lvl {
	case levelField:
		return v.Rep(1).Component(n)
	case levelRep:
		return v.split(v.d.Component, n, levelComponent)
	case levelLiteral:
		return v
	}
	if n == 1 {
		return v
	}
	return Value{d: v.d, lvl: v.lvl}
}

// SubComponent returns sub-component n (1-based) of the first component
// (or of this component).
func (v Value) SubComponent(n int) Value {
	switch v.lvl {
	case levelField, levelRep:
		return v.Component(1).SubComponent(n)
	case levelComponent:
		return v.split(v.d.SubComponent, n, levelSub)
	case levelLiteral:
		return v
	}
	if n == 1 {
		return v
	}
	return Value{d: v.d, lvl: v.lvl}
}

// Components returns how many components the value has (at least 1 unless
// empty); for a field, those of its first repetition.
func (v Value) Components() int {
	if v.lvl == levelField {
		v = v.Rep(1)
	}
	if v.raw == "" {
		return 0
	}
	if v.lvl != levelRep {
		return 1
	}
	return strings.Count(v.raw, string(v.d.Component)) + 1
}

// split returns piece n (1-based) of v.raw cut at sep, or an empty value.
func (v Value) split(sep byte, n int, lvl level) Value {
	out := Value{d: v.d, lvl: lvl}
	if n < 1 || sep == 0 {
		if n == 1 {
			out.raw = v.raw
		}
		return out
	}
	rest := v.raw
	for i := 1; ; i++ {
		j := strings.IndexByte(rest, sep)
		if i == n {
			if j >= 0 {
				rest = rest[:j]
			}
			out.raw = rest
			return out
		}
		if j < 0 {
			return out
		}
		rest = rest[j+1:]
	}
}
