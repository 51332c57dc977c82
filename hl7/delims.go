package hl7

import (
	"errors"
	"fmt"
	"strings"
)

// Delimiters are the separator characters a message declares in MSH-1 and
// MSH-2. Truncation is zero unless MSH-2 has a fifth character (v2.7+).
type Delimiters struct {
	Field        byte
	Component    byte
	Repetition   byte
	Escape       byte
	SubComponent byte
	Truncation   byte
}

// DefaultDelimiters are the delimiters almost every sender uses: |^~\&.
var DefaultDelimiters = Delimiters{Field: '|', Component: '^', Repetition: '~', Escape: '\\', SubComponent: '&'}

// ErrDelimiters reports an unusable MSH-1 or MSH-2.
var ErrDelimiters = errors.New("hl7: bad delimiters")

// EncodingCharacters returns MSH-2 as it is written in a message.
func (d Delimiters) EncodingCharacters() string {
	b := []byte{d.Component, d.Repetition, d.Escape, d.SubComponent, d.Truncation}
	n := 0
	for _, c := range b {
		if c == 0 {
			break
		}
		n++
	}
	return string(b[:n])
}

// parseDelimiters reads the field separator and MSH-2 from a header segment
// ("MSH|^~\&|..." or an FHS/BHS batch header). It returns the delimiters
// and the raw MSH-2 text.
func parseDelimiters(seg string) (Delimiters, string, error) {
	if len(seg) < 4 {
		return Delimiters{}, "", fmt.Errorf("%w: header segment too short", ErrDelimiters)
	}
	d := Delimiters{Field: seg[3]}
	if !isDelimiterChar(d.Field) {
		return Delimiters{}, "", fmt.Errorf("%w: MSH-1 field separator %q is not allowed", ErrDelimiters, d.Field)
	}
	enc := seg[4:]
	if i := strings.IndexByte(enc, d.Field); i >= 0 {
		enc = enc[:i]
	}
	if len(enc) < 1 || len(enc) > 5 {
		return Delimiters{}, "", fmt.Errorf("%w: MSH-2 encoding characters %q must be 2 to 5 characters", ErrDelimiters, enc)
	}
	slots := []*byte{&d.Component, &d.Repetition, &d.Escape, &d.SubComponent, &d.Truncation}
	seen := map[byte]bool{d.Field: true}
	for i := 0; i < len(enc); i++ {
		c := enc[i]
		if !isDelimiterChar(c) {
			return Delimiters{}, "", fmt.Errorf("%w: MSH-2 character %+q is not allowed", ErrDelimiters, c)
		}
		if seen[c] {
			return Delimiters{}, "", fmt.Errorf("%w: MSH-2 %s uses %c twice", ErrDelimiters, enc, c)
		}
		seen[c] = true
		*slots[i] = c
	}
	if len(enc) < 2 {
		return Delimiters{}, "", fmt.Errorf("%w: MSH-2 encoding characters %q must be 2 to 5 characters", ErrDelimiters, enc)
	}
	return d, enc, nil
}

// isDelimiterChar reports whether c may serve as a delimiter: printable,
// not alphanumeric, not a space and not a segment terminator.
func isDelimiterChar(c byte) bool {
	switch {
	case c <= ' ' || c >= 0x7f:
		return false
	case c >= '0' && c <= '9', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		return false
	}
	return true
}
