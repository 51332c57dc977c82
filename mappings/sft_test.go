package mappings

import (
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhir"
)

func TestSFT_DevicesAsProvenanceEntities(t *testing.T) {
	const msg = "MSH|^~\\&|APP|FAC|||20240501120000||ADT^A04|7|P|2.5\n" +
		"SFT|Epic Systems^L|2023.1|Epic|E2023B|Bridges\\.br\\interface|20230105\n" +
		"SFT|Orion|6.8|Rhapsody|R68\n" +
		"PID|1||M1^^^H^MR||Doe^Jane\n"
	for _, noFacility := range []bool{false, true} {
		text := msg
		if noFacility {
			text = strings.Replace(msg, "|APP|FAC|", "|APP||", 1)
		}
		b, err := mustMapper(t, Options{}).Map(parse(t, text))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := fhir.Marshal(b)
		validateBundle(t, "sft", out)
		var holder *fhir.Provenance
		for _, p := range all[*fhir.Provenance](b) {
			if p.Entity != nil {
				if holder != nil {
					t.Fatal("two Provenances hold the software")
				}
				holder = p
			}
		}
		if holder == nil || len(holder.Entity) != 2 || holder.Entity[0].Role != "source" || holder.Entity[1].Role != "derivation" {
			t.Fatalf("noFacility=%v: entities %s", noFacility, jsonOf(t, holder))
		}
		if transformation := holder.Activity.Coding[0].Code == "v2-fhir-transformation"; transformation != noFacility {
			t.Errorf("noFacility=%v: the software is on %s", noFacility, jsonOf(t, holder.Activity))
		}
		epic, ok := bundleResource(b, holder.Entity[0].What.Reference).(*fhir.Device)
		if !ok {
			t.Fatalf("entity %s is not a Device of the bundle", holder.Entity[0].What.Reference)
		}
		j := jsonOf(t, epic)
		for _, want := range []string{`"manufacturer":"Epic Systems"`, `"name":"Epic","type":"manufacturer-name"`, `"modelNumber":"E2023B"`,
			`"value":"2023.1"`, `"valueDateTime":"2023-01-05"`, `"text":"Bridges\ninterface"`} {
			if !strings.Contains(j, want) {
				t.Errorf("Epic device lacks %s: %s", want, j)
			}
		}
	}
}
