package sandbox

import (
	"fmt"
	"slices"
	"strconv"
)

// staff is a synthetic practitioner.
type staff struct {
	id, family, given, gender, npi string
}

// practitioners carry NPIs with valid check digits, since validators
// downstream check them.
var practitioners = []staff{
	{"prac-1", "Okafor", "Adaeze", "female", npi("100000001")},
	{"prac-2", "Lindqvist", "Erik", "male", npi("100000002")},
	{"prac-3", "Ramos", "Lucia", "female", npi("100000003")},
	{"prac-4", "Haddad", "Samir", "male", npi("100000004")},
	{"prac-5", "Tanaka", "Keiko", "female", npi("100000005")},
}

// npi appends the Luhn check digit (over the prefix 80840, as the NPI
// standard says) to a 9-digit base.
func npi(base string) string {
	digits := "80840" + base
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 { // the rightmost payload digit is doubled
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return base + strconv.Itoa((10-sum%10)%10)
}

// infrastructure returns the organizations, locations and practitioners.
func infrastructure() []map[string]any {
	return slices.Concat(organizations(), locations(), practitionerResources())
}

func organizations() []map[string]any {
	orgType := "http://terminology.hl7.org/CodeSystem/organization-type"
	return []map[string]any{
		{
			"resourceType": "Organization",
			"id":           hospitalID,
			"identifier":   []any{obj{"system": NPISystem, "value": npi("200000001")}},
			"active":       true,
			"type":         []any{concept(orgType, "prov", "Healthcare Provider")},
			"name":         "Sandbox General Hospital",
			"telecom":      []any{obj{"system": "phone", "value": "(608) 555-0100", "use": "work"}},
			"address":      []any{obj{"line": []any{"1 Hospital Way"}, "city": "Madison", "state": "WI", "postalCode": "53703", "country": "US"}},
		},
		{
			"resourceType": "Organization",
			"id":           payerID,
			"identifier":   []any{obj{"system": payerIDSystem, "value": "SBXHP"}},
			"active":       true,
			"type":         []any{concept(orgType, "pay", "Payer")},
			"name":         "Sandbox Health Plan",
		},
	}
}

func locations() []map[string]any {
	var docs []map[string]any
	for _, l := range []struct{ id, code, name, typ, typText string }{
		{"loc-ed", "ED", "Emergency Department", "ER", "Emergency room"},
		{"loc-4w", "4W", "4 West Medical-Surgical Unit", "HU", "Hospital unit"},
		{"loc-clinic", "CLINIC", "Outpatient Clinic", "OF", "Outpatient facility"},
	} {
		docs = append(docs, obj{
			"resourceType":         "Location",
			"id":                   l.id,
			"identifier":           []any{obj{"system": locationSystem, "value": l.code}},
			"status":               "active",
			"name":                 l.name,
			"mode":                 "instance",
			"type":                 []any{concept(roleCodeSystem, l.typ, l.typText)},
			"managingOrganization": ref("Organization", hospitalID),
		})
	}
	return docs
}

func practitionerResources() []map[string]any {
	var docs []map[string]any
	for _, p := range practitioners {
		docs = append(docs, obj{
			"resourceType": "Practitioner",
			"id":           p.id,
			"identifier":   []any{obj{"system": NPISystem, "value": p.npi}},
			"active":       true,
			"name":         []any{obj{"use": "official", "family": p.family, "given": []any{p.given}, "prefix": []any{"Dr."}}},
			"gender":       p.gender,
			"telecom":      []any{obj{"system": "phone", "value": fmt.Sprintf("(608) 555-01%s", p.npi[8:]), "use": "work"}},
		})
	}
	return docs
}
