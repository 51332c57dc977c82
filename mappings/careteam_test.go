package mappings

import (
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
)

// Segments the CareTeam cases combine. The ROL fields: 1 id, 2 action,
// 3 role, 4 person, 5-6 period, 8 reason, 9 provider type (not mapped:
// US Core allows one role), 10 unit type,
// 12 phone, 14 organization; the PRT fields: 2 action, 4 role, 5 person,
// 8 organization, 11-12 period.
const (
	ctHead     = "MSH|^~\\&|A|H|||20240501||ADT^A01|1|P|2.8.2\nPID|1||M1^^^H^MR||Doe^Jane||19800101|F\n"
	npi        = "^^^^^^NPI&2.16.840.1.113883.4.6&ISO"
	clinic     = "Main Clinic^L^^^^NPI&2.16.840.1.113883.4.6&ISO^XX^^^999"
	rolFull    = "ROL|R1|AD|AT^Attending^HL70443|333^House^Greg" + npi + "|20240101|20241231||ADM^Admission^L|207R00000X^Internal Medicine^NUCC|CARD^Cardiology^L||^WPN^PH^^1^555^5550100||" + clinic + "\n"
	rolUnit    = "ROL|R2|AD|CP^Consulting^HL70443|444^Wilson^James" + npi + "||||||CARD^Cardiology^L\n"
	rolOrg     = "ROL|R3|AD|RP^Referring^HL70443|||||||||||" + clinic + "\n"
	rolPP      = "ROL|R4|AD|PP^Primary Care Provider^HL70443|111^Welby^Marcus" + npi + "\n"
	rolNone    = "ROL|R5|AD|CP^Consulting^HL70443\n"
	prtPP      = "PRT|1|A||PP^Primary Care Provider^HL70912|8101^Family^Frank" + npi + "\n"
	prtWithOrg = "PRT|2|A||RP^Referring Provider^HL70912|8102^General^Gina" + npi + "|||" + clinic + "|||20200101\n"
	prtNamed   = "PRT|3|A||AT^Attending^HL70912|^Named^Nina|||" + clinic + "\n"
	prtOrg     = "PRT|4|A||RT^Referred to Provider^HL70912||||" + clinic + "\n"
)

// TestCareTeam_PatientGroupRolesAndParticipations maps patient-group ROL
// and PRT and lists the CareTeam's participants as role codes, member,
// onBehalfOf and period, each member as the resource it resolves to.
func TestCareTeam_PatientGroupRolesAndParticipations(t *testing.T) {
	for _, tc := range []struct {
		name, segs string
		want       []string // participants; nil: no CareTeam
		warn       string   // a warning expected, or ""
		gp         int      // Patient.generalPractitioner entries
	}{
		{name: "ROL with every field", segs: rolFull,
			want: []string{"AT member=Practitioner 333 for=Organization Main Clinic period=2024-01-01..2024-12-31"}},
		{name: "ROL-10 names the organization without ROL-14", segs: rolUnit,
			want: []string{"CP member=Practitioner 444 for=name Cardiology period=.."}},
		{name: "ROL-14 is the member without ROL-4", segs: rolOrg,
			want: []string{"RP member=Organization Main Clinic for=- period=.."}},
		{name: "ROL PP is the general practitioner only", segs: rolPP, gp: 1},
		{name: "ROL deleted", segs: strings.Replace(rolFull, "|AD|", "|DE|", 1), warn: "ROL-2"},
		{name: "ROL role outside table 0443", segs: strings.Replace(rolFull, "AT^Attending", "XYZ^Other", 1), warn: "ROL-3"},
		{name: "ROL naming no one", segs: rolNone, warn: "ROL-4"},
		{name: "ROL in the visit group", segs: "PV1|1|I|4W^1^A\n" + rolFull},
		{name: "PRT PP is both", segs: prtPP, gp: 1,
			want: []string{"PP member=Practitioner 8101 for=- period=.."}},
		{name: "PRT with an organization is a PractitionerRole", segs: prtWithOrg,
			want: []string{"RP member=PractitionerRole 8102 for=- period=2020-01-01.."}},
		{name: "PRT person known by name acts for PRT-8", segs: prtNamed,
			want: []string{"AT member=name Nina Named for=Organization Main Clinic period=.."}},
		{name: "PRT-8 is the member without PRT-5", segs: prtOrg,
			want: []string{"RT member=Organization Main Clinic for=- period=.."}},
		{name: "PRT deleted", segs: strings.Replace(prtPP, "|A|", "|D|", 1), warn: "PRT-2"},
		{name: "PRT role not in the IG's list", segs: strings.Replace(prtPP, "PP^Primary Care Provider", "SC^Specimen Collector", 1), warn: "PRT-4"},
		{name: "ROL and PRT share one team", segs: rolFull + rolPP + prtPP, gp: 2,
			want: []string{
				"AT member=Practitioner 333 for=Organization Main Clinic period=2024-01-01..2024-12-31",
				"PP member=Practitioner 8101 for=- period=..",
			}},
		{name: "a participant sent twice is listed once", segs: rolFull + strings.Replace(rolFull, "|R1|", "|R9|", 1),
			want: []string{"AT member=Practitioner 333 for=Organization Main Clinic period=2024-01-01..2024-12-31"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, ws := mapValid(t, ctHead+tc.segs)
			if got := careTeamMembers(t, b); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("participants\n got %q\nwant %q", got, tc.want)
			}
			if tc.warn != "" && !hasWarning(ws, tc.warn) {
				t.Errorf("no %s warning in %v", tc.warn, ws)
			}
			if tc.warn == "" && len(ws) > 0 {
				t.Errorf("warnings %v, want none", ws)
			}
			if gp := all[*fhir.Patient](b)[0].GeneralPractitioner; len(gp) != tc.gp {
				t.Errorf("generalPractitioner %s, want %d", jsonOf(t, gp), tc.gp)
			}
		})
	}
}

// The team's own elements: subject, status, the ROL-8 reasons and ROL-12
// phones of its members, and an id from the patient alone.
func TestCareTeam_SubjectStatusReasonTelecomAndID(t *testing.T) {
	b, _ := mapValid(t, ctHead+rolFull+rolUnit)
	ct := all[*fhir.CareTeam](b)[0]
	pat := all[*fhir.Patient](b)[0]
	if ct.Status != "active" || ct.Subject == nil || ct.Subject.Reference != "urn:uuid:"+pat.ID {
		t.Errorf("status %q subject %s, want active and the Patient", ct.Status, jsonOf(t, ct.Subject))
	}
	if len(ct.ReasonCode) != 1 || ct.ReasonCode[0].Coding[0].Code != "ADM" {
		t.Errorf("reasonCode %s, want ROL-8 ADM", jsonOf(t, ct.ReasonCode))
	}
	if len(ct.Telecom) != 1 || ct.Telecom[0].Value != "+1 555 5550100" || ct.Telecom[0].Use != "work" {
		t.Errorf("telecom %s, want ROL-12", jsonOf(t, ct.Telecom))
	}
	other, _ := mapValid(t, strings.NewReplacer("ADT^A01|1|", "ADT^A08|2|", "|20240501|", "|20240502|").Replace(ctHead)+prtOrg)
	if id := all[*fhir.CareTeam](other)[0].ID; id != ct.ID {
		t.Errorf("the patient's next message PUTs CareTeam %s, want the same id %s", id, ct.ID)
	}
	if id := all[*fhir.CareTeam](b)[0].ID; id == pat.ID {
		t.Error("CareTeam id equals the Patient's: the type must be part of the key")
	}
}

// An update that sends no patient-group ROL or PRT PUTs no CareTeam, so
// the one an earlier message put stays; one that sends them PUTs its
// list, which replaces the earlier one.
func TestCareTeam_UpdateWithoutRolesLeavesItAlone(t *testing.T) {
	m := mustMapper(t, Options{})
	admit, state := mapUpdate(t, m, ctHead+rolFull, nil)
	if len(all[*fhir.CareTeam](admit)) != 1 {
		t.Fatalf("admit: want one CareTeam, got %s", jsonOf(t, all[*fhir.CareTeam](admit)))
	}
	a08 := strings.Replace(ctHead, "ADT^A01|1|", "ADT^A08|2|", 1)
	upd, _ := mapUpdate(t, m, a08, state)
	if cts := all[*fhir.CareTeam](upd); cts != nil {
		t.Errorf("an A08 without ROL or PRT PUTs %s", jsonOf(t, cts))
	}
	upd, _ = mapUpdate(t, m, a08+prtOrg, state)
	cts := all[*fhir.CareTeam](upd)
	if len(cts) != 1 || cts[0].ID != all[*fhir.CareTeam](admit)[0].ID || len(cts[0].Participant) != 1 || cts[0].Participant[0].Role[0].Coding[0].Code != "RT" {
		t.Errorf("an A08 with a PRT: CareTeam %s, want the admit's id with the PRT alone", jsonOf(t, cts))
	}
}

// mapValid maps text with MapJSON, checks the bundle (R4 schema, US Core
// rules, references) and returns it decoded with the warnings.
func mapValid(t *testing.T, text string) (*fhir.Bundle, []Warning) {
	t.Helper()
	out, ws, err := mustMapper(t, Options{}).MapJSONWarnings(parse(t, text))
	if err != nil {
		t.Fatal(err)
	}
	validateBundle(t, t.Name(), out)
	r, err := fhir.UnmarshalResource(out)
	if err != nil {
		t.Fatal(err)
	}
	return r.(*fhir.Bundle), ws
}

// careTeamMembers describes the participants of b's CareTeams, or nil
// when it has none.
func careTeamMembers(t *testing.T, b *fhir.Bundle) []string {
	t.Helper()
	var out []string
	cts := all[*fhir.CareTeam](b)
	if len(cts) > 1 {
		t.Errorf("%d CareTeams, want one per patient", len(cts))
	}
	for _, ct := range cts {
		for _, p := range ct.Participant {
			var roles []string
			for _, r := range p.Role {
				roles = append(roles, r.Coding[0].Code)
			}
			var period string
			if p.Period != nil {
				period = p.Period.Start + ".." + p.Period.End
			} else {
				period = ".."
			}
			out = append(out, fmt.Sprintf("%s member=%s for=%s period=%s",
				strings.Join(roles, ","), teamMember(b, p.Member), teamMember(b, p.OnBehalfOf), period))
		}
	}
	return out
}

// teamMember names the resource x resolves to in b, or its display.
func teamMember(b *fhir.Bundle, x *fhir.Reference) string {
	if x == nil {
		return "-"
	}
	switch res := target(b, x).(type) {
	case *fhir.Practitioner:
		return "Practitioner " + res.Identifier[0].Value
	case *fhir.PractitionerRole:
		return "PractitionerRole " + practitionerID(b, x)
	case *fhir.Organization:
		return "Organization " + res.Name
	case nil:
		if x.Reference != "" {
			return "unresolved " + x.Reference
		}
		return "name " + x.Display
	default:
		return fmt.Sprintf("%T", res)
	}
}

// A PRT belongs to the group of the segment before it, as a ROL does,
// and neither starts a group of its own: a ROL after a PRT stays in the
// patient (or visit) group, and a PRT of an observation, allergy or
// procedure group is no member of the patient's CareTeam even when the
// message has no PV1 (an A31 without a visit): its CareTeam would
// replace the stored one.
func TestCareTeam_PRTKeepsTheSegmentGroup(t *testing.T) {
	const obx = "OBX|1|NM|8867-4^Heart rate^LN||72|/min^^UCUM|||||F\n"
	const pv1 = "PV1|1|I|4W^1^A||||||||||||||||V1^^^H^VN\n"
	for _, tc := range []struct {
		name, segs string
		want       []string // CareTeam participants, as careTeamMembers
		warn       string
		visit      int // Encounter participants from ROL
	}{
		{name: "ROL after PRT in the patient group", segs: prtPP + rolFull,
			want: []string{
				"PP member=Practitioner 8101 for=- period=..",
				"AT member=Practitioner 333 for=Organization Main Clinic period=2024-01-01..2024-12-31",
			}},
		{name: "ROL after PRT in the visit group", segs: pv1 + strings.Replace(prtPP, "PP^Primary Care Provider", "AT^Attending", 1) + rolFull,
			warn: "PRT", visit: 1},
		{name: "PRT of an observation, no PV1", segs: obx + strings.Replace(prtPP, "PP^Primary Care Provider", "AP^Administering Provider", 1),
			warn: "PRT"},
		{name: "PRT after an allergy, no PV1", segs: "AL1|1|DA|70618^Penicillin^RXNORM\n" + prtPP, warn: "PRT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, ws := mapValid(t, strings.Replace(ctHead, "ADT^A01", "ADT^A31", 1)+tc.segs)
			if got := careTeamMembers(t, b); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("participants\n got %q\nwant %q", got, tc.want)
			}
			if tc.warn != "" && !hasWarning(ws, tc.warn) {
				t.Errorf("no %s warning in %v", tc.warn, ws)
			}
			visit := 0
			for _, e := range all[*fhir.Encounter](b) {
				for _, p := range e.Participant {
					if p.Individual != nil && p.Individual.Type == "PractitionerRole" {
						visit++
					}
				}
			}
			if visit != tc.visit {
				t.Errorf("%d visit participants from ROL, want %d", visit, tc.visit)
			}
		})
	}
}
