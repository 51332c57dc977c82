package mappings

import (
	"fmt"
	"slices"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// FieldRule sets one FHIR element from one v2 field, after the IG's maps
// have run: how a channel maps a Z-segment field to an extension, or
// overrides what the IG puts in an element.
//
//	From: ZPI-2   To: Patient.extension(https://hospital.example/fhir/vip).valueString
//	From: PV1-10  To: Encounter.serviceType.text
//
// The value is the field's text (unescaped). An empty field changes
// nothing, and so does "" (the v2 explicit null): a rule never deletes
// what the map produced. For a Patient or Encounter with a previous
// version (updates, previous.go), an empty field keeps what the rule set
// before, as an omitted PID field does: an A08 without the Z-segment does
// not wipe its extension downstream; "" lets it go. The rule applies to every resource of To's type
// in the Bundle (To.Index picks one), and the v2 field is read from the
// first segment of its name. Rules run in order; a later one wins.
type FieldRule struct {
	From hl7.Path
	To   fhir.Path
}

func (m *Mapper) setFields(rules []FieldRule) error {
	for _, f := range rules {
		if err := f.To.Settable(); err != nil {
			return fmt.Errorf("mappings: field rule %s → %s: %w", f.From, f.To, err)
		}
		if f.To.Type == "Observation" {
			m.fieldsObs = true
		}
	}
	m.fields = rules
	return nil
}

// applyFields runs the channel's field rules on the bundle being built.
func (r *run) applyFields() {
	for _, f := range r.m.fields {
		v := r.msg.Value(f.From)
		if v.IsEmpty() {
			r.carryField(f)
		}
		if v.IsEmpty() || v.IsNull() {
			continue
		}
		val := v.String()
		n := 0
		for _, e := range r.entries {
			if e.res == nil || e.typ != f.To.Type {
				continue
			}
			if f.To.Index < 0 || f.To.Index == n {
				if err := fhir.SetString(e.res, f.To, val); err != nil {
					r.warnings = append(r.warnings, Warning{Field: f.From.String(), Reason: "field rule: " + err.Error()})
				}
			}
			n++
		}
	}
}

// warnUnmappedZ warns once per Z-segment that no rule reads and the
// channel does not ignore.
func (r *run) warnUnmappedZ() {
	var seen []string
	for _, s := range r.msg.Segments {
		name := s.Name()
		if len(name) != 3 || name[0] != 'Z' || r.m.zKnown[name] || slices.Contains(seen, name) {
			continue
		}
		seen = append(seen, name)
		r.warnings = append(r.warnings, Warning{Field: name, Reason: "Z-segment not mapped: add a fields rule for it or list it under mapping.ignore_segments"})
	}
}

// carryField takes the element a rule sets from the previous version of
// each Patient or Encounter it applies to, when the message omits the
// rule's field: for an extension(url) step, the extensions with that url
// (unless the resource has one); otherwise the rule's top element, when
// the map left it empty.
func (r *run) carryField(f FieldRule) {
	if len(f.To.Steps) == 0 || (f.To.Type != "Patient" && f.To.Type != "Encounter") {
		return
	}
	top := f.To.Steps[0]
	n := 0
	for _, e := range r.entries {
		if e.res == nil || e.typ != f.To.Type {
			continue
		}
		if f.To.Index < 0 || f.To.Index == n {
			if prev := r.previous(e.typ, e.id); prev != nil {
				if top.URL != "" {
					fhir.CopyExtensions(e.res, prev, top.Name, top.URL)
				} else {
					fhir.CopyElement(e.res, prev, top.Name)
				}
			}
		}
		n++
	}
}
