package mappings

import (
	"fmt"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// mapORU maps ORU^R01 after the IG's ORU_R01 message map. Each PID starts a
// PATIENT_RESULT group: its Patient is the subject of what follows (PD1 and
// NK1 of the group add to it as in the ADT maps), a PV1 that names a visit
// its Encounter (with its PV2). Each OBR (with the ORC before it)
// becomes a ServiceRequest and a DiagnosticReport based on it, whose
// results are the OBX that follow, each an Observation; each SPM of the
// group a Specimen. OBX before any OBR (patient observations) and OBX
// after an SPM (specimen observations, whose focus is that Specimen)
// become Observations that are not results of the report. NTE go where
// noteTarget says. OBX between an ORC and its OBR (the ORDER_DOCUMENT
// group, which the IG leaves to R5) are skipped with a warning, as are
// TQ1, CTI and the like in this cut. MSH also gives the Provenance of the
// transformation (provenance.go).
func mapORU(r *run) error {
	var pat *patient
	var enc ref
	var pg patientGroup
	var orc *hl7.Segment
	var cur *order
	var spec *fhir.Specimen // the current SPM's, for specimen observations
	var notes noteTarget
	var held []heldPRT            // PRT of the ORC, for its OBR (prt.go)
	var last *fhir.Observation    // the OBX's, for its PRT
	var parented []*fhir.Specimen // with SPM-3 parents to settle (spm.go)
	after := "MSH"
	reports := 0
	for i, s := range r.msg.Segments[1:] {
		name := s.Name()
		// PRT (participation, prt.go) sits between an OBX and its NTE in
		// v2.7+ (OBSERVATION = OBX [{PRT}] {[NTE]}): it neither completes
		// the observation nor moves the NTE target.
		// Decision: nor do Z-segments, which senders put anywhere (an
		// NTE after a ZXX after an OBX is about the OBX).
		if name != "NTE" && name != "PRT" && !strings.HasPrefix(name, "Z") {
			notes, after = noteTarget{}, name
			r.flush() // the observation before is complete (MapJSON)
		}
		switch name {
		case "PID":
			p := r.pid(s, r.next("PID"))
			pat, enc, orc, cur, spec, pg = &p, ref{}, nil, nil, nil, patientGroup{}
		case "PV1":
			n := r.next("PV1")
			if pat != nil && enc.isZero() && identifiable(s) {
				enc, pg.enc = r.encounter(s, n, *pat)
			}
		case "PD1", "NK1", "PV2":
			r.patientGroupSegment(s, pat, &pg, cur != nil || orc != nil)
		case "ORC":
			orc, cur, spec, held = s, nil, nil, held[:0]
		case "SPM":
			n := r.next("SPM")
			if cur == nil || pat == nil {
				r.warn(at{"SPM", n, 0}, "SPM outside an OBR group: skipped")
				spec = nil
				continue
			}
			spec = r.spm(s, n, cur, *pat)
			notes.notes = &spec.Note
			if spec.Parent != nil {
				parented = append(parented, spec)
			}
		case "OBR":
			n := r.next("OBR")
			if pat == nil {
				r.warn(at{"OBR", n, 0}, "OBR before any PID: skipped")
				continue
			}
			cur = r.obr(s, orc, n, *pat, enc, r.msg.Segments[i+2:])
			cur.bp = r.planBP(cur, r.msg.Segments[i+2:])
			r.obrSpecimen(cur, n, *pat)
			r.orderPRTs(cur, held)
			held = held[:0]
			orc, spec = nil, nil
			notes.notes = &cur.sr.Note
			reports++
		case "OBX":
			n := r.next("OBX")
			last = nil
			if pat == nil {
				r.warn(at{"OBX", n, 0}, "OBX before any PID: skipped")
				continue
			}
			if orc != nil {
				r.warn(at{"OBX", n, 0}, "OBX between ORC and OBR (order document): not mapped")
				continue
			}
			c := obxContext{pat: *pat, enc: enc, order: cur, bp: cur.slot(s)}
			if spec != nil {
				c.order, c.specimenOf, c.specimen = nil, cur, spec
			}
			obs := r.obx(s, n, c)
			notes.notes, last = &obs.Note, obs
		case "NTE":
			notes.add(r, s, r.next("NTE"), after)
		case "PRT":
			held = r.prtORU(s, r.next("PRT"), after, pat, cur, last, held)
		}
	}
	if pat == nil {
		return fmt.Errorf("%w: no PID segment", ErrMalformed)
	}
	if reports == 0 {
		return fmt.Errorf("%w: no OBR segment", ErrMalformed)
	}
	r.settleParents(parented)
	r.provenance()
	return nil
}

// addNote adds an NTE to the observation it follows, if any.
func addNote(obs *fhir.Observation, s *hl7.Segment) {
	if obs == nil {
		return
	}
	if a := nte(s); a != nil {
		obs.Note = append(obs.Note, *a)
	}
}

// messageHeader builds the MessageHeader of a message bundle after the IG's
// MSH[MessageHeader] map: eventCoding MSH-9.2 (table 0003, display the
// whole MSH-9), source MSH-3 (name HD.1; endpoint from MSH-24, the
// sending network address, else HD.2 of MSH-3 by its type, or the
// data-absent-reason extension the IG gives when there is none), sender MSH-4 and destination
// MSH-5 with receiver MSH-23 (responsible receiving organization, XON) or
// else MSH-6 (as display references: no Organization is made from an HD),
// responsible MSH-22 (XON), language MSH-19 when it is a BCP 47 tag, focus
// the Patient and Encounter (ADT) or the DiagnosticReports (ORU).
// Decisions: MSH-8 (security, free text) is not a security label Coding,
// and MSH-17 (country) has no sender Organization to go on: both left out.
func (r *run) messageHeader() entry {
	code, trigger, structure := r.msg.Type()
	id := r.ident("MessageHeader", r.msgKey...)
	h := &fhir.MessageHeader{
		ID: id.id,
		EventCoding: &fhir.Coding{
			System: sysV2Event, Code: r.trigger,
			Display: joinNonEmpty("^", clean(code), clean(trigger), clean(structure)),
		},
	}
	a := func(field int) at { return at{"MSH", 0, field} }
	app := hdAt(r.msh.Field(3), 1)
	// The IG takes MSH-3's endpoint only when MSH-24 (the sending network
	// address, the more precise) is not valued.
	h.Source = &fhir.MessageHeaderSource{Name: app.ns, Endpoint: endpoint(hdAt(r.msh.Field(24), 1))}
	if h.Source.Endpoint == "" {
		h.Source.Endpoint = endpoint(app)
	}
	if h.Source.Endpoint == "" {
		h.Source.EndpointExt = dataAbsent()
	}
	if fac := text(r.msh.Field(4).Component(1)); fac != "" {
		h.Sender = &fhir.Reference{Display: fac}
	}
	receiver := r.xon(r.msh.Field(23).Rep(1), r.msh.Field(-1), a(23))
	if fac := text(r.msh.Field(6).Component(1)); receiver.isZero() && fac != "" {
		receiver = ref{display: fac}
	}
	if dst := hdAt(r.msh.Field(5), 1); !dst.empty() || !receiver.isZero() {
		d := fhir.MessageHeaderDestination{Name: dst.ns, Endpoint: endpoint(dst), Receiver: receiver.reference()}
		if d.Endpoint == "" {
			d.EndpointExt = dataAbsent()
		}
		h.Destination = []fhir.MessageHeaderDestination{d}
	}
	h.Responsible = r.xon(r.msh.Field(22).Rep(1), r.msh.Field(-1), a(22)).reference()
	if lang := text(r.msh.Field(19).Component(1)); isLanguageTag(lang) {
		h.Language = lang
	}
	for _, f := range r.focus {
		h.Focus = append(h.Focus, *f.reference())
	}
	return entry{ident: id, typ: "MessageHeader", res: h}
}

// endpoint is an HD's universal id as a URI (IG HD[MessageHeader.*-endpoint]).
func endpoint(a hd) string {
	switch {
	case a.uid == "":
		return ""
	case isOID(a.uid):
		return "urn:oid:" + a.uid
	case isURI(a.uid):
		return a.uid
	}
	return ""
}

func dataAbsent() *fhir.Element {
	unknown := "unknown"
	return &fhir.Element{Extension: []fhir.Extension{{
		URL: "http://hl7.org/fhir/StructureDefinition/data-absent-reason", ValueCode: &unknown,
	}}}
}

// patientGroup is what the PATIENT and VISIT groups of an ORU_R01 have
// mapped so far.
type patientGroup struct {
	enc      *fhir.Encounter // the PV1's, for its PV2
	contacts bool            // an NK1 was mapped
}

// patientGroupSegment maps a PD1, NK1 or PV2 of an ORU's PATIENT or VISIT
// group to the Patient or Encounter as the ADT maps do (adtSegment). One
// that stands inside an ORDER_OBSERVATION group (late) is skipped with a
// warning: the IG's message structure has no place for it.
func (r *run) patientGroupSegment(s *hl7.Segment, pat *patient, pg *patientGroup, late bool) {
	name := s.Name()
	n := r.next(name)
	if pat == nil || late {
		r.warn(at{name, n, 0}, "outside the patient and visit groups: skipped")
		return
	}
	switch name {
	case "PD1":
		r.pd1(s, n, *pat)
	case "NK1":
		r.nk1(s, n, *pat, !pg.contacts)
		pg.contacts = true
	case "PV2":
		r.pv2(s, n, pg.enc)
	}
}
