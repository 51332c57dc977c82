package mappings

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
)

const adtHead = "MSH|^~\\&|ADT|HOSP|||20240501103000||ADT^%s|C1|P|2.5.1\nEVN|%s|20240501103000\nPID|1||MRN1^^^HOSP^MR||Doe^Jane||19800101|F\n"

// mapSegs maps an ADT event made of adtHead and segs, validates the bundle
// (R4 schema, references, US Core rules) and returns it with the warnings.
func mapSegs(t *testing.T, trigger, segs string) (*fhir.Bundle, []Warning) {
	t.Helper()
	text := strings.ReplaceAll(adtHead, "%s", trigger) + segs
	m := mustMapper(t, Options{})
	msg := parse(t, text)
	out, err := m.MapJSON(msg)
	if err != nil {
		t.Fatal(err)
	}
	validateBundle(t, trigger, out)
	b, ws, err := m.MapWarnings(msg)
	if err != nil {
		t.Fatal(err)
	}
	return b, ws
}

// all returns the bundle's resources of type T.
func all[T fhir.Resource](b *fhir.Bundle) []T {
	var out []T
	for _, e := range b.Entry {
		if r, ok := e.Resource.(T); ok {
			out = append(out, r)
		}
	}
	return out
}

func hasWarning(ws []Warning, field string) bool {
	for _, w := range ws {
		if w.Field == field {
			return true
		}
	}
	return false
}

func firstCode(cc *fhir.CodeableConcept) string {
	if cc == nil || len(cc.Coding) == 0 {
		return ""
	}
	return cc.Coding[0].System + "|" + cc.Coding[0].Code
}

func TestNK1(t *testing.T) {
	for _, tc := range []struct {
		name, nk1    string
		contacts     int
		related      int
		relationship string
	}{
		{"mother", "NK1|1|Doe^Mary|MTH^Mother^HL70063|1 Main St^^Town^MI^12345|^PRN^PH^^1^555^5551234|^WPN^PH^^1^555^5559999|N^Next-of-Kin^HL70131||||||||F", 1, 1, sysRoleCode + "|MTH"},
		{"employer is a contact only", "NK1|1|^^^^^^^^^^^^|EMR^Employer^HL70063|||^WPN^PH^^1^555^5550000|||||||Acme Corp", 1, 0, sysV2Prefix + "0131|E"},
		{"nothing to contact", "NK1|1||SPO", 0, 0, ""},
		{"unknown code kept as sent", "NK1|1|Doe^Sam|XYZ^Cousin-ish", 1, 1, sysV2Prefix + "0063|XYZ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := mapSegs(t, "A01", tc.nk1+"\n")
			p := all[*fhir.Patient](b)[0]
			rps := all[*fhir.RelatedPerson](b)
			if len(p.Contact) != tc.contacts || len(rps) != tc.related {
				t.Fatalf("%d contacts, %d related persons; want %d, %d", len(p.Contact), len(rps), tc.contacts, tc.related)
			}
			if tc.contacts > 0 {
				if got := firstCode(&p.Contact[0].Relationship[0]); got != tc.relationship {
					t.Errorf("contact relationship %s, want %s", got, tc.relationship)
				}
			}
			if tc.related > 0 {
				rp := rps[0]
				if rp.Patient.Reference != b.Entry[0].FullURL || firstCode(&rp.Relationship[0]) != tc.relationship {
					t.Errorf("related person %s", jsonOf(t, rp))
				}
			}
		})
	}
	// The mother: telecom home then work, the contact role second, gender.
	b, _ := mapSegs(t, "A01", "NK1|1|Doe^Mary|MTH^Mother^HL70063|1 Main St^^Town^MI^12345|^PRN^PH^^1^555^5551234|^WPN^PH^^1^555^5559999|N^Next-of-Kin^HL70131||||||||F\n")
	rp := all[*fhir.RelatedPerson](b)[0]
	if len(rp.Telecom) != 2 || rp.Telecom[1].Use != "work" || rp.Gender != "female" || len(rp.Relationship) != 2 ||
		firstCode(&rp.Relationship[1]) != sysV2Prefix+"0131|N" || rp.Address[0].City != "Town" {
		t.Errorf("related person %s", jsonOf(t, rp))
	}
	// The same person in another position (or another message) keeps its id.
	b2, _ := mapSegs(t, "A08", "NK1|1|Roe^Tom|BRO\nNK1|2|Doe^Mary|MTH^Mother^HL70063\n")
	if got := all[*fhir.RelatedPerson](b2)[1].ID; got != rp.ID {
		t.Errorf("RelatedPerson id %s in the A08, %s in the A01", got, rp.ID)
	}
}

func TestAL1(t *testing.T) {
	for _, tc := range []struct {
		name, al1             string
		category, criticality string
		reactions, manifests  int
		severity              string
	}{
		{"drug severe", "AL1|1|DA^Drug allergy^HL70127|70618^Penicillin^RXNORM|SV", "medication", "high", 0, 0, ""},
		{"food moderate with reactions", "AL1|1|FA|^Peanut|MO|Hives~Wheezing|20200101", "food", "", 1, 2, "moderate"},
		{"animal mild", "AL1|1|AA|^Cat dander|MI|Sneeze", "biologic", "low", 1, 1, "mild"},
		{"miscellaneous", "AL1|1|MA|^Latex", "", "", 0, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := mapSegs(t, "A01", tc.al1+"\n")
			ais := all[*fhir.AllergyIntolerance](b)
			if len(ais) != 1 {
				t.Fatalf("%d allergies", len(ais))
			}
			ai := ais[0]
			cat := strings.Join(ai.Category, ",")
			if cat != tc.category || ai.Criticality != tc.criticality || len(ai.Reaction) != tc.reactions {
				t.Errorf("category %q criticality %q reactions %d: %s", cat, ai.Criticality, len(ai.Reaction), jsonOf(t, ai))
			}
			if tc.reactions > 0 && (len(ai.Reaction[0].Manifestation) != tc.manifests || ai.Reaction[0].Severity != tc.severity) {
				t.Errorf("reaction %s", jsonOf(t, ai.Reaction))
			}
			if firstCode(ai.VerificationStatus) != sysAllergyVerification+"|unconfirmed" || ai.Patient.Reference != b.Entry[0].FullURL {
				t.Errorf("allergy %s", jsonOf(t, ai))
			}
		})
	}
	b, ws := mapSegs(t, "A01", "AL1|1|DA||SV\nAL1|2|FA|^Egg|MO\n")
	if n := len(all[*fhir.AllergyIntolerance](b)); n != 1 || !hasWarning(ws, "AL1-3") || !hasWarning(ws, "AL1[2]-4") {
		t.Errorf("%d allergies, warnings %v", n, ws)
	}
	if ai := all[*fhir.AllergyIntolerance](b)[0]; ai.OnsetDateTime != nil || ai.Criticality != "" {
		t.Errorf("egg %s", jsonOf(t, ai))
	}
}

func TestDG1(t *testing.T) {
	pv1 := "PV1|1|I|||||||||||||||||V1^^^HOSP^VN\n"
	b, _ := mapSegs(t, "A01", pv1+
		"DG1|1||J18.9^Pneumonia^I10|||A|||||||||1\n"+
		"DG1|2||J18.9^Pneumonia^I10|||F\n"+
		"DG1|3||E11^Diabetes^I10|||W|||||||||||||||D\n"+
		"DG1|4|||Chest pain|20240430|CC\n")
	conds := all[*fhir.Condition](b)
	enc := all[*fhir.Encounter](b)[0]
	if len(conds) != 3 || len(enc.Diagnosis) != 4 {
		t.Fatalf("%d conditions, %d diagnoses: %s", len(conds), len(enc.Diagnosis), jsonOf(t, enc.Diagnosis))
	}
	pneu, dm, pain := conds[0], conds[1], conds[2]
	if firstCode(pneu.Code) != "http://hl7.org/fhir/sid/icd-10|J18.9" || firstCode(pneu.VerificationStatus) != sysConditionVerification+"|provisional" ||
		pneu.Encounter.Reference != b.Entry[1].FullURL || firstCode(pneu.ClinicalStatus) != sysConditionClinical+"|active" {
		t.Errorf("pneumonia %s", jsonOf(t, pneu))
	}
	if firstCode(dm.VerificationStatus) != sysConditionVerification+"|entered-in-error" || dm.ClinicalStatus != nil {
		t.Errorf("deleted diagnosis %s", jsonOf(t, dm))
	}
	if pain.Code.Text != "Chest pain" || pain.OnsetDateTime == nil || *pain.OnsetDateTime != "2024-04-30" {
		t.Errorf("chest pain %s", jsonOf(t, pain))
	}
	d := enc.Diagnosis
	if firstCode(d[0].Use) != sysDiagnosisRole+"|AD" || d[0].Rank != 1 || firstCode(d[1].Use) != sysV2Prefix+"0052|F" ||
		d[0].Condition.Reference != d[1].Condition.Reference || d[2].Condition.Reference == d[0].Condition.Reference {
		t.Errorf("diagnoses %s", jsonOf(t, d))
	}
	_, ws := mapSegs(t, "A01", pv1+"DG1|1\n")
	if !hasWarning(ws, "DG1-3") {
		t.Errorf("empty DG1: warnings %v", ws)
	}
}

func TestPR1(t *testing.T) {
	b, ws := mapSegs(t, "A03", "PR1|1||47.0^Appendectomy^I9C||20240501101500|P|45|111^Gas^Ann^^^^^^HOSP|||222^Cut^Sam^^^^^^HOSP|333^Help^Bo^^^^^^HOSP\n"+
		"PR1|2||||20240501\nPR1|3||99.9^Other^I9C\n")
	ps := all[*fhir.Procedure](b)
	if len(ps) != 2 || !hasWarning(ws, "PR1[2]-3") {
		t.Fatalf("%d procedures, warnings %v", len(ps), ws)
	}
	appy, other := ps[0], ps[1]
	if appy.Status != "completed" || appy.PerformedPeriod == nil || appy.PerformedPeriod.Start != "2024-05-01T10:15:00Z" ||
		appy.PerformedPeriod.End != "2024-05-01T11:00:00Z" || len(appy.Performer) != 3 ||
		firstCode(appy.Performer[0].Function) != sysSNOMED+"|88189002" || firstCode(appy.Performer[1].Function) != sysSNOMED+"|304292004" ||
		appy.Performer[2].Function != nil || firstCode(appy.Category) != sysV2Prefix+"0230|P" {
		t.Errorf("appendectomy %s", jsonOf(t, appy))
	}
	if other.Status != "unknown" || other.PerformedDateTime != nil || other.PerformedPeriod != nil {
		t.Errorf("undated procedure %s", jsonOf(t, other))
	}
}

func TestIN1(t *testing.T) {
	for _, tc := range []struct {
		name, in1                  string
		payor, subscriber, relCode string
		orgs, related              int
		warn                       bool
	}{
		{"self with company id", "IN1|1|PLAN1^Gold Plan|AETNA01^^^NAIC|Aetna|1 Ins Way^^Hartford^CT|||GRP9|Group Nine|||20240101|20241231|||Doe^Jane|SEL|||||1||||||||||||||POL123",
			"org", "patient", "self", 1, 0, false},
		{"child on mother's policy", "IN1|1|||||||||||||||Doe^Mary|MTH|19600101", "absent", "related", "child", 0, 1, true},
		{"name only", "IN1|1|||BlueCross|||||||||||||", "display", "patient", "", 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, ws := mapSegs(t, "A01", tc.in1+"\n")
			covs := all[*fhir.Coverage](b)
			if len(covs) != 1 {
				t.Fatalf("%d coverages", len(covs))
			}
			c := covs[0]
			payor := "display"
			switch {
			case c.Payor[0].Reference != "":
				payor = "org"
			case c.Payor[0].Display == "":
				payor = "absent"
			}
			sub := "related"
			if c.Subscriber != nil && c.Subscriber.Reference == b.Entry[0].FullURL {
				sub = "patient"
			}
			rel := ""
			if c.Relationship != nil {
				rel = c.Relationship.Coding[0].Code
			}
			if payor != tc.payor || sub != tc.subscriber || rel != tc.relCode || hasWarning(ws, "IN1-3") != tc.warn ||
				len(all[*fhir.Organization](b)) != tc.orgs || len(all[*fhir.RelatedPerson](b)) != tc.related {
				t.Errorf("payor %s subscriber %s relationship %q warnings %v: %s", payor, sub, rel, ws, jsonOf(t, c))
			}
		})
	}
	b, _ := mapSegs(t, "A01", "IN1|1|PLAN1^Gold Plan|AETNA01^^^NAIC|Aetna|1 Ins Way^^Hartford^CT|||GRP9|Group Nine|||20240101|20241231|||Doe^Jane|SEL|||||1||||||||||||||POL123\n")
	c := all[*fhir.Coverage](b)[0]
	if c.SubscriberID != "POL123" || c.Period.Start != "2024-01-01" || c.Period.End != "2024-12-31" || c.Class[0].Value != "GRP9" ||
		c.Class[0].Name != "Group Nine" || *c.Order != 1 || c.Identifier[0].Value != "PLAN1" || all[*fhir.Organization](b)[0].Name != "Aetna" {
		t.Errorf("coverage %s", jsonOf(t, c))
	}
}

func TestPD1(t *testing.T) {
	b, _ := mapSegs(t, "A01", "PD1|||Clinic^^C1^^^HOSP|D1^Well^Gp^^^^^^HOSP~^Named^Only\n")
	p := all[*fhir.Patient](b)[0]
	if len(p.GeneralPractitioner) != 3 || p.GeneralPractitioner[0].Reference == "" || p.GeneralPractitioner[2].Display != "Only Named" {
		t.Errorf("generalPractitioner %s", jsonOf(t, p.GeneralPractitioner))
	}
	if len(all[*fhir.Practitioner](b)) != 1 || len(all[*fhir.Organization](b)) != 1 {
		t.Errorf("bundle %s", jsonOf(t, b))
	}
}

func TestPV1PV2Depth(t *testing.T) {
	for _, tc := range []struct {
		name, segs, typ string
	}{
		{"admission type", "PV1|1|I||U", sysV2Prefix + "0007|U"},
		{"patient type", "PV1|1|O||||||||||||||||SDS^Same day", sysV2Prefix + "0018|SDS"},
		{"default from the class", "PV1|1|E", "text:emergency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := mapSegs(t, "A01", tc.segs+"\n")
			e := all[*fhir.Encounter](b)[0]
			got := firstCode(&e.Type[0])
			if got == "" {
				got = "text:" + e.Type[0].Text
			}
			if got != tc.typ {
				t.Errorf("type %s, want %s", got, tc.typ)
			}
		})
	}
	b, _ := mapSegs(t, "A01", "PV1|1|I|W1^1^A||||||||||||A2||||V9^^^HOSP^VN|||||||||||||||||||||||PEND^2^B\n"+
		"PV2|PRIOR^3^C||^Chest pain||||||20240510||4||||||||||||||1|||||||||||||A\n")
	e := all[*fhir.Encounter](b)[0]
	var statuses []string
	for _, l := range e.Location {
		statuses = append(statuses, l.Status)
	}
	if strings.Join(statuses, ",") != "active,reserved,planned" {
		t.Errorf("location statuses %v", statuses)
	}
	if firstCode(e.Priority) != sysActPriority+"|EM" || e.ReasonCode[0].Text != "Chest pain" || e.Length == nil || e.Length.Value != "4" ||
		len(e.Extension) != 2 || e.Extension[0].URL != extPlannedEnd || e.Extension[1].ValueCoding.Code != "A" ||
		e.Hospitalization == nil || len(e.Hospitalization.SpecialArrangement) != 1 {
		t.Errorf("encounter %s", jsonOf(t, e))
	}
	// EVN-6 dates an admit whose PV1-44 is empty, and never overrides it.
	text := "MSH|^~\\&|A|H|||20240501||ADT^A01|1|P|2.5\nEVN|A01|20240501103000||||20240501100000\nPID|1||M1^^^H\nPV1|1|I|||||||||||||||||V1^^^H\n"
	b, _ = mustMapper(t, Options{}).Map(parse(t, text))
	if e := all[*fhir.Encounter](b)[0]; e.Period == nil || e.Period.Start != "2024-05-01T10:00:00Z" {
		t.Errorf("EVN-6 not used: %s", jsonOf(t, e.Period))
	}
	b, _ = mustMapper(t, Options{}).Map(parse(t, strings.Replace(text, "V1^^^H\n", "V1^^^H|||||||||||||||||||||||||20240501090000\n", 1)))
	if e := all[*fhir.Encounter](b)[0]; e.Period.Start != "2024-05-01T09:00:00Z" {
		t.Errorf("EVN-6 overrode PV1-44: %s", jsonOf(t, e.Period))
	}
}

func TestA40(t *testing.T) {
	text := "MSH|^~\\&|A|H|||20240501||ADT^A40^ADT_A39|1|P|2.5\nEVN|A40|20240501\n" +
		"PID|1||NEW1^^^H^MR||Doe^Jane\nMRG|OLD1^^^H^MR~OLD1B^^^H^PI||||||Doe^J\n" +
		"PID|1||NEW2^^^H^MR\nMRG|\n" +
		"PID|1||NEW3^^^H^MR\nMRG|NEW3^^^H^MR\n"
	m := mustMapper(t, Options{})
	msg := parse(t, text)
	out, err := m.MapJSON(msg)
	if err != nil {
		t.Fatal(err)
	}
	validateBundle(t, "A40", out)
	b, ws, _ := m.MapWarnings(msg)
	ps := all[*fhir.Patient](b)
	if len(ps) != 4 || !hasWarning(ws, "MRG[2]-1") || !hasWarning(ws, "MRG[3]-1") {
		t.Fatalf("%d patients, warnings %v", len(ps), ws)
	}
	survivor, old := ps[0], ps[1]
	// The old Patient has the id its PID-3 gave it in earlier messages.
	earlier, _ := m.Map(parse(t, "MSH|^~\\&|A|H|||20240101||ADT^A01|0|P|2.5\nPID|1||OLD1^^^H^MR"))
	if old.ID != all[*fhir.Patient](earlier)[0].ID {
		t.Errorf("old patient id %s, earlier %s", old.ID, all[*fhir.Patient](earlier)[0].ID)
	}
	if old.Active == nil || *old.Active || len(old.Link) != 1 || old.Link[0].Type != "replaced-by" ||
		old.Link[0].Other.Reference != b.Entry[0].FullURL || len(old.Identifier) != 2 || old.Identifier[0].Use != "old" ||
		old.Identifier[1].Use != "old" || old.Name[0].Family != "Doe" {
		t.Errorf("old patient %s", jsonOf(t, old))
	}
	if len(survivor.Link) != 1 || survivor.Link[0].Type != "replaces" || survivor.Link[0].Other.Reference != b.Entry[1].FullURL ||
		len(survivor.Identifier) != 3 || survivor.Identifier[0].Use != "" || survivor.Identifier[1].Value != "OLD1" {
		t.Errorf("survivor %s", jsonOf(t, survivor))
	}
	if ps[2].Link != nil || ps[3].Link != nil {
		t.Errorf("skipped merges linked: %s", jsonOf(t, ps[2:]))
	}
}

// TestA40_AgreesWithMSConverter compares the merge samples with the output
// the MS FHIR-Converter publishes for them, field by field where the two
// agree. Where they differ, on purpose:
//   - MS emits a Linkage (source, historical) and no Patient; we emit the
//     two Patients with Patient.link (replaces / replaced-by), active false
//     on the old one, as FHIR's patient merge defines, and the survivor's
//     demographics from the PID;
//   - identifier systems: MS makes http://example.com/... from CX.4; we use
//     Options.IdentifierSystems, else urn:switchboard:...:aa:<CX.4>;
//   - MS writes EVN into two Provenances (EVN-2 recorded, EVN-4 reason,
//     EVN-5 operator); we emit no Provenance in this cut (doc.go);
//   - MS makes Organizations of MSH-4/MSH-6; we keep them display-only
//     (messages.go).
//
// What agrees: per PID/MRG pair, the surviving identifier (value, type MR)
// and the historical one (value, type MR).
func TestA40_AgreesWithMSConverter(t *testing.T) {
	for _, name := range []string{"adt_a40_msfhirconverter_1", "adt_a40_msfhirconverter_2"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile("../testdata/" + name + ".expected.json")
			if err != nil {
				t.Fatal(err)
			}
			var exp struct {
				Entry []struct {
					Resource struct {
						ResourceType string
						Item         []struct {
							Type     string
							Resource struct{ Identifier fhir.Identifier }
						}
					}
				}
			}
			if err := json.Unmarshal(data, &exp); err != nil {
				t.Fatal(err)
			}
			type pair struct{ survivor, old string }
			var want []pair
			for _, e := range exp.Entry {
				if e.Resource.ResourceType != "Linkage" {
					continue
				}
				for i := 0; i+1 < len(e.Resource.Item); i += 2 {
					s, h := e.Resource.Item[i], e.Resource.Item[i+1]
					if s.Type != "source" || h.Type != "historical" || s.Resource.Identifier.Type.Coding[0].Code != "MR" {
						t.Fatalf("unexpected Linkage items %+v", e.Resource.Item)
					}
					want = append(want, pair{s.Resource.Identifier.Value, h.Resource.Identifier.Value})
				}
			}
			raw, err := os.ReadFile("../testdata/" + name + ".hl7")
			if err != nil {
				t.Fatal(err)
			}
			b, err := mustMapper(t, Options{}).Map(parse(t, string(raw)))
			if err != nil {
				t.Fatal(err)
			}
			byURL := map[string]*fhir.Patient{}
			for _, e := range b.Entry {
				if p, ok := e.Resource.(*fhir.Patient); ok {
					byURL[e.FullURL] = p
				}
			}
			var got []pair
			for _, p := range all[*fhir.Patient](b) {
				for _, l := range p.Link {
					if l.Type != "replaces" {
						continue
					}
					old := byURL[l.Other.Reference]
					if p.Identifier[0].Type.Coding[0].Code != "MR" || old == nil || old.Identifier[0].Type.Coding[0].Code != "MR" {
						t.Fatalf("survivor %s, old %s", jsonOf(t, p), jsonOf(t, old))
					}
					got = append(got, pair{p.Identifier[0].Value, old.Identifier[0].Value})
				}
			}
			if len(want) == 0 || len(got) != len(want) {
				t.Fatalf("pairs %v, MS %v", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("pair %d: %v, MS %v", i, got[i], want[i])
				}
			}
		})
	}
}

// TestUpdates_FullReplace holds the update semantics doc.go decides: every
// entry is a PUT of the whole resource as the message gives it, so an
// explicit null ("") and an empty field both leave the element out (the
// PUT deletes it downstream), and a field present in the A01 but left
// empty in a later A08 is not carried over.
// Updates: an omitted field keeps what the previous message of the patient
// set, "" deletes it, and without a previous version the message maps as
// a snapshot (previous.go).
func TestUpdates_OmittedKeepsNullDeletes(t *testing.T) {
	const a01 = "MSH|^~\\&|A|H|||20240501||ADT^A01|1|P|2.5\nPID|1||M1^^^H^MR||Doe^Jane||19800101|F|||1 Main St^^Town||555-1234|||M\nNK1|1|Doe^John|SPO\nPV1|1|I|4W^1^A|E||||1234^WELBY^MARCUS|||||||||||V1^^^H|||||||||||||||||||||||||20240501080000\n"
	m := mustMapper(t, Options{})
	mapWith := func(text string, prev map[string]fhir.Resource) (*fhir.Patient, *fhir.Encounter, map[string]fhir.Resource) {
		t.Helper()
		b, mapped := mapUpdate(t, m, text, prev)
		return all[*fhir.Patient](b)[0], all[*fhir.Encounter](b)[0], mapped
	}
	full, _, state := mapWith(a01, nil)
	if full.Gender == "" || full.Address == nil || full.Telecom == nil || full.MaritalStatus == nil || full.Contact == nil {
		t.Fatalf("A01 patient %s", jsonOf(t, full))
	}
	nulls := strings.NewReplacer("ADT^A01", "ADT^A08", "|F|||1 Main St^^Town||555-1234|||M", `|""|||""||""|||""`, "NK1|1|Doe^John|SPO\n", "").Replace(a01)
	empties := strings.NewReplacer("ADT^A01", "ADT^A08", "|F|||1 Main St^^Town||555-1234|||M", "||||||||", "NK1|1|Doe^John|SPO\n", "").Replace(a01)

	kept, _, _ := mapWith(empties, state)
	if kept.ID != full.ID || kept.Gender != "female" || kept.Address == nil || kept.Telecom == nil || kept.MaritalStatus == nil {
		t.Errorf("an A08 that omits fields wiped them: %s", jsonOf(t, kept))
	}
	deleted, _, _ := mapWith(nulls, state)
	if deleted.Gender != "" || deleted.Address != nil || deleted.Telecom != nil || deleted.MaritalStatus != nil || deleted.Name == nil {
		t.Errorf(`an A08 with "" kept the values: %s`, jsonOf(t, deleted))
	}
	// Without a previous version: a snapshot, "" and empty alike.
	snapN, _, _ := mapWith(nulls, nil)
	snapE, _, _ := mapWith(empties, nil)
	if jsonOf(t, snapN) != jsonOf(t, snapE) || snapE.Telecom != nil {
		t.Errorf("snapshots differ:\n%s\n%s", jsonOf(t, snapN), jsonOf(t, snapE))
	}

	// The discharge (A03) sends the end time and no attending doctor: the
	// Encounter keeps its start, doctor, location and type.
	a03 := strings.NewReplacer("ADT^A01", "ADT^A03", "|1234^WELBY^MARCUS|", "||", "|4W^1^A|E|", "|||", "20240501080000\n", "|20240503120000\n").Replace(a01)
	_, enc, _ := mapWith(a03, state)
	if enc.Period == nil || enc.Period.Start == "" || enc.Period.End == "" || len(enc.Participant) == 0 || len(enc.Location) == 0 || enc.Status != "finished" {
		t.Errorf("A03 encounter lost what the A01 set: %s", jsonOf(t, enc))
	}
	if len(enc.Type) == 0 || enc.Type[0].Text == "inpatient encounter" {
		t.Errorf("A03 encounter type %s: want the A01's admission type, not the default", jsonOf(t, enc.Type))
	}
}

// PR1-25 names the parent procedure: by its fullUrl when the message maps
// it, else by identifier.
func TestPR1_PartOf(t *testing.T) {
	b, _ := mapSegs(t, "A03", "PR1|1||47.0^Appendectomy^I9C||20240501101500||||||||||||||P100^^H\n"+
		"PR1|2||99.9^Other^I9C||20240501||||||||||||||P101^^H||||||P100^^H\n"+
		"PR1|3||99.8^More^I9C||20240501||||||||||||||P102^^H||||||P999^^H\n")
	procs := all[*fhir.Procedure](b)
	if len(procs) != 3 || procs[0].PartOf != nil {
		t.Fatalf("procedures %s", jsonOf(t, procs))
	}
	if p := procs[1].PartOf; len(p) != 1 || p[0].Reference != "urn:uuid:"+procs[0].ID {
		t.Errorf("child of P100: partOf %s, want the bundle's P100", jsonOf(t, p))
	}
	if p := procs[2].PartOf; len(p) != 1 || p[0].Reference != "" || p[0].Identifier == nil || p[0].Identifier.Value != "P999" || p[0].Type != "Procedure" {
		t.Errorf("child of P999: partOf %s, want a logical reference", jsonOf(t, p))
	}
}

// A parent PR1 the map skips (no code, no description) makes no
// Procedure: its child refers to it by identifier, not by a fullUrl that
// resolves to nothing in the bundle (the transaction would fail).
func TestPR1_PartOfSkippedParent(t *testing.T) {
	b, ws := mapSegs(t, "A03", "PR1|1||||20240501||||||||||||||P100^^H\n"+
		"PR1|2||99.9^Other^I9C||20240501||||||||||||||P101^^H||||||P100^^H\n")
	procs := all[*fhir.Procedure](b)
	if len(procs) != 1 || !hasWarning(ws, "PR1-3") {
		t.Fatalf("procedures %s, warnings %v: want the child only", jsonOf(t, procs), ws)
	}
	if p := procs[0].PartOf; len(p) != 1 || p[0].Reference != "" || p[0].Identifier == nil || p[0].Identifier.Value != "P100" {
		t.Errorf("child of the skipped P100: partOf %s, want a logical reference", jsonOf(t, p))
	}
}

// An identifier field that holds "" stops the previous identifiers from
// accumulating (previous.go): an A08 that deletes the SSN (PID-19 "")
// publishes a Patient without it, though PID-3 is sent as always.
func TestUpdates_NullIdentifierFieldDeletesIt(t *testing.T) {
	const a01 = "MSH|^~\\&|A|H|||20240501||ADT^A01|1|P|2.5\nPID|1||M1^^^H^MR||Doe^Jane||19800101|F|||||||||||123-45-6789\n"
	m := mustMapper(t, Options{})
	b, state := mapUpdate(t, m, a01, nil)
	if ids := all[*fhir.Patient](b)[0].Identifier; len(ids) != 2 {
		t.Fatalf("A01 identifiers %s, want the MRN and the SSN", jsonOf(t, ids))
	}
	a08 := strings.NewReplacer("ADT^A01", "ADT^A08", "123-45-6789", `""`).Replace(a01)
	b, _ = mapUpdate(t, m, a08, state)
	if ids := all[*fhir.Patient](b)[0].Identifier; len(ids) != 1 || ids[0].Value != "M1" {
		t.Errorf(`A08 with PID-19 "": identifiers %s, want the MRN only`, jsonOf(t, ids))
	}
}

// "" in PID-19 deletes the SSN only: the other identifiers earlier
// messages gave still accumulate.
func TestUpdates_NullSSNKeepsTheOtherIdentifiers(t *testing.T) {
	const a01 = "MSH|^~\\&|A|H|||20240501||ADT^A01|1|P|2.5\nPID|1||M1^^^H^MR~X9^^^OTHER^PI||Doe^Jane||19800101|F|||||||||||123-45-6789\n"
	m := mustMapper(t, Options{})
	_, state := mapUpdate(t, m, a01, nil)
	a08 := strings.NewReplacer("ADT^A01", "ADT^A08", "M1^^^H^MR~X9^^^OTHER^PI", "M1^^^H^MR", "123-45-6789", `""`).Replace(a01)
	b, _ := mapUpdate(t, m, a08, state)
	var values []string
	for _, id := range all[*fhir.Patient](b)[0].Identifier {
		values = append(values, id.Value)
	}
	if got := strings.Join(values, ","); got != "M1,X9" {
		t.Errorf(`A08 with PID-19 "": identifiers %s, want M1 and the carried X9, no SSN`, got)
	}
}

// PD1-7 (living will) is an Observation of the patient (IG
// PD1[Observation-LivingWill]), one per patient; "" cannot delete it and
// says so; a PD1 without PD1-7 makes none.
func TestPD1_LivingWill(t *testing.T) {
	b, _ := mapSegs(t, "A01", "PD1|||||||F^Yes, patient has a living will but it is not on file^HL70315\n")
	obs := all[*fhir.Observation](b)
	if len(obs) != 1 {
		t.Fatalf("%d observations", len(obs))
	}
	o, pat := obs[0], all[*fhir.Patient](b)[0]
	want := `{"resourceType":"Observation","id":"` + o.ID + `","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"75320-2","display":"Advance directive"}]},"subject":{"reference":"` + url(b, pat) + `"},"valueCodeableConcept":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0315","code":"F","display":"Yes, patient has a living will but it is not on file"}]}}`
	if got := jsonOf(t, o); got != want {
		t.Errorf("living will\n got %s\nwant %s", got, want)
	}
	again, _ := mapSegs(t, "A08", "PD1|||||||N^No^HL70315\n")
	if o2 := all[*fhir.Observation](again); len(o2) != 1 || o2[0].ID != o.ID || o2[0].ValueCodeableConcept.Coding[0].Code != "N" {
		t.Errorf("the patient's next living will %s", jsonOf(t, o2))
	}
	for _, pd1 := range []string{"PD1|||||||\"\"\n", "PD1||||||W\n"} {
		b, ws := mapSegs(t, "A08", pd1)
		if o := all[*fhir.Observation](b); len(o) != 0 {
			t.Errorf("%q: observations %s", pd1, jsonOf(t, o))
		}
		if deleted := strings.Contains(pd1, `""`); deleted != hasWarning(ws, "PD1-7") {
			t.Errorf("%q: warnings %v", pd1, ws)
		}
	}
}

// The IG's PD1[Observation-LivingWill] map assigns the Observation's code
// itself (code.coding.system "http://loinc.org", code.coding.code
// "75320-2"): a receiver searching Observation?code=75320-2 must find it.
func TestPD1_LivingWillCodeIsTheIGs(t *testing.T) {
	b, _ := mapSegs(t, "A01", "PD1|||||||Y^Yes^HL70315\n")
	obs := all[*fhir.Observation](b)
	if len(obs) != 1 {
		t.Fatalf("%d observations", len(obs))
	}
	if c := obs[0].Code; c == nil || len(c.Coding) != 1 || c.Coding[0].System != "http://loinc.org" || c.Coding[0].Code != "75320-2" {
		t.Errorf("living will code %s, want the IG's LOINC 75320-2", jsonOf(t, obs[0].Code))
	}
}

// The ADT events of mapADT carry one patient. A second PID (a sender
// concatenating two events, a broken batch) starts another patient's
// segments: none of them may land on the first patient (a living will, an
// allergy of someone else), and the warning says they were left out.
func TestADT_SecondPIDMapsNothingOntoTheFirst(t *testing.T) {
	b, ws := mapSegs(t, "A01", "PV1|1|I|4W^401^B^HOSP||||||||||||||||V1^^^HOSP^VN\n"+
		"PID|2||MRN2^^^HOSP^MR||Roe^Rick\nPD1|||||||Y^Yes^HL70315\nAL1|1|DA|PCN^Penicillin\n"+
		"PV1|1|O|CLINIC^^^HOSP||||||||||||||||V2^^^HOSP^VN\n")
	if o := all[*fhir.Observation](b); len(o) != 0 {
		t.Errorf("the second patient's living will on the first: %s", jsonOf(t, o))
	}
	if a := all[*fhir.AllergyIntolerance](b); len(a) != 0 {
		t.Errorf("the second patient's allergy on the first: %s", jsonOf(t, a))
	}
	if p, e := all[*fhir.Patient](b), all[*fhir.Encounter](b); len(p) != 1 || len(e) != 1 || p[0].Name[0].Family != "Doe" {
		t.Errorf("patients %s encounters %d", jsonOf(t, p), len(e))
	}
	if !hasWarning(ws, "PID[2]") {
		t.Errorf("warnings %v, want one for PID[2]", ws)
	}
}

// The living will joins the Bundle after the OBX Observations, so that a
// field rule's Observation[0] is the first OBX with or without PD1-7.
func TestPD1_LivingWillComesAfterTheOBX(t *testing.T) {
	b, _ := mapSegs(t, "A01", "PD1|||||||Y^Yes^HL70315\nPV1|1|I\nOBX|1|NM|8302-2^Height^LN||180|cm^^UCUM|||||F\n")
	obs := all[*fhir.Observation](b)
	if len(obs) != 2 || firstCode(obs[0].Code) != "http://loinc.org|8302-2" || firstCode(obs[1].Code) != "http://loinc.org|75320-2" {
		t.Errorf("observations in order %s", jsonOf(t, obs))
	}
}
