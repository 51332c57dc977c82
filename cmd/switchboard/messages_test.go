package main

import (
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/engine/store"
)

// A write-back shows its FHIR request, the v2 message sent and the EHR's
// ACK; an inbound message its v2, the ACK sent and the FHIR output.
func TestPrintMessage_LabelsByDirection(t *testing.T) {
	for _, tc := range []struct {
		dir  store.Direction
		want []string
	}{
		{store.Outbound, []string{"--- FHIR request", "--- HL7 v2 sent", "--- ACK from the EHR (AA)"}},
		{store.Inbound, []string{"--- HL7 v2", "--- ACK (AA)", "--- FHIR output"}},
	} {
		var b strings.Builder
		printMessage(&b, &store.Message{ID: 1, Direction: tc.dir, Raw: []byte("MSH|^~\\&|A\r"), Ack: []byte("MSH|^~\\&|B\rMSA|AA|1\r"),
			AckCode: "AA", Output: []byte(`{"resourceType":"Bundle"}`)}, nil)
		out, last := b.String(), -1
		for _, w := range tc.want {
			i := strings.Index(out, w)
			if i < 0 || i < last {
				t.Errorf("%s: %q missing or out of order in\n%s", tc.dir, w, out)
			}
			last = i
		}
	}
}
