package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// xad maps one XAD repetition to Address after the IG's XAD[Address] map:
// lines from XAD.1 (SAD: street, street name, dwelling number), XAD.2 and
// XAD.19 in that order, city XAD.3, state XAD.4, postal code XAD.5, country
// XAD.6, district XAD.9 (its text), use or type from XAD.7 (table 0190),
// period from XAD.12 or XAD.13-14. An address with no part is nil.
func (r *run) xad(v hl7.Value, a at) *fhir.Address {
	if v.IsEmpty() || v.IsNull() {
		return nil
	}
	c := r.split(v)
	ad := &fhir.Address{
		Line:       appendNonEmpty(nil, c.sub(1, 1), c.sub(1, 2), c.sub(1, 3), c.text(2), c.text(19)),
		City:       c.text(3),
		State:      c.text(4),
		PostalCode: c.text(5),
		Country:    c.text(6),
		District:   c.sub(9, 1),
	}
	if ad.Line == nil && ad.City == "" && ad.State == "" && ad.PostalCode == "" && ad.Country == "" && ad.District == "" {
		return nil
	}
	t := codeText(c.sub(7, 1))
	if k, ok := addressUse.lookup(t); ok {
		ad.Use = k.Code
	}
	if k, ok := addressType.lookup(t); ok {
		ad.Type = k.Code
	}
	if ad.Period = r.periodText(c.sub(12, 1), c.sub(12, 2), a); ad.Period == nil {
		ad.Period = r.periodText(c.text(13), c.text(14), a)
	}
	return ad
}
