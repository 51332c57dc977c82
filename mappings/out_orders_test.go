package mappings

import (
	"strings"
	"testing"
)

const orderJSON = `{"resourceType":"ServiceRequest","id":"sr-77","status":"active","intent":"reflex-order",
 "contained":[` + patientJSON + `,
  {"resourceType":"Practitioner","id":"doc","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"1234567893"}],
   "name":[{"family":"Radon","given":["Nick"]}]}],
 "requisition":{"system":"urn:oid:1.2.3.4","value":"GRP-1"},
 "code":{"coding":[{"system":"http://loinc.org","code":"57021-8","display":"CBC W Auto Differential panel in Blood"}]},
 "subject":{"reference":"#p1"},"requester":{"reference":"#doc"},
 "authoredOn":"2024-05-01T09:00:00-04:00","occurrenceDateTime":"2024-05-02",
 "reasonCode":[{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"R53.83"}]}],
 "note":[{"text":"Draw before ~ noon"}]}`

func TestOutbound_Orders(t *testing.T) {
	for _, tc := range []struct {
		structure               string
		typ, trigger, msgStruct string
	}{
		{"", "ORM", "O01", "ORM_O01"},
		{"ORM^O01", "ORM", "O01", "ORM_O01"},
		{"OML^O21", "OML", "O21", "OML_O21"},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			o := outOpts
			o.OrderStructure = tc.structure
			b, msg := build(t, o, KindOrders, orderJSON)
			if got := segmentNames(msg); got != "MSH PID ORC OBR NTE" {
				t.Fatalf("segments %q\n%s", got, b.Message)
			}
			if b.Type != tc.typ || b.Trigger != tc.trigger || b.Structure != tc.msgStruct {
				t.Errorf("MSH-9 = %s^%s^%s", b.Type, b.Trigger, b.Structure)
			}
			checkFields(t, msg, map[string]string{
				"PID-3.1": "MRN-42", "ORC-1": "NW", "ORC-2.1": "sr-77", "ORC-2.2": "APP",
				"ORC-4.1": "GRP-1", "ORC-4.3": "1.2.3.4", "ORC-5": "IP", "ORC-9": "20240501090000-0400",
				"ORC-12.1": "1234567893", "ORC-12.2": "Radon", "ORC-12.3": "Nick", "ORC-12.9.1": "NPI", "ORC-12.9.2": "2.16.840.1.113883.4.6", "ORC-12.9.3": "ISO", "ORC-12.13": "NPI",
				"OBR-2.1": "sr-77", "OBR-4.1": "57021-8", "OBR-4.3": "LN", "OBR-6": "20240502", "OBR-11": "G",
				"OBR-16.2": "Radon", "OBR-31.1": "R53.83", "OBR-31.3": "I10C", "NTE-3": "Draw before ~ noon",
			})
		})
	}
}

func TestOutbound_OrderStatuses(t *testing.T) {
	for status, want := range map[string][2]string{
		"active": {"NW", "IP"}, "on-hold": {"HD", "HD"}, "revoked": {"CA", "CA"},
		"entered-in-error": {"CA", "ER"}, "completed": {"SC", "CM"},
	} {
		_, msg := build(t, outOpts, KindOrders, strings.Replace(orderJSON, `"status":"active"`, `"status":"`+status+`"`, 1))
		if got := [2]string{msg.Get("ORC-1"), msg.Get("ORC-5")}; got != want {
			t.Errorf("%s: ORC-1/5 = %v, want %v", status, got, want)
		}
	}
}

func TestOutbound_InvalidOrders(t *testing.T) {
	for _, tc := range []invalidCase{
		{"wrong resource in bundle", KindOrders, `{"resourceType":"Bundle","entry":[{"resource":` + patientJSON + `}]}`, "Bundle holds no ServiceRequest"},
		{"order proposal", KindOrders, strings.Replace(orderJSON, `"reflex-order"`, `"proposal"`, 1), "not an order intent"},
		{"draft order", KindOrders, strings.Replace(orderJSON, `"status":"active"`, `"status":"draft"`, 1), "ServiceRequest.status must be"},
	} {
		checkInvalid(t, tc)
	}
}
