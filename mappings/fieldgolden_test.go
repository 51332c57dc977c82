package mappings

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/hl7"
)

// oruTypes are the resource types the ORU map builds beyond the patient
// and visit (whose maps have goldens of their own).
var oruTypes = []string{"ServiceRequest", "DiagnosticReport", "Observation", "Specimen", "Provenance"}

// TestFieldGolden pins the ORU map field by field: each resource of the
// oruTypes, labelled Type#n in bundle order, flattened to one line per
// leaf ("Observation#3.valueQuantity.value": 1.40), references written as
// the label of the entry they point to, so that a change of id does not
// bury the real changes in the diff. After a deliberate change:
// go test ./mappings -run FieldGolden -update, then read the diff of
// testdata/fhir/*.golden.json.
func TestFieldGolden(t *testing.T) {
	m := mustMapper(t, Options{Namespace: "golden", Location: time.FixedZone("UTC-5", -5*3600)})
	for _, name := range []string{
		"oru_r01_lfh_3",                  // a report as TX lines without OBX-3
		"oru_r01_msfhirconverter_2",      // two OBR groups, one specimen id in both
		"oru_r01_reportstream_1",         // 20 OBR groups, \.br\ and \R\ escapes, TX narrative
		"oru_r01_reportstream_2",         // NTE after PD1 and OBR, SN, two SPM
		"synthetic/oru_r01_escapes_zseg", // escapes, Z-segments, vital signs, SPM observation
	} {
		t.Run(name, func(t *testing.T) { checkFieldGolden(t, m, name, oruTypes) })
	}
}

// checkFieldGolden maps testdata/<name>.hl7 with MapJSON, validates the
// bundle and compares the fieldLines of its resources of the given types
// with testdata/fhir/<base name>.golden.json (rewritten with -update).
func checkFieldGolden(t *testing.T, m *Mapper, name string, types []string) {
	t.Helper()
	out, err := m.MapJSON(parseSample(t, name, nil))
	if err != nil {
		t.Fatal(err)
	}
	validateBundle(t, name, out)
	got := fieldLines(t, out, types)
	path := filepath.Join("..", "testdata", "fhir", filepath.Base(name)+".golden.json")
	if want := goldenFile(t, path, got); want != nil && !bytes.Equal(got, want) {
		g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(g), len(w)); i++ {
			if i >= len(g) || i >= len(w) || g[i] != w[i] {
				t.Errorf("%s differs from %s from line %d:\n got %s\nwant %s\n(run with -update and review the diff)",
					name, path, i+1, lineAt(g, i), lineAt(w, i))
				break
			}
		}
	}
}

// parseSample reads and parses testdata/<name>.hl7, its text first
// changed by edit when edit is not nil.
func parseSample(t *testing.T, name string, edit func(string) string) *hl7.Message {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", name+".hl7"))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		data = []byte(edit(string(data)))
	}
	msg, err := hl7.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func lineAt(l []string, i int) string {
	if i < len(l) {
		return l[i]
	}
	return "(end)"
}

// fieldLines flattens the resources of a bundle of the given types, as
// JSON with one member a line, in bundle order.
func fieldLines(t *testing.T, bundle []byte, types []string) []byte {
	t.Helper()
	var b struct {
		Entry []struct {
			FullURL  string         `json:"fullUrl"`
			Resource map[string]any `json:"resource"`
		} `json:"entry"`
	}
	d := json.NewDecoder(bytes.NewReader(bundle))
	d.UseNumber()
	if err := d.Decode(&b); err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{}
	counts := map[string]int{}
	for _, e := range b.Entry {
		rt := e.Resource["resourceType"].(string)
		counts[rt]++
		labels[e.FullURL] = fmt.Sprintf("%s#%d", rt, counts[rt])
	}
	var buf bytes.Buffer
	buf.WriteString("{\n")
	first := true
	for _, e := range b.Entry {
		rt := e.Resource["resourceType"].(string)
		if !slices.Contains(types, rt) {
			continue
		}
		walkJSON(e.Resource, labels[e.FullURL], func(path string, v any) {
			switch v.(type) {
			case map[string]any, []any:
				return
			}
			if strings.HasSuffix(path, ".id") && strings.Count(path, ".") == 1 || strings.HasSuffix(path, ".resourceType") {
				return
			}
			if s, ok := v.(string); ok && strings.HasSuffix(path, ".reference") {
				if l, ok := labels[s]; ok {
					v = l
				}
			}
			k, _ := json.Marshal(path)
			val, _ := json.Marshal(v)
			if !first {
				buf.WriteString(",\n")
			}
			first = false
			fmt.Fprintf(&buf, "  %s: %s", k, val)
		})
	}
	buf.WriteString("\n}\n")
	return buf.Bytes()
}
