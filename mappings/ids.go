package mappings

import (
	"encoding/binary"
	"encoding/hex"
)

// Resource ids are deterministic, so mapping the same message twice (a
// replay, a resend) yields the same ids and the transaction's PUTs are
// idempotent upserts, and a later message about the same thing (an A08
// after an A01, a corrected result) updates the same resource.
//
// An id is a UUID (RFC 9562 version 8, the name-based layout its appendix
// B.2 gives for SHA-256) made from SHA-256 over the mapper's Namespace, the
// resource type and the parts of its business key, each length-prefixed so
// that no two different keys hash the same input. The business keys:
//
//   - Patient: the first PID-3 identifier (CX.1) with its assigning authority
//     as sent (CX.4, all three parts), not the system it maps to, so that
//     changing IdentifierSystems never changes ids. Without PID-3: PID-2,
//     then PID-4. Without any: the message (MSH-3, MSH-4, MSH-10, MSH-7)
//     and the PID's position, so a replay still upserts but two messages
//     never merge an unidentified patient.
//   - Encounter: PV1-19 (visit number) with its authority. Without it: the
//     patient id and PV1-44 (admit time), which A01, A08 and A03 of one stay
//     share. Without both: the message and the PV1's position.
//   - DiagnosticReport: OBR-3 (or ORC-3) filler order number with its
//     namespace, else OBR-2 (or ORC-2) placer number, each tagged so they
//     cannot collide, plus the OBR-4 code (senders reuse one order number
//     for every panel of a requisition). Without either number: the
//     message and the OBR's position.
//   - ServiceRequest: keyed like its DiagnosticReport, but placer number
//     first (the placer owns the order), with the OBR-4 code.
//   - Specimen: SPM-2, the filler's specimen id (EIP.2) else the placer's
//     (EIP.1), with its authority; one Specimen per id for the bundle.
//     Without either: its report's id and its place in the OBR group. A
//     Specimen from OBR fields (no SPM, obr_specimen.go): its report's id.
//   - Provenance: the message, and "source", "transformation" or "event"
//     (EVN); the Patient's own (PID-34): the patient, the message and the
//     facility.
//   - Observation: its report's id, OBX-3 (first coding's system and code)
//     and OBX-4 (sub-id), so a corrected result (OBX-11 C) replaces the
//     preliminary one. A second OBX with the same key under the same OBR
//     gets "#2", "#3"... in message order. Without OBX-3: the OBX position.
//     A blood pressure panel (bp.go): its 85354-9 OBX's id, else its first
//     member's id, tagged.
//   - Practitioner: XCN.1 with XCN.9; Organization: XON.10 (else XON.3)
//     with XON.6; Location: the PL path from facility down to the level.
//     Without an identifier they are not created: the reference carries
//     only a display, because a name is not an identity.
//   - PractitionerRole (PRT): its Practitioner's id, PRT-4.1, and its
//     Organization and Location; from a ROL, the same with ROL-3.1 and
//     ROL-1. Device: PRT-10 with its authority; from an SFT, its vendor,
//     product, version and binary id.
//   - CareTeam (ROL, PRT of the patient group): the patient alone, one
//     team per patient; so is the living-will Observation (PD1-7).
//   - Account (PID-18): the patient and the account number with its
//     authority; the mother's RelatedPerson (PID-21): the patient and the
//     first identifier; the Organization of an HD (PID-34) and the
//     Location of one (EVN-7): the HD as sent; the employer of IN1-10:
//     its first id.
//   - Bundle and MessageHeader: the message (MSH-3, MSH-4, MSH-10, MSH-7).
func (r *run) id(typ string, parts ...string) string {
	var b [36]byte
	return string(appendUUID(b[:0], r.uuid(typ, parts...)))
}

// uuid is the id's 16 bytes.
func (r *run) uuid(typ string, parts ...string) [16]byte {
	k := r.key[:0]
	k = appendPart(k, r.m.namespace)
	k = appendPart(k, typ)
	for _, p := range parts {
		k = appendPart(k, p)
	}
	r.key = k
	sum := r.hasher.sum(k)
	sum[6] = sum[6]&0x0f | 0x80 // version 8
	sum[8] = sum[8]&0x3f | 0x80 // RFC 9562 variant
	return [16]byte(sum[:16])
}

func appendPart(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendUUID appends u in the 8-4-4-4-12 form. The groups are written in
// place, at fixed offsets, rather than appended digit by digit.
func appendUUID(b []byte, u [16]byte) []byte {
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	hex.Encode(s[9:13], u[4:6])
	hex.Encode(s[14:18], u[6:8])
	hex.Encode(s[19:23], u[8:10])
	hex.Encode(s[24:36], u[10:16])
	s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
	return append(b, s[:]...)
}
