package mappings

import (
	"strings"

	"github.com/switchboard-hl7/switchboard/hl7"
)

// text returns a value's unescaped text for a FHIR string: trimmed, the
// explicit null `""` as empty (a PUT replaces the whole resource, so "delete
// this value" is simply its absence), and control characters FHIR forbids
// (all below U+0020 but tab, CR and LF) turned into spaces.
func text(v hl7.Value) string {
	if v.IsEmpty() || v.IsNull() {
		return ""
	}
	return clean(v.String())
}

// clean trims s and replaces control characters FHIR strings may not hold.
// The usual string (no blank at either end, no control character) is
// checked in one pass and returned as is.
func clean(s string) string {
	if s == "" {
		return s
	}
	if first, last := s[0], s[len(s)-1]; first > ' ' && first < 0x80 && last > ' ' && last < 0x80 {
		i := 0
		for i < len(s) && (s[i] >= 0x20 || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		if i == len(s) {
			return s
		}
	}
	return strings.TrimSpace(sanitize(s))
}

// sanitize replaces the control characters FHIR strings may not hold
// (below U+0020 but tab, CR and LF) with spaces.
func sanitize(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
					b[j] = ' '
				}
			}
			return string(b)
		}
	}
	return s
}

// lines joins the repetitions of a text field (TX, FT, NTE-3) as lines:
// each line keeps its indentation but loses trailing blanks, and the text
// loses leading blank lines and trailing whitespace. \.br\ is already a
// newline.
func lines(f hl7.Value) string {
	reps := f.Reps()
	if len(reps) == 1 {
		return strings.TrimLeft(strings.TrimRight(sanitize(reps[0].String()), " \t\r\n"), "\r\n")
	}
	var b strings.Builder
	for i, rep := range reps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.TrimRight(sanitize(rep.String()), " \t"))
	}
	return strings.TrimLeft(strings.TrimRight(b.String(), " \t\r\n"), "\r\n")
}

// code returns a value as a FHIR code: text with every run of whitespace
// made one space (a code may not hold tabs, newlines or double spaces).
func code(v hl7.Value) string { return codeText(text(v)) }

func codeText(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\t' || c == '\n' || c == '\r' || c == ' ' && i+1 < len(s) && s[i+1] == ' ' {
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s
}

// isURI reports whether s looks like an absolute URI FHIR accepts as a
// system: a scheme, a colon, something after it, and no whitespace.
func isURI(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	i := strings.IndexByte(s, ':')
	if i < 1 || i == len(s)-1 {
		return false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// isOID reports whether s is an ISO object identifier: numbers joined by
// dots, at least two of them.
func isOID(s string) bool {
	if len(s) < 3 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	dots := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			dots++
		case c < '0' || c > '9':
			return false
		}
	}
	return dots > 0
}

// escapeURN percent-escapes everything but unreserved characters, for a
// name placed inside a URN.
func escapeURN(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
	return b.String()
}

// joinNonEmpty joins the non-empty strings with sep.
func joinNonEmpty(sep string, parts ...string) string {
	n := 0
	for _, p := range parts {
		if p != "" {
			parts[n] = p
			n++
		}
	}
	return strings.Join(parts[:n], sep)
}

// strPtr returns a pointer to s, or nil for "".
func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
