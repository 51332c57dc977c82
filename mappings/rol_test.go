package mappings

import (
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
)

func TestROL_GeneralPractitionerAndVisitParticipants(t *testing.T) {
	const msg = "MSH|^~\\&|A|H|||20240501||ADT^A01|1|P|2.5\n" +
		"PID|1||M1^^^H^MR||Doe^Jane||19800101|F\n" +
		"ROL|R1|AD|PP^Primary Care Provider^HL70443|111^Welby^Marcus^^^^^^NPI&2.16.840.1.113883.4.6&ISO|20200101|20301231|||208D00000X^General Practice^NUCC||12 Elm St^^Town^ST^11111^^H|^WPN^PH^^1^555^5551234|CLINIC^^^MAIN|Main Clinic^L^^^^NPI&2.16.840.1.113883.4.6&ISO^XX^^^999\n" +
		"ROL|R2|AD|FHCP^Family Health Care Professional^HL70443|222^Nurse^Nora\n" +
		"PV1|1|I|4W^1^A\n" +
		"ROL|R3|AD|AT^Attending^HL70443|333^House^Greg^^^^^^NPI&2.16.840.1.113883.4.6&ISO|202405011200\n" +
		"ROL|R4|DE|CP^Consulting^HL70443|444^Gone^Gary^^^^^^NPI&2.16.840.1.113883.4.6&ISO\n" +
		"PR1|1||0JH60DZ^Insertion^I10P||20240501\n" +
		"ROL|R5|AD|SURG^Surgeon^HL70443|555^Cutter^Carl^^^^^^NPI&2.16.840.1.113883.4.6&ISO\n"
	b, ws, err := mustMapper(t, Options{}).MapWarnings(parse(t, msg))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := fhir.Marshal(b)
	validateBundle(t, "rol", out)

	roles := map[string]*fhir.PractitionerRole{}
	for _, pr := range all[*fhir.PractitionerRole](b) {
		roles["urn:uuid:"+pr.ID] = pr
	}
	pat := all[*fhir.Patient](b)[0]
	if len(pat.GeneralPractitioner) != 1 {
		t.Fatalf("generalPractitioner %s: want the PP of ROL R1 only", jsonOf(t, pat.GeneralPractitioner))
	}
	gp := roles[pat.GeneralPractitioner[0].Reference]
	if gp == nil {
		t.Fatalf("generalPractitioner %s is not a PractitionerRole of the bundle", pat.GeneralPractitioner[0].Reference)
	}
	j := jsonOf(t, gp)
	for _, want := range []string{`"value":"R1"`, `"code":"PP"`, `"start":"2020-01-01"`, `"end":"2030-12-31"`, `"code":"208D00000X"`, `"value":"+1 555 5551234"`} {
		if !strings.Contains(j, want) {
			t.Errorf("GP role lacks %s: %s", want, j)
		}
	}
	if gp.Organization == nil || gp.Organization.Reference == "" || len(gp.Location) != 1 || gp.Practitioner == nil {
		t.Errorf("GP role organization, location or practitioner missing: %s", j)
	}
	if p, ok := bundleResource(b, gp.Practitioner.Reference).(*fhir.Practitioner); !ok || len(p.Address) != 1 || p.Address[0].City != "Town" {
		t.Errorf("the practitioner lacks ROL-11's home address: %s", jsonOf(t, p))
	}

	enc := all[*fhir.Encounter](b)[0]
	var fromROL []fhir.EncounterParticipant
	for _, p := range enc.Participant {
		if p.Individual != nil && roles[p.Individual.Reference] != nil {
			fromROL = append(fromROL, p)
		}
	}
	if len(fromROL) != 1 || fromROL[0].Type[0].Coding[0].Code != "AT" || fromROL[0].Period == nil || fromROL[0].Period.Start == "" {
		t.Errorf("visit participants from ROL %s: want R3 (attending, with its start) only", jsonOf(t, fromROL))
	}
	if cts := all[*fhir.CareTeam](b); len(cts) != 1 || len(cts[0].Participant) != 1 || practitionerID(b, cts[0].Participant[0].Member) != "222" {
		t.Errorf("care teams %s: want one with the FHCP of ROL R2", jsonOf(t, cts))
	}
	for _, w := range []string{"ROL[4]-2", "ROL[5]"} {
		if !hasWarning(ws, w) {
			t.Errorf("no %s warning in %v", w, ws)
		}
	}
	if strings.Contains(string(out), "Cutter") || strings.Contains(string(out), "Gone") {
		t.Error("a procedure-group or deleted ROL was mapped")
	}
}

// bundleResource returns the resource of b whose fullUrl is url.
func bundleResource(b *fhir.Bundle, url string) fhir.Resource {
	for _, e := range b.Entry {
		if e.FullURL == url {
			return e.Resource
		}
	}
	return nil
}

// A visit participant from a ROL is a PractitionerRole. An update that
// omits the PV1's participant fields carries it over (previous.go), and
// the carried reference must name the PractitionerRole the admit's Bundle
// PUT: "Practitioner/<the role's id>" resolves to nothing downstream.
func TestROL_CarriedParticipantStillNamesThePractitionerRole(t *testing.T) {
	const a01 = "MSH|^~\\&|A|H|||20240501120000||ADT^A01|1|P|2.5\n" +
		"PID|1||M1^^^H^MR||Doe^Jane\n" +
		"PV1|1|I|4W^1^A||||||||||||||||V1^^^H^VN\n" +
		"ROL|R3|AD|AT^Attending^HL70443|333^House^Greg^^^^^^NPI&2.16.840.1.113883.4.6&ISO|202405011200\n"
	const a08 = "MSH|^~\\&|A|H|||20240502120000||ADT^A08|2|P|2.5\n" +
		"PID|1||M1^^^H^MR||Doe^Jane\n" +
		"PV1|1|I|4W^1^A||||||||||||||||V1^^^H^VN\n"
	m := mustMapper(t, Options{})
	admit, state := mapUpdate(t, m, a01, nil)
	roles := all[*fhir.PractitionerRole](admit)
	if len(roles) != 1 {
		t.Fatalf("admit PractitionerRoles %s: want the ROL's", jsonOf(t, roles))
	}
	upd, _ := mapUpdate(t, m, a08, state)
	enc := all[*fhir.Encounter](upd)[0]
	want := "PractitionerRole/" + roles[0].ID
	if len(enc.Participant) != 1 || enc.Participant[0].Individual == nil || enc.Participant[0].Individual.Reference != want {
		t.Errorf("carried participants %s: want one naming %s", jsonOf(t, enc.Participant), want)
	}
}

// An update that omits the PV1's participant fields carries the previous
// participants over; when it sends a ROL or PV2-13 participant again, that
// one replaces its carried copy. Otherwise every A08 that repeats the
// visit's ROL would add the same participant once more, and the list
// would grow with each message.
func TestROL_ResentParticipantIsNotListedTwice(t *testing.T) {
	const a01 = "MSH|^~\\&|A|H|||20240501120000||ADT^A01|1|P|2.5\n" +
		"PID|1||M1^^^H^MR||Doe^Jane\n" +
		"PV1|1|I|4W^1^A||||||||||||||||V1^^^H^VN\n" +
		"PV2|||||||||||||Ref^Doc\n" +
		"ROL|R3|AD|AT^Attending^HL70443|333^House^Greg^^^^^^NPI&2.16.840.1.113883.4.6&ISO|202405011200\n"
	for i, enc := range encountersOfUpdates(t, a01, 3) {
		if len(enc.Participant) != 2 {
			t.Fatalf("message %d: participants %s: want the PV2-13 referrer and the ROL attending once each", i+1, jsonOf(t, enc.Participant))
		}
	}
}

// encountersOfUpdates maps text n times as a patient's consecutive
// messages, each with the state the one before left, and returns the
// Encounter of each.
func encountersOfUpdates(t *testing.T, text string, n int) []*fhir.Encounter {
	t.Helper()
	m := mustMapper(t, Options{})
	var state map[string]fhir.Resource
	var out []*fhir.Encounter
	for range n {
		var b *fhir.Bundle
		b, state = mapUpdate(t, m, text, state)
		out = append(out, all[*fhir.Encounter](b)[0])
	}
	return out
}

// An update that sends the PV1's attending doctor but no ROL keeps the
// visit participants earlier ROL segments gave; one that sends a ROL
// replaces them.
func TestROL_AbsentROLKeepsItsParticipants(t *testing.T) {
	const a01 = "MSH|^~\\&|A|H|||20240501||ADT^A01|1|P|2.5\nPID|1||M1^^^H^MR||Doe^Jane\n" +
		"PV1|1|I|4W^1^A||||111^Welby^Marcus^^^^^^NPI&2.16.840.1.113883.4.6&ISO|||||||||||V1^^^H\n" +
		"ROL|R1|AD|CP^Consulting^HL70443|333^House^Greg^^^^^^NPI&2.16.840.1.113883.4.6&ISO\n"
	m := mustMapper(t, Options{})
	types := func(b *fhir.Bundle) []string {
		var out []string
		for _, p := range all[*fhir.Encounter](b)[0].Participant {
			out = append(out, p.Type[0].Coding[0].Code+" "+p.Individual.Type)
		}
		return out
	}
	_, state := mapUpdate(t, m, a01, nil)
	noROL := strings.NewReplacer("ADT^A01", "ADT^A08", a01[strings.Index(a01, "ROL|"):], "").Replace(a01)
	b, _ := mapUpdate(t, m, noROL, state)
	if got := strings.Join(types(b), ","); got != "ATND ,CP PractitionerRole" {
		t.Errorf("an A08 without ROL: participants %s, want the attending and the carried consultant", got)
	}
	for _, p := range all[*fhir.Encounter](b)[0].Participant {
		if p.Individual.Type == "PractitionerRole" && !strings.HasPrefix(p.Individual.Reference, "PractitionerRole/") {
			t.Errorf("carried participant %s: want a PractitionerRole/id reference", p.Individual.Reference)
		}
	}
	other := strings.NewReplacer("ADT^A01", "ADT^A08", "CP^Consulting", "AT^Attending").Replace(a01)
	b, _ = mapUpdate(t, m, other, state)
	if got := strings.Join(types(b), ","); got != "ATND ,AT PractitionerRole" {
		t.Errorf("an A08 with another ROL: participants %s, want the attending and the new role only", got)
	}
}

// A ROL an update sends replaces the visit participants earlier ROL
// segments gave also when the PV1 omits its own participant fields, whose
// carry rule (previous.go) must not bring the earlier ROL participants
// back beside the new one.
func TestROL_SentROLReplacesEarlierOnesWhenPV1OmitsDoctors(t *testing.T) {
	m := mustMapper(t, Options{})
	_, state := mapUpdate(t, m, rolA01, nil)
	other := strings.NewReplacer("ADT^A01", "ADT^A08", "333^House^Greg", "444^Wilson^James").Replace(rolA01)
	b, _ := mapUpdate(t, m, other, state)
	if got := participantRefs(b); len(got) != 1 || !strings.HasPrefix(got[0], "urn:uuid:") {
		t.Errorf("an A08 with another consultant: participants %v, want the new one only", got)
	}
}

// rolA01 is an admit whose PV1 names no participant and whose ROL names a
// consultant.
const rolA01 = "MSH|^~\\&|A|H|||20240501||ADT^A01|1|P|2.5\nPID|1||M1^^^H^MR||Doe^Jane\n" +
	"PV1|1|I|4W^1^A||||||||||||||||V1^^^H\n" +
	"ROL|R1|AD|CP^Consulting^HL70443|333^House^Greg^^^^^^NPI&2.16.840.1.113883.4.6&ISO\n"

// participantRefs returns the references of the bundle's first
// Encounter's participants.
func participantRefs(b *fhir.Bundle) (out []string) {
	for _, p := range all[*fhir.Encounter](b)[0].Participant {
		out = append(out, p.Individual.Reference)
	}
	return out
}

// A visit ROL that deletes its role (ROL-2 DE) is a ROL the update sends:
// the role it deletes is not carried back from the previous version.
func TestROL_DeletedRoleIsNotCarriedBack(t *testing.T) {
	m := mustMapper(t, Options{})
	_, state := mapUpdate(t, m, rolA01, nil)
	for _, pv1 := range []string{"", "111^Welby^Marcus^^^^^^NPI&2.16.840.1.113883.4.6&ISO"} {
		deleted := strings.NewReplacer("ADT^A01", "ADT^A08", "|AD|", "|DE|", "|I|4W^1^A||||", "|I|4W^1^A||||"+pv1).Replace(rolA01)
		b, _ := mapUpdate(t, m, deleted, state)
		for _, ref := range participantRefs(b) {
			if strings.HasPrefix(ref, "PractitionerRole/") {
				t.Errorf("an A08 deleting the consultant (PV1-7 %q): participants %v, want the consultant gone", pv1, participantRefs(b))
			}
		}
	}
}
