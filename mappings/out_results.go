package mappings

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
)

// results builds ORU^R01 (structure ORU_R01) from a DiagnosticReport, the
// reverse of obr.go, orc.go and obx.go.
//
// Segments: MSH PID [PV1] [ORC] OBR [NTE] {OBX [NTE]}.
//
//   - PID from DiagnosticReport.subject (out_pid.go); PV1 only when
//     DiagnosticReport.encounter resolves to an Encounter;
//   - ORC when the report is basedOn a ServiceRequest: ORC-1 RE, ORC-2/3
//     the order numbers, ORC-4 its requisition, ORC-5 its status, ORC-12
//     its requester;
//   - OBR: OBR-2 placer and OBR-3 filler order numbers (see orderNumbers),
//     OBR-4 code (required: a report without one is rejected), OBR-7 and
//     OBR-8 effective, OBR-16 the order's requester, OBR-22 issued, OBR-24
//     the diagnostic service section (a v2-0074 category, the most
//     specific: LAB only when it is the only one), OBR-25 status;
//     conclusion as an NTE after the OBR;
//   - one OBX per result (see observation), in DiagnosticReport.result
//     order; a result that does not resolve to an Observation of the
//     request is an error, never a result left out.
func (q *outReq) results() error {
	dr := q.focus.(*fhir.DiagnosticReport)
	if !hasCode(dr.Code) {
		return invalid("DiagnosticReport has no code (OBR-4)")
	}
	pat, err := q.patientOf(dr.Subject, "DiagnosticReport.subject")
	if err != nil {
		return err
	}
	q.msh("ORU", "R01", "ORU_R01")
	if err := q.pid(pat); err != nil {
		return err
	}
	if err := q.pv1(dr, dr.Encounter, false); err != nil {
		return err
	}

	placer, filler := orderNumbers(dr.Identifier, false)
	var sr *fhir.ServiceRequest
	var requester string
	if len(dr.BasedOn) > 0 {
		based := &dr.BasedOn[0]
		sr, _ = q.resolve(dr, based).(*fhir.ServiceRequest)
		orc := v2Seg{}
		orc.set(1, "RE")
		if sr != nil {
			sp, sf := orderNumbers(sr.Identifier, true)
			if placer == nil {
				placer = sp
			}
			if filler == nil {
				filler = sf
			}
			orc.set(4, q.o.ei(sr.Requisition))
			st, err := orderStatusCode(sr.Status)
			if err != nil {
				return err
			}
			orc.set(5, st)
			requester = q.xcn(sr, sr.Requester)
			orc.set(12, requester)
		} else if placer == nil && based.Identifier != nil && based.Identifier.Value != "" {
			placer = based.Identifier
		}
		if filler == nil {
			filler = q.localNumber(dr.ID)
		}
		orc.set(2, q.o.ei(placer))
		orc.set(3, q.o.ei(filler))
		q.add("ORC", &orc)
	}
	if filler == nil {
		filler = q.localNumber(dr.ID)
	}

	obr := v2Seg{}
	obr.set(1, "1")
	obr.set(2, q.o.ei(placer))
	obr.set(3, q.o.ei(filler))
	obr.set(4, q.o.cwe(dr.Code))
	start, end := "", ""
	if dr.EffectiveDateTime != nil {
		start = *dr.EffectiveDateTime
	} else if p := dr.EffectivePeriod; p != nil {
		start, end = p.Start, p.End
	}
	if err := setDTM(&obr, 7, start, "DiagnosticReport.effective[x]"); err != nil {
		return err
	}
	if err := setDTM(&obr, 8, end, "DiagnosticReport.effectivePeriod.end"); err != nil {
		return err
	}
	obr.set(16, requester)
	if err := setDTM(&obr, 22, dr.Issued, "DiagnosticReport.issued"); err != nil {
		return err
	}
	obr.set(24, v2Esc(serviceSectionOf(dr.Category)))
	if dr.Status != "" {
		st, ok := outReportStatus[dr.Status]
		if !ok && dr.Status != "unknown" {
			return invalid("DiagnosticReport.status is not a diagnostic-report-status code")
		}
		obr.set(25, st)
	}
	q.add("OBR", &obr)
	if dr.Conclusion != "" {
		q.nte([]fhir.Annotation{{Text: dr.Conclusion}})
	}

	x := obxState{seen: map[*fhir.Observation]bool{}}
	for i := range dr.Result {
		obs, ok := q.resolve(dr, &dr.Result[i]).(*fhir.Observation)
		if !ok {
			return invalid("DiagnosticReport.result[%d] does not resolve to an Observation in the request", i)
		}
		if err := q.observation(dr, obs, fmt.Sprintf("DiagnosticReport.result[%d]", i), &x, 0); err != nil {
			return err
		}
	}
	return nil
}

// hasCode reports whether a concept has a code or a text.
func hasCode(cc *fhir.CodeableConcept) bool {
	if cc == nil {
		return false
	}
	for _, c := range cc.Coding {
		if c.Code != "" || c.Display != "" {
			return true
		}
	}
	return cc.Text != ""
}

// orderNumbers picks the placer and filler order numbers from a
// resource's identifiers by type (PLAC, FILL: the types the inbound maps
// give them). The first untyped identifier stands in for the one missing
// on the side the resource belongs to (decision): the placer for a
// ServiceRequest (placer set), the filler for a report.
func orderNumbers(ids []fhir.Identifier, placerSide bool) (placer, filler *fhir.Identifier) {
	var untyped *fhir.Identifier
	for i := range ids {
		id := &ids[i]
		if id.Value == "" {
			continue
		}
		switch identifierTypeCode(id.Type) {
		case "PLAC":
			if placer == nil {
				placer = id
			}
		case "FILL":
			if filler == nil {
				filler = id
			}
		case "":
			if untyped == nil {
				untyped = id
			}
		}
	}
	switch {
	case placerSide && placer == nil:
		placer = untyped
	case !placerSide && filler == nil:
		filler = untyped
	}
	return placer, filler
}

// localNumber is an order number made from a resource id when the
// request carries none (decision): the id, assigned by the sending
// application (MSH-3's namespace). It is nil without an id.
func (q *outReq) localNumber(id string) *fhir.Identifier {
	if id == "" {
		return nil
	}
	if ns := q.o.sendingNS; ns != "" {
		return &fhir.Identifier{Value: id, System: "urn:switchboard:aa:" + escapeURN(ns)}
	}
	return &fhir.Identifier{Value: id}
}

// serviceSectionOf is OBR-24 from DiagnosticReport.category: the last
// v2-0074 code other than LAB, else LAB, else "" (the inbound map writes
// LAB first, then the section).
func serviceSectionOf(cats []fhir.CodeableConcept) string {
	out := ""
	for _, cc := range cats {
		for _, c := range cc.Coding {
			if c.System == sysV2Prefix+"0074" && c.Code != "" && (out == "" || c.Code != "LAB") {
				out = c.Code
			}
		}
	}
	return out
}

// orderStatusCode is ServiceRequest.status as ORC-5.
func orderStatusCode(status string) (string, error) {
	switch status {
	case "", "draft", "unknown":
		return "", nil
	}
	if st, ok := outOrderStatus[status]; ok {
		return st, nil
	}
	return "", invalid("ServiceRequest.status is not a request-status code")
}

// setDTM sets field n of s to a FHIR date/time as DTM.
func setDTM(s *v2Seg, n int, value, element string) error {
	v, err := dtmField(value, element)
	if err != nil {
		return err
	}
	s.set(n, v)
	return nil
}

// nte adds an NTE per annotation (NTE-1 set id, NTE-3 the text as FT).
func (q *outReq) nte(notes []fhir.Annotation) {
	for i := range notes {
		if notes[i].Text == "" {
			continue
		}
		s := v2Seg{}
		s.set(1, strconv.Itoa(i+1))
		s.set(3, ft(notes[i].Text))
		q.add("NTE", &s)
	}
}

// obxState numbers the OBX of a message and remembers the Observations
// sent (hasMember may name one twice, or loop).
type obxState struct {
	setID, group int
	seen         map[*fhir.Observation]bool
}

// maxMemberDepth bounds how far hasMember is followed.
const maxMemberDepth = 4

// observation adds the OBX for an Observation, the reverse of obx.go:
//   - OBX-2/5/6 the value (see obxValue), OBX-3 code (required: an
//     Observation without one is rejected), OBX-7 reference range,
//     OBX-8 interpretation (table 0078), OBX-11 status, OBX-14 effective
//     (dateTime, instant, or the period's start); notes as NTE after it;
//   - components: an OBX each after the Observation's own, with the
//     component's code and value and the Observation's status and time;
//     OBX-4 (sub-id) groups them (decision: v2 has no component, and the
//     sub-id is how receivers keep rows together); an Observation with
//     components and no value of its own (a blood pressure) sends only
//     the components;
//   - hasMember (a panel): each member Observation of the request after
//     the panel's own OBX (sent only when it has a value), members that
//     do not resolve being an error like results.
func (q *outReq) observation(from fhir.Resource, obs *fhir.Observation, element string, x *obxState, depth int) error {
	if x.seen[obs] {
		return nil
	}
	x.seen[obs] = true
	if !hasCode(obs.Code) {
		return invalid("the Observation of %s has no code (OBX-3)", element)
	}
	status := ""
	if obs.Status != "" {
		var ok bool
		if status, ok = outObservationStatus[obs.Status]; !ok && obs.Status != "unknown" {
			return invalid("the Observation of %s: status is not an observation-status code", element)
		}
	}
	eff := ""
	switch {
	case obs.EffectiveDateTime != nil:
		eff = *obs.EffectiveDateTime
	case obs.EffectiveInstant != nil:
		eff = *obs.EffectiveInstant
	case obs.EffectivePeriod != nil:
		eff = obs.EffectivePeriod.Start
	}
	eff, err := dtmField(eff, "Observation.effective[x] of "+element)
	if err != nil {
		return err
	}
	hasValue := obs.ObservationValue != (fhir.ObservationValue{})
	if hasValue || len(obs.Component) == 0 && len(obs.HasMember) == 0 {
		if err := q.obx(x, obs.Code, &obs.ObservationValue, obs.ReferenceRange, obs.Interpretation, status, eff, "", element); err != nil {
			return err
		}
		q.nte(obs.Note)
	}
	if len(obs.Component) > 0 {
		x.group++
		sub := strconv.Itoa(x.group)
		for i := range obs.Component {
			c := &obs.Component[i]
			el := fmt.Sprintf("%s component[%d]", element, i)
			if !hasCode(c.Code) {
				return invalid("the Observation of %s has no code (OBX-3)", el)
			}
			if err := q.obx(x, c.Code, &c.ObservationValue, c.ReferenceRange, c.Interpretation, status, eff, sub, el); err != nil {
				return err
			}
		}
		if !hasValue {
			q.nte(obs.Note)
		}
	}
	for i := range obs.HasMember {
		m := &obs.HasMember[i]
		el := fmt.Sprintf("%s hasMember[%d]", element, i)
		member, ok := q.resolve(obs, m).(*fhir.Observation)
		if !ok {
			// A contained member is the report's ("#id" from the report).
			if member, ok = q.resolve(from, m).(*fhir.Observation); !ok {
				return invalid("%s does not resolve to an Observation in the request", el)
			}
		}
		if depth >= maxMemberDepth {
			return invalid("%s: panels nest deeper than %d levels", el, maxMemberDepth)
		}
		if err := q.observation(obs, member, el, x, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// obx adds one OBX.
func (q *outReq) obx(x *obxState, code *fhir.CodeableConcept, v *fhir.ObservationValue, rr []fhir.ObservationReferenceRange,
	interp []fhir.CodeableConcept, status, eff, sub, element string) error {
	vt, val, units, err := q.o.obxValue(v, element)
	if err != nil {
		return err
	}
	x.setID++
	s := v2Seg{}
	s.set(1, strconv.Itoa(x.setID))
	s.set(2, vt)
	s.set(3, q.o.cwe(code))
	s.set(4, sub)
	s.set(5, val)
	s.set(6, units)
	s.set(7, v2Esc(referenceRangeText(rr)))
	s.set(8, q.o.interpretations(interp))
	s.set(11, status)
	s.set(14, eff)
	q.add("OBX", &s)
	return nil
}

// obxValue is an Observation value as OBX-2 (type), OBX-5 and OBX-6
// (units), after the inbound OBX-5 rows reversed:
//   - Quantity → NM, units as OBX-6; with a comparator → SN (comparator,
//     number), which the inbound map reads back as the comparator;
//   - string → ST, or TX when it has several lines (one repetition per
//     line: v2 TX uses the repetition separator as a hard line break);
//   - CodeableConcept → CWE (CE before v2.5); boolean → CWE Y/N of table
//     0136 (decision: v2 has no boolean type);
//   - integer → NM; Range → SN low - high (>= low, <= high when open);
//     Ratio → SN numerator : denominator; time → TM; dateTime → DTM (TS
//     before v2.5); Period → DR;
//   - no value: OBX-2 and OBX-5 empty.
func (o *Outbound) obxValue(v *fhir.ObservationValue, element string) (vt, val, units string, err error) {
	num := func(q *fhir.Quantity, what string) (string, error) {
		if q == nil || q.Value == "" {
			return "", invalid("%s of %s has no value", what, element)
		}
		d, ok := nmDecimal(q.Value)
		if !ok {
			return "", invalid("%s of %s is not a decimal", what, element)
		}
		return d, nil
	}
	switch {
	case v.ValueQuantity != nil:
		qt := v.ValueQuantity
		n, err := num(qt, "valueQuantity")
		if err != nil {
			return "", "", "", err
		}
		if qt.Comparator != "" {
			return "SN", v2Join('^', v2Esc(qt.Comparator), n), o.units(qt), nil
		}
		return "NM", n, o.units(qt), nil
	case v.ValueCodeableConcept != nil:
		return o.cweType(), o.cwe(v.ValueCodeableConcept), "", nil
	case v.ValueString != nil:
		s := *v.ValueString
		if strings.ContainsAny(strings.TrimRight(s, "\r\n"), "\r\n") {
			return "TX", txReps(s), "", nil
		}
		return "ST", v2Esc(strings.TrimRight(s, "\r\n")), "", nil
	case v.ValueBoolean != nil:
		if *v.ValueBoolean {
			return o.cweType(), "Y^Yes^HL70136", "", nil
		}
		return o.cweType(), "N^No^HL70136", "", nil
	case v.ValueInteger != nil:
		return "NM", strconv.Itoa(*v.ValueInteger), "", nil
	case v.ValueRange != nil:
		r := v.ValueRange
		switch {
		case r.Low != nil && r.High != nil:
			lo, err1 := num(r.Low, "valueRange.low")
			hi, err2 := num(r.High, "valueRange.high")
			if err1 != nil || err2 != nil {
				return "", "", "", invalid("valueRange of %s has a bound without value", element)
			}
			return "SN", v2Join('^', "", lo, "-", hi), o.units(r.Low), nil
		case r.Low != nil:
			lo, err := num(r.Low, "valueRange.low")
			return "SN", v2Join('^', ">=", lo), o.units(r.Low), err
		case r.High != nil:
			hi, err := num(r.High, "valueRange.high")
			return "SN", v2Join('^', "<=", hi), o.units(r.High), err
		}
		return "", "", "", nil
	case v.ValueRatio != nil:
		n, err1 := num(v.ValueRatio.Numerator, "valueRatio.numerator")
		d, err2 := num(v.ValueRatio.Denominator, "valueRatio.denominator")
		if err1 != nil || err2 != nil {
			return "", "", "", invalid("valueRatio of %s lacks a numerator or denominator value", element)
		}
		return "SN", v2Join('^', "", n, ":", d), o.units(v.ValueRatio.Numerator), nil
	case v.ValueTime != nil:
		t := strings.ReplaceAll(*v.ValueTime, ":", "")
		clock, frac, _ := strings.Cut(t, ".")
		if len(clock) != 6 || !allDigits(clock) || frac != "" && !allDigits(frac) {
			return "", "", "", invalid("valueTime of %s is not a FHIR time", element)
		}
		if frac != "" {
			clock += "." + frac[:min(len(frac), 4)]
		}
		return "TM", clock, "", nil
	case v.ValueDateTime != nil:
		d, err := dtmField(*v.ValueDateTime, "valueDateTime of "+element)
		return o.dtmType(), d, "", err
	case v.ValuePeriod != nil:
		s, err1 := dtmField(v.ValuePeriod.Start, "valuePeriod.start of "+element)
		e, err2 := dtmField(v.ValuePeriod.End, "valuePeriod.end of "+element)
		if err1 != nil {
			return "", "", "", err1
		}
		return "DR", v2Join('^', s, e), "", err2
	}
	return "", "", "", nil
}

// nmDecimal is a FHIR decimal as HL7 NM, digits as sent; an exponent
// (which JSON allows and NM does not) is written out in plain digits.
func nmDecimal(n json.Number) (string, bool) {
	s := string(n)
	if !strings.ContainsAny(s, "eE") {
		return s, fhir.ValidNumber(s)
	}
	f, ok := new(big.Float).SetString(s)
	if !ok {
		return "", false
	}
	return f.Text('f', -1), true
}

// referenceRangeText is OBX-7: the first range's text, else "low-high"
// (">=low", "<=high" when open), the form the inbound map parses.
func referenceRangeText(rr []fhir.ObservationReferenceRange) string {
	if len(rr) == 0 {
		return ""
	}
	r := &rr[0]
	if r.Text != "" {
		return r.Text
	}
	lo, hi := "", ""
	if r.Low != nil {
		lo, _ = nmDecimal(r.Low.Value)
	}
	if r.High != nil {
		hi, _ = nmDecimal(r.High.Value)
	}
	switch {
	case lo != "" && hi != "":
		return lo + "-" + hi
	case lo != "":
		return ">=" + lo
	case hi != "":
		return "<=" + hi
	}
	return ""
}

// interpretations is OBX-8: each interpretation as its table 0078 code
// (with the HL70078 system name the inbound map reads back), or as a CWE
// when it has no such code.
func (o *Outbound) interpretations(ccs []fhir.CodeableConcept) string {
	reps := make([]string, 0, len(ccs))
	for i := range ccs {
		cc := &ccs[i]
		rep := ""
		for j := range cc.Coding {
			if code, ok := outInterpretation(&cc.Coding[j]); ok {
				rep = v2Join('^', v2Esc(code), v2Esc(cc.Coding[j].Display), "HL70078")
				break
			}
		}
		if rep == "" {
			rep = o.cwe(cc)
		}
		if rep != "" {
			reps = append(reps, rep)
		}
	}
	return joinReps(reps)
}
