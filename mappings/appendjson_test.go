package mappings

import (
	"bytes"
	"os"
	"testing"

	"github.com/switchboard-hl7/switchboard/hl7"
)

// TestAppendJSON_BufferPaths holds AppendJSON to MapJSON's bytes whichever
// way it writes: straight into a roomy caller buffer, through the run's
// own buffer when the caller's is too small, nil or already holds a
// prefix, and again on a reused run.
func TestAppendJSON_BufferPaths(t *testing.T) {
	data, err := os.ReadFile("../testdata/synthetic/oru_r01_20obx.hl7")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := hl7.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	m := mustMapper(t, Options{Namespace: "bench"})
	want, err := m.MapJSON(msg)
	if err != nil {
		t.Fatal(err)
	}
	for name, dst := range map[string][]byte{
		"nil":         nil,
		"tight":       make([]byte, 0, 16),
		"exact":       make([]byte, 0, len(want)),
		"roomy":       make([]byte, 0, 4*len(want)),
		"prefix":      []byte("PREFIX"),
		"roomyPrefix": append(make([]byte, 0, 4*len(want)), "PREFIX"...),
	} {
		prefix := string(dst)
		for range 2 { // the second time on a pooled run
			got, err := m.AppendJSON(dst, msg)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if string(got[:len(prefix)]) != prefix || !bytes.Equal(got[len(prefix):], want) {
				t.Errorf("%s: AppendJSON differs from MapJSON", name)
			}
		}
	}
	// The result must not alias the run's buffer, which the next message
	// reuses.
	kept := bytes.Clone(want)
	other, err := os.ReadFile("../testdata/synthetic/oru_r01_20obx_lri.hl7")
	if err != nil {
		t.Fatal(err)
	}
	msg2, err := hl7.Parse(other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.MapJSON(msg2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, kept) {
		t.Error("MapJSON's result changed when the next message was mapped")
	}
}
