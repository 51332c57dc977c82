package mappings

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
)

// An update without NK1 or PD1 (an ORU, an A08 that sends only the PID)
// says nothing about the next of kin or the additional demographics: the
// PUT of its Patient must not delete what the admit set from them.
func TestUpdates_AbsentNK1AndPD1KeepWhatTheAdmitSet(t *testing.T) {
	const a01 = "MSH|^~\\&|A|H|||20240501||ADT^A01|1|P|2.5\n" +
		"PID|1||M1^^^H^MR||Doe^Jane||19800101|F\n" +
		"PD1||||||W||||||||Valley Church\n" +
		"NK1|1|Doe^John|SPO||||||||||Acme Corp^^^^^H^XX^^^ACME1\n" +
		"PV1|1|I|4W^1^A|E||||||||||||||||V1^^^H\n"
	const oru = "MSH|^~\\&|LAB|H|||20240502||ORU^R01|2|P|2.5\n" +
		"PID|1||M1^^^H^MR||Doe^Jane\n" +
		"OBR|1||F1|2345-7^Glucose^LN|||20240502\n" +
		"OBX|1|NM|2345-7^Glucose^LN||99|mg/dL|||||F\n"
	m := mustMapper(t, Options{})
	mapWith := func(text string, prev map[string]fhir.Resource) (*fhir.Patient, *fhir.Bundle, map[string]fhir.Resource) {
		t.Helper()
		b, mapped := mapUpdate(t, m, text, prev)
		return all[*fhir.Patient](b)[0], b, mapped
	}
	admitted, admit, state := mapWith(a01, nil)
	if len(admitted.Contact) != 1 || admitted.Contact[0].Organization == nil || len(admitted.Extension) != 2 {
		t.Fatalf("A01 patient %s", jsonOf(t, admitted))
	}
	org := all[*fhir.Organization](admit)[0]

	got, _, _ := mapWith(oru, state)
	if len(got.Contact) != 1 || got.Contact[0].Name == nil || got.Contact[0].Name.Family != "Doe" {
		t.Fatalf("an ORU without NK1 wiped the contact: %s", jsonOf(t, got))
	}
	// The Organization is not in this Bundle: the reference names it as
	// the admit's Bundle PUT it.
	if want := "Organization/" + org.ID; got.Contact[0].Organization.Reference != want {
		t.Errorf("contact organization %s, want %s", got.Contact[0].Organization.Reference, want)
	}
	if len(got.Extension) != 2 || got.Extension[0].URL != extDisability || got.Extension[1].URL != extCongregation {
		t.Errorf("an ORU without PD1 wiped its extensions: %s", jsonOf(t, got.Extension))
	}

	// An NK1 that is sent replaces the contacts; a PD1 that is sent keeps
	// what its empty fields gave (v2: an empty field is no change), and
	// "" deletes it.
	a08 := strings.NewReplacer("ADT^A01", "ADT^A08", "Doe^John|SPO", "Roe^Rick|BRO", "||W||", "||||").Replace(a01)
	upd, _, _ := mapWith(a08, state)
	if len(upd.Contact) != 1 || upd.Contact[0].Name.Family != "Roe" {
		t.Errorf("A08 contacts %s, want only Roe", jsonOf(t, upd.Contact))
	}
	if len(upd.Extension) != 2 || upd.Extension[0].URL != extCongregation || upd.Extension[1].URL != extDisability {
		t.Errorf("A08 extensions %s, want the congregation and the kept disability", jsonOf(t, upd.Extension))
	}
	deleted := strings.NewReplacer("ADT^A01", "ADT^A08", "||W||", `||""||`).Replace(a01)
	if del, _, _ := mapWith(deleted, state); len(del.Extension) != 1 || del.Extension[0].URL != extCongregation {
		t.Errorf(`A08 with PD1-6 "" extensions %s, want only the congregation`, jsonOf(t, del.Extension))
	}

	// Without a previous version the ORU is a snapshot.
	if snap, _, _ := mapWith(oru, nil); snap.Contact != nil || snap.Extension != nil {
		t.Errorf("snapshot ORU patient %s", jsonOf(t, snap))
	}
}

// mapUpdate maps text as the engine maps a patient's next message: with
// prev as the previous versions. It checks that the Bundle is valid and
// all PUTs, and returns it with what the message mapped (the next prev).
func mapUpdate(t *testing.T, m *Mapper, text string, prev map[string]fhir.Resource) (*fhir.Bundle, map[string]fhir.Resource) {
	t.Helper()
	enr := &Enrichment{Previous: prev, Mapped: map[string]fhir.Resource{}}
	out, _, err := m.MapJSONEnriched(parse(t, text), enr)
	if err != nil {
		t.Fatal(err)
	}
	validateBundle(t, "update", out)
	var b fhir.Bundle
	if err := json.Unmarshal(out, &b); err != nil {
		t.Fatal(err)
	}
	for _, e := range b.Entry {
		if e.Request == nil || e.Request.Method != "PUT" {
			t.Errorf("entry %s: request %+v, want a PUT", e.FullURL, e.Request)
		}
	}
	return &b, enr.Mapped
}

// An update without a PV2 keeps what the admit's PV2 gave the visit; one
// with a PV2 keeps what its empty fields gave, and "" deletes.
func TestUpdates_AbsentPV2KeepsTheVisitsDetails(t *testing.T) {
	const a01 = "MSH|^~\\&|A|H|||20240501||ADT^A01|1|P|2.5\nPID|1||M1^^^H^MR||Doe^Jane\n" +
		"PV1|1|I|4W^1^A||||||||||||||||V1^^^H\n" +
		"PV2|||^Chest pain|||||20240501|20240505||4|Observation stay|||||||||||||1|||||||||||||A\n"
	m := mustMapper(t, Options{})
	encOf := func(text string, prev map[string]fhir.Resource) (*fhir.Encounter, map[string]fhir.Resource) {
		t.Helper()
		b, mapped := mapUpdate(t, m, text, prev)
		return all[*fhir.Encounter](b)[0], mapped
	}
	full, state := encOf(a01, nil)
	want := jsonOf(t, []any{full.ReasonCode, full.Length, full.Text, full.Priority, full.Extension})
	if full.Text == nil || full.Length == nil || full.Priority == nil || len(full.Extension) != 3 || full.ReasonCode == nil {
		t.Fatalf("A01 visit %s", jsonOf(t, full))
	}
	noPV2 := strings.NewReplacer("ADT^A01", "ADT^A08", a01[strings.Index(a01, "PV2|"):], "").Replace(a01)
	kept, _ := encOf(noPV2, state)
	if got := jsonOf(t, []any{kept.ReasonCode, kept.Length, kept.Text, kept.Priority, kept.Extension}); got != want {
		t.Errorf("an A08 without PV2 changed the visit:\n got %s\nwant %s", got, want)
	}
	nullText := strings.NewReplacer("ADT^A01", "ADT^A08", "|Observation stay|", `|""|`, "|^Chest pain|", "||").Replace(a01)
	upd, _ := encOf(nullText, state)
	if upd.Text != nil || upd.ReasonCode == nil || upd.Length == nil || len(upd.Extension) != 3 {
		t.Errorf(`an A08 with PV2-12 "" and PV2-3 empty: %s, want no text and the rest kept`, jsonOf(t, upd))
	}
}

// A PV2 or PD1 sent twice for one visit or patient (non-repeating
// segments; an ORU maps each PV2 of its visit group) must not leave a
// value the first one carried from the previous version beside the one
// the second sends: the resource would hold two planned start dates or
// two disabilities, one of them stale.
func TestUpdates_RepeatedPV2AndPD1DoNotMixCarriedAndSent(t *testing.T) {
	const pid, pv1 = "PID|1||M1^^^H^MR||Doe^Jane\n", "PV1|1|I|4W^1^A||||||||||||||||V1^^^H\n"
	const a01 = "MSH|^~\\&|A|H|||20240501||ADT^A01|1|P|2.5\n" + pid + "PD1||||||W\n" + pv1 + "PV2||||||||20240501\n"
	const oru = "MSH|^~\\&|A|H|||20240502||ORU^R01|2|P|2.5\n" + pid +
		"PD1|||||||||||||Valley Church\nPD1||||||B\n" + pv1 + "PV2||||||||\nPV2||||||||20240601\n" +
		"OBR|1||F1|2345-7^Glucose^LN|||20240502\nOBX|1|NM|2345-7^Glucose^LN||99|mg/dL|||||F\n"
	m := mustMapper(t, Options{})
	_, state := mapUpdate(t, m, a01, nil)
	b, _ := mapUpdate(t, m, oru, state)
	count := func(exts []fhir.Extension, url string) (n int) {
		for _, x := range exts {
			if x.URL == url {
				n++
			}
		}
		return n
	}
	if enc := all[*fhir.Encounter](b)[0]; count(enc.Extension, extPlannedStart) != 1 {
		t.Errorf("visit extensions %s: want one planned start", jsonOf(t, enc.Extension))
	}
	if pat := all[*fhir.Patient](b)[0]; count(pat.Extension, extDisability) != 1 {
		t.Errorf("patient extensions %s: want one disability", jsonOf(t, pat.Extension))
	}
}
