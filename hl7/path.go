package hl7

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Path addresses a value: SEG[SegmentRep]-Field[Rep].Component.SubComponent.
// Zero means "not given": SegmentRep 0 is the first segment, Rep 0 the
// whole field (or its first repetition when a component is asked for).
type Path struct {
	Segment      string
	SegmentRep   int
	Field        int
	Rep          int
	Component    int
	SubComponent int
}

// ErrPath reports a malformed field path.
var ErrPath = errors.New("hl7: bad field path")

// ParsePath parses paths such as "PID-3", "PID-3[2].4.1", "OBX[2]-5" and
// "MSH-9.2". A segment alone ("PV1") is not a path: a field is required.
func ParsePath(s string) (Path, error) {
	var p Path
	bad := func(why string) (Path, error) {
		return Path{}, fmt.Errorf("%w %q: %s (want e.g. PID-3[2].4.1)", ErrPath, s, why)
	}
	if len(s) < 3 || !isSegmentName(s[:3]) {
		return bad("it must start with a segment name such as PID")
	}
	p.Segment, s = s[:3], s[3:]
	var ok bool
	if p.SegmentRep, s, ok = bracket(s); !ok {
		return bad("segment repetition must be [n] with n ≥ 1")
	}
	if !strings.HasPrefix(s, "-") {
		return bad("a field number must follow the segment, after '-'")
	}
	if p.Field, s, ok = number(s[1:]); !ok {
		return bad("field number must be a positive integer")
	}
	if p.Rep, s, ok = bracket(s); !ok {
		return bad("field repetition must be [n] with n ≥ 1")
	}
	for _, dst := range []*int{&p.Component, &p.SubComponent} {
		if s == "" {
			return p, nil
		}
		if s[0] != '.' {
			return bad("components are separated by '.'")
		}
		if *dst, s, ok = number(s[1:]); !ok {
			return bad("component numbers must be positive integers")
		}
	}
	if s != "" {
		return bad("too many parts")
	}
	return p, nil
}

// String formats the path in the notation ParsePath reads.
func (p Path) String() string {
	var b strings.Builder
	b.WriteString(p.Segment)
	if p.SegmentRep > 0 {
		b.WriteString("[" + strconv.Itoa(p.SegmentRep) + "]")
	}
	b.WriteString("-" + strconv.Itoa(p.Field))
	if p.Rep > 0 {
		b.WriteString("[" + strconv.Itoa(p.Rep) + "]")
	}
	if p.Component > 0 {
		b.WriteString("." + strconv.Itoa(p.Component))
	}
	if p.SubComponent > 0 {
		b.WriteString("." + strconv.Itoa(p.SubComponent))
	}
	return b.String()
}

// bracket reads an optional "[n]" prefix.
func bracket(s string) (int, string, bool) {
	if !strings.HasPrefix(s, "[") {
		return 0, s, true
	}
	n, rest, ok := number(s[1:])
	if !ok || !strings.HasPrefix(rest, "]") {
		return 0, s, false
	}
	return n, rest[1:], true
}

// number reads a positive decimal integer prefix (at most 5 digits).
func number(s string) (int, string, bool) {
	i := 0
	for i < len(s) && i < 6 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 5 {
		return 0, s, false
	}
	n, _ := strconv.Atoi(s[:i])
	if n < 1 {
		return 0, s, false
	}
	return n, s[i:], true
}

// isSegmentName reports whether s is a valid segment name: an upper-case
// letter followed by two upper-case letters or digits.
func isSegmentName(s string) bool {
	if len(s) != 3 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < 3; i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
