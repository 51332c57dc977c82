package mappings

import (
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/fhir"
)

// TestOBRSpecimen_OnlyWithoutSPM maps oru_r01_obr_specimen: the first
// group has OBR specimen fields and no SPM (a Specimen from the OBR), the
// second OBR-15 and an SPM (the SPM's Specimen only), the third only OBR-7
// (no Specimen).
func TestOBRSpecimen_OnlyWithoutSPM(t *testing.T) {
	m := mustMapper(t, Options{Location: time.FixedZone("UTC-5", -5*3600)})
	b := mapSample(t, m, "synthetic/oru_r01_obr_specimen", nil)
	specs := all[*fhir.Specimen](b)
	if len(specs) != 2 {
		t.Fatalf("%d Specimens, want 2 (one from OBR fields, one from the SPM)", len(specs))
	}
	sp := specs[0]
	c := sp.Collection
	switch {
	case sp.Type == nil || sp.Type.Coding[0].Code != "SER" || sp.Type.Coding[0].System != sysV2Prefix+"0070":
		t.Errorf("type %s, want SER from OBR-15.1", jsonOf(t, sp.Type))
	case c == nil || c.CollectedPeriod == nil || c.CollectedPeriod.Start != "2024-04-02T08:00:00-05:00" || c.CollectedPeriod.End != "2024-04-02T08:05:00-05:00":
		t.Errorf("collection %s, want the period OBR-7 to OBR-8", jsonOf(t, c))
	case c.Quantity == nil || c.Quantity.Value != "5" || c.Quantity.Code != "mL" || c.Quantity.System != sysUCUM:
		t.Errorf("quantity %s, want OBR-9 5 mL", jsonOf(t, c.Quantity))
	case c.BodySite == nil || c.BodySite.Coding[0].Code != "LACF":
		t.Errorf("body site %s, want OBR-15.4", jsonOf(t, c.BodySite))
	case c.Collector == nil || c.Collector.Reference == "":
		t.Errorf("collector %s, want the OBR-10 Practitioner", jsonOf(t, c.Collector))
	case sp.ReceivedTime != "2024-04-02T08:30:00-05:00":
		t.Errorf("receivedTime %q, want OBR-14", sp.ReceivedTime)
	case sp.Subject == nil || sp.Subject.Reference == "" || len(sp.Request) != 1:
		t.Errorf("subject %s request %s", jsonOf(t, sp.Subject), jsonOf(t, sp.Request))
	}
	if len(specs[1].Identifier) == 0 || specs[1].Identifier[0].Value != "SYNSPM-0302" {
		t.Errorf("second Specimen %s, want the SPM's", jsonOf(t, specs[1]))
	}

	reports := all[*fhir.DiagnosticReport](b)
	wantSpec := []string{"urn:uuid:" + specs[0].ID, "urn:uuid:" + specs[1].ID, ""}
	for i, dr := range reports {
		got := ""
		if len(dr.Specimen) == 1 {
			got = dr.Specimen[0].Reference
		} else if len(dr.Specimen) > 1 {
			got = "several"
		}
		if got != wantSpec[i] {
			t.Errorf("report %d specimen %q, want %q", i, got, wantSpec[i])
		}
	}
	obs := all[*fhir.Observation](b)
	for i, o := range obs[:2] {
		if o.Specimen == nil || o.Specimen.Reference != wantSpec[0] {
			t.Errorf("observation %d specimen %s, want the OBR's Specimen", i, jsonOf(t, o.Specimen))
		}
	}
	if last := obs[len(obs)-1]; last.Specimen != nil {
		t.Errorf("vital sign without specimen fields got specimen %s", jsonOf(t, last.Specimen))
	}
}
