package mappings

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/fhir/golden/*.json from the current mapping")

// TestGolden maps the IG's own test messages (one ADT, one ORU) and ADT
// samples for the discharge, update and merge events, and compares the
// bundles with reviewed files. After a deliberate change:
// go test ./mappings -run Golden -update, then read the diff.
func TestGolden(t *testing.T) {
	m := mustMapper(t, Options{
		Namespace: "golden",
		// The sender of both messages is at +01:00 (MSH-7).
		Location:          time.FixedZone("UTC+1", 3600),
		IdentifierSystems: map[string]string{"V2FHIR": "https://v2fhir.example.org/patient-mrn"},
	})
	for _, name := range []string{
		"adt_a01_v2tofhir_1", "oru_r01_v2tofhir_1",
		// ADT depth: a discharge, an update and the merges (see
		// TestA40_AgreesWithMSConverter for how the A40 goldens compare
		// with the other converter's published output).
		"adt_a03_msfhirconverter_1", "adt_a08_msfhirconverter_1",
		"adt_a40_msfhirconverter_1", "adt_a40_msfhirconverter_2", "adt_a40_lfh_1",
	} {
		t.Run(name, func(t *testing.T) {
			out, err := m.MapJSON(parseSample(t, name, nil))
			if err != nil {
				t.Fatal(err)
			}
			got := indent(t, out)
			path := filepath.Join("..", "testdata", "fhir", "golden", name+".json")
			if want := goldenFile(t, path, got); want != nil && !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s; run with -update and review the diff", name, path)
			}
		})
	}
}

// goldenFile returns the reviewed output in path, or, under -update, writes
// got there and returns nil.
func goldenFile(t *testing.T, path string, got []byte) []byte {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return nil
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	return want
}
