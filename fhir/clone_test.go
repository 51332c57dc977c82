package fhir

import (
	"reflect"
	"testing"
)

// TestClone_EveryResourceDeepAndEqual fills every field of every resource,
// clones it, and checks the copy is equal and shares no memory: changing
// every element of the copy leaves the original as it was.
func TestClone_EveryResourceDeepAndEqual(t *testing.T) {
	for _, r := range allResources() {
		t.Run(r.ResourceType(), func(t *testing.T) {
			(&filler{n: 1}).fill(reflect.ValueOf(r).Elem(), 0)
			want, err := Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			c := Clone(r)
			if !reflect.DeepEqual(r, c) {
				t.Fatal("the clone differs")
			}
			(&filler{n: 2}).fill(reflect.ValueOf(c).Elem(), 0) // writes through every pointer and slice
			if got, _ := Marshal(r); string(got) != string(want) {
				t.Errorf("changing the clone changed the original")
			}
		})
	}
}

func TestClone_Nil(t *testing.T) {
	var p *Patient
	if Clone(p) != nil {
		t.Error("clone of nil is not nil")
	}
	var r Resource
	if Clone(r) != nil {
		t.Error("clone of a nil interface is not nil")
	}
}
