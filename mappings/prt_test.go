package mappings

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/fhir"
)

// target returns the bundle's resource a reference points at, or nil.
func target(b *fhir.Bundle, x *fhir.Reference) fhir.Resource {
	for _, e := range b.Entry {
		if x != nil && e.FullURL == x.Reference {
			return e.Resource
		}
	}
	return nil
}

// practitionerID is the identifier value of the Practitioner x points at,
// directly or through a PractitionerRole, or "".
func practitionerID(b *fhir.Bundle, x *fhir.Reference) string {
	res := target(b, x)
	if role, ok := res.(*fhir.PractitionerRole); ok {
		res = target(b, role.Practitioner)
	}
	if p, ok := res.(*fhir.Practitioner); ok && len(p.Identifier) > 0 {
		return p.Identifier[0].Value
	}
	return ""
}

func TestFieldGolden_Participation(t *testing.T) {
	m := mustMapper(t, Options{Namespace: "golden", Location: time.FixedZone("UTC-5", -5*3600)})
	types := append([]string{"Patient", "CareTeam", "Practitioner", "PractitionerRole", "Organization", "Location", "Device"}, oruTypes...)
	for _, name := range []string{"synthetic/oru_r01_prt", "synthetic/adt_a01_prt"} {
		t.Run(name, func(t *testing.T) { checkFieldGolden(t, m, name, types) })
	}
}

// TestPRT_ORU follows each PRT of oru_r01_prt to the element its group
// and role give it, and the ones left out to their warnings.
func TestPRT_ORU(t *testing.T) {
	m := mustMapper(t, Options{Location: time.FixedZone("UTC-5", -5*3600)})
	b, ws, err := m.MapWarnings(parseSample(t, "synthetic/oru_r01_prt", nil))
	if err != nil {
		t.Fatal(err)
	}
	pat := all[*fhir.Patient](b)[0]
	if len(pat.GeneralPractitioner) != 1 {
		t.Fatalf("generalPractitioner %s", jsonOf(t, pat.GeneralPractitioner))
	}
	gp, ok := target(b, &pat.GeneralPractitioner[0]).(*fhir.PractitionerRole)
	if !ok || firstCode(&gp.Code[0]) != sysV2Prefix+"0912|PP" || len(gp.Location) != 1 || len(gp.Telecom) != 1 {
		t.Errorf("PP with a location: want a PractitionerRole with code, location and telecom, got %s", jsonOf(t, gp))
	}
	if p, _ := target(b, gp.Practitioner).(*fhir.Practitioner); p == nil || len(p.Address) != 1 || p.Address[0].City != "Springfield" {
		t.Errorf("PRT-14 should be the practitioner's address: %s", jsonOf(t, p))
	}

	sr := all[*fhir.ServiceRequest](b)[0]
	req, _ := target(b, sr.Requester).(*fhir.PractitionerRole)
	if req == nil || practitionerID(b, sr.Requester) != "8002" || target(b, req.Organization) == nil {
		t.Errorf("requester %s: want the ORC's OP as a PractitionerRole with its organization (not the deleted PRT)", jsonOf(t, sr.Requester))
	}
	dr := all[*fhir.DiagnosticReport](b)[0]
	if len(dr.ResultsInterpreter) != 1 || practitionerID(b, &dr.ResultsInterpreter[0]) != "8003" {
		t.Errorf("resultsInterpreter %s, want PRI 8003", jsonOf(t, dr.ResultsInterpreter))
	}
	if len(dr.Performer) != 1 || practitionerID(b, &dr.Performer[0]) != "8004" {
		t.Errorf("performer %s, want TN 8004", jsonOf(t, dr.Performer))
	}
	sp := all[*fhir.Specimen](b)[0]
	if sp.Collection == nil || practitionerID(b, sp.Collection.Collector) != "8005" {
		t.Errorf("specimen collection %s, want SC 8005 as collector", jsonOf(t, sp.Collection))
	}
	for _, p := range all[*fhir.Practitioner](b) {
		if id := p.Identifier[0].Value; id == "8006" || id == "8007" {
			t.Errorf("Practitioner %s from an unmapped (RCT) or deleted PRT", id)
		}
	}

	obs := all[*fhir.Observation](b)[0]
	if len(obs.Performer) != 1 || practitionerID(b, &obs.Performer[0]) != "8004" {
		t.Errorf("observation performer %s, want RO 8004", jsonOf(t, obs.Performer))
	}
	dev, _ := target(b, obs.Device).(*fhir.Device)
	if dev == nil || dev.Identifier[0].Value != "SYNANALYZER-7" || dev.LotNumber != "LOT42" || dev.SerialNumber != "SN-0042" ||
		len(dev.UdiCarrier) != 1 || dev.ExpirationDate != "2029-01-01" || dev.Type == nil {
		t.Errorf("device %s", jsonOf(t, dev))
	}
	if len(obs.Extension) != 1 || obs.Extension[0].URL != extEventLocation || target(b, obs.Extension[0].ValueReference) == nil {
		t.Errorf("extension %s, want the event-location of PRT-9", jsonOf(t, obs.Extension))
	}
	if len(obs.Note) != 1 || obs.Note[0].Text != "Analyzed on bench 2." {
		t.Errorf("the NTE after the OBX's PRT is the OBX's note: %s", jsonOf(t, obs.Note))
	}
	for _, f := range []string{"PRT[2]", "PRT[7]-4", "PRT[8]-2"} { // visit AT, RCT, deleted OP
		if !hasWarning(ws, f) {
			t.Errorf("no warning for %s in %v", f, ws)
		}
	}
}

// TestPRT_ADT: PRT PP after the PID are general practitioners, a direct
// Practitioner without organization or location; they and the FHCP are
// the patient's CareTeam (careteam_test.go holds its fields); the visit's
// PRT is warned about.
func TestPRT_ADT(t *testing.T) {
	m := mustMapper(t, Options{})
	b, ws, err := m.MapWarnings(parseSample(t, "synthetic/adt_a01_prt", nil))
	if err != nil {
		t.Fatal(err)
	}
	gp := all[*fhir.Patient](b)[0].GeneralPractitioner
	if len(gp) != 2 {
		t.Fatalf("generalPractitioner %s", jsonOf(t, gp))
	}
	if _, ok := target(b, &gp[0]).(*fhir.Practitioner); !ok || practitionerID(b, &gp[0]) != "8101" {
		t.Errorf("first PP %s, want Practitioner 8101", jsonOf(t, gp[0]))
	}
	role, ok := target(b, &gp[1]).(*fhir.PractitionerRole)
	if !ok || practitionerID(b, &gp[1]) != "8102" || target(b, role.Organization) == nil || role.Period == nil || role.Period.Start != "2020-01-01" {
		t.Errorf("second PP %s, want a PractitionerRole of 8102 with its organization and period", jsonOf(t, role))
	}
	var members []string
	for _, ct := range all[*fhir.CareTeam](b) {
		for _, p := range ct.Participant {
			members = append(members, firstCode(&p.Role[0])+" "+practitionerID(b, p.Member))
		}
	}
	if got, want := fmt.Sprint(members), "[http://terminology.hl7.org/CodeSystem/v2-0912|PP 8101 http://terminology.hl7.org/CodeSystem/v2-0912|PP 8102 http://terminology.hl7.org/CodeSystem/v2-0912|FHCP 8104]"; got != want {
		t.Errorf("care team members %s, want %s", got, want)
	}
	if !hasWarning(ws, "PRT[4]") || hasWarning(ws, "PRT[3]-4") { // the visit's AT; FHCP is mapped
		t.Errorf("warnings %v: want PRT[4]'s only", ws)
	}
}
