package fhir

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// reader reads JSON from data in one pass, checking its syntax as it goes
// (RFC 8259, as encoding/json accepts it). decode.go drives it to fill
// this package's types; it replaces an encoding/json Decoder per object,
// which scanned each nested object once more at every level above it.
type reader struct {
	data  []byte
	pos   int
	depth int
}

// maxDepth bounds nesting, as encoding/json does, so that a hostile
// payload cannot recurse without end.
const maxDepth = 10000

func (r *reader) syntaxError(what string) error {
	return fmt.Errorf("fhir: invalid JSON at offset %d: %s", r.pos, what)
}

// peek skips white space and returns the next byte, or 0 at the end.
func (r *reader) peek() byte {
	for r.pos < len(r.data) {
		switch c := r.data[r.pos]; c {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return c
		}
	}
	return 0
}

// wrongType reports a value of another JSON type than the one wanted: a
// string where a number belongs is valid JSON and not FHIR, and says so.
// What is not JSON at all is a syntax error.
func (r *reader) wrongType(want string) error {
	got := ""
	switch c := r.peek(); {
	case c == '{':
		got = "an object"
	case c == '[':
		got = "an array"
	case c == '"':
		got = "a string"
	case c == 't' || c == 'f':
		got = "a boolean"
	case c == '-' || '0' <= c && c <= '9':
		got = "a number"
	case c == 0 && r.pos >= len(r.data):
		return r.syntaxError("unexpected end of JSON")
	default:
		return r.syntaxError("invalid character")
	}
	return fmt.Errorf("want %s, got %s", want, got)
}

// expect consumes c, the next byte after white space.
func (r *reader) expect(c byte) error {
	if r.peek() != c {
		return r.syntaxError(fmt.Sprintf("want %q", c))
	}
	r.pos++
	return nil
}

// end checks that only white space is left.
func (r *reader) end() error {
	if r.peek(); r.pos < len(r.data) { // peek's 0 may be a NUL byte
		return r.syntaxError("data after the value")
	}
	return nil
}

// enter and leave count nesting for maxDepth.
func (r *reader) enter() error {
	if r.depth++; r.depth > maxDepth {
		return r.syntaxError("nested too deeply")
	}
	return nil
}

func (r *reader) leave() { r.depth-- }

// literal consumes the word true, false or null.
func (r *reader) literal(word string) error {
	if len(r.data)-r.pos < len(word) || string(r.data[r.pos:r.pos+len(word)]) != word {
		return r.syntaxError("invalid literal")
	}
	r.pos += len(word)
	return nil
}

// null consumes a null if one is next.
func (r *reader) null() (bool, error) {
	if r.peek() != 'n' {
		return false, nil
	}
	return true, r.literal("null")
}

// stringBytes reads a string and returns its value. The bytes alias data
// when the string needs no unescaping, so they are valid only until the
// caller converts them.
func (r *reader) stringBytes() ([]byte, error) {
	if r.peek() != '"' {
		return nil, r.syntaxError("want a string")
	}
	start := r.pos + 1
	escaped, ascii := false, true
	i := start
	for ; ; i++ {
		if i >= len(r.data) {
			r.pos = i
			return nil, r.syntaxError("unterminated string")
		}
		c := r.data[i]
		if c == '"' {
			break
		}
		switch {
		case c < 0x20:
			r.pos = i
			return nil, r.syntaxError("control character in a string")
		case c == '\\':
			n, err := escapeLen(r.data[i:])
			if err != nil {
				r.pos = i
				return nil, r.syntaxError(err.Error())
			}
			i += n - 1
			escaped = true
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	raw := r.data[start:i]
	r.pos = i + 1
	if !escaped && (ascii || utf8.Valid(raw)) {
		return raw, nil
	}
	return unquote(raw), nil
}

// str reads a string.
func (r *reader) str() (string, error) {
	b, err := r.stringBytes()
	return string(b), err
}

// escapeLen returns the length of the escape sequence b starts with.
func escapeLen(b []byte) (int, error) {
	if len(b) < 2 {
		return 0, errors.New("unterminated escape")
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, nil
	case 'u':
		if len(b) < 6 || hex4(b[2:6]) < 0 {
			return 0, errors.New("invalid \\u escape")
		}
		return 6, nil
	}
	return 0, errors.New("invalid escape")
}

// hex4 decodes four hex digits, or returns -1.
func hex4(b []byte) rune {
	var v rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		v = v<<4 | rune(c)
	}
	return v
}

// unquote decodes the escapes of a string already checked by stringBytes.
// As in encoding/json, invalid UTF-8 and unpaired surrogates become
// U+FFFD.
func unquote(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\' && raw[i+1] == 'u':
			r := hex4(raw[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					r2 = hex4(raw[i+2:])
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					r, i = dec, i+6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		case c == '\\':
			out = append(out, unescaped[raw[i+1]])
			i += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, n := utf8.DecodeRune(raw[i:])
			out = utf8.AppendRune(out, r) // RuneError for a bad byte
			i += n
		}
	}
	return out
}

var unescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// number reads a number and returns its text.
func (r *reader) number() ([]byte, error) {
	r.peek()
	start, i, d := r.pos, r.pos, r.data
	digits := func() bool {
		j := i
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case !digits():
		r.pos = i
		return nil, r.syntaxError("invalid number")
	}
	if i < len(d) && d[i] == '.' {
		if i++; !digits() {
			r.pos = i
			return nil, r.syntaxError("invalid number")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		if i++; i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if !digits() {
			r.pos = i
			return nil, r.syntaxError("invalid number")
		}
	}
	r.pos = i
	return d[start:i], nil
}

// skip reads and checks one value of any kind.
func (r *reader) skip() error {
	switch c := r.peek(); {
	case c == '{' || c == '[':
		return r.skipComposite(c)
	case c == '"':
		_, err := r.stringBytes()
		return err
	case c == 't':
		return r.literal("true")
	case c == 'f':
		return r.literal("false")
	case c == 'n':
		return r.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		_, err := r.number()
		return err
	case c == 0:
		return r.syntaxError("unexpected end of JSON")
	}
	return r.syntaxError("invalid character")
}

// skipComposite reads and checks an object or an array.
func (r *reader) skipComposite(open byte) error {
	if err := r.enter(); err != nil {
		return err
	}
	defer r.leave()
	r.pos++
	closer := byte(']')
	if open == '{' {
		closer = '}'
	}
	if r.peek() == closer {
		r.pos++
		return nil
	}
	for {
		if open == '{' {
			if _, err := r.stringBytes(); err != nil {
				return err
			}
			if err := r.expect(':'); err != nil {
				return err
			}
		}
		if err := r.skip(); err != nil {
			return err
		}
		if more, err := r.next(closer); err != nil || !more {
			return err
		}
	}
}

// next consumes the comma before another member or element (true) or the
// closing byte (false).
func (r *reader) next(closer byte) (bool, error) {
	switch r.peek() {
	case ',':
		r.pos++
		return true, nil
	case closer:
		r.pos++
		return false, nil
	}
	return false, r.syntaxError(fmt.Sprintf("want ',' or %q", closer))
}

// raw reads one value and returns its text.
func (r *reader) raw() ([]byte, error) {
	r.peek()
	start := r.pos
	err := r.skip()
	return r.data[start:r.pos], err
}
