package hl7

import (
	"strings"
	"unicode/utf8"
)

// Unescape decodes HL7 escape sequences in raw field text:
// \F\ \S\ \T\ \R\ \E\ \P\ become the delimiters they stand for, \Xhh..\
// becomes the bytes it spells, \.br\ a newline, and formatting or charset
// switches (\H\ \N\ \.sp\ \.in\ \Cxxyy\ ...) are dropped. An unknown or
// unterminated sequence is kept literally. When the result is not valid
// UTF-8 (an 8-bit message, or \X..\ bytes in ISO 8859-1) it is decoded as
// ISO 8859-1, the single-byte charset HL7 senders use in practice.
func Unescape(raw string, d Delimiters) string {
	if plain(raw, d.Escape) {
		return raw
	}
	if d.Escape == 0 || strings.IndexByte(raw, d.Escape) < 0 {
		return toUTF8(raw)
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != d.Escape {
			b.WriteByte(c)
			i++
			continue
		}
		end := strings.IndexByte(raw[i+1:], d.Escape)
		if end < 0 {
			b.WriteString(raw[i:])
			break
		}
		seq := raw[i+1 : i+1+end]
		if !writeEscape(&b, seq, d) {
			b.WriteString(raw[i : i+end+2])
		}
		i += end + 2
	}
	return toUTF8(b.String())
}

// plain reports whether s is ASCII without the escape character esc, as
// nearly every field is: then it is its own unescaped text, found in one
// pass rather than a search for esc and a UTF-8 check.
func plain(s string, esc byte) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == esc || c >= 0x80 {
			return false
		}
	}
	return true
}

// writeEscape writes what one escape sequence (without its escape
// characters) stands for and reports whether it knew the sequence.
func writeEscape(b *strings.Builder, seq string, d Delimiters) bool {
	switch seq {
	case "F":
		b.WriteByte(d.Field)
	case "S":
		b.WriteByte(d.Component)
	case "T":
		b.WriteByte(d.SubComponent)
	case "R":
		b.WriteByte(d.Repetition)
	case "E":
		b.WriteByte(d.Escape)
	case "P":
		if d.Truncation == 0 {
			return false
		}
		b.WriteByte(d.Truncation)
	case "H", "N", ".fi", ".nf":
		// Highlighting and fill mode have no plain-text equivalent.
	case ".br":
		b.WriteByte('\n')
	default:
		return writeLongEscape(b, seq)
	}
	return true
}

func writeLongEscape(b *strings.Builder, seq string) bool {
	switch {
	case seq == "":
		return false
	case seq[0] == 'X' && len(seq) > 1 && len(seq)%2 == 1:
		for i := 1; i+1 < len(seq); i += 2 {
			hi, ok1 := unhex(seq[i])
			lo, ok2 := unhex(seq[i+1])
			if !ok1 || !ok2 {
				return false
			}
			b.WriteByte(hi<<4 | lo)
		}
	case strings.HasPrefix(seq, ".sp"):
		b.WriteByte('\n')
	case strings.HasPrefix(seq, ".in"), strings.HasPrefix(seq, ".ti"), seq == ".ce":
		// Indentation and centring: layout only.
	case seq[0] == 'C' || seq[0] == 'M' || seq[0] == 'Z':
		// Charset switches (ISO 2022) and locally defined escapes carry no
		// text we can render; dropping them beats leaking them into FHIR.
	default:
		return false
	}
	return true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// toUTF8 returns s unchanged when it is valid UTF-8 and otherwise decodes
// it as ISO 8859-1.
func toUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}

// Escape encodes text for use as a field, component or sub-component
// value: delimiters become \F\ \S\ \T\ \R\ \E\ (and \P\ when a truncation
// character is declared), and CR and LF become \X0D\ and \X0A\ so the text
// can never end a segment.
func Escape(text string, d Delimiters) string {
	return escape(text, d, false)
}

// EscapeText is Escape for formatted text (FT, TX): a newline becomes the
// line-break command \.br\ that receivers render.
func EscapeText(text string, d Delimiters) string {
	return escape(text, d, true)
}

func escape(text string, d Delimiters, lineBreaks bool) string {
	if !needsEscape(text, d) {
		return text
	}
	if d.Escape == 0 {
		// Without an escape character (MSH-2 "^~") nothing can be
		// escaped: delimiters become spaces rather than break the message.
		return strings.Map(func(r rune) rune {
			if r < 0x80 && needsEscape(string(byte(r)), d) {
				return ' '
			}
			return r
		}, text)
	}
	var b strings.Builder
	b.Grow(len(text) + 8)
	e := string(d.Escape)
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == d.Field:
			b.WriteString(e + "F" + e)
		case c == d.Component:
			b.WriteString(e + "S" + e)
		case c == d.SubComponent:
			b.WriteString(e + "T" + e)
		case c == d.Repetition:
			b.WriteString(e + "R" + e)
		case c == d.Escape:
			b.WriteString(e + "E" + e)
		case c == d.Truncation && c != 0:
			b.WriteString(e + "P" + e)
		case c == '\r' && lineBreaks && i+1 < len(text) && text[i+1] == '\n':
			// CRLF is one line break.
		case (c == '\n' || c == '\r') && lineBreaks:
			b.WriteString(e + ".br" + e)
		case c == '\r':
			b.WriteString(e + "X0D" + e)
		case c == '\n':
			b.WriteString(e + "X0A" + e)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func needsEscape(text string, d Delimiters) bool {
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '\r' || c == '\n' || c == d.Field || c == d.Component || c == d.Repetition:
			return true
		case c != 0 && (c == d.Escape || c == d.SubComponent || c == d.Truncation):
			return true
		}
	}
	return false
}
