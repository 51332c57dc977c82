package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// xpn maps one XPN repetition to HumanName after the IG's XPN[HumanName]
// map: family XPN.1.1 (FN.1, the surname), given XPN.2 then XPN.3 (kept as
// one given even when it holds several names: the IG leaves the split open
// and splitting would invent structure), prefix XPN.5, suffix XPN.4, the
// degree XPN.6 and XPN.14, use from XPN.7 (table 0200), period from XPN.10
// or XPN.12-13. XPN.15 (called by) becomes a second name with use nickname.
// It reports false for a name with no part.
func (r *run) xpn(v hl7.Value, a at) (name, nick fhir.HumanName, ok, hasNick bool) {
	c := r.split(v)
	name.Family = c.sub(1, 1)
	name.Given = appendNonEmpty(nil, c.text(2), c.text(3))
	name.Prefix = appendNonEmpty(nil, c.text(5))
	name.Suffix = appendNonEmpty(nil, c.text(4), c.text(6), c.text(14))
	ok = name.Family != "" || name.Given != nil || name.Prefix != nil || name.Suffix != nil
	if ok {
		if k, found := nameUse.lookup(c.code(7)); found {
			name.Use = k.Code
		}
		if name.Period = r.periodText(c.sub(10, 1), c.sub(10, 2), a); name.Period == nil {
			name.Period = r.periodText(c.text(12), c.text(13), a)
		}
	}
	if called := c.text(15); called != "" {
		nick, hasNick = fhir.HumanName{Use: "nickname", Given: []string{called}}, true
	}
	return name, nick, ok, hasNick
}

// names maps every repetition of an XPN field.
func (r *run) names(f hl7.Value, a at, out []fhir.HumanName) []fhir.HumanName {
	var one [1]hl7.Value
	for _, rep := range r.reps(f, &one) {
		n, nick, ok, hasNick := r.xpn(rep, a)
		if ok {
			out = append(out, n)
		}
		if hasNick {
			out = append(out, nick)
		}
	}
	return out
}

// displayName is a name as one line, for a reference's display.
func displayName(n *fhir.HumanName) string {
	if n == nil {
		return ""
	}
	parts := make([]string, 0, 6)
	parts = append(parts, n.Prefix...)
	parts = append(parts, n.Given...)
	parts = append(parts, n.Family)
	parts = append(parts, n.Suffix...)
	return joinNonEmpty(" ", parts...)
}
