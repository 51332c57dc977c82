package hl7

import "testing"

// A modified segment gets a new text and new spans: the other fields, and
// MSH-1 and MSH-2, must read and encode as before.
func TestSegment_ModifiedParsedSegmentKeepsItsOtherFields(t *testing.T) {
	const in = "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\rPID|1||123^^^MRN||DOE^JANE\r"
	m := mustParse(t, in)
	msh, pid := m.Segments[0], m.Segments[1]
	msh.SetField(10, "42")
	pid.SetField(8, "F")
	want := "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|42|P|2.5\rPID|1||123^^^MRN||DOE^JANE|||F\r"
	if got := string(m.Encode()); got != want {
		t.Errorf("Encode after SetField:\n got %q\nwant %q", got, want)
	}
	if got := msh.Field(2).Raw(); got != "^~\\&" {
		t.Errorf("MSH-2 = %q after SetField", got)
	}
	if got, n := pid.Field(5).Component(2).String(), pid.NumFields(); got != "JANE" || n != 8 {
		t.Errorf("PID-5.2 = %q, NumFields = %d; want JANE, 8", got, n)
	}
}
