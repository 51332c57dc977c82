package mappings

import "github.com/switchboard-hl7/switchboard/fhir"

// Agent is how the Provenance of a transformation names Switchboard: the
// IG wants "the organization owning or device performing the
// transformation", of which the mapper knows neither (decision: a
// display-only reference, which R4 allows).
const transformerName = "Switchboard HL7 v2 to FHIR R4"

// provenance adds the Provenance resources of the IG's message maps (ORU_R01,
// and the ADT maps likewise): the event's for EVN (evn_provenance.go), and
// for MSH, when they can be valid R4 (recorded, an instant, is required:
// MSH-7 must hold at least a date):
//
//   - MSH[Provenance-Source], when MSH-4 names the sending facility: the
//     message as the source of the resources. activity: display "message
//   - ORU^R01^ORU_R01" (IG); agent author: MSH-4 (decision: a display
//     reference, as MessageHeader.sender, no Organization from an HD);
//     recorded and occurredDateTime: MSH-7.
//   - MSH[Provenance-Transformation]: activity v2-fhir-transformation,
//     agent assembler (transformerName). Decision: recorded is MSH-7 too,
//     not the clock at mapping time, so that a replay gives the same
//     bytes (the engine's PUTs are idempotent upserts; a clock would make
//     every resend a new version). policy: none (no governing URI is
//     configured).
//
// SFT segments are Devices, entities of the source Provenance (else of
// the transformation's), see software.
//
// Decisions for both: the target is not Bundle.id (a transaction bundle
// is not stored as such, and a reference to it resolves to no entry) but
// the resources the message is about, the focus of a MessageHeader: for
// an ORU its DiagnosticReports, which reference the rest (results,
// requests, specimens, the patient); for an ADT its Patient and
// Encounter. The entity (the v2 message itself as a
// DocumentReference) is left out: it would copy the whole message, PHI
// included, into every bundle. Ids: the message key (see ids.go).
func (r *run) provenance() {
	r.flush() // the last Observation comes first, as in Map's order
	if len(r.focus) == 0 {
		return
	}
	targets := make([]fhir.Reference, len(r.focus))
	for i, f := range r.focus {
		targets[i] = fhir.Reference{Reference: f.url, Display: f.display}
	}
	r.eventProvenance(targets)
	recorded := r.instant(r.msh.Field(7), at{"MSH", 0, 7})
	if recorded == "" {
		return
	}
	m := r.msgKey
	software := r.software()
	if fac := text(r.msh.Field(4).Component(1)); fac != "" {
		code, trigger, structure := r.msg.Type()
		occurred := r.dateTime(r.msh.Field(7), at{"MSH", 0, 7})
		src := &fhir.Provenance{
			Target:           targets,
			OccurredDateTime: strPtr(occurred),
			Recorded:         recorded,
			Activity: &fhir.CodeableConcept{Coding: []fhir.Coding{{
				Display: "message - " + joinNonEmpty("^", clean(code), clean(trigger), clean(structure)),
			}}},
			Agent: []fhir.ProvenanceAgent{{
				Type: conceptCC(concept{sysProvenanceAgentType, "author", "Author"}),
				Who:  &fhir.Reference{Display: fac},
			}},
		}
		src.Entity, software = software, nil
		id := r.ident("Provenance", "source", m[0], m[1], m[2], m[3])
		src.ID = id.id
		r.add(id, src)
	}
	tr := &fhir.Provenance{
		Target:   targets,
		Recorded: recorded,
		Activity: conceptCC(concept{sysProvenanceActivity, "v2-fhir-transformation", "Transformation of a HL7 v2 message to FHIR"}),
		Agent: []fhir.ProvenanceAgent{{
			Type: conceptCC(concept{sysProvenanceAgentType, "assembler", "Assembler"}),
			Who:  &fhir.Reference{Display: transformerName},
		}},
		Entity: software, // when there is no source Provenance to hold them
	}
	id := r.ident("Provenance", "transformation", m[0], m[1], m[2], m[3])
	tr.ID = id.id
	r.add(id, tr)
}
