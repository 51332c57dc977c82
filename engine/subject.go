package engine

import (
	"fmt"
	"strings"

	"github.com/switchboard-hl7/switchboard/hl7"
)

// DefaultSubject is the subject template of a NATS destination that
// names none (design.md: fhir.<tenant>.<TYPE>.<TRIGGER>).
const DefaultSubject = "fhir.{tenant}.{type}.{trigger}"

// subjectTemplate is a parsed subject: literal text and {placeholders}.
type subjectTemplate struct {
	parts []subjectPart
}

type subjectPart struct {
	lit  string
	name string    // tenant, channel, type, trigger, structure
	path *hl7.Path // or an HL7 field path
}

var subjectVars = []string{"tenant", "channel", "type", "trigger", "structure"}

func parseSubject(s string) (*subjectTemplate, error) {
	t := &subjectTemplate{}
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t.parts = append(t.parts, subjectPart{lit: s})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, subjectPart{lit: s[:i]})
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("subject %q: unclosed {", s)
		}
		name := s[i+1 : i+j]
		p, err := subjectVar(name)
		if err != nil {
			return nil, err
		}
		t.parts = append(t.parts, p)
		s = s[i+j+1:]
	}
	probe := t.render(func(subjectPart) string { return "x" })
	if err := checkSubject(probe); err != nil {
		return nil, err
	}
	return t, nil
}

func subjectVar(name string) (subjectPart, error) {
	for _, v := range subjectVars {
		if name == v {
			return subjectPart{name: name}, nil
		}
	}
	p, err := hl7.ParsePath(name)
	if err != nil {
		return subjectPart{}, fmt.Errorf("subject placeholder {%s}: use one of {%s} or an HL7 path such as {MSH-4}", name, strings.Join(subjectVars, "} {"))
	}
	return subjectPart{path: &p}, nil
}

// checkSubject refuses subjects NATS would reject or treat as wildcards.
func checkSubject(s string) error {
	for _, tok := range strings.Split(s, ".") {
		if tok == "" {
			return fmt.Errorf("subject %q has an empty token (two dots, or a leading or trailing dot)", s)
		}
		if tok == "*" || tok == ">" || strings.ContainsAny(tok, " \t\r\n") {
			return fmt.Errorf("subject %q: a publish subject cannot hold wildcards or spaces", s)
		}
	}
	return nil
}

func (t *subjectTemplate) render(value func(subjectPart) string) string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.lit != "" {
			b.WriteString(p.lit)
			continue
		}
		b.WriteString(subjectToken(value(p)))
	}
	return b.String()
}

// Render fills the template for one message.
func (t *subjectTemplate) Render(m *hl7.Message, channel, tenant string) string {
	typ, trigger, structure := m.Type()
	return t.render(func(p subjectPart) string {
		switch p.name {
		case "tenant":
			return tenant
		case "channel":
			return channel
		case "type":
			return typ
		case "trigger":
			return trigger
		case "structure":
			return structure
		}
		return m.Value(*p.path).String()
	})
}

// subjectToken makes a value safe as one subject token: characters NATS
// gives meaning to become _, and an empty value becomes _ so the subject
// keeps its shape for subscribers.
func subjectToken(v string) string {
	if v == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '.' || r == '*' || r == '>' || r <= ' ' || r == 0x7f:
			return '_'
		}
		return r
	}, v)
}
