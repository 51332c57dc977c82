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

func TestCopyExtensions(t *testing.T) {
	const vip = "https://hospital.example/fhir/vip"
	gold, other := "GOLD", "x"
	prev := &Patient{Extension: []Extension{{URL: vip, ValueString: &gold}, {URL: "other", ValueString: &other}, {URL: vip, ValueString: &other}}}
	cur := &Patient{Extension: []Extension{{URL: "mine"}}}
	if !CopyExtensions(cur, prev, "extension", vip) {
		t.Fatal("nothing copied")
	}
	if len(cur.Extension) != 3 || cur.Extension[1].URL != vip || *cur.Extension[1].ValueString != "GOLD" || cur.Extension[2].URL != vip {
		t.Errorf("got %+v: want mine and both vip extensions", cur.Extension)
	}
	if CopyExtensions(cur, prev, "extension", vip) || len(cur.Extension) != 3 {
		t.Error("copied again over extensions the resource has")
	}
	if CopyExtensions(cur, prev, "modifierExtension", vip) || CopyExtensions(cur, prev, "gender", vip) || CopyExtensions(cur, &Encounter{}, "extension", vip) {
		t.Error("copied from an empty list, a non-extension element or across types")
	}
	if len(prev.Extension) != 3 {
		t.Error("the source changed")
	}
}
