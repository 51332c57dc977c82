package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// evn is what the ADT maps use of the EVN segment.
//
// The IG maps EVN to a Provenance (evn_provenance.go). Besides, decision:
// EVN-6 (event occurred), else EVN-2 (recorded: the time the sending
// system recorded the event, usually the same moment), dates the event on
// the visit where the PV1 leaves it out: an admit (A01) or registration (A04)
// without PV1-44 gets it as Encounter.period.start, a discharge (A03)
// without PV1-45 as Encounter.period.end. It never overrides PV1, and it
// does not enter the Encounter's id.
type evn struct {
	occurred string // FHIR dateTime, "" when absent
}

// readEVN reads the message's EVN segment, if any.
func (r *run) readEVN() evn {
	s := r.msg.Segment("EVN")
	if s == nil {
		return evn{}
	}
	occ := r.dateTime(s.Field(6), at{"EVN", 0, 6})
	if occ == "" {
		occ = r.dateTime(s.Field(2), at{"EVN", 0, 2})
	}
	return evn{occurred: occ}
}

// dateVisit applies the event time to the visit as evn describes.
func (ev evn) dateVisit(trigger string, pv1 *hl7.Segment, e *fhir.Encounter) {
	if ev.occurred == "" || e == nil {
		return
	}
	switch trigger {
	case "A01", "A04":
		if text(pv1.Field(44).Component(1)) == "" {
			if e.Period == nil {
				e.Period = &fhir.Period{}
			}
			if e.Period.Start == "" {
				e.Period.Start = ev.occurred
			}
		}
	case "A03":
		if text(pv1.Field(45).Component(1)) == "" {
			if e.Period == nil {
				e.Period = &fhir.Period{}
			}
			if e.Period.End == "" {
				e.Period.End = ev.occurred
			}
		}
	}
}
