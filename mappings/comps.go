package mappings

import (
	"strings"

	"github.com/switchboard-hl7/switchboard/hl7"
)

// comps is a repetition split into its components once: reading them one
// by one through hl7.Value rescans the text from the start each time.
type comps struct {
	raw     [20]string // components 1-20, still escaped
	n       int        // how many there are
	d       *hl7.Delimiters
	systems map[string]string // the channel's coding system names (Options.CodeSystems)
}

// split splits the first repetition of v into components.
func (r *run) split(v hl7.Value) comps {
	c := comps{d: &r.msg.Delimiters, systems: r.m.codeSystems}
	s := v.Raw()
	if i := strings.IndexByte(s, c.d.Repetition); i >= 0 {
		s = s[:i]
	}
	for c.n < len(c.raw) {
		i := strings.IndexByte(s, c.d.Component)
		if i < 0 {
			c.raw[c.n] = s
			c.n++
			break
		}
		c.raw[c.n] = s[:i]
		c.n++
		s = s[i+1:]
	}
	return c
}

// text returns component i (1-based) as text() would.
func (c *comps) text(i int) string {
	if i < 1 || i > c.n {
		return ""
	}
	return c.leaf(c.raw[i-1])
}

// code returns component i as code() would.
func (c *comps) code(i int) string { return codeText(c.text(i)) }

// sub returns sub-component j of component i, as text() would.
func (c *comps) sub(i, j int) string {
	if i < 1 || i > c.n {
		return ""
	}
	s := c.raw[i-1]
	for k := 1; ; k++ {
		e := strings.IndexByte(s, c.d.SubComponent)
		if k == j {
			if e >= 0 {
				s = s[:e]
			}
			return c.leaf(s)
		}
		if e < 0 {
			return ""
		}
		s = s[e+1:]
	}
}

// hd reads the HD held in the sub-components of component i (CX.4).
func (c *comps) hd(i int) hd {
	if i < 1 || i > c.n || c.raw[i-1] == "" {
		return hd{}
	}
	return hd{c.sub(i, 1), c.sub(i, 2), c.sub(i, 3)}
}

// hdFrom reads an HD held in components i, i+1, i+2 (EI.2-4).
func (c *comps) hdFrom(i int) hd {
	return hd{c.text(i), c.text(i + 1), c.text(i + 2)}
}

// empty reports whether the repetition has no text at all.
func (c *comps) empty() bool { return c.n == 0 || c.n == 1 && (c.raw[0] == "" || c.raw[0] == `""`) }

// leaf unescapes and cleans one piece of raw text. Printable ASCII without
// the escape character and without blanks at either end, the usual case,
// is checked in one pass and returned as is.
func (c *comps) leaf(s string) string {
	if s == "" || s == `""` {
		return ""
	}
	if s[0] != ' ' && s[len(s)-1] != ' ' {
		i := 0
		for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f && s[i] != c.d.Escape {
			i++
		}
		if i == len(s) {
			return s
		}
	}
	if strings.IndexByte(s, c.d.Escape) >= 0 || !isASCII(s) {
		s = hl7.Unescape(s, *c.d)
	}
	return clean(s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
