package mappings

import (
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
)

// eventProvenance returns the Provenance of the EVN segment, if any.
func eventProvenanceOf(b *fhir.Bundle) *fhir.Provenance {
	for _, p := range all[*fhir.Provenance](b) {
		if p.Activity != nil && len(p.Activity.Coding) > 0 && strings.HasPrefix(p.Activity.Coding[0].Display, "event - ") {
			return p
		}
	}
	return nil
}

func TestEVN_Provenance(t *testing.T) {
	const base = "MSH|^~\\&|APP|FAC|||20240501120000||ADT^A01|1|P|2.5\n" +
		"EVN|A01|20240501115900|||OP1^Clerk^Carl|20240501115500|EventFac^1.2.3^ISO\n" +
		"PID|1||M1^^^H^MR||Doe^Jane\nPV1|1|I|4W^1^A\n"
	m := mustMapper(t, Options{})
	mapMsg := func(text string) (*fhir.Bundle, []Warning) {
		t.Helper()
		b, ws, err := m.MapWarnings(parse(t, text))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := fhir.Marshal(b)
		validateBundle(t, "evn", out)
		return b, ws
	}

	b, _ := mapMsg(base)
	p := eventProvenanceOf(b)
	if p == nil {
		t.Fatal("no event Provenance")
	}
	pat, enc := all[*fhir.Patient](b)[0], all[*fhir.Encounter](b)[0]
	if p.Recorded != "2024-05-01T11:59:00Z" || p.OccurredDateTime == nil || *p.OccurredDateTime != "2024-05-01T11:55:00Z" {
		t.Errorf("recorded %q occurred %v", p.Recorded, p.OccurredDateTime)
	}
	if len(p.Target) != 2 || p.Target[0].Reference != "urn:uuid:"+pat.ID || p.Target[1].Reference != "urn:uuid:"+enc.ID {
		t.Errorf("targets %s", jsonOf(t, p.Target))
	}
	if len(p.Agent) != 1 || p.Agent[0].Type.Coding[0].Code != "enterer" || !strings.HasPrefix(p.Agent[0].Who.Reference, "urn:uuid:") {
		t.Errorf("agent %s", jsonOf(t, p.Agent))
	}
	locs := all[*fhir.Location](b)
	if p.Location == nil || !slicesHasLocation(locs, p.Location.Reference, "EventFac", "urn:oid:1.2.3") {
		t.Errorf("location %s among %s", jsonOf(t, p.Location), jsonOf(t, locs))
	}

	// Reason "U" is the data-absent-reason extension; without EVN-5 the
	// sending facility is the author.
	u := strings.Replace(base, "20240501115900|||OP1^Clerk^Carl|", "20240501115900||U||", 1)
	b, _ = mapMsg(u)
	p = eventProvenanceOf(b)
	if p == nil || len(p.Reason) != 1 || len(p.Reason[0].Extension) != 1 || p.Reason[0].Coding != nil {
		t.Fatalf("reason U: %s", jsonOf(t, p))
	}
	if len(p.Agent) != 1 || p.Agent[0].Who.Display != "FAC" || p.Agent[0].Type.Coding[0].Code != "author" {
		t.Errorf("agent without EVN-5 %s", jsonOf(t, p.Agent))
	}

	// No EVN-2: no valid Provenance, and a warning says so.
	b, ws := mapMsg(strings.Replace(base, "|20240501115900|", "||", 1))
	if eventProvenanceOf(b) != nil || !hasWarning(ws, "EVN-2") {
		t.Errorf("without EVN-2: provenance %v, warnings %v", eventProvenanceOf(b) != nil, ws)
	}
}

func slicesHasLocation(locs []*fhir.Location, url, name, id string) bool {
	for _, l := range locs {
		if "urn:uuid:"+l.ID == url && l.Name == name && len(l.Identifier) == 1 && l.Identifier[0].Value == id {
			return true
		}
	}
	return false
}
