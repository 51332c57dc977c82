package sandbox

import (
	"strings"
	"time"
)

// compartmentPaths are the elements by which a resource names its
// patient in the sandbox's data (Observation.subject,
// AllergyIntolerance.patient, Coverage.beneficiary, ...).
var compartmentPaths = []string{"subject", "patient", "beneficiary"}

// keep reports whether a stored resource belongs in the export.
func (req *exportRequest) keep(r *resource) bool {
	if !req.since.IsZero() && !updatedAfter(r.doc, req.since) {
		return false
	}
	if req.level != levelSystem && !req.inCompartment(r) {
		return false
	}
	return req.passes(r.typ, r.doc, r.id)
}

// passes applies the _typeFilter queries of typ: any one must match.
func (req *exportRequest) passes(typ string, doc map[string]any, id string) bool {
	alts, ok := req.filters[typ]
	if !ok {
		return true
	}
	for _, crit := range alts {
		if matches(doc, id, crit) {
			return true
		}
	}
	return false
}

// inCompartment reports whether r is in the compartment of one of the
// export's patients: the Patient itself, or a resource pointing at it.
func (req *exportRequest) inCompartment(r *resource) bool {
	if r.typ == "Patient" {
		return req.hasPatient(r.id)
	}
	for _, p := range compartmentPaths {
		for _, leaf := range collect(r.doc, []string{p}, nil) {
			m, _ := leaf.(map[string]any)
			ref, _ := m["reference"].(string)
			if id, ok := strings.CutPrefix(typeAndID(ref), "Patient/"); ok && req.hasPatient(id) {
				return true
			}
		}
	}
	return false
}

// hasPatient reports whether the export covers patient id.
func (req *exportRequest) hasPatient(id string) bool {
	return req.patients == nil || req.patients[id]
}

// updatedAfter reports whether meta.lastUpdated is after t; a resource
// without one is kept (nothing says it is older).
func updatedAfter(doc map[string]any, t time.Time) bool {
	meta, _ := doc["meta"].(map[string]any)
	lu, _ := meta["lastUpdated"].(string)
	at, err := time.Parse(time.RFC3339Nano, lu)
	return err != nil || at.After(t)
}

// snapshot selects the stored resources of each type at kick-off: the
// resources themselves are immutable, so the job serves the data as of
// its transactionTime whatever changes later.
func (s *Server) snapshot(req *exportRequest, types []string) []exportPart {
	var parts []exportPart
	for _, t := range types {
		found := s.data.filter(t, req.keep)
		parts = append(parts, exportPart{typ: t, src: resourceLines(found)})
	}
	return parts
}

// bulkSelection picks the synthetic Observations an export covers: all
// of them, or (patients or a filter narrowing them) a list of indexes,
// 4 bytes a line. It returns nil when none are in.
func (s *Server) bulkSelection(req *exportRequest) lineSource {
	n, gen := s.opts.Export.BulkSize, s.bulk
	if n == 0 || !req.since.IsZero() && !synthEpoch.After(req.since) {
		return nil
	}
	allowed := make([]bool, gen.patients)
	all := true
	for k := range allowed {
		allowed[k] = req.hasPatient(gen.patientID(k))
		all = all && allowed[k]
	}
	_, filtered := req.filters["Observation"]
	if all && !filtered {
		return bulkLines{gen: gen, n: n}
	}
	var idx []int32
	var line []byte
	for i := range n {
		if !allowed[i%gen.patients] {
			continue
		}
		if filtered {
			line = gen.appendLine(line[:0], i)
			doc, err := decodeResource(line)
			if err != nil || !req.passes("Observation", doc, bulkID(i)) {
				continue
			}
		}
		idx = append(idx, int32(i))
	}
	if len(idx) == 0 {
		return nil
	}
	return bulkLines{gen: gen, idx: idx, n: len(idx)}
}
