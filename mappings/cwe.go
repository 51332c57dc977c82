package mappings

import (
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// CWE, CE, CNE (and IS, ID) → CodeableConcept and Coding, after the IG's
// CWE[CodeableConcept] map: each triplet (CWE.1-3, 4-6, 10-12) becomes a
// coding with its version (CWE.7, 8, 13), CWE.9 the text. Decisions where
// the IG is silent:
//   - the system comes from the channel's code_systems, else from
//     codingSystems (table 0396); an unknown name is
//     replaced by the triplet's coding system OID (CWE.14, 17, 20) if any,
//     else the coding has no system;
//   - a triplet with text but no code is not a coding: its text becomes the
//     concept's text when CWE.9 is empty;
//   - a triplet repeating an earlier one (same system and code) is dropped.

// triplet component numbers: code, display, system, version, system OID.
var triplets = [3][5]int{{1, 2, 3, 7, 14}, {4, 5, 6, 8, 17}, {10, 11, 12, 13, 20}}

// codingSystem returns the URI for a coding system name (CWE.3), or "".
func codingSystem(name string) string {
	if name == "" {
		return ""
	}
	if uri, ok := codingSystems[name]; ok {
		return uri
	}
	up := strings.ToUpper(name)
	if uri, ok := codingSystems[up]; ok {
		return uri
	}
	if n, ok := strings.CutPrefix(up, "HL7"); ok {
		n = strings.TrimLeft(n, "_ ")
		if len(n) >= 3 && len(n) <= 4 && allDigits(n) {
			return sysV2Prefix + "0000"[:4-len(n)] + n
		}
	}
	if isOID(name) {
		return "urn:oid:" + name
	}
	if isURI(name) {
		return name
	}
	return ""
}

// codeable maps one CWE repetition. defTable ("0069") is the v2 table a
// code without CWE.3 belongs to, or "". It returns nil for an empty value.
func (r *run) codeable(v hl7.Value, defTable string) *fhir.CodeableConcept {
	if v.IsEmpty() || v.IsNull() {
		return nil
	}
	cc := new(fhir.CodeableConcept)
	if !r.fillCodeable(v, defTable, cc, nil) {
		return nil
	}
	return cc
}

// fillCodeable is codeable into cc, with buf (len 0) as room for the
// codings. It reports whether cc got anything.
func (r *run) fillCodeable(v hl7.Value, defTable string, cc *fhir.CodeableConcept, buf []fhir.Coding) bool {
	if v.IsEmpty() || v.IsNull() {
		return false
	}
	c := r.split(v)
	return fillCodeableFrom(&c, defTable, cc, buf)
}

// fillCodeableFrom is fillCodeable on a CWE already split.
func fillCodeableFrom(c *comps, defTable string, cc *fhir.CodeableConcept, buf []fhir.Coding) bool {
	cc.Text = c.text(9)
	for i, t := range triplets {
		if t[0] > c.n {
			break
		}
		cd, disp, ok := codingOf(c, t, i == 0, defTable)
		switch {
		case ok && !hasCoding(buf, cd):
			buf = append(buf, cd)
		case !ok && disp != "" && cc.Text == "":
			cc.Text = disp
		}
	}
	if len(buf) > 0 {
		cc.Coding = buf
	}
	return cc.Coding != nil || cc.Text != ""
}

// codingOf reads one triplet. It returns the coding and whether it has a
// code; disp is the triplet's text either way.
func codingOf(c *comps, t [5]int, first bool, defTable string) (cd fhir.Coding, disp string, ok bool) {
	cd.Code = codeText(c.text(t[0]))
	cd.Display = c.text(t[1])
	if cd.Code == "" {
		return cd, cd.Display, false
	}
	name := c.text(t[2])
	if cd.System = c.systems[name]; cd.System == "" {
		cd.System = codingSystem(name)
	}
	if cd.System == "" {
		if oid := c.text(t[4]); isOID(oid) {
			cd.System = "urn:oid:" + oid
		} else if name == "" && first && defTable != "" {
			cd.System = sysV2Prefix + defTable
		}
	}
	cd.Version = c.text(t[3])
	return cd, cd.Display, true
}

// codeableVia maps a CWE whose first code belongs to the v2 table t: a code
// t knows becomes t's FHIR coding (the IG's vocabulary mapping), a code it
// does not know stays as sent. Alternate triplets are kept.
func (r *run) codeableVia(v hl7.Value, t *table) *fhir.CodeableConcept {
	cc := r.codeable(v, t.number)
	if cc == nil || len(cc.Coding) == 0 {
		return cc
	}
	viaTable(v, t, cc)
	return cc
}

// viaTable replaces the first coding of cc by t's FHIR coding when the CWE
// names t (or no system) and t knows the code.
func viaTable(v hl7.Value, t *table, cc *fhir.CodeableConcept) {
	viaTableName(text(v.Component(3)), t, cc)
}

func viaTableName(name string, t *table, cc *fhir.CodeableConcept) {
	if len(cc.Coding) == 0 {
		return
	}
	name = strings.ToUpper(name)
	if name != "" && name != "HL7"+t.number && name != "HL7_"+t.number {
		return
	}
	if k, ok := t.lookup(cc.Coding[0].Code); ok {
		cc.Coding[0] = fhir.Coding{System: k.System, Code: k.Code, Display: k.Display}
	}
}

// codeableList maps every repetition of a CWE field.
func (r *run) codeableList(f hl7.Value, via *table, defTable string) []fhir.CodeableConcept {
	var out []fhir.CodeableConcept
	var one [1]hl7.Value
	for _, rep := range r.reps(f, &one) {
		var cc *fhir.CodeableConcept
		if via != nil {
			cc = r.codeableVia(rep, via)
		} else {
			cc = r.codeable(rep, defTable)
		}
		if cc != nil {
			out = append(out, *cc)
		}
	}
	return out
}

// conceptCC returns a CodeableConcept holding one table concept.
// The concept and its one coding are allocated together.
func conceptCC(k concept) *fhir.CodeableConcept {
	p := &struct {
		cc fhir.CodeableConcept
		c  [1]fhir.Coding
	}{c: [1]fhir.Coding{{System: k.System, Code: k.Code, Display: k.Display}}}
	p.cc.Coding = p.c[:]
	return &p.cc
}

// unit maps OBX-6 (CWE) onto a quantity, after the IG's CWE[Quantity] map:
// unit is the text (CWE.2, else CWE.1); code and system are set only from a
// triplet whose system is UCUM (preferring it to a local first triplet),
// or another system with a known URI: R4 requires a system beside a code.
func (r *run) unit(v hl7.Value, q *fhir.Quantity) {
	if v.IsEmpty() || v.IsNull() {
		return
	}
	c := r.split(v)
	q.Unit = c.text(2)
	if q.Unit == "" {
		q.Unit = c.text(1)
	}
	for i, t := range triplets {
		if t[0] > c.n {
			break
		}
		code := codeText(c.text(t[0]))
		if code == "" {
			continue
		}
		if sys := codingSystem(c.text(t[2])); sys == sysUCUM {
			q.System, q.Code = sys, code
			return
		} else if i == 0 && sys != "" {
			q.System, q.Code = sys, code
		}
	}
}

func hasCoding(cs []fhir.Coding, c fhir.Coding) bool {
	for _, x := range cs {
		if x.Code == c.Code && x.System == c.System {
			return true
		}
	}
	return false
}
