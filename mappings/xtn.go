package mappings

import (
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// xtn maps one XTN repetition to ContactPoint after the IG's XTN map:
//   - system from XTN.3 (table 0202); without XTN.3, "email" when XTN.4 is
//     valued, else "phone" (decision: the IG suggests a data-absent
//     extension, but a number in PID-13 is a phone in practice, and R4
//     requires a system beside a value);
//   - value: XTN.4 for Internet/X.400, else XTN.12 (unformatted), else the
//     number assembled from XTN.5-8 as the IG spells it ("+1 555 5558473
//     X12"), else XTN.1 (the pre-2.5 free text);
//   - use from XTN.2 (table 0201), else defUse (PID-13 home, PID-14 work);
//     CP (cellular phone) gives use mobile;
//   - rank from XTN.18, period from XTN.13-14.
func (r *run) xtn(v hl7.Value, defUse string, a at) *fhir.ContactPoint {
	c := r.split(v)
	equip := c.code(3)
	email := c.text(4)
	cp := &fhir.ContactPoint{}
	isEmail := strings.EqualFold(equip, "Internet") || strings.EqualFold(equip, "X.400")
	switch {
	case equip != "":
		if k, ok := telecomSystem.lookup(equip); ok {
			cp.System = k.Code
		} else {
			cp.System = "other"
		}
	case email != "":
		cp.System, isEmail = "email", true
	default:
		cp.System = "phone"
	}
	if isEmail {
		cp.Value = email
	} else if cp.Value = c.text(12); cp.Value == "" {
		cp.Value = phone(c.text(5), c.text(6), c.text(7), c.text(8))
		if cp.Value == "" {
			cp.Value = c.text(1)
		}
	}
	if cp.Value == "" {
		return nil
	}
	use := c.code(2)
	if k, ok := telecomUse.lookup(use); ok {
		cp.Use = k.Code
	} else if strings.EqualFold(equip, "CP") {
		cp.Use = "mobile"
	} else if use == "" {
		cp.Use = defUse
	}
	if n := c.text(18); allDigits(n) && n != "0" && len(n) < 9 {
		cp.Rank = atoi(n)
	}
	cp.Period = r.periodText(c.text(13), c.text(14), a)
	return cp
}

// phone assembles XTN.5-8 as the IG's XTN map does.
func phone(country, area, local, ext string) string {
	if local == "" {
		return ""
	}
	s := local
	if area != "" {
		s = area + " " + s
	}
	if country != "" {
		s = "+" + strings.TrimPrefix(country, "+") + " " + s
	}
	if ext != "" {
		s += " X" + ext
	}
	return s
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// telecoms maps every repetition of an XTN field.
func (r *run) telecoms(f hl7.Value, defUse string, a at, out []fhir.ContactPoint) []fhir.ContactPoint {
	var one [1]hl7.Value
	for _, rep := range r.reps(f, &one) {
		if cp := r.xtn(rep, defUse, a); cp != nil {
			out = append(out, *cp)
		}
	}
	return out
}
