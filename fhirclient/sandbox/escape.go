package sandbox

import "strings"

// FHIR search escaping: inside a parameter value a backslash escapes
// "," (which otherwise means OR), "|" (system|code), "$" (composite
// parts) and "\" itself. A real server honours it, so the sandbox does:
// an identifier "A,B" searched as A\,B must match only "A,B".

// splitEscaped splits s at each sep that is not escaped, keeping the
// escapes in the parts.
func splitEscaped(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // skip the escaped byte
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// cutEscaped is strings.Cut at the first sep that is not escaped.
func cutEscaped(s string, sep byte) (before, after string, found bool) {
	if parts := splitEscaped(s, sep); len(parts) > 1 {
		return parts[0], s[len(parts[0])+1:], true
	}
	return s, "", false
}

// unescapeSearch removes the escapes of a value part.
func unescapeSearch(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
