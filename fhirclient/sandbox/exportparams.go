package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// exportRequest is a checked kick-off: what to export and how.
type exportRequest struct {
	level    string
	group    string                   // Group id, group level only
	types    []string                 // nil: every type
	since    time.Time                // zero: no _since
	filters  map[string][][]criterion // type → alternatives (_typeFilter)
	elements map[string][]string      // type, or "" for all → kept elements
	patients map[string]bool          // nil: every patient
	notes    []string                 // what was ignored (lenient): error file lines
}

// ndjsonFormats are the _outputFormat values the spec says mean NDJSON.
var ndjsonFormats = []string{"application/fhir+ndjson", "application/ndjson", "ndjson"}

// exportParams are the kick-off parameters the sandbox understands.
var exportParams = []string{"_type", "_since", "_typeFilter", "_elements", "_outputFormat", "patient"}

// parseExport reads and checks the kick-off parameters (the query of a
// GET, the Parameters body of a POST). On error it also returns the
// HTTP status to answer with.
func (s *Server) parseExport(r *http.Request, level, group string) (*exportRequest, int, error) {
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		var err error
		if q, err = readParameters(r.Body); err != nil {
			return nil, http.StatusBadRequest, err
		}
	} else if q.Has("patient") {
		return nil, http.StatusBadRequest, fmt.Errorf("the patient parameter is only accepted in a POST Parameters body")
	}
	req := &exportRequest{level: level, group: group}
	lenient := prefers(r, "handling=lenient")
	for k := range q {
		if !slices.Contains(exportParams, k) {
			if !lenient {
				return nil, http.StatusBadRequest, fmt.Errorf("parameter %q is not supported (supported: %s; or send Prefer: handling=lenient)", k, strings.Join(exportParams, ", "))
			}
			req.notes = append(req.notes, fmt.Sprintf("parameter %q is not supported and was ignored", k))
		}
	}
	steps := []func(url.Values) error{req.outputFormat, s.typeParam(req), req.sinceParam, req.elementsParam}
	for _, step := range steps {
		if err := step(q); err != nil {
			return nil, http.StatusBadRequest, err
		}
	}
	if err := req.typeFilters(q, lenient); err != nil {
		return nil, http.StatusBadRequest, err
	}
	if err := s.members(req, q, lenient); err != nil {
		return nil, err.status, err
	}
	return req, 0, nil
}

// readParameters turns a Parameters resource into name → values.
// patient values are their references; others their value[x] strings.
func readParameters(body io.Reader) (url.Values, error) {
	var p struct {
		ResourceType string `json:"resourceType"`
		Parameter    []map[string]json.RawMessage
	}
	data, err := io.ReadAll(io.LimitReader(body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("cannot read the Parameters body: %v", err)
	}
	out := url.Values{}
	if len(strings.TrimSpace(string(data))) == 0 {
		return out, nil
	}
	if err := json.Unmarshal(data, &p); err != nil || p.ResourceType != "Parameters" {
		return nil, fmt.Errorf("the POST body must be a FHIR Parameters resource (%v)", err)
	}
	for _, prm := range p.Parameter {
		var name string
		_ = json.Unmarshal(prm["name"], &name)
		v, err := parameterValue(prm)
		if err != nil {
			return nil, fmt.Errorf("parameter %q: %v", name, err)
		}
		out.Add(name, v)
	}
	return out, nil
}

// parameterValue is the value of one Parameters.parameter: a
// valueReference's reference, or a string-like value[x].
func parameterValue(prm map[string]json.RawMessage) (string, error) {
	if raw, ok := prm["valueReference"]; ok {
		var ref struct{ Reference string }
		if err := json.Unmarshal(raw, &ref); err != nil || ref.Reference == "" {
			return "", fmt.Errorf("valueReference needs a reference")
		}
		return ref.Reference, nil
	}
	for _, k := range []string{"valueString", "valueInstant", "valueDateTime", "valueCode", "valueUri"} {
		if raw, ok := prm[k]; ok {
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return "", fmt.Errorf("%s is not a string", k)
			}
			return v, nil
		}
	}
	return "", fmt.Errorf("no value (want valueString, valueInstant, valueCode or valueReference)")
}

// list splits every value of a comma-separated parameter.
func list(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func (req *exportRequest) outputFormat(q url.Values) error {
	if f := q.Get("_outputFormat"); f != "" && !slices.Contains(ndjsonFormats, f) {
		return fmt.Errorf("_outputFormat %q is not supported: the sandbox writes %s", f, ndjsonFormats[0])
	}
	return nil
}

// typeParam checks _type against the types the server knows.
func (s *Server) typeParam(req *exportRequest) func(url.Values) error {
	return func(q url.Values) error {
		for _, t := range list(q, "_type") {
			if !s.knownType(t) {
				return fmt.Errorf("_type: unknown resource type %q", t)
			}
			if !slices.Contains(req.types, t) {
				req.types = append(req.types, t)
			}
		}
		return nil
	}
}

func (req *exportRequest) sinceParam(q url.Values) error {
	v := q.Get("_since")
	if v == "" {
		return nil
	}
	v = strings.ReplaceAll(v, " ", "+") // an unencoded + in a query
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("_since %q is not a FHIR instant (e.g. 2025-01-01T00:00:00Z)", v)
	}
	req.since = t
	return nil
}

// elementsParam reads _elements: Type.element or element (all types).
func (req *exportRequest) elementsParam(q url.Values) error {
	for _, e := range list(q, "_elements") {
		typ, name, ok := strings.Cut(e, ".")
		if !ok {
			typ, name = "", e
		}
		if typ != "" && !isTypeName(typ) || name == "" || strings.Contains(name, ".") {
			return fmt.Errorf("_elements %q: want element or Type.element (top-level elements only)", e)
		}
		if req.elements == nil {
			req.elements = map[string][]string{}
		}
		req.elements[typ] = append(req.elements[typ], name)
	}
	return nil
}

// typeFilters reads _typeFilter: Type?query, queries with the search
// parameters the sandbox supports. Filters of one type are alternatives.
func (req *exportRequest) typeFilters(q url.Values, lenient bool) error {
	for _, f := range list(q, "_typeFilter") {
		typ, query, _ := strings.Cut(f, "?")
		vals, err := url.ParseQuery(query)
		var crit []criterion
		if err == nil {
			if !isTypeName(typ) {
				err = fmt.Errorf("%q is not a resource type", typ)
			} else {
				crit, _, err = compileQuery(typ, vals, 0)
			}
		}
		if err != nil {
			if !lenient {
				return fmt.Errorf("_typeFilter %q is not supported: %v", f, err)
			}
			req.notes = append(req.notes, fmt.Sprintf("_typeFilter %q is not supported and was ignored: %v", f, err))
			continue
		}
		if req.filters == nil {
			req.filters = map[string][][]criterion{}
		}
		req.filters[typ] = append(req.filters[typ], crit)
	}
	return nil
}

// members sets the patients a patient- or group-level export covers: the
// Group's members, narrowed by the patient parameter.
func (s *Server) members(req *exportRequest, q url.Values, lenient bool) *statusError {
	if req.level == levelGroup {
		g := s.data.get("Group", req.group)
		if g == nil {
			return &statusError{http.StatusNotFound, fmt.Sprintf("Group/%s is not known", req.group)}
		}
		req.patients = groupMembers(g)
	}
	asked := q["patient"]
	if len(asked) == 0 {
		return nil
	}
	if req.level == levelSystem {
		return &statusError{http.StatusBadRequest, "the patient parameter applies to Patient and Group exports only"}
	}
	chosen := map[string]bool{}
	for _, ref := range asked {
		id := strings.TrimPrefix(typeAndID(ref), "Patient/")
		known := s.data.get("Patient", id) != nil && (req.patients == nil || req.patients[id])
		if !known && !lenient {
			return &statusError{http.StatusBadRequest, fmt.Sprintf("patient %q is not known here (or not in the Group)", ref)}
		}
		if !known {
			req.notes = append(req.notes, fmt.Sprintf("patient %q is not known here and was left out", ref))
			continue
		}
		chosen[id] = true
	}
	req.patients = chosen
	return nil
}

// groupMembers returns the ids of a Group's Patient members.
func groupMembers(g *resource) map[string]bool {
	out := map[string]bool{}
	for _, leaf := range collect(g.doc, []string{"member", "entity"}, nil) {
		m, _ := leaf.(map[string]any)
		ref, _ := m["reference"].(string)
		if id, ok := strings.CutPrefix(typeAndID(ref), "Patient/"); ok {
			out[id] = true
		}
	}
	return out
}

// statusError is a kick-off refusal with its own HTTP status.
type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string { return e.msg }
