package mappings

import (
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
)

// The IG's ORU_R01 map takes PD1 and NK1 of the PATIENT group to the
// Patient (and RelatedPerson) and PV2 of the VISIT group to the Encounter,
// as the ADT maps do; a lab that sends them must not see them dropped.
func TestORU_PatientGroupPD1NK1AndPV2AreMapped(t *testing.T) {
	const oru = "MSH|^~\\&|LAB|H|||20240502||ORU^R01|2|P|2.5.1\r" +
		"PID|1||M1^^^H^MR||Doe^Jane||19800101|F\r" +
		"PD1||||||W||||||||Valley Church\r" +
		"NK1|1|Organa^Leia|N^Next-of-Kin^HL70131||^^PH^^31^201^234567\r" +
		"PV1|1|O|CLINIC^1^A||||||||||||||||V1^^^H\r" +
		"PV2|||^Not feeling well\r" +
		"OBR|1||F1|2345-7^Glucose^LN|||20240502\r" +
		"OBX|1|NM|2345-7^Glucose^LN||99|mg/dL|||||F\r" +
		"NK1|2|Ignored^After^OBR|N\r"
	b, _ := mapUpdate(t, mustMapper(t, Options{}), oru, nil)
	p := all[*fhir.Patient](b)[0]
	if len(p.Contact) != 1 || p.Contact[0].Name == nil || p.Contact[0].Name.Family != "Organa" || len(p.Contact[0].Telecom) != 1 {
		t.Errorf("Patient.contact from NK1: %s", jsonOf(t, p.Contact))
	}
	if len(p.Extension) != 2 || p.Extension[0].URL != extDisability || p.Extension[1].URL != extCongregation {
		t.Errorf("Patient extensions from PD1: %s", jsonOf(t, p.Extension))
	}
	if rp := all[*fhir.RelatedPerson](b); len(rp) != 1 || rp[0].Name[0].Family != "Organa" {
		t.Errorf("RelatedPerson from NK1: %s", jsonOf(t, rp))
	}
	e := all[*fhir.Encounter](b)
	if len(e) != 1 || len(e[0].ReasonCode) != 1 || e[0].ReasonCode[0].Text != "Not feeling well" {
		t.Errorf("Encounter.reasonCode from PV2-3: %s", jsonOf(t, e))
	}
}

// PV2-12 is the Encounter's narrative, escaped into XHTML.
func TestPV2_VisitDescriptionIsTheNarrative(t *testing.T) {
	const msg = "MSH|^~\\&|A|H|||20240501||ADT^A01|1|P|2.5\nPID|1||M1^^^H^MR||Doe^Jane\nPV1|1|I|4W^1^A||||||||||||||||V1^^^H\nPV2||||||||||||Checkup <routine> \\T\\ more\n"
	b, err := mustMapper(t, Options{}).Map(parse(t, msg))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := fhir.Marshal(b)
	validateBundle(t, "pv2-12", out)
	e := all[*fhir.Encounter](b)[0]
	const want = `<div xmlns="http://www.w3.org/1999/xhtml">Checkup &lt;routine&gt; &amp; more</div>`
	if e.Text == nil || e.Text.Status != "additional" || e.Text.Div != want {
		t.Errorf("text %s, want %s", jsonOf(t, e.Text), want)
	}
}

// PV2-1 (pending location) sent again by an update that omits the PV1's
// location fields replaces its carried copy rather than being listed once
// more with every message (see TestROL_ResentParticipantIsNotListedTwice).
func TestPV2_ResentPendingLocationIsNotListedTwice(t *testing.T) {
	const a08 = "MSH|^~\\&|A|H|||20240501120000||ADT^A08|1|P|2.5\n" +
		"PID|1||M1^^^H^MR||Doe^Jane\n" +
		"PV1|1|I|||||||||||||||||V1^^^H^VN\n" +
		"PV2|5E^2^B\n"
	for i, enc := range encountersOfUpdates(t, a08, 3) {
		if ls := enc.Location; len(ls) != 1 || ls[0].Status != "planned" {
			t.Fatalf("message %d: locations %s: want the pending one once", i+1, jsonOf(t, ls))
		}
	}
}
