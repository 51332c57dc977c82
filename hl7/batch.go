package hl7

import (
	"strings"
)

// SplitBatch splits a file into its messages: each MSH starts a message;
// batch envelopes (FHS, BHS, BTS, FTS) and blank lines are dropped.
// Segments of the returned messages end in \r, as MLLP peers expect.
func SplitBatch(data []byte) [][]byte {
	s := strings.TrimPrefix(string(data), bom)
	hasCR := strings.IndexByte(s, '\r') >= 0
	fs := byte('|')
	if len(s) > 3 {
		fs = s[3]
	}
	var out [][]byte
	var cur []byte
	for s != "" {
		end := segmentEnd(s, fs, hasCR)
		seg := s[:end]
		for end < len(s) && (s[end] == '\r' || s[end] == '\n') {
			end++
		}
		s = s[end:]
		name := seg
		if len(name) > 3 {
			name = name[:3]
		}
		switch {
		case strings.TrimSpace(seg) == "":
			continue
		case name == "FHS" || name == "BHS" || name == "BTS" || name == "FTS":
			continue
		case name == "MSH" && cur != nil:
			out = append(out, cur)
			cur = nil
		}
		cur = append(append(cur, seg...), '\r')
	}
	if cur != nil {
		out = append(out, cur)
	}
	return out
}
