// Package mappings maps HL7 v2 messages to FHIR R4 bundles, following the
// HL7 v2-to-FHIR implementation guide's message, segment, data type and
// vocabulary maps. It does no I/O.
//
// # What this cut maps
//
//   - ADT A01 A02 A03 A04 A05 A06 A07 A08 A11 A12 A13 A28 A31 (the events
//     whose structure is one PID and at most one PV1): Patient, Encounter,
//     the Practitioners and Locations they name, and OBX as Observations.
//   - ORU^R01: per PID a Patient (and an Encounter when its PV1 names a
//     visit); per ORC/OBR a ServiceRequest and a DiagnosticReport based on
//     it (orc.go, obr.go); per OBX an Observation, a result of its report
//     (obx.go); per SPM a Specimen, the OBX after it specimen
//     observations (spm.go); NTE as notes of the order, result or
//     specimen they follow (nte.go); two Provenances from MSH, the source
//     and the transformation (provenance.go). US Core 6.1: reports of
//     laboratory sections carry category LAB, vital signs category
//     vital-signs and UCUM units.
//
// Other types give ErrUnsupported (Supported says which are mapped), and a
// message missing what its type needs (no PID, no OBR) ErrMalformed.
//
// # Layout
//
// One file per segment map (pid.go, pv1.go, orc.go, obr.go, obx.go,
// spm.go, nte.go, provenance.go for MSH's Provenance, messages.go for the
// message structures and MSH) and per data type map (identifier.go for
// CX, EI and HD; xpn.go, xad.go, xtn.go, xcn.go for XCN and XON, ndl.go,
// pl.go, cwe.go, numeric.go for NM, SN and NR, dtm.go). Vocabularies are
// data, in vocab.go and (for the ORU maps) vocab_oru.go, each table naming
// the HL7 table and the IG concept map it follows. ids.go documents the
// deterministic resource ids.
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
//     Encounter.status: see pv1.go.
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
