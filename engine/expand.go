package engine

import (
	"fmt"
	"os"
	"strings"
)

// expandEnv replaces ${VAR} and ${VAR:-default} in s with values from
// lookup (os.LookupEnv in production). ${VAR:-default} uses default when
// VAR is unset or empty, as in POSIX shells; $$ is a literal $. A lone $
// not followed by { is kept, so passwords with $ survive.
func expandEnv(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c != '$':
			b.WriteByte(c)
		case strings.HasPrefix(s[i:], "$$"):
			b.WriteByte('$')
			i++
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("unterminated ${ in %q: add the closing }", s)
			}
			val, err := expandOne(s[i+2:i+end], lookup)
			if err != nil {
				return "", err
			}
			b.WriteString(val)
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func expandOne(expr string, lookup func(string) (string, bool)) (string, error) {
	name, def, hasDef := strings.Cut(expr, ":-")
	if !validEnvName(name) {
		return "", fmt.Errorf("bad variable name %q in ${%s}: use letters, digits and _", name, expr)
	}
	v, ok := lookup(name)
	if hasDef && (!ok || v == "") {
		return def, nil
	}
	return v, nil
}

func validEnvName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

var osLookup = os.LookupEnv
