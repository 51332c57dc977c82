package mappings

// FHIR R4 → HL7 v2 for write-back: the reverse of the inbound maps.
// Downstream apps publish write-back requests (a FHIR resource, or a
// Bundle holding it with the resources it references); Build turns one
// into the v2 message the EHR's interface takes. Each out_*.go file holds
// one message (out_results.go ORU^R01, out_orders.go ORM^O01 / OML^O21,
// out_documents.go MDM^T02, out_allergies.go ADT^A60), out_pid.go the
// patient and visit segments, out_datatypes.go the data types (CX, EI,
// XPN, XCN, CWE, DTM, units) and out_vocab.go the reversed vocabularies.
//
// Decisions where the standard leaves a choice, each also written where it
// is made:
//   - A request is rejected (ErrInvalidRequest) rather than sent half
//     built: a result, a patient or a date that cannot be read is an error
//     naming the element, never a segment silently left out. The EHR acts
//     on what it receives, and a lab result or an order lost on the way is
//     worse than a rejected request the app can fix.
//   - The patient is the one the focus resource's subject (or patient)
//     reference resolves to in the request; a logical reference (only
//     Reference.identifier) gives a PID with that identifier alone. A
//     Patient that merely sits in the Bundle is not guessed to be the
//     subject.
//   - Messages use the delimiters |^~\& and every value is escaped
//     (hl7.Escape); multi-line text is sent as TX repetitions (OBX-5) or
//     as FT line breaks \.br\ (NTE-3), both of which the inbound maps read
//     back as lines.

import (
	"encoding/json"
	"errors"
	"fmt"
	neturl "net/url"
	"strings"
	"time"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// Write-back kinds (NATS subject writeback.<tenant>.<kind>).
const (
	KindResults   = "results"   // a DiagnosticReport with its Observations (Bundle) → ORU^R01
	KindOrders    = "orders"    // a ServiceRequest → ORM^O01 (or OML^O21 by option)
	KindDocuments = "documents" // a DocumentReference (text or base64 attachment) → MDM^T02
	KindAllergies = "allergies" // an AllergyIntolerance → ADT^A60
)

// ErrInvalidRequest is wrapped by every Build error caused by the request
// itself (not JSON, not FHIR, an unsupported resource, missing identifiers
// needed for PID, ...); the error text says why, without PHI values (name
// fields and resource types, not their content).
var ErrInvalidRequest = errors.New("mappings: invalid write-back request")

// OutboundOptions are a write-back channel's MSH settings and code tables.
type OutboundOptions struct {
	// SendingApplication, SendingFacility, ReceivingApplication and
	// ReceivingFacility are MSH-3 to MSH-6, each an HD written
	// "namespace^universal id^type" (or just the namespace).
	SendingApplication, SendingFacility     string // MSH-3, MSH-4
	ReceivingApplication, ReceivingFacility string // MSH-5, MSH-6
	// Version is MSH-12, default "2.5.1" (EHRs reject messages whose
	// MSH-11/12 do not match their interface). From 2.5 on coded values
	// are CWE and date/times DTM, before CE and TS; ADT^A60 carries IAM
	// from 2.4 on, AL1 before.
	Version string
	// ProcessingID is MSH-11: P (default), D or T.
	ProcessingID string
	// OrderStructure is "ORM^O01" (default) or "OML^O21".
	OrderStructure string
	// AssigningAuthorities maps an identifier system URI to the CX.4
	// assigning authority to send (the reverse of the inbound
	// identifier_systems), an HD written "namespace^universal id^type" or
	// just the namespace. Unknown systems: us-npi and us-ssn → NPI and SSA
	// with their OIDs (wellKnownAuthorities); urn:oid:X → universal id X,
	// type ISO; urn:uuid:X → X, type UUID; the inbound fallback
	// urn:switchboard:[tenant:]aa:NAME → NAME; else the system URI itself as
	// the namespace (which the inbound map reads back as that system).
	AssigningAuthorities map[string]string
	// CodingSystems maps a code system URI to the CWE.3 name to send
	// (reverse of inbound code_systems). Built-in: the inbound table 0396
	// names reversed (http://loinc.org → LN, http://snomed.info/sct → SCT,
	// http://unitsofmeasure.org → UCUM, ...; see outCodingSystems),
	// http://terminology.hl7.org/CodeSystem/v2-NNNN → HL7NNNN, urn:oid:X →
	// X (CWE.14 the OID), any other URI as itself.
	CodingSystems map[string]string
}

// Outbound builds HL7 v2 messages from FHIR write-back requests. It is
// safe for concurrent use.
type Outbound struct {
	msh         [4]string // MSH-3..6, raw
	sendingNS   string    // MSH-3's namespace id, for order numbers made from ids
	version     string
	processing  string
	oml         bool
	v24, v25    bool // version at least 2.4, 2.5
	authorities map[string]hd
	codeNames   map[string]string
}

// NewOutbound validates the options and returns an Outbound.
func NewOutbound(o OutboundOptions) (*Outbound, error) {
	b := &Outbound{version: o.Version, processing: o.ProcessingID}
	if b.version == "" {
		b.version = "2.5.1"
	}
	major, minor, ok := outVersion(b.version)
	if !ok || major != 2 || minor < 3 {
		return nil, fmt.Errorf("mappings: outbound version %q: want 2.3 or later, e.g. 2.5.1", o.Version)
	}
	b.v24, b.v25 = minor >= 4, minor >= 5
	switch b.processing {
	case "":
		b.processing = "P"
	case "P", "D", "T":
	default:
		return nil, fmt.Errorf("mappings: outbound processing id %q: want P, D or T", o.ProcessingID)
	}
	switch o.OrderStructure {
	case "", "ORM^O01":
	case "OML^O21":
		b.oml = true
	default:
		return nil, fmt.Errorf("mappings: outbound order structure %q: want ORM^O01 or OML^O21", o.OrderStructure)
	}
	for i, s := range [4]string{o.SendingApplication, o.SendingFacility, o.ReceivingApplication, o.ReceivingFacility} {
		h := parseHD(s)
		b.msh[i] = v2Join('^', v2Esc(h.ns), v2Esc(h.uid), v2Esc(h.typ))
		if i == 0 {
			b.sendingNS = h.ns
		}
	}
	b.authorities = make(map[string]hd, len(o.AssigningAuthorities))
	for sys, aa := range o.AssigningAuthorities {
		if !isURI(sys) {
			return nil, fmt.Errorf("mappings: assigning authority for %q: the key must be an identifier system URI", sys)
		}
		h := parseHD(aa)
		if h.empty() {
			return nil, fmt.Errorf("mappings: assigning authority for %q is empty", sys)
		}
		b.authorities[sys] = h
	}
	b.codeNames = make(map[string]string, len(o.CodingSystems))
	for sys, name := range o.CodingSystems {
		if !isURI(sys) {
			return nil, fmt.Errorf("mappings: coding system name for %q: the key must be a code system URI", sys)
		}
		if strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("mappings: coding system name for %q is empty", sys)
		}
		b.codeNames[sys] = strings.TrimSpace(name)
	}
	return b, nil
}

// parseHD reads an HD from configuration: "ns^uid^type".
func parseHD(s string) hd {
	p := strings.SplitN(strings.TrimSpace(s), "^", 3)
	for len(p) < 3 {
		p = append(p, "")
	}
	return hd{strings.TrimSpace(p[0]), strings.TrimSpace(p[1]), strings.TrimSpace(p[2])}
}

// outVersion parses "2.5.1" into 2 and 5.
func outVersion(v string) (major, minor int, ok bool) {
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, false
	}
	for _, p := range parts {
		if !allDigits(p) || len(p) > 2 {
			return 0, 0, false
		}
	}
	return atoi(parts[0]), atoi(parts[1]), true
}

// Built is one v2 message built from a request.
type Built struct {
	Message                  []byte // encoded with \r segment terminators
	ControlID                string // MSH-10, unique per message (hl7.NewControlID)
	Type, Trigger, Structure string // MSH-9
	// PatientID and PatientAssigner are PID-3's first repetition: CX.1 and
	// CX.4.1, for ordering and the message log. When the authority is
	// sent as a universal id only (an OID or UUID system), PatientAssigner
	// is that id (CX.4.2).
	PatientID, PatientAssigner string
}

// invalid returns an error wrapping ErrInvalidRequest. Callers pass
// element and resource type names, never values.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidRequest}, args...)...)
}

// outKinds gives each kind its focus resource type and builder.
var outKinds = map[string]struct {
	focus string
	build func(*outReq) error
}{
	KindResults:   {"DiagnosticReport", (*outReq).results},
	KindOrders:    {"ServiceRequest", (*outReq).orders},
	KindDocuments: {"DocumentReference", (*outReq).documents},
	KindAllergies: {"AllergyIntolerance", (*outReq).allergies},
}

// Build builds the message for a request of kind. payload is FHIR R4 JSON:
// the resource itself, or a Bundle (any type) holding it together with the
// Patient and other resources it references (resolved by fullUrl, by
// "Type/id", or `contained` "#id"). now is MSH-7.
func (o *Outbound) Build(kind string, payload []byte, now time.Time) (*Built, error) {
	k, ok := outKinds[kind]
	if !ok {
		return nil, invalid("unknown write-back kind %q", kind)
	}
	q := &outReq{o: o, now: now, msg: &hl7.Message{Delimiters: hl7.DefaultDelimiters}}
	if err := q.load(payload, k.focus); err != nil {
		return nil, err
	}
	if err := k.build(q); err != nil {
		return nil, err
	}
	b := &Built{Message: q.msg.Encode(), ControlID: q.controlID, PatientID: q.patientID, PatientAssigner: q.patientAA}
	b.Type, b.Trigger, b.Structure = q.msg.Type()
	return b, nil
}

// outReq is one Build: the request's resources and the message so far.
type outReq struct {
	o   *Outbound
	now time.Time
	msg *hl7.Message
	// byRef finds the request's resources by fullUrl and by "Type/id".
	byRef map[string]fhir.Resource
	// contained holds each resource's contained resources by "#id",
	// decoded when first needed.
	contained map[fhir.Resource]map[string]fhir.Resource
	focus     fhir.Resource

	controlID, patientID, patientAA string
}

// load decodes the payload and finds the focus resource.
func (q *outReq) load(payload []byte, want string) error {
	res, err := fhir.UnmarshalResource(payload)
	switch {
	case errors.Is(err, fhir.ErrNotResource):
		return invalid("payload is not a FHIR resource (no resourceType)")
	case err != nil && !json.Valid(payload):
		return invalid("payload is not JSON")
	case err != nil:
		return invalid("payload does not decode as FHIR R4: %v", err)
	}
	q.byRef = map[string]fhir.Resource{}
	bundle, isBundle := res.(*fhir.Bundle)
	if !isBundle {
		if res.ResourceType() != want {
			return invalid("payload is a %s: this kind takes a %s (or a Bundle holding one)", res.ResourceType(), want)
		}
		q.focus = res
		q.index("", res)
		return nil
	}
	n := 0
	for i := range bundle.Entry {
		e := &bundle.Entry[i]
		if e.Resource == nil {
			continue
		}
		q.index(e.FullURL, e.Resource)
		if e.Resource.ResourceType() == want {
			if n == 0 {
				q.focus = e.Resource
			}
			n++
		}
	}
	switch {
	case n == 0:
		return invalid("Bundle holds no %s", want)
	case n > 1:
		return invalid("Bundle holds %d resources of type %s: one per request", n, want)
	}
	return nil
}

// index makes a resource findable by its fullUrl and "Type/id".
func (q *outReq) index(fullURL string, r fhir.Resource) {
	if fullURL != "" {
		q.byRef[fullURL] = r
	}
	if id := outResourceID(r); id != "" {
		q.byRef[r.ResourceType()+"/"+id] = r
	}
}

// resolve finds what ref points at: a contained resource of from ("#id"),
// or a resource of the request by fullUrl, by "Type/id" (relative, or the
// tail of an absolute URL, a version "/_history/n" ignored). It returns nil
// when the reference is empty or points outside the request.
func (q *outReq) resolve(from fhir.Resource, ref *fhir.Reference) fhir.Resource {
	if ref == nil || ref.Reference == "" {
		return nil
	}
	s := ref.Reference
	if id, ok := strings.CutPrefix(s, "#"); ok {
		return q.containedOf(from)[id]
	}
	if r, ok := q.byRef[s]; ok {
		return r
	}
	if i := strings.Index(s, "/_history/"); i >= 0 {
		s = s[:i]
		if r, ok := q.byRef[s]; ok {
			return r
		}
	}
	parts := strings.Split(s, "/")
	if n := len(parts); n >= 2 {
		return q.byRef[parts[n-2]+"/"+parts[n-1]]
	}
	return nil
}

// containedOf decodes the contained resources of r, by id.
func (q *outReq) containedOf(r fhir.Resource) map[string]fhir.Resource {
	if r == nil {
		return nil
	}
	if m, ok := q.contained[r]; ok {
		return m
	}
	m := map[string]fhir.Resource{}
	var raws []json.RawMessage
	if raw := outUnknown(r).Get("contained"); raw != nil && json.Unmarshal(raw, &raws) == nil {
		for _, x := range raws {
			if c, err := fhir.UnmarshalResource(x); err == nil {
				if id := outResourceID(c); id != "" {
					m[id] = c
				}
			}
		}
	}
	if q.contained == nil {
		q.contained = map[fhir.Resource]map[string]fhir.Resource{}
	}
	q.contained[r] = m
	return m
}

// outResourceID returns the logical id of the resource types write-back
// reads.
func outResourceID(r fhir.Resource) string {
	switch x := r.(type) {
	case *fhir.Patient:
		return x.ID
	case *fhir.Observation:
		return x.ID
	case *fhir.DiagnosticReport:
		return x.ID
	case *fhir.ServiceRequest:
		return x.ID
	case *fhir.AllergyIntolerance:
		return x.ID
	case *fhir.DocumentReference:
		return x.ID
	case *fhir.Encounter:
		return x.ID
	case *fhir.Practitioner:
		return x.ID
	case *fhir.Specimen:
		return x.ID
	case *fhir.Organization:
		return x.ID
	case *fhir.RawResource:
		var v struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(x.JSON, &v)
		return v.ID
	}
	return ""
}

// outUnknown returns the members a resource's type does not model (where
// "contained" is kept).
func outUnknown(r fhir.Resource) fhir.Members {
	switch x := r.(type) {
	case *fhir.Patient:
		return x.Unknown
	case *fhir.Observation:
		return x.Unknown
	case *fhir.DiagnosticReport:
		return x.Unknown
	case *fhir.ServiceRequest:
		return x.Unknown
	case *fhir.AllergyIntolerance:
		return x.Unknown
	case *fhir.DocumentReference:
		return x.Unknown
	case *fhir.Encounter:
		return x.Unknown
	}
	return nil
}

// patientOf resolves the focus resource's patient reference (field names
// it for errors): a Patient of the request, or, for a logical reference,
// a Patient holding only Reference.identifier.
func (q *outReq) patientOf(ref *fhir.Reference, field string) (*fhir.Patient, error) {
	if ref == nil {
		return nil, invalid("%s is missing: no Patient for PID", field)
	}
	switch r := q.resolve(q.focus, ref).(type) {
	case *fhir.Patient:
		return r, nil
	case nil:
	default:
		return nil, invalid("%s refers to a %s, not a Patient", field, r.ResourceType())
	}
	if ref.Identifier != nil && ref.Identifier.Value != "" {
		return &fhir.Patient{Identifier: []fhir.Identifier{*ref.Identifier}}, nil
	}
	return nil, invalid("%s does not resolve to a Patient in the request", field)
}

// msh adds MSH for type^trigger^structure, with a new control id.
func (q *outReq) msh(typ, trigger, structure string) {
	o := q.o
	q.controlID = hl7.NewControlID()
	q.msg.NewSegment("MSH", o.msh[0], o.msh[1], o.msh[2], o.msh[3],
		q.now.Format("20060102150405.000-0700"), "",
		v2Join('^', typ, trigger, structure), v2Esc(q.controlID), v2Esc(o.processing), v2Esc(o.version))
}

// evn adds EVN: EVN-1 the trigger (kept for the versions that require
// it), EVN-2 recorded now, EVN-6 the event's time when known.
func (q *outReq) evn(trigger, occurred string) {
	s := v2Seg{}
	s.set(1, trigger)
	s.set(2, q.dtmNow())
	s.set(6, occurred)
	q.add("EVN", &s)
}

func (q *outReq) dtmNow() string { return q.now.Format("20060102150405-0700") }

// v2Seg collects a segment's raw fields, field 1 first.
type v2Seg struct{ f []string }

func (s *v2Seg) set(n int, raw string) {
	if raw == "" {
		return
	}
	for len(s.f) < n {
		s.f = append(s.f, "")
	}
	s.f[n-1] = raw
}

// add appends a segment built from s.
func (q *outReq) add(name string, s *v2Seg) {
	q.msg.NewSegment(name, s.f...)
}

// unescapeURN reverses escapeURN.
func unescapeURN(s string) string {
	if u, err := neturl.PathUnescape(s); err == nil {
		return u
	}
	return s
}
