package fhir

import "testing"

func TestCopyAndClearElement(t *testing.T) {
	prev := &Patient{Telecom: []ContactPoint{{System: "phone", Value: "1"}}, Gender: "female"}
	cur := &Patient{Gender: "male"}
	if !CopyElement(cur, prev, "telecom") || len(cur.Telecom) != 1 {
		t.Fatalf("telecom not copied: %+v", cur)
	}
	if CopyElement(cur, prev, "gender") || cur.Gender != "male" {
		t.Errorf("a set element was overwritten: %s", cur.Gender)
	}
	if CopyElement(cur, prev, "nosuch") || CopyElement(cur, &Encounter{}, "status") {
		t.Error("copied an unknown element or across types")
	}
	cur.Telecom = append(cur.Telecom, ContactPoint{Value: "2"})
	if len(prev.Telecom) != 1 || cap(prev.Telecom) != 1 {
		t.Error("appending to the copy changed the source")
	}
	ClearElement(cur, "telecom")
	if cur.Telecom != nil {
		t.Error("telecom not cleared")
	}
}
