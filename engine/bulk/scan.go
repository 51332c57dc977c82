package bulk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// scanHead validates line as one JSON value and, when it is an object,
// reads its resourceType, id and meta.versionId / meta.lastUpdated, in
// one pass and without allocating: encoding/json took a quarter of an
// export's CPU to do the same (validate, then decode four strings). It
// accepts exactly what json.Valid accepts, and where json.Unmarshal into
// head succeeds it returns the same values (FuzzScanHead holds the two
// together).
func scanHead(line []byte) (head, error) {
	s := scanner{b: line}
	var h head
	s.ws()
	var err error
	if s.peek() == '{' {
		err = s.object(0, func(key []byte) error { return s.headMember(key, &h) })
	} else {
		_, err = s.value(0)
		if err == nil {
			s.typeErr = errNotObject
		}
	}
	if err != nil {
		return h, err
	}
	s.ws()
	if s.i != len(s.b) {
		return h, s.errorf("data after the top-level value")
	}
	return h, s.typeErr
}

// errNotObject: the line is JSON but not an object, so not a resource.
var errNotObject = errors.New("not a JSON object")

// maxDepth bounds nesting, as encoding/json does, so a hostile line
// cannot exhaust the stack.
const maxDepth = 10000

type scanner struct {
	b []byte
	i int
	// typeErr is a member of head with the wrong JSON type. Scanning goes
	// on: a syntax error later in the line wins, as in encoding/json.
	typeErr error
}

// syntaxError is a line that is not JSON, at byte Offset.
type syntaxError struct {
	Offset int
	Msg    string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("byte %d: %s", e.Offset, e.Msg) }

func (s *scanner) errorf(format string, args ...any) error {
	return &syntaxError{Offset: s.i, Msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// headMember reads one top-level member into h, or skips it.
func (s *scanner) headMember(key []byte, h *head) error {
	switch string(key) {
	case "resourceType":
		return s.stringInto(&h.ResourceType, 1)
	case "id":
		return s.stringInto(&h.ID, 1)
	case "meta":
		if s.peek() != '{' {
			return s.notObject(1)
		}
		return s.object(1, func(key []byte) error {
			switch string(key) {
			case "versionId":
				return s.stringInto(&h.Meta.VersionID, 2)
			case "lastUpdated":
				return s.stringInto(&h.Meta.LastUpdated, 2)
			}
			_, err := s.value(2)
			return err
		})
	}
	_, err := s.value(1)
	return err
}

// stringInto reads a string value into dst; null leaves dst alone and
// any other type is a type error, as json.Unmarshal does.
func (s *scanner) stringInto(dst *string, depth int) error {
	if s.peek() != '"' {
		v, err := s.value(depth)
		if err == nil && !bytes.Equal(v, []byte("null")) && s.typeErr == nil {
			s.typeErr = fmt.Errorf("a string member holds %.20s", v)
		}
		return err
	}
	start := s.i
	escaped, err := s.str()
	if err != nil {
		return err
	}
	if raw := s.b[start+1 : s.i-1]; !escaped && ascii(raw) {
		*dst = string(raw)
		return nil
	}
	// Rare: escapes to decode, or bytes to check as UTF-8 (encoding/json
	// turns invalid ones into U+FFFD).
	return json.Unmarshal(s.b[start:s.i], dst)
}

// notObject skips a non-object where an object belongs (null is fine).
func (s *scanner) notObject(depth int) error {
	v, err := s.value(depth)
	if err == nil && !bytes.Equal(v, []byte("null")) && s.typeErr == nil {
		s.typeErr = errors.New("meta is not an object")
	}
	return err
}

// value skips one JSON value and returns its bytes.
func (s *scanner) value(depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, s.errorf("exceeded max depth")
	}
	start := s.i
	var err error
	switch c := s.peek(); {
	case c == '{':
		err = s.object(depth, func([]byte) error { _, err := s.value(depth + 1); return err })
	case c == '[':
		err = s.array(depth)
	case c == '"':
		_, err = s.str()
	case c == '-' || '0' <= c && c <= '9':
		err = s.number()
	case c == 't':
		err = s.literal("true")
	case c == 'f':
		err = s.literal("false")
	case c == 'n':
		err = s.literal("null")
	case s.i >= len(s.b):
		err = s.errorf("unexpected end of JSON input")
	default:
		err = s.errorf("invalid character %q looking for beginning of value", c)
	}
	return s.b[start:s.i], err
}

// object scans {...}, calling member with each key (escapes not decoded)
// positioned at its value, which member must consume.
func (s *scanner) object(depth int, member func(key []byte) error) error {
	s.i++ // {
	s.ws()
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		if s.peek() != '"' {
			return s.errorf("invalid character looking for beginning of object key string")
		}
		start := s.i
		if _, err := s.str(); err != nil {
			return err
		}
		key := s.b[start+1 : s.i-1]
		s.ws()
		if s.peek() != ':' {
			return s.errorf("invalid character after object key")
		}
		s.i++
		s.ws()
		if err := member(key); err != nil {
			return err
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.i++
			s.ws()
		case '}':
			s.i++
			return nil
		default:
			return s.errorf("invalid character after object key:value pair")
		}
	}
}

func (s *scanner) array(depth int) error {
	s.i++ // [
	s.ws()
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if _, err := s.value(depth + 1); err != nil {
			return err
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.i++
			s.ws()
		case ']':
			s.i++
			return nil
		default:
			return s.errorf("invalid character after array element")
		}
	}
}

// str scans a string from its opening quote and reports whether it has
// escapes.
func (s *scanner) str() (escaped bool, err error) {
	s.i++ // "
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return escaped, nil
		case c == '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return escaped, err
			}
		case c < 0x20:
			return escaped, s.errorf("invalid character in string literal")
		default:
			s.i++
		}
	}
	return escaped, s.errorf("unexpected end of JSON input")
}

func (s *scanner) escape() error {
	s.i++ // backslash
	switch s.peek() {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i++
		return nil
	case 'u':
		s.i++
		for k := 0; k < 4; k++ {
			if !isHex(s.peek()) {
				return s.errorf("invalid character in \\u hexadecimal character escape")
			}
			s.i++
		}
		return nil
	}
	return s.errorf("invalid character in string escape code")
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func (s *scanner) digits() int {
	n := 0
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	if s.peek() == '-' {
		s.i++
	}
	switch c := s.peek(); {
	case c == '0':
		s.i++
	case '1' <= c && c <= '9':
		s.digits()
	default:
		return s.errorf("invalid character in numeric literal")
	}
	if s.peek() == '.' {
		s.i++
		if s.digits() == 0 {
			return s.errorf("invalid character after decimal point in numeric literal")
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if s.digits() == 0 {
			return s.errorf("invalid character in exponent of numeric literal")
		}
	}
	return nil
}

func (s *scanner) literal(word string) error {
	if !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		return s.errorf("invalid character in literal %s", word)
	}
	s.i += len(word)
	return nil
}
