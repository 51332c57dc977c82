package mappings

import (
	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// plLevel is one level of a PL (person location), broadest first, with the
// physical type the IG's PL[Location] map gives it.
type plLevel struct {
	comp     int    // PL component
	physical string // location-physical-type code, "" for none
	display  string
}

// plLevels: facility PL.4 (si), building PL.7 (bu), floor PL.8 (lvl), point
// of care PL.1, room PL.2 (ro), bed PL.3 (bd). The IG leaves the point of
// care's physical type open ("extension??-poc"); it gets none.
var plLevels = [...]plLevel{
	{4, "si", "Site"},
	{7, "bu", "Building"},
	{8, "lvl", "Level"},
	{1, "", ""},
	{2, "ro", "Room"},
	{3, "bd", "Bed"},
}

// pl maps a PL (PV1-3, PV1-6) after the IG's PL[Location] map: one
// Location per valued level, each with the level's HD.1 (else HD.2) as
// identifier and name, mode instance, its physical type, and partOf the
// level above; PL.9 describes the most granular one, which the returned
// reference points at (the IG puts only that one in Encounter.location).
// A PL with a description but no level is a display-only reference.
func (r *run) pl(v hl7.Value) ref {
	if v.IsEmpty() || v.IsNull() {
		return ref{}
	}
	if x, ok := r.refs[refKey{"PL", v.Raw()}]; ok {
		return x
	}
	c := r.split(v)
	desc := c.text(9)
	var key []string
	var parent ref
	var last *fhir.Location
	for _, lv := range plLevels {
		name := c.sub(lv.comp, 1)
		if name == "" {
			name = c.sub(lv.comp, 2)
		}
		if name == "" {
			continue
		}
		key = append(key, lv.physical, name)
		loc := &fhir.Location{
			Identifier: []fhir.Identifier{{Value: name}},
			Name:       name,
			Mode:       "instance",
			PartOf:     parent.reference(),
		}
		if lv.physical != "" {
			loc.PhysicalType = conceptCC(concept{sysLocationPhysical, lv.physical, lv.display})
		}
		id := r.ident("Location", key...)
		loc.ID = id.id
		parent = r.add(id, loc)
		last = loc
	}
	switch {
	case last != nil:
		// When an earlier field already put this location in the bundle,
		// that resource stands and last is a discarded copy.
		last.Description = desc
	case desc != "":
		parent = ref{display: desc}
	default:
		return ref{}
	}
	r.cache(refKey{"PL", v.Raw()}, parent)
	return parent
}
