package mappings

import (
	"slices"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// Race (PID-10) and ethnic group (PID-22) → the US Core 6.1 race and
// ethnicity extensions on Patient.
//
// The IG's PID[Patient] map gives these fields no FHIR element: it says to
// use "the local extension, e.g. US Core". Decision: the US Core 6.1
// extensions (us-core-race, us-core-ethnicity), whatever realm the channel
// serves; the vocabularies are in vocab_uscore.go. Each repetition of the
// field is one answer; of its triplets (CWE.1-3, 4-6, 10-12) the first
// this package can read as a US Core code decides it:
//   - an OMB category (CDC code, under CDCREC, the v2 table or no system)
//     → ombCategory; a legacy letter of the v2 table (W, B, H, N, …) → its
//     CDC code first;
//   - another CDC code of the field's part of the code set → detailed,
//     and the OMB category it rolls up to (when this package knows it)
//     → ombCategory too;
//   - UNK, ASKU (and U) → the null flavor in ombCategory, but only when no
//     repetition gives a category: US Core lets them stand alone only;
//   - anything else (a local code, a code of another system, text only)
//     is no coding: it is kept in the text. As for other optional codes
//     (doc.go), that is no warning: legacy feeds send such codes on every
//     message, and the text keeps what they said.
//
// text (required by US Core) is, per repetition, CWE.9, else the first
// triplet's display, else the table's display, else the code; the
// repetitions' texts joined by ", ", each once.
//
// The ethnicity extension takes one ombCategory: a second category (a
// sender that says both H and N) is left out with a warning; the text
// still says what was sent.
//
// Birth sex (us-core-birthsex) is not mapped from the message: PID-8 is
// administrative sex, which US Core says not to take for birth sex, and
// v2 has no PID field for it. An EHR Patient given by enrichment keeps its
// birthsex extension beside the message's race and ethnicity (enrich.go).

// usCoreDemographics appends the race and ethnicity extensions of PID-10
// and PID-22 to p. Without either field it does nothing (and allocates
// nothing).
func (r *run) usCoreDemographics(s *hl7.Segment, n int, p *fhir.Patient) {
	for _, v := range [...]*demographic{raceVocab, ethnicityVocab} {
		f := s.Field(v.field)
		if f.IsEmpty() || f.IsNull() {
			continue
		}
		if ext, ok := r.demographicExt(f, v, at{"PID", n, v.field}); ok {
			p.Extension = append(p.Extension, ext)
		}
	}
}

// demographicExt maps one field's repetitions to its extension.
func (r *run) demographicExt(f hl7.Value, v *demographic, a at) (fhir.Extension, bool) {
	var omb, detailed []fhir.Coding
	var null *fhir.Coding
	var texts []string
	var one [1]hl7.Value
	for _, rep := range r.reps(f, &one) {
		c := r.split(rep)
		if c.empty() {
			continue
		}
		var ans answer
		for _, t := range triplets {
			if t[0] > c.n {
				break
			}
			code := codeText(c.sub(t[0], 1))
			disp := c.sub(t[1], 1)
			if ans.firstDisp == "" {
				ans.firstDisp = disp
			}
			if code == "" {
				continue
			}
			if ans.firstCode == "" {
				ans.firstCode = code
			}
			if v.read(&c, t, code, disp, &ans) {
				break
			}
		}
		switch ans.kind {
		case answerOMB:
			addCoding(&omb, ans.coding)
		case answerDetailed:
			addCoding(&detailed, ans.coding)
			if ans.parent.Code != "" {
				addCoding(&omb, ans.parent)
			}
		case answerNull:
			if null == nil {
				null = &fhir.Coding{System: ans.coding.System, Code: ans.coding.Code, Display: ans.coding.Display}
			}
		}
		txt := c.text(9)
		for _, alt := range [...]string{ans.firstDisp, ans.tableDisp, ans.firstCode} {
			if txt == "" {
				txt = alt
			}
		}
		if txt != "" && !slices.Contains(texts, txt) {
			texts = append(texts, txt)
		}
	}
	if len(texts) == 0 {
		return fhir.Extension{}, false
	}
	if len(omb) == 0 && null != nil {
		omb = append(omb, *null)
	}
	if len(omb) > v.maxOMB {
		r.warn(a, "more OMB categories than the US Core extension takes: the first kept")
		omb = omb[:v.maxOMB]
	}
	sub := make([]fhir.Extension, 0, len(omb)+len(detailed)+1)
	for i := range omb {
		sub = append(sub, fhir.Extension{URL: "ombCategory", ValueCoding: &omb[i]})
	}
	for i := range detailed {
		sub = append(sub, fhir.Extension{URL: "detailed", ValueCoding: &detailed[i]})
	}
	text := texts[0]
	if len(texts) > 1 {
		text = strings.Join(texts, ", ")
	}
	sub = append(sub, fhir.Extension{URL: "text", ValueString: &text})
	return fhir.Extension{URL: v.extension, Extension: sub}, true
}

// answer is what one repetition of PID-10 or PID-22 says.
type answer struct {
	kind      answerKind
	coding    fhir.Coding
	parent    fhir.Coding // a detailed code's OMB category
	tableDisp string      // the display a table gave, for the text
	firstCode string      // the first triplet's code and display, for the text
	firstDisp string
}

type answerKind uint8

const (
	answerText answerKind = iota // no US Core code
	answerOMB
	answerDetailed
	answerNull
)

// read reads one triplet (its code already cut) into ans, and reports
// whether it gave a US Core code.
func (v *demographic) read(c *comps, t [5]int, code, disp string, ans *answer) bool {
	name := c.sub(t[2], 1)
	sys := c.systems[name]
	if sys == "" {
		sys = codingSystem(name)
	}
	if sys == "" {
		if oid := c.text(t[4]); isOID(oid) {
			sys = "urn:oid:" + oid
		}
	}
	v2 := sys == sysV2Prefix+v.legacy.number
	// A CDC code may come without a system, as the v2 table (v2.5 on) or
	// as CDCREC (by name, or by OID in CWE.14 whatever the name).
	cdc := sys == "" && name == "" || sys == sysCDCREC || v2
	if cdc || sys == sysNullFlavor || strings.EqualFold(name, "NULLFL") {
		if k, ok := nullFlavors.lookup(code); ok {
			ans.kind, ans.coding, ans.tableDisp = answerNull, conceptCoding(k), k.Display
			return true
		}
	}
	if !cdc {
		return false
	}
	if k, ok := v.legacy.lookup(code); ok && (name == "" || v2) {
		if k.Code == "" {
			// A letter the table names but US Core has no code for.
			ans.tableDisp = k.Display
			return false
		}
		if k.System == sysNullFlavor {
			ans.kind, ans.coding, ans.tableDisp = answerNull, conceptCoding(k), k.Display
			return true
		}
		code = k.Code
		if ans.tableDisp == "" {
			ans.tableDisp = k.Display
		}
	}
	if k, ok := v.omb.lookup(code); ok {
		ans.kind, ans.coding = answerOMB, conceptCoding(k)
		if ans.tableDisp == "" {
			ans.tableDisp = k.Display
		}
		return true
	}
	if d, ok := v.detailed[code]; ok {
		ans.kind = answerDetailed
		ans.coding = fhir.Coding{System: sysCDCREC, Code: code, Display: d.display}
		if k, ok := v.omb.lookup(d.omb); ok {
			ans.parent = conceptCoding(k)
		}
		if ans.tableDisp == "" {
			ans.tableDisp = d.display
		}
		return true
	}
	if num, ok := cdcNumber(code); ok && num >= v.lo && num <= v.hi {
		ans.kind = answerDetailed
		ans.coding = fhir.Coding{System: sysCDCREC, Code: code, Display: disp}
		return true
	}
	return false
}

// cdcNumber returns the number of a code in the CDC Race & Ethnicity form
// (four digits, a dash, a check digit: "2106-3").
func cdcNumber(code string) (int, bool) {
	if len(code) != 6 || code[4] != '-' || !allDigits(code[:4]) || code[5] < '0' || code[5] > '9' {
		return 0, false
	}
	return atoi(code[:4]), true
}

// conceptCoding returns a table concept as a Coding.
func conceptCoding(k concept) fhir.Coding {
	return fhir.Coding{System: k.System, Code: k.Code, Display: k.Display}
}

// addCoding appends c to *cs unless a coding with its system and code is
// there.
func addCoding(cs *[]fhir.Coding, c fhir.Coding) {
	if !hasCoding(*cs, c) {
		*cs = append(*cs, c)
	}
}
