package mappings

import (
	"slices"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// Blood pressure panels. US Core 6.1's us-core-blood-pressure profile wants
// one Observation coded 85354-9 whose components are the systolic (8480-6)
// and diastolic (8462-4) pressures; v2 senders send two OBX, sometimes
// after an OBX carrying 85354-9 itself. The IG maps each OBX to its own
// Observation and says nothing of panels, so these are decisions:
//
//   - Within one OBR group (so one patient), a systolic and a diastolic OBX
//     with the same effective time (OBX-14 as sent, else the OBR-7 the
//     Observation would take) fold into one panel Observation, in place of
//     the two. Several pairs at one time pair in message order.
//   - An OBX carrying 85354-9 is the panel itself: the systolic and
//     diastolic OBX after it with its time fold into it as components (one
//     of them is enough), and its own value is dropped (a "120/80" string or
//     ratio the components say again). A panel OBX without children, and a
//     child before its panel OBX, stay as sent.
//   - A lone systolic or diastolic stays a plain vital-signs Observation: a
//     panel with one component would claim a measurement that was not sent
//     as one, and the single Observation is valid US Core (its own profile
//     code is the component's).
//   - The panel's id is its panel OBX's id, else derived from its first
//     member's (see ids.go), so a replay upserts the same panel. It takes
//     the place of its first member in the bundle and in the report's
//     results; status, category, subject, encounter, effective time,
//     performers, basedOn, specimen, method, body site and device come from
//     that first member (the panel OBX when there is one); identifiers
//     (OBX-21) of every member; a later member's corrected or amended status
//     wins over final. Each component has the member's code, value (UCUM
//     mm[Hg] through vitalUnits), interpretation and reference range, or
//     data-absent-reason unknown when the OBX has no value. Extensions of
//     the members (OBX-10, OBX-19) are not carried: their contexts are the
//     Observation, not its components. NTE after any member are notes of
//     the panel.
//   - Only OBR groups' results are planned: patient observations before any
//     OBR, specimen observations after an SPM, ADT OBX, and the OBX that
//     support the order rather than report on it (OBX-29 QST, SCI: the
//     ServiceRequest's supportingInfo) stay as sent.
const (
	loincBPPanel   = "85354-9"
	loincSystolic  = "8480-6"
	loincDiastolic = "8462-4"
)

// bpSlot is one panel being planned or built: its member OBX and, once
// the first of them is mapped, the panel Observation.
type bpSlot struct {
	when           string // the effective time, as sent
	host, sys, dia *hl7.Segment
	panel          *fhir.Observation
}

// bpPlan maps each member OBX of an OBR group to its panel.
type bpPlan map[*hl7.Segment]*bpSlot

// planBP reads an OBR group's results (following: the segments after the
// OBR) and returns the panels they fold into, or nil (most groups: no
// allocation).
func (r *run) planBP(o *order, following []*hl7.Segment) bpPlan {
	var slots []*bpSlot
scan:
	for _, s := range following {
		switch s.Name() {
		case "OBR", "ORC", "PID", "SPM":
			break scan
		case "OBX":
		default:
			continue
		}
		bp := r.bpCode(s.Field(3))
		if bp == "" || supportsOrder(strings.ToUpper(code(s.Field(29)))) {
			continue // (supporting the order: not a result, no panel)
		}
		when := text(s.Field(14).Component(1))
		if when == "" {
			when = text(o.obr.Field(7).Component(1))
		}
		slots = assignBP(slots, s, bp, when)
	}
	var plan bpPlan
	for _, sl := range slots {
		if sl.host != nil && (sl.sys != nil || sl.dia != nil) || sl.sys != nil && sl.dia != nil {
			if plan == nil {
				plan = bpPlan{}
			}
			for _, s := range [...]*hl7.Segment{sl.host, sl.sys, sl.dia} {
				if s != nil {
					plan[s] = sl
				}
			}
		}
	}
	return plan
}

// assignBP puts a BP OBX into the first open slot of its time (a panel OBX
// always opens one).
func assignBP(slots []*bpSlot, s *hl7.Segment, code, when string) []*bpSlot {
	if code != loincBPPanel {
		for _, sl := range slots {
			if sl.when != when {
				continue
			}
			if code == loincSystolic && sl.sys == nil {
				sl.sys = s
				return slots
			}
			if code == loincDiastolic && sl.dia == nil {
				sl.dia = s
				return slots
			}
		}
	}
	sl := &bpSlot{when: when}
	switch code {
	case loincBPPanel:
		sl.host = s
	case loincSystolic:
		sl.sys = s
	default:
		sl.dia = s
	}
	return append(slots, sl)
}

// bpCode returns the blood pressure LOINC code an OBX-3 carries in any of
// its coding triplets, or "". Most OBX are turned away by a substring test
// before the field is split.
func (r *run) bpCode(f hl7.Value) string {
	raw := f.Raw()
	if !strings.Contains(raw, loincSystolic) && !strings.Contains(raw, loincDiastolic) && !strings.Contains(raw, loincBPPanel) {
		return ""
	}
	c := r.split(f)
	for i, t := range triplets {
		cd, _, ok := codingOf(&c, t, i == 0, "")
		if ok && cd.System == sysLOINC {
			switch cd.Code {
			case loincBPPanel, loincSystolic, loincDiastolic:
				return cd.Code
			}
		}
	}
	return ""
}

// slot returns the panel an OBX of the group folds into, or nil.
func (o *order) slot(s *hl7.Segment) *bpSlot {
	if o == nil || o.bp == nil {
		return nil
	}
	return o.bp[s]
}

// obsPartsFor returns room for an OBX's Observation. A panel member's must
// outlive the next OBX (MapJSON reuses the usual room as soon as an
// Observation is written), so it gets its own.
func (r *run) obsPartsFor(c obxContext) *obsParts {
	if c.bp != nil {
		return new(obsParts)
	}
	return r.newObsParts()
}

// foldBP folds a mapped member OBX (obs, with id x) into its panel, adding
// the panel to the bundle and to its report's results when it is the
// first, and returns the panel, which the NTE after the OBX annotate.
func (r *run) foldBP(c obxContext, s *hl7.Segment, obs *fhir.Observation, x ident) *fhir.Observation {
	sl := c.bp
	if s == sl.host {
		// The panel OBX comes first in its slot (assignBP): it is the panel.
		obs.ObservationValue, obs.DataAbsentReason = fhir.ObservationValue{}, nil
		sl.panel = obs
		r.addPanel(c, x, obs)
		return obs
	}
	p := sl.panel
	if p == nil {
		p = &fhir.Observation{
			Status: obs.Status, Category: obs.Category,
			Code:    conceptCC(concept{sysLOINC, loincBPPanel, vitalSigns[loincBPPanel].display}),
			Subject: obs.Subject, Encounter: obs.Encounter,
			EffectiveDateTime: obs.EffectiveDateTime, Performer: obs.Performer,
			BasedOn: obs.BasedOn, Specimen: obs.Specimen, Focus: obs.Focus,
			Method: obs.Method, BodySite: obs.BodySite, Device: obs.Device,
		}
		id := r.uniqueIdent("Observation", "blood pressure panel", x.id)
		p.ID = id.id
		sl.panel = p
		r.addPanel(c, id, p)
	} else if p.Status == "final" && (obs.Status == "corrected" || obs.Status == "amended") {
		p.Status = obs.Status
	}
	if obs.Identifier != nil {
		p.Identifier = append(slices.Clip(p.Identifier), obs.Identifier...)
	}
	comp := fhir.ObservationComponent{
		Code: obs.Code, ObservationValue: obs.ObservationValue, DataAbsentReason: obs.DataAbsentReason,
		Interpretation: obs.Interpretation, ReferenceRange: obs.ReferenceRange,
	}
	if comp.ObservationValue == (fhir.ObservationValue{}) && comp.DataAbsentReason == nil {
		comp.DataAbsentReason = conceptCC(concept{sysDataAbsentReason, "unknown", "Unknown"})
	}
	p.Component = append(p.Component, comp)
	return p
}

// addPanel adds a panel to the bundle and to its report's results.
func (r *run) addPanel(c obxContext, x ident, p *fhir.Observation) {
	r.add(x, p)
	if c.order != nil {
		c.order.dr.Result = append(c.order.dr.Result, fhir.Reference{Reference: x.url})
	}
}
