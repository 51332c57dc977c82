package mappings

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/fhir"
)

// mapSample maps testdata/<name>.hl7 (its text first changed by edit
// when edit is not nil) and returns the bundle.
func mapSample(t *testing.T, m *Mapper, name string, edit func(string) string) *fhir.Bundle {
	t.Helper()
	b, err := m.Map(parseSample(t, name, edit))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loincCode is the LOINC code of a concept, or "".
func loincCode(cc *fhir.CodeableConcept) string {
	if cc == nil {
		return ""
	}
	for _, c := range cc.Coding {
		if c.System == sysLOINC {
			return c.Code
		}
	}
	return ""
}

func TestFieldGolden_MappingGaps(t *testing.T) {
	m := mustMapper(t, Options{Namespace: "golden", Location: time.FixedZone("UTC-5", -5*3600)})
	types := append([]string{"Patient", "Practitioner", "PractitionerRole", "Organization", "Location", "Device"}, oruTypes...)
	for _, name := range []string{
		"synthetic/oru_r01_bp_panel",     // a panel OBX with children, a pair without, a lone systolic
		"synthetic/oru_r01_obr_specimen", // OBR specimen fields without SPM, with SPM, without either
	} {
		t.Run(name, func(t *testing.T) { checkFieldGolden(t, m, name, types) })
	}
}

// TestBPPanel_USCore holds the us-core-blood-pressure rules on the panels
// of oru_r01_bp_panel: code 85354-9, category vital-signs, an effective
// time, a systolic and a diastolic component each with a UCUM mm[Hg]
// valueQuantity; the members are not Observations of their own, the lone
// systolic is, and the reports list the panels in their members' place.
func TestBPPanel_USCore(t *testing.T) {
	m := mustMapper(t, Options{Location: time.FixedZone("UTC-5", -5*3600)})
	b := mapSample(t, m, "synthetic/oru_r01_bp_panel", nil)
	var panels, systolic, diastolic []*fhir.Observation
	for _, o := range all[*fhir.Observation](b) {
		switch loincCode(o.Code) {
		case loincBPPanel:
			panels = append(panels, o)
		case loincSystolic:
			systolic = append(systolic, o)
		case loincDiastolic:
			diastolic = append(diastolic, o)
		}
	}
	if len(panels) != 2 || len(systolic) != 1 || len(diastolic) != 0 {
		t.Fatalf("got %d panels, %d systolic and %d diastolic Observations; want 2, 1 (the lone one), 0",
			len(panels), len(systolic), len(diastolic))
	}
	for i, p := range panels {
		if len(p.Category) != 1 || len(p.Category[0].Coding) != 1 || p.Category[0].Coding[0].Code != "vital-signs" ||
			p.Category[0].Coding[0].System != sysObservationCategory {
			t.Errorf("panel %d category %s", i, jsonOf(t, p.Category))
		}
		if p.EffectiveDateTime == nil || *p.EffectiveDateTime == "" {
			t.Errorf("panel %d has no effectiveDateTime", i)
		}
		if p.Subject == nil || p.Subject.Reference == "" {
			t.Errorf("panel %d has no subject", i)
		}
		if p.ObservationValue != (fhir.ObservationValue{}) {
			t.Errorf("panel %d keeps a value beside its components: %s", i, jsonOf(t, p.ObservationValue))
		}
		want := []string{loincSystolic, loincDiastolic}
		if len(p.Component) != 2 {
			t.Fatalf("panel %d has %d components", i, len(p.Component))
		}
		for j, c := range p.Component {
			if got := loincCode(c.Code); got != want[j] {
				t.Errorf("panel %d component %d code %s, want %s", i, j, got, want[j])
			}
			q := c.ValueQuantity
			if q == nil || q.System != sysUCUM || q.Code != "mm[Hg]" || q.Value == "" {
				t.Errorf("panel %d component %d value %s, want a UCUM mm[Hg] quantity", i, j, jsonOf(t, q))
			}
		}
	}
	first := panels[0]
	if first.Status != "corrected" {
		t.Errorf("panel status %q: the corrected diastolic should make it corrected", first.Status)
	}
	if *first.EffectiveDateTime != "2024-04-01T10:05:00-05:00" {
		t.Errorf("panel effective %s, want OBX-14", *first.EffectiveDateTime)
	}
	if len(first.Identifier) != 1 || first.Identifier[0].Value != "SYNOBS-0201-1" {
		t.Errorf("the panel OBX's OBX-21 is lost: %s", jsonOf(t, first.Identifier))
	}
	for j, c := range first.Component {
		if len(c.Interpretation) != 1 || c.Interpretation[0].Coding[0].Code != "H" || len(c.ReferenceRange) != 1 || c.ReferenceRange[0].High == nil {
			t.Errorf("component %d interpretation %s range %s", j, jsonOf(t, c.Interpretation), jsonOf(t, c.ReferenceRange))
		}
	}
	if len(first.Note) != 1 || !strings.HasPrefix(first.Note[0].Text, "Seated") {
		t.Errorf("the NTE after the diastolic OBX should annotate the panel: %s", jsonOf(t, first.Note))
	}
	if got := *panels[1].EffectiveDateTime; got != "2024-04-01T11:00:00-05:00" {
		t.Errorf("second panel effective %s, want OBR-7", got)
	}
	if systolic[0].Category[0].Coding[0].Code != "vital-signs" || systolic[0].ValueQuantity.Code != "mm[Hg]" {
		t.Errorf("lone systolic %s", jsonOf(t, systolic[0]))
	}

	reports := all[*fhir.DiagnosticReport](b)
	wantResults := [][]string{{first.ID, "heart rate"}, {panels[1].ID, systolic[0].ID}}
	for i, dr := range reports {
		if len(dr.Result) != 2 {
			t.Errorf("report %d has %d results, want 2: %s", i, len(dr.Result), jsonOf(t, dr.Result))
			continue
		}
		if dr.Result[0].Reference != "urn:uuid:"+wantResults[i][0] {
			t.Errorf("report %d result 0 %s, want the panel", i, dr.Result[0].Reference)
		}
		if i == 1 && dr.Result[1].Reference != "urn:uuid:"+wantResults[i][1] {
			t.Errorf("report %d result 1 %s, want the lone systolic", i, dr.Result[1].Reference)
		}
	}
}

// A panel's id comes from what it measures, not from the message: the
// same readings resent under another control id upsert the same panels.
func TestBPPanel_IDIsStableAcrossMessages(t *testing.T) {
	m := mustMapper(t, Options{})
	ids := func(b *fhir.Bundle) (out []string) {
		for _, o := range all[*fhir.Observation](b) {
			if loincCode(o.Code) == loincBPPanel {
				out = append(out, o.ID)
			}
		}
		return out
	}
	a := ids(mapSample(t, m, "synthetic/oru_r01_bp_panel", nil))
	b := ids(mapSample(t, m, "synthetic/oru_r01_bp_panel", func(s string) string {
		return strings.Replace(s, "SYN-ORU-BP-0001", "SYN-ORU-BP-0002", 1)
	}))
	if len(a) != 2 || strings.Join(a, ",") != strings.Join(b, ",") {
		t.Errorf("panel ids %v, then %v for a resend", a, b)
	}
	if a[0] == a[1] {
		t.Errorf("two panels share id %s", a[0])
	}
}
