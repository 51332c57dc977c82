package mappings

import (
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// obxContext is what an OBX hangs off: the patient, the visit, and the
// report when it sits in an OBR group (zero for ADT and patient-level OBX).
type obxContext struct {
	pat   patient
	enc   ref
	order *order
	// specimenOf is the report whose SPM a specimen observation follows
	// (its id keys the observation; it is not one of the report's results),
	// specimen that SPM's Specimen.
	specimenOf *order
	specimen   *fhir.Specimen
	// bp is the blood pressure panel the OBX folds into, if any (bp.go).
	bp *bpSlot
}

// obsParts is an Observation with room for the pieces nearly every OBX
// fills, allocated together (see newObsParts). Pieces that are the same
// for many OBX of a message (subject, encounter, category, interpretation,
// performer) are built once and shared, as Map's documentation says.
type obsParts struct {
	obs       fhir.Observation
	code      fhir.CodeableConcept
	codeC     [2]fhir.Coding
	qty       fhir.Quantity
	rr        [1]fhir.ObservationReferenceRange
	low, high fhir.Quantity
	effective string
}

// obx maps an OBX (the n-th) to an Observation after the IG's
// OBX[Observation] map and adds it to its report's results:
//   - code: OBX-3 with every coding triplet; decision: an OBX without
//     OBX-3 (report text lines) takes its OBR-4, else the text "unknown";
//   - value by OBX-2, see obxValue; a repeating OBX-5 of a non-text type
//     gives one component per repetition (IG OBX[Observation-Component]);
//   - status: OBX-11 through table 0085; dataAbsentReason when there is no
//     value and OBX-11 is N (not-asked, IG) or X (decision: not-performed);
//   - referenceRange OBX-7, interpretation OBX-8 (table 0078), method
//     OBX-17, bodySite OBX-20, identifier OBX-21 (type FILL);
//   - extensions: OBX-10 nature of abnormal test (table 0080) and OBX-19
//     date/time of the analysis, with the IG's extension URLs;
//   - device: OBX-18 (EI) as a logical reference, Reference.identifier
//     (decision: no Device resource is made from an equipment id alone);
//   - basedOn: the group's ServiceRequest; specimen: the group's Specimen
//     when it has one SPM; a specimen observation (after an SPM) has that
//     Specimen as focus (IG) and specimen;
//   - effective: OBX-14, else OBR-7 of its group;
//   - performer: OBX-16 responsible observer (Practitioner), OBX-23
//     performing organization with its address OBX-24 (Organization) and
//     OBX-25 medical director (Practitioner); decision: direct
//     references, where the IG builds PractitionerRoles; OBX-15 (producer
//     id, a CWE the IG turns into an Organization identifier) is not
//     mapped: senders fill it with the lab's local code;
//   - category: laboratory for an OBX in an OBR group, specimen OBX
//     included (imaging for imaging sections of OBR-24), none in ADT and
//     for patient observations, where the IG leaves it open; US Core 6.1:
//     an OBX-3 with the LOINC code of a vital-signs profile (vitalSigns)
//     gets vital-signs instead, wherever it is, and its units in UCUM
//     (vitalUnits);
//   - OBX-29 observation type (table 0936) as one more category; an
//     answer to an order question or supporting clinical information (QST,
//     SCI) is the ServiceRequest's supportingInfo, not a result of the
//     report (IG ORU_R01);
//   - subject the patient, encounter the visit if any.
func (r *run) obx(s *hl7.Segment, n int, c obxContext) *fhir.Observation {
	a := func(field int) at { return at{"OBX", n, field} }
	p := r.obsPartsFor(c)
	obs := &p.obs
	obs.Subject = r.shared(c.pat.ref)
	obs.Encounter = r.shared(c.enc)
	grp := c.order // the OBR group: category and effective time
	if grp == nil {
		grp = c.specimenOf
	}
	if grp != nil {
		grp.obxCount++
		if grp.categories == nil {
			grp.categories = []fhir.CodeableConcept{*conceptCC(concept{sysObservationCategory, grp.category, categoryDisplay[grp.category]})}
		}
		obs.Category = grp.categories
		obs.BasedOn = grp.basedOn
	}
	switch {
	case c.specimen != nil:
		sp := r.shared(ref{url: "urn:uuid:" + c.specimen.ID})
		obs.Specimen = sp
		obs.Focus = oneRef(sp)
	case c.order != nil:
		obs.Specimen = c.order.specimen
	}

	st := code(s.Field(11))
	if st != "" {
		if k, ok := observationStatus.lookup(st); ok {
			obs.Status = k.Code
		} else {
			obs.Status = "unknown"
			r.warn(a(11), "result status not in table 0085: status unknown")
		}
	} else {
		obs.Status = "unknown"
		r.warn(a(11), "no result status: status unknown")
	}

	obx3 := r.split(s.Field(3))
	if !s.Field(3).IsEmpty() && fillCodeableFrom(&obx3, "", &p.code, p.codeC[:0]) {
		obs.Code = &p.code
	} else if c.order != nil {
		obs.Code = c.order.dr.Code
	} else {
		obs.Code = &fhir.CodeableConcept{Text: "unknown"}
		r.warn(a(3), "no observation identifier: code is the text \"unknown\"")
	}

	vital, isVital := vitalOf(obs.Code)
	if isVital {
		obs.Category = r.vitalCategory(grp)
	}
	obsType := strings.ToUpper(code(s.Field(29)))
	if obsType != "" {
		// A list of its own: the group's is shared by its results.
		obs.Category = append(slices.Clip(obs.Category), fhir.CodeableConcept{Coding: []fhir.Coding{{System: sysV2Prefix + "0936", Code: obsType}}})
	}

	if p.effective = r.dateTime(s.Field(14), a(14)); p.effective != "" {
		obs.EffectiveDateTime = &p.effective
	} else if grp != nil {
		if p.effective = r.dateTime(grp.obr.Field(7), at{"OBR", grp.n, 7}); p.effective != "" {
			obs.EffectiveDateTime = &p.effective
		}
	}

	obs.Performer = r.performers(s, a)

	units := r.units(s.Field(6))
	if isVital {
		vitalUnits(&units, vital, r, a(6))
	}
	r.obxValue(s, p, &units, a)

	if obs.ObservationValue == (fhir.ObservationValue{}) && obs.Component == nil {
		switch st {
		case "N":
			obs.DataAbsentReason = conceptCC(concept{sysDataAbsentReason, "not-asked", "Not Asked"})
		case "X":
			obs.DataAbsentReason = conceptCC(concept{sysDataAbsentReason, "not-performed", "Not Performed"})
		}
	}

	if fillReferenceRange(text(s.Field(7)), &units, &p.rr[0], &p.low, &p.high) {
		obs.ReferenceRange = p.rr[:]
	}
	obs.Interpretation = r.interpretations(s.Field(8))
	obs.Method = r.codeable(s.Field(17).Rep(1), "")
	obs.BodySite = r.codeable(s.Field(20).Rep(1), "")
	if id, _, ok := r.ei(s.Field(21).Rep(1), "FILL"); ok {
		obs.Identifier = []fhir.Identifier{id}
	}
	if !s.Field(18).IsEmpty() {
		if id, _, ok := r.ei(s.Field(18).Rep(1), ""); ok {
			obs.Device = &fhir.Reference{Identifier: &id}
		}
	}
	if !s.Field(10).IsEmpty() {
		for _, cc := range r.codeableList(s.Field(10), nil, tableNatureOfAbnormal) {
			obs.Extension = append(obs.Extension, fhir.Extension{URL: extNatureOfAbnormal, ValueCodeableConcept: &cc})
		}
	}
	if !s.Field(19).IsEmpty() {
		// (Tested apart: a t declared in the if would escape, and cost an
		// allocation on every OBX.)
		if t := strPtr(r.dateTime(s.Field(19), a(19))); t != nil {
			obs.Extension = append(obs.Extension, fhir.Extension{URL: extAnalysisDateTime, ValueDateTime: t})
		}
	}

	x := r.obxIdent(s, &obx3, n, c)
	obs.ID = x.id
	if c.bp != nil {
		return r.foldBP(c, s, obs, x)
	}
	if r.stream {
		r.pending, r.pendingID = obs, x // NTE may still add notes
	} else {
		r.add(x, obs)
	}
	switch {
	case c.order != nil && supportsOrder(obsType):
		c.order.sr.SupportingInfo = append(c.order.sr.SupportingInfo, fhir.Reference{Reference: x.url})
	case c.order != nil:
		c.order.dr.Result = append(c.order.dr.Result, fhir.Reference{Reference: x.url})
	}
	return obs
}

// supportsOrder reports whether an OBX-29 observation type (upper case)
// says the OBX supports its order (an answer to an order question, QST,
// or supporting clinical information, SCI) rather than being a result.
func supportsOrder(obsType string) bool {
	return obsType == "QST" || obsType == "SCI"
}

// newObsParts returns room for one Observation. For Map they are allocated
// for all the message's OBX at once: one large allocation costs far less
// than one per OBX. MapJSON (r.stream) encodes each Observation once it is
// complete and maps the next one into the same room.
func (r *run) newObsParts() *obsParts {
	if r.stream {
		r.flush()
		r.scratch = obsParts{}
		return &r.scratch
	}
	if len(r.obsPool) == 0 {
		n := 0
		for _, s := range r.msg.Segments {
			if s.Name() == "OBX" {
				n++
			}
		}
		r.obsPool = make([]obsParts, max(n, 1))
	}
	p := &r.obsPool[0]
	r.obsPool = r.obsPool[1:]
	return p
}

// shared returns one Reference per referenced resource for the whole
// bundle (every Observation's subject is the same patient). The last few
// are looked at first: hashing a ref (two strings) in the map costs more
// than comparing a handful of them, and an OBX asks for the same two.
func (r *run) shared(x ref) *fhir.Reference {
	if x.isZero() {
		return nil
	}
	for _, s := range r.recentRefs {
		if s.p != nil && s.ref == x {
			return s.p
		}
	}
	p, ok := r.sharedRefs[x]
	if !ok {
		p = x.reference()
		if r.sharedRefs == nil {
			r.sharedRefs = make(map[ref]*fhir.Reference, 4)
		}
		r.sharedRefs[x] = p
	}
	r.recentRefs[r.nextRecent%len(r.recentRefs)] = sharedRef{x, p}
	r.nextRecent++
	return p
}

// sharedRef is a ref and the Reference shared for it.
type sharedRef struct {
	ref
	p *fhir.Reference
}

// performers maps OBX-16, OBX-23/24 and OBX-25 to Observation.performer;
// OBX that name the same performers share the list.
func (r *run) performers(s *hl7.Segment, a func(int) at) []fhir.Reference {
	k := [3]string{s.Field(16).Raw(), s.Field(23).Raw(), s.Field(25).Raw()}
	if k == r.perfKey && k != ([3]string{}) {
		return r.perf
	}
	var perf []fhir.Reference
	var one [1]hl7.Value
	for _, rep := range r.reps(s.Field(16), &one) {
		if x := r.xcn(rep, a(16)); !x.isZero() {
			perf = append(perf, fhir.Reference{Reference: x.url, Display: x.display})
		}
	}
	if x := r.xon(s.Field(23).Rep(1), s.Field(24), a(23)); !x.isZero() {
		perf = append(perf, fhir.Reference{Reference: x.url, Display: x.display})
	}
	for _, rep := range r.reps(s.Field(25), &one) {
		if x := r.xcn(rep, a(25)); !x.isZero() {
			perf = append(perf, fhir.Reference{Reference: x.url, Display: x.display})
		}
	}
	r.perfKey, r.perf = k, perf
	return perf
}

// interpretations maps OBX-8 through table 0078; OBX with the same flags
// share the list.
func (r *run) interpretations(f hl7.Value) []fhir.CodeableConcept {
	if f.IsEmpty() {
		return nil
	}
	if f.Raw() == r.lastInterp.raw && r.lastInterp.l != nil {
		return r.lastInterp.l // most results are N, one after the other
	}
	l, ok := r.interpCache[f.Raw()]
	if !ok {
		l = r.codeableList(f, interpretation, "")
		if r.interpCache == nil {
			r.interpCache = make(map[string][]fhir.CodeableConcept, 4)
		}
		r.interpCache[f.Raw()] = l
	}
	r.lastInterp.raw, r.lastInterp.l = f.Raw(), l
	return l
}

// units reads OBX-6 into a Quantity's unit, system and code, once per
// distinct OBX-6 of the message.
func (r *run) units(f hl7.Value) fhir.Quantity {
	if f.IsEmpty() {
		return fhir.Quantity{}
	}
	if f.Raw() == r.lastUnit.raw {
		return r.lastUnit.q // (the zero raw is the empty field, handled above)
	}
	q, ok := r.unitCache[f.Raw()]
	if !ok {
		r.unit(f, &q)
		if r.unitCache == nil {
			r.unitCache = make(map[string]fhir.Quantity, 8)
		}
		r.unitCache[f.Raw()] = q
	}
	r.lastUnit.raw, r.lastUnit.q = f.Raw(), q
	return q
}

// flush encodes the pending Observation (see newObsParts) and adds it to
// the bundle as JSON.
func (r *run) flush() {
	if r.pending == nil || r.err != nil {
		return
	}
	start := len(r.obsJSON)
	var err error
	if r.obsJSON, err = fhir.AppendJSON(r.obsJSON, r.pending); err != nil {
		r.err = err
	}
	r.addJSON(r.pendingID, "Observation", start, len(r.obsJSON))
	r.pending = nil
}

var categoryDisplay = map[string]string{"laboratory": "Laboratory", "imaging": "Imaging"}

// obxIdent is the Observation's id from its business key (see ids.go).
func (r *run) obxIdent(s *hl7.Segment, obx3 *comps, n int, c obxContext) ident {
	var kind, parent string
	switch {
	case c.order != nil:
		kind, parent = "DiagnosticReport", c.order.dr.ID
	case c.specimenOf != nil:
		kind, parent = "Specimen of", c.specimenOf.dr.ID
	case !c.enc.isZero():
		kind, parent = "Encounter", c.enc.url
	default:
		kind, parent = "Patient", c.pat.id
	}
	if s.Field(3).IsEmpty() {
		pos := n
		if g := c.order; g != nil || c.specimenOf != nil {
			if g == nil {
				g = c.specimenOf
			}
			pos = g.obxCount
		}
		return r.uniqueIdent("Observation", kind, parent, "OBX", strconv.Itoa(pos))
	}
	sys, cd := codeKeyFrom(obx3)
	return r.uniqueIdent("Observation", kind, parent, sys, cd, text(s.Field(4)))
}

// isText reports whether OBX-2 is a type whose repetitions join into one
// string.
func isText(vt string) bool { return vt == "ST" || vt == "TX" || vt == "FT" }

// obxValue sets the value of an Observation from OBX-2 and OBX-5.
func (r *run) obxValue(s *hl7.Segment, p *obsParts, units *fhir.Quantity, a func(int) at) {
	obs := &p.obs
	vt := strings.ToUpper(code(s.Field(2)))
	f := s.Field(5)
	if f.IsEmpty() || f.IsNull() {
		return
	}
	if isText(vt) {
		// ST, TX, FT: one string (the IG's valueString), repetitions as lines.
		obs.ValueString = strPtr(lines(f))
		return
	}
	if vt == "ED" {
		r.edValue(f.Rep(1), obs, a(5))
		return
	}
	if vt == "RP" {
		r.rpValue(f.Rep(1), obs, a(5))
		return
	}
	var one [1]hl7.Value
	reps := r.reps(f, &one)
	if len(reps) == 1 {
		obs.ObservationValue, _ = r.repValue(reps[0], vt, units, a(5), p)
		return
	}
	for _, rep := range reps {
		if v, ok := r.repValue(rep, vt, units, a(5), nil); ok {
			obs.Component = append(obs.Component, fhir.ObservationComponent{Code: obs.Code, ObservationValue: v})
		}
	}
}

// repValue maps one OBX-5 repetition of type vt after the IG's OBX-5 rows:
// NM → Quantity with the units of OBX-6; CE, CWE, CNE, CF → CodeableConcept;
// IS, ID → CodeableConcept (code only); SN → see sn; NR → Range; DT, DTM, TS
// → dateTime; TM → time; DR → Period. Anything else (and a value that does
// not parse as its type) becomes a string rather than being dropped, with a
// warning when the type was one the map reads.
//
// p, when not nil, gives room for the value (the single-value case).
func (r *run) repValue(v hl7.Value, vt string, units *fhir.Quantity, a at, p *obsParts) (fhir.ObservationValue, bool) {
	var out fhir.ObservationValue
	asString := func(warn string) (fhir.ObservationValue, bool) {
		s := clean(v.String())
		if s == "" {
			return out, false
		}
		if warn != "" {
			r.warn(a, warn)
		}
		out.ValueString = &s
		return out, true
	}
	switch vt {
	case "NM":
		var q *fhir.Quantity
		if p != nil {
			q = &p.qty
		} else {
			q = new(fhir.Quantity)
		}
		if !numeric(text(v.Component(1)), q) {
			return asString("NM value is not a number: kept as valueString")
		}
		copyUnit(q, units)
		out.ValueQuantity = q
	case "CE", "CWE", "CNE", "CF":
		if out.ValueCodeableConcept = r.codeable(v, ""); out.ValueCodeableConcept == nil {
			return out, false
		}
	case "IS", "ID":
		c := code(v.Component(1))
		if c == "" {
			return out, false
		}
		out.ValueCodeableConcept = &fhir.CodeableConcept{Coding: []fhir.Coding{{Code: c}}}
	case "SN":
		return r.sn(v, units)
	case "NR":
		if out.ValueRange = nr(v); out.ValueRange == nil {
			return asString("NR value is not a numeric range: kept as valueString")
		}
	case "DT", "DTM", "TS":
		s, why := r.m.formatDTM(text(v.Component(1)), kindDateTime)
		if s == "" {
			return asString(why + " (kept as valueString)")
		}
		out.ValueDateTime = &s
	case "TM":
		t, ok := hl7Time(text(v.Component(1)))
		if !ok {
			return asString("TM value is not a time: kept as valueString")
		}
		out.ValueTime = &t
	case "DR":
		p := r.period(v.Component(1).SubComponent(1), v.Component(2).SubComponent(1), a)
		if p == nil {
			return asString("DR value is not a date range: kept as valueString")
		}
		out.ValuePeriod = p
	default:
		return asString("")
	}
	return out, true
}

// edMedia maps table 0191 (ED.2 type of data) to a MIME top-level type.
var edMedia = map[string]string{
	"AP": "application", "APPLICATION": "application", "IM": "image", "IMAGE": "image",
	"AU": "audio", "AUDIO": "audio", "TEXT": "text", "TX": "text", "VIDEO": "video", "MULTIPART": "multipart",
}

// edValue maps an ED value (encapsulated data: a PDF, an image) after the
// IG: the R5 Observation.valueAttachment extension it names, with
// contentType from ED.2/ED.3 and data from ED.5 (Base64 as is, Hex and
// ASCII encodings converted). Data that does not decode is dropped with a
// warning.
func (r *run) edValue(v hl7.Value, obs *fhir.Observation, a at) {
	data := text(v.Component(5))
	if data == "" {
		return
	}
	att := &fhir.Attachment{}
	sub := strings.ToLower(code(v.Component(3)))
	if strings.Contains(sub, "/") {
		att.ContentType = sub
	} else if top, ok := edMedia[strings.ToUpper(code(v.Component(2)))]; ok && sub != "" {
		att.ContentType = top + "/" + sub
	}
	switch strings.ToUpper(code(v.Component(4))) {
	case "BASE64":
		clean := strings.Join(strings.Fields(data), "")
		if _, err := base64.StdEncoding.DecodeString(clean); err != nil {
			r.warn(a, "ED data is not valid Base64: dropped")
			return
		}
		att.Data = clean
	case "HEX":
		b, err := hex.DecodeString(strings.Join(strings.Fields(data), ""))
		if err != nil {
			r.warn(a, "ED data is not valid hex: dropped")
			return
		}
		att.Data = base64.StdEncoding.EncodeToString(b)
	default: // "A" (ASCII) or unspecified: the text itself
		att.Data = base64.StdEncoding.EncodeToString([]byte(data))
	}
	obs.Extension = append(obs.Extension, fhir.Extension{
		URL: "http://hl7.org/fhir/5.0/StructureDefinition/extension-Observation.value", ValueAttachment: att,
	})
}

// rpValue maps an RP value (reference pointer: a document or image held
// elsewhere) after the IG's OBX-5 RP row: the R5 Observation.value
// extension, as for ED, with an Attachment whose url is RP.1. Decisions:
// RP.3 (type of data, table 0191) and RP.4 (subtype) give contentType
// when they spell a MIME type ("image" and "jpeg"); a pointer that is
// not an absolute URI (a local file name) is kept as valueString, with a
// warning, rather than written as a url nobody can resolve.
func (r *run) rpValue(v hl7.Value, obs *fhir.Observation, a at) {
	ptr := text(v.Component(1))
	if ptr == "" {
		return
	}
	if !isURI(ptr) {
		r.warn(a, "RP pointer is not an absolute URI: kept as valueString")
		obs.ValueString = &ptr
		return
	}
	att := &fhir.Attachment{URL: ptr}
	sub := strings.ToLower(code(v.Component(4)))
	if top, ok := edMedia[strings.ToUpper(code(v.Component(3)))]; ok && sub != "" && !strings.ContainsAny(sub, " /") {
		att.ContentType = top + "/" + sub
	}
	obs.Extension = append(obs.Extension, fhir.Extension{
		URL: "http://hl7.org/fhir/5.0/StructureDefinition/extension-Observation.value", ValueAttachment: att,
	})
}

// nte maps NTE-3 (FT, repeating: lines) to an Annotation.
func nte(s *hl7.Segment) *fhir.Annotation {
	if t := lines(s.Field(3)); t != "" {
		return &fhir.Annotation{Text: t}
	}
	return nil
}

// oneRef returns a one-element Reference list holding *x (a copy: the
// list is the observation's own).
func oneRef(x *fhir.Reference) []fhir.Reference {
	return []fhir.Reference{*x}
}

// vitalOf reports whether a code carries the LOINC code of a US Core
// vital-signs profile, and which.
func vitalOf(cc *fhir.CodeableConcept) (vitalSign, bool) {
	for i := range cc.Coding {
		if cd := &cc.Coding[i]; cd.System == sysLOINC {
			if v, ok := vitalSigns[cd.Code]; ok {
				return v, true
			}
		}
	}
	return vitalSign{}, false
}

// vitalCategory is the vital-signs category, one list per report (or per
// observation outside a report).
func (r *run) vitalCategory(grp *order) []fhir.CodeableConcept {
	mk := func() []fhir.CodeableConcept {
		return []fhir.CodeableConcept{*conceptCC(concept{sysObservationCategory, "vital-signs", "Vital Signs"})}
	}
	if grp == nil {
		return mk()
	}
	if grp.vitalCategories == nil {
		grp.vitalCategories = mk()
	}
	return grp.vitalCategories
}

// vitalUnits puts a vital sign's OBX-6 into UCUM, as US Core's vital-signs
// profiles require: a UCUM code the profile allows stays; otherwise the
// unit's code (else its text) is looked up in ucumUnits, and used when the
// profile allows what it gives. Unit keeps the text as sent. A unit that
// stays outside the profile's units is kept, with a warning.
func vitalUnits(q *fhir.Quantity, v vitalSign, r *run, a at) {
	if q.Unit == "" && q.Code == "" {
		return
	}
	if q.System == sysUCUM && slices.Contains(v.units, q.Code) {
		return
	}
	spelled := q.Code
	if spelled == "" || q.System != "" && q.System != sysUCUM {
		spelled = q.Unit
	}
	if u, ok := ucumUnits[strings.ToUpper(spelled)]; ok && slices.Contains(v.units, u) {
		q.System, q.Code = sysUCUM, u
		return
	}
	if u, ok := ucumUnits[strings.ToUpper(q.Unit)]; ok && slices.Contains(v.units, u) {
		q.System, q.Code = sysUCUM, u
		return
	}
	r.warn(a, "unit is not one of the UCUM units of the US Core "+v.profile+" profile: kept as sent")
}
