package hl7

import (
	"testing"
)

func TestUnescape(t *testing.T) {
	d := DefaultDelimiters
	d.Truncation = '#'
	tests := []struct{ raw, want string }{
		{`plain`, "plain"},
		{`a\F\b\S\c\T\d\R\e\E\f`, `a|b^c&d~e\f`},
		{`cut\P\`, "cut#"},
		{`line\.br\next`, "line\nnext"},
		{`\H\bold\N\ text`, "bold text"},
		{`caf\XC3A9\`, "café"},
		{`latin \XE9\`, "latin é"},
		{`\X0D0A\`, "\r\n"},
		{`\.sp2\gap`, "\ngap"},
		{`\Cxxyy\x`, "x"},
		{`unknown \Q\ kept`, `unknown \Q\ kept`},
		{`bad hex \XZZ\ kept`, `bad hex \XZZ\ kept`},
		{`dangling \F`, `dangling \F`},
		{"raw latin1 \xe9", "raw latin1 é"},
		{`µmol/L`, "µmol/L"},
	}
	for _, tt := range tests {
		if got := Unescape(tt.raw, d); got != tt.want {
			t.Errorf("Unescape(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestEscape_RoundTrip(t *testing.T) {
	d := DefaultDelimiters
	d.Truncation = '#'
	for _, text := range []string{"", "plain", `a|b^c&d~e\f#g`, "two\r\nlines\nhere\r", `\F\`} {
		for _, esc := range []func(string, Delimiters) string{Escape, EscapeText} {
			raw := esc(text, d)
			for _, c := range []byte{'|', '^', '&', '~', '#', '\r', '\n'} {
				if containsByte(raw, c) {
					t.Errorf("escaped %q still contains %q: %q", text, c, raw)
				}
			}
			got := Unescape(raw, d)
			want := text
			if raw != Escape(text, d) { // EscapeText folds CR/CRLF into one line break
				want = normaliseNewlines(text)
			}
			if got != want {
				t.Errorf("Unescape(escape(%q)) = %q, want %q", text, got, want)
			}
		}
	}
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

func normaliseNewlines(s string) string {
	out := []byte{}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n':
		case s[i] == '\r':
			out = append(out, '\n')
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}

func TestParsePath(t *testing.T) {
	good := map[string]Path{
		"PID-3":        {Segment: "PID", Field: 3},
		"PID-3[2].4.1": {Segment: "PID", Field: 3, Rep: 2, Component: 4, SubComponent: 1},
		"OBX[12]-5.1":  {Segment: "OBX", SegmentRep: 12, Field: 5, Component: 1},
		"ZB1-1":        {Segment: "ZB1", Field: 1},
	}
	for s, want := range good {
		got, err := ParsePath(s)
		if err != nil || got != want {
			t.Errorf("ParsePath(%q) = %+v, %v; want %+v", s, got, err, want)
		}
		if got.String() != s {
			t.Errorf("Path.String() = %q, want %q", got.String(), s)
		}
	}
	for _, s := range []string{"", "PID", "pid-3", "PID3", "PID-0", "PID-3[0]", "PID-3.", "PID-3.1.2.3", "PID-x", "PID-3]", "PID-1234567"} {
		if _, err := ParsePath(s); err == nil {
			t.Errorf("ParsePath(%q) succeeded, want error", s)
		}
	}
}

func TestEscape_WithoutEscapeCharacterBlanksDelimiters(t *testing.T) {
	d := Delimiters{Field: '|', Component: '!', Repetition: '"'}
	if got := Escape("a|b!c\"d\r\ne\\f", d); got != "a b c d  e\\f" {
		t.Errorf("Escape = %q", got)
	}
}
