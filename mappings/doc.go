// Package mappings maps HL7 v2 messages to FHIR R4 bundles, following the
// HL7 v2-to-FHIR implementation guide's message, segment, data type and
// vocabulary maps. It does no I/O.
//
// # What this cut maps
//
//   - ADT A01 A02 A03 A04 A05 A06 A07 A08 A11 A12 A13 A28 A31 (the events
//     whose structure is one PID and at most one PV1, adt.go): Patient
//     (PID, PD1, NK1 as Patient.contact), Encounter (PV1, PV2, DG1 as
//     Encounter.diagnosis), RelatedPerson (NK1; the mother of PID-21),
//     Account (PID-18), PractitionerRoles (ROL, PRT: general
//     practitioners and visit participants), the patient's CareTeam (the
//     other patient-group ROL and PRT, careteam.go), AllergyIntolerance
//     (AL1), Condition (DG1), Procedure (PR1), Coverage (IN1), the
//     Practitioners, Organizations and Locations they name, OBX as
//     Observations, and PD1-7 as the living-will Observation (pd1.go,
//     in ORU too).
//   - ADT A40 (merge, mrg.go): per PID/MRG pair the surviving Patient
//     (link replaces) and the old one (link replaced-by, active false,
//     identifiers with use old).
//   - ORU^R01: per PID a Patient (and an Encounter when its PV1 names a
//     visit); per ORC/OBR a ServiceRequest and a DiagnosticReport based on
//     it (orc.go, obr.go); per OBX an Observation, a result of its report
//     (obx.go); per SPM a Specimen, the OBX after it specimen
//     observations (spm.go); NTE as notes of the order, result or
//     specimen they follow (nte.go); two Provenances from MSH, the source
//     and the transformation (provenance.go). US Core 6.1: reports of
//     laboratory sections carry category LAB, vital signs category
//     vital-signs and UCUM units; a systolic and a diastolic OBX become one
//     blood pressure panel with two components (bp.go). An order group
//     without SPM whose OBR has specimen fields gets a Specimen from them
//     (obr_specimen.go).
//   - PRT (participation, v2.7+) in ORU patient, order and observation
//     groups and after an ADT's PID: general practitioner, care team
//     member (ADT), requester, performers, results interpreter, specimen
//     collector, device and observation location, as Practitioner,
//     PractitionerRole, Organization, Location and Device (prt.go, which
//     lists what it leaves unmapped).
//
// Other types give ErrUnsupported (Supported says which are mapped), and a
// message missing what its type needs (no PID, no OBR) ErrMalformed.
//
// # Layout
//
// One file per segment map (pid.go, pd1.go, nk1.go, pv1.go, pv2.go, evn.go,
// al1.go, dg1.go, pr1.go, in1.go, mrg.go, orc.go, obr.go, obx.go, spm.go,
// nte.go, prt.go, provenance.go for MSH's Provenance, obr_specimen.go for
// OBR[Specimen], bp.go for blood pressure panels, careteam.go for the
// CareTeam of ROL and PRT; adt.go for the ADT
// structures, messages.go for ORU and MSH) and per data type map
// (identifier.go for CX, EI and HD; xpn.go, xad.go, xtn.go, xcn.go for XCN
// and XON, ndl.go, pl.go, cwe.go, numeric.go for NM, SN and NR, dtm.go;
// race.go for PID-10 and PID-22). previous.go carries what an update
// omits, fields.go applies a channel's field rules, enrich.go uses what
// enrichment found. Vocabularies are data, in vocab.go, vocab_adt.go,
// vocab_oru.go and vocab_uscore.go, each table naming the HL7 table and
// the IG concept map it follows. ids.go documents the deterministic
// resource ids.
//
// # Decisions where the IG is silent
//
// The IG leaves choices to implementers; each is written where it is made.
// The main ones:
//   - Identifier systems come from Options.IdentifierSystems, else from the
//     assigning authority's OID, UUID or URI, else a stable local URN (see
//     Options). The IG's alternative, an Organization per authority, is left
//     for later; assigner.display keeps the authority's name.
//   - Codes a vocabulary table does not know are kept as sent (a coding
//     without a made-up system, or text), never dropped; required codes
//     that are missing or unknown (statuses, OBR-4) become "unknown" with a
//     warning.
//   - Resources are created only for what has a business identifier; a
//     practitioner, organization or location known only by name is a
//     display-only reference.
//   - OBX values the map cannot read as their declared type become
//     valueString, with a warning; repeating OBX-5 of text types are lines
//     of one string, of other types components (the IG's component map).
//   - Observation.category is laboratory for an OBR's results (imaging for
//     the imaging sections of OBR-24); ORU reports default to the LAB
//     section when OBR-24 is empty.
//   - Practitioners named in ORC-12, OBR-16, OBR-32/34/35 (NDL), OBX-16,
//     OBX-25 and NTE-5 are direct Practitioner references, where the IG
//     builds PractitionerRoles.
//   - ServiceRequest.status falls back to the result status when ORC-5
//     and ORC-1 give none; Provenance.recorded is MSH-7, never the clock,
//     so that replays give the same bytes (see orc.go, provenance.go).
//   - Date/times: see dtm.go; reference ranges: see numeric.go;
//     Encounter.status and the default Encounter.type: see pv1.go.
//   - US Core 6.1 elements the IG does not fill are given, each decided
//     where it is made: AllergyIntolerance.verificationStatus unconfirmed
//     (al1.go), Condition category encounter-diagnosis and
//     verificationStatus from DG1-6 (dg1.go), Procedure.status completed
//     only with a performed time (pr1.go), Coverage.status active and
//     IN1-17 inverted onto subscriber-relationship (in1.go, vocab_adt.go).
//   - PID-10 and PID-22, which the IG sends to "the local extension", map
//     to the US Core 6.1 race and ethnicity extensions (race.go): OMB
//     categories, detailed CDC codes, legacy table letters through
//     vocab_uscore.go, UNK/ASKU only alone, anything else kept as text.
//     Birth sex is not taken from PID-8 (administrative sex); an enriching
//     EHR's birthsex extension is kept beside the message's (enrich.go).
//   - Resources without a business identifier in their segment
//     (AllergyIntolerance, Condition, Procedure, Coverage, RelatedPerson)
//     get ids from the patient or visit and the segment's content, never
//     its set id (a position), so an update resending a list updates the
//     same resources; each file says which fields.
//   - EVN: the IG's target is a Provenance, which this cut does not emit
//     (the type comes with the ORU work); EVN-6 (else EVN-2) dates an
//     admit or discharge whose PV1 lacks the time (evn.go).
//
// # Updates: explicit null ("") and empty fields
//
// HL7 v2 distinguishes an empty field ("no change": the receiver keeps what
// it had) from the explicit null "" ("delete the value"), while a
// transaction entry is a PUT that replaces the whole resource. The Bundle
// stays all PUTs (idempotent, replayable) and carries the whole current
// state: the engine hands the mapper the Patient and Encounter it mapped
// last for the patient (Enrichment.Previous) and the mapper takes from them
// what the message omits and drops what it nulls (previous.go):
//
//   - an omitted element keeps its previous value: an A08, or an ORU whose
//     PID has no phone number, does not wipe the phone the A01 sent; an A03
//     keeps the A01's admit time, attending doctor and location;
//   - "" deletes: the element is left out, and the EHR's Patient does not
//     refill it;
//   - without a previous version (the patient's first message, or Map
//     without the engine) a message maps as a snapshot: omitted and ""
//     alike are absent.
//
// Resources an update does not carry are not touched: an A08 without AL1
// puts no AllergyIntolerance, so the allergies an A01 put remain; one
// without patient-group ROL or PRT puts no CareTeam (careteam.go). Lists
// that only some messages carry (Patient.contact from NK1, PV2's elements)
// map as snapshots of the message. A40 PUTs the old Patient as a stub
// (identifiers, MRG-7 name, active false, replaced-by link): the survivor
// holds the merged record (mrg.go). TestUpdates_OmittedKeepsNullDeletes
// holds this.
//
// # Using the results
//
// A Mapper is safe for concurrent use. Map's bundle may share identical
// read-only values between its resources (the patient reference of every
// Observation, a panel's category and interpretation lists): copy a value
// before changing it in place. Warnings (MapWarnings) name fields, never
// their content, so they can be logged.
//
// MapJSON and AppendJSON give the same bytes as fhir.Marshal of Map's
// bundle (the tests hold them equal), but they encode each Observation as
// soon as it is complete and reuse its memory: on a lab panel that is most
// of the mapping's allocations, and so of the garbage collector's work.
package mappings
