package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Marshal returns the compact JSON encoding of a resource (a Bundle
// included), "resourceType" first. See the package comment for what is left
// out.
func Marshal(r Resource) ([]byte, error) {
	return AppendJSON(make([]byte, 0, sizeHint(r)), r)
}

// sizeHint guesses how many bytes r encodes to, for sizing a buffer: growing
// one by doubling costs more than the encoding itself.
func sizeHint(r Resource) int {
	if b, ok := r.(*Bundle); ok && b != nil {
		return 512 + 1400*len(b.Entry)
	}
	return 2048
}

// AppendJSON appends the JSON encoding of r to dst, as Marshal does, so a
// caller can reuse a buffer.
func AppendJSON(dst []byte, r Resource) (out []byte, err error) {
	if r == nil {
		return dst, errors.New("fhir: marshal a nil resource")
	}
	defer catch(&err)
	var e encoder
	return e.resourceValue(dst, r), nil
}

// fieldsEncoder is implemented by every type of this package: it appends
// the members of the value's JSON object, without the braces, to b.
type fieldsEncoder interface {
	encodeFields(e *encoder, b []byte) []byte
}

// marshalFields is MarshalJSON for the data types and backbone elements.
func marshalFields(v fieldsEncoder) (out []byte, err error) {
	defer catch(&err)
	var e encoder
	b := append(make([]byte, 0, 256), '{')
	b = v.encodeFields(&e, b)
	return append(b, '}'), nil
}

// encoder has no state: the bytes are passed along and returned
// (b = e.str(b, ...)) so that they stay in registers (storing a growing
// slice into a heap object on every append costs a GC write barrier each
// time), and the rare error (an invalid decimal) unwinds as a panic of
// encodeError that AppendJSON and MarshalJSON recover. Being empty, the
// encoder costs no allocation although it is passed through interface
// calls.
//
// Whether a comma is needed is read off the last byte written, and an
// object or array that ends up with no members is cut back out, so callers
// never track state and never emit an empty value.
type encoder struct{}

// encodeError carries an encoding error up to catch.
type encodeError struct{ err error }

// catch turns an encodeError panic back into an error; other panics go on.
func catch(err *error) {
	if p := recover(); p != nil {
		ee, ok := p.(encodeError)
		if !ok {
			panic(p)
		}
		*err = ee.err
	}
}

// comma separates a member or element from the one before it.
func comma(b []byte) []byte {
	if n := len(b); n > 0 {
		if c := b[n-1]; c != '{' && c != '[' {
			b = append(b, ',')
		}
	}
	return b
}

// key writes a member name. k is the quoted name and colon, `"status":`,
// a constant, so it is one copy.
func key(b []byte, k string) []byte {
	return append(comma(b), k...)
}

// closeOr ends an object or array opened at mark with c, or removes it
// (key and comma included) when nothing was written inside.
func closeOr(b []byte, mark int, c byte) []byte {
	if last := b[len(b)-1]; last == '{' || last == '[' {
		return b[:mark]
	}
	return append(b, c)
}

func (e *encoder) str(b []byte, k, v string) []byte {
	if v == "" {
		return b
	}
	return appendMember(b, k, v)
}

// appendMember writes `,"k":"v"` (the comma only when needed).
func appendMember(b []byte, k, v string) []byte {
	return appendString(key(b, k), v)
}

func (e *encoder) strp(b []byte, k string, v *string) []byte {
	if v == nil {
		return b
	}
	return e.str(b, k, *v)
}

// strs writes a list of strings unless all are empty. An empty string
// among others is written as null: FHIR pairs a primitive array with its
// "_name" array of extensions by position ("given": ["Jane", null] and
// "_given": [null, {...}]), so positions must survive.
func (e *encoder) strs(b []byte, k string, v []string) []byte {
	i := 0
	for i < len(v) && v[i] == "" {
		i++
	}
	if i == len(v) {
		return b
	}
	b = append(key(b, k), '[')
	for j, s := range v {
		if j > 0 {
			b = append(b, ',')
		}
		if s == "" {
			b = append(b, "null"...)
		} else {
			b = appendString(b, s)
		}
	}
	return append(b, ']')
}

func (e *encoder) boolp(b []byte, k string, v *bool) []byte {
	if v == nil {
		return b
	}
	if *v {
		return append(key(b, k), "true"...)
	}
	return append(key(b, k), "false"...)
}

// integer writes a non-zero int (positiveInt and rank-like elements, where
// zero is not a valid value).
func (e *encoder) integer(b []byte, k string, v int) []byte {
	if v == 0 {
		return b
	}
	return strconv.AppendInt(key(b, k), int64(v), 10)
}

func (e *encoder) intp(b []byte, k string, v *int) []byte {
	if v == nil {
		return b
	}
	return strconv.AppendInt(key(b, k), int64(*v), 10)
}

// num writes a decimal exactly as its text, after checking it is a JSON
// number (encoding/json refuses invalid json.Number values too).
func (e *encoder) num(b []byte, k string, v json.Number) []byte {
	if v == "" {
		return b
	}
	if !ValidNumber(string(v)) {
		e.fail(fmt.Errorf("fhir: %s invalid number %q", k, string(v)))
	}
	return append(key(b, k), v...)
}

func (e *encoder) nump(b []byte, k string, v *json.Number) []byte {
	if v == nil {
		return b
	}
	return e.num(b, k, *v)
}

func (e *encoder) fail(err error) {
	panic(encodeError{err})
}

// obj writes member k holding *v, unless v is nil or encodes to nothing.
// (The nil test is in a function of its own so that it inlines: most
// optional elements are absent.)
func obj[T any, P interface {
	*T
	fieldsEncoder
}](e *encoder, b []byte, k string, v P) []byte {
	if v == nil {
		return b
	}
	return objValue[T, P](e, b, k, v)
}

func objValue[T any, P interface {
	*T
	fieldsEncoder
}](e *encoder, b []byte, k string, v P) []byte {
	mark := len(b)
	b = append(key(b, k), '{')
	b = v.encodeFields(e, b)
	return closeOr(b, mark, '}')
}

// arr writes member k holding the non-empty elements of v, if any.
func arr[T any, P interface {
	*T
	fieldsEncoder
}](e *encoder, b []byte, k string, v []T) []byte {
	if len(v) == 0 {
		return b
	}
	return arrValue[T, P](e, b, k, v)
}

func arrValue[T any, P interface {
	*T
	fieldsEncoder
}](e *encoder, b []byte, k string, v []T) []byte {
	mark := len(b)
	b = append(key(b, k), '[')
	for i := range v {
		m := len(b)
		b = append(comma(b), '{')
		b = P(&v[i]).encodeFields(e, b)
		b = closeOr(b, m, '}')
	}
	return closeOr(b, mark, ']')
}

// unknown writes the members kept by the decoder.
func (e *encoder) unknown(b []byte, m Members) []byte {
	if len(m) == 0 {
		return b
	}
	return e.unknownMembers(b, m)
}

func (e *encoder) unknownMembers(b []byte, m Members) []byte {
	for _, x := range m {
		if x.Name == "" || len(x.Value) == 0 {
			continue
		}
		if !json.Valid(x.Value) {
			e.fail(fmt.Errorf("fhir: unknown member %q: invalid JSON", x.Name))
		}
		b = appendString(comma(b), x.Name)
		b = append(b, ':')
		b = append(b, x.Value...)
	}
	return b
}

// resource writes member k holding a resource.
func (e *encoder) resource(b []byte, k string, r Resource) []byte {
	if r == nil {
		return b
	}
	return e.resourceValue(key(b, k), r)
}

// resourceValue writes a resource object: "resourceType" first.
func (e *encoder) resourceValue(b []byte, r Resource) []byte {
	switch x := r.(type) {
	case *RawResource:
		if x == nil || len(x.JSON) == 0 {
			return append(b, "null"...)
		}
		return append(b, x.JSON...)
	case fieldsEncoder:
		b = append(b, `{"resourceType":`...)
		b = appendString(b, r.ResourceType())
		b = x.encodeFields(e, b)
		return append(b, '}')
	}
	// A Resource implemented outside this package.
	j, err := json.Marshal(r)
	if err != nil {
		e.fail(fmt.Errorf("fhir: %s: %w", r.ResourceType(), err))
	}
	return append(b, j...)
}

// domainResource writes the elements every DomainResource starts with.
func (e *encoder) domainResource(b []byte, id string, meta *Meta, implicitRules, language string, text *Narrative, ext, modExt []Extension) []byte {
	b = e.str(b, `"id":`, id)
	b = obj(e, b, `"meta":`, meta)
	b = e.str(b, `"implicitRules":`, implicitRules)
	b = e.str(b, `"language":`, language)
	b = obj(e, b, `"text":`, text)
	b = arr(e, b, `"extension":`, ext)
	return arr(e, b, `"modifierExtension":`, modExt)
}

// strEscape classifies bytes for appendString: 0 copies as is, 1 needs an
// escape, 2 starts a multi-byte UTF-8 sequence that must be checked.
var strEscape = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = 1
	}
	t['"'], t['\\'] = 1, 1
	for c := 0x80; c < 0x100; c++ {
		t[c] = 2
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, escaped as Marshal escapes
// every string, for code that writes FHIR JSON around what Marshal gives.
func AppendString(b []byte, s string) []byte { return appendString(b, s) }

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped (\n \r \t \b \f by name, others as \u00XX), U+2028 and
// U+2029 escaped for JavaScript's sake, invalid UTF-8 replaced by \ufffd.
// That is what encoding/json writes with HTML escaping turned off.
//
// Most strings need no escape at all: they are checked eight bytes at a
// time and copied in one piece.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if needsCare(load64(s, i)) {
			return appendEscaped(b, s, i)
		}
	}
	if len(s) >= 8 {
		// The tail as one (overlapping) word.
		if needsCare(load64(s, len(s)-8)) {
			return appendEscaped(b, s, i)
		}
	} else {
		for ; i < len(s); i++ {
			if strEscape[s[i]] != 0 {
				return appendEscaped(b, s, i)
			}
		}
	}
	b = append(b, s...)
	return append(b, '"')
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// load64 reads s[i:i+8] as one word (byte order does not matter to
// needsCare). Callers guarantee i+8 <= len(s). The compiler merges the
// byte loads into one 8-byte load.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// needsCare reports whether any of the eight bytes of x is below 0x20, a
// quote, a backslash or non-ASCII. x itself flags non-ASCII bytes (their
// high bit). Subtracting 0x20 from each byte sets the high bit of those
// below 0x20; subtracting 1 after the XOR with a probe sets that of those
// equal to it. Other bytes get a high bit this way only when they are
// non-ASCII already, or from a borrow out of a lower byte that is itself
// flagged: the answer for the word is exact.
func needsCare(x uint64) bool {
	quote := x ^ (ones * '"')
	slash := x ^ (ones * '\\')
	return (x|(x-ones*0x20)|(quote-ones)|(slash-ones))&highs != 0
}

// appendEscaped writes s from i on, escaping as appendString describes;
// s[:i] needs no escape.
func appendEscaped(b []byte, s string, i int) []byte {
	done := 0 // s[:done] is already in b
	for i < len(s) {
		switch strEscape[s[i]] {
		case 0:
			i++
			continue
		case 1:
			b = append(b, s[done:i]...)
			switch c := s[i]; c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			done = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[done:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[done:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		done = i
	}
	b = append(b, s[done:]...)
	return append(b, '"')
}

// ValidNumber reports whether s is a JSON number, the lexical form of a
// FHIR decimal:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func ValidNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}
