package mappings

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// unparseable is the one sample hl7.Parse rejects: its MSH-2 is "^~\\&"
// (an escaping accident in the Java test it came from).
const unparseable = "oru_r01_lfh_2.hl7"

// unsupported are the samples whose type this cut does not map.
var unsupported = map[string]bool{
	"mdm_t02_v2tofhir_1.hl7": true, // MDM^T02
}

func TestMap_EverySampleValidatesAgainstR4(t *testing.T) {
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	mappers := map[string]*Mapper{
		"transaction": mustMapper(t, Options{Location: newYork, Namespace: "tenant-a"}),
		"message":     mustMapper(t, Options{BundleType: BundleMessage}),
	}
	mapped := 0
	for _, s := range samples(t) {
		t.Run(s.name, func(t *testing.T) {
			msg, err := hl7.Parse(s.data)
			if s.name == unparseable {
				if err == nil || !errors.Is(err, hl7.ErrDelimiters) {
					t.Fatalf("want hl7.ErrDelimiters, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			for kind, m := range mappers {
				out, err := m.MapJSON(msg)
				if unsupported[s.name] {
					if !errors.Is(err, ErrUnsupported) {
						t.Fatalf("%s: want ErrUnsupported, got %v", kind, err)
					}
					typ, trig, _ := msg.Type()
					if !strings.Contains(err.Error(), typ+"^"+trig) {
						t.Errorf("error %q does not name %s^%s", err, typ, trig)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", kind, err)
				}
				validateBundle(t, kind, out)
				checkRoundTrip(t, m, msg, out)
				mapped++
			}
		})
	}
	if mapped < 40 {
		t.Errorf("only %d sample mappings ran", mapped)
	}
}

// checkRoundTrip proves the fast encoder writes what encoding/json reads
// back as the same bundle, and that mapping is deterministic.
func checkRoundTrip(t *testing.T, m *Mapper, msg *hl7.Message, out []byte) {
	t.Helper()
	want, err := m.Map(msg)
	if err != nil {
		t.Fatal(err)
	}
	var got fhir.Bundle
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("encoding/json cannot decode the output: %v", err)
	}
	if diff := cmp.Diff(want, &got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("decoded output differs from the mapped bundle (-mapped +decoded):\n%s", diff)
	}
	// json.Marshal goes through MarshalJSON; with HTML escaping off (it
	// would turn "<" into \u003c) it must give the very same bytes.
	var std bytes.Buffer
	enc := json.NewEncoder(&std)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(want); err != nil || !bytes.Equal(bytes.TrimSuffix(std.Bytes(), []byte("\n")), out) {
		t.Errorf("encoding/json of the bundle differs from MapJSON (err %v)", err)
	}
	again, err := m.MapJSON(msg)
	if err != nil || !bytes.Equal(again, out) {
		t.Errorf("mapping the same message twice gave different bytes")
	}
}
