package mappings

import (
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
)

// run is the state of one Map call. Runs are pooled: reset keeps the
// maps and slices (emptied) and zeroes everything else.
type run struct {
	m        *Mapper
	msg      *hl7.Message
	trigger  string // MSH-9.2 (or EVN-1), upper case
	msh      *hl7.Segment
	warnings []Warning
	enr      *Enrichment // what FHIR reads found; nil without enrichment

	controlID string
	// msgKey identifies the message (sender, control id, time) for the
	// bundle id and for the ids of resources without a business key.
	msgKey []string

	entries []entry
	// late are resources that join entries once the segments are read
	// (addLate): the living will of PD1-7, so that the Observations of the
	// OBX come first and a field rule's or a channel test's Observation[n]
	// does not move when a sender fills PD1-7.
	late []entry
	// mappedSegs are the NK1, PD1, PV2 and ROL mapped, with the Patient or
	// Encounter each was mapped for (previous_segments.go).
	mappedSegs []mappedSeg
	// focus are the resources a MessageHeader is about.
	focus []ref
	byID  map[string]int // resource id → index in entries
	// counts numbers segments by name as they are read, for warnings
	// ("OBX[3]-14") and for ids that fall back to a position. A message
	// has a handful of segment names: a list is quicker than a map.
	counts []segCount
	// refs caches references to shared resources (Practitioner,
	// Organization, Location) by the raw field text they came from.
	refs map[refKey]ref
	// dtms caches the last date/times converted: the OBX of one panel
	// usually share their observation time, and a message repeats MSH-7
	// and OBR-7 as dateTime and instant (see dtmText).
	dtms    [4]dtmEntry
	dtmNext int
	key     []byte   // scratch for ids
	hasher  idHasher // hashes ids, kept
	strs    strArena // room for ids and other built strings, kept
	// obsPool is room for the Observations still to map (see newObsParts).
	obsPool []obsParts
	// Values shared by the resources of the bundle (see obx.go).
	sharedRefs  map[ref]*fhir.Reference
	perfKey     [3]string
	perf        []fhir.Reference
	interpCache map[string][]fhir.CodeableConcept
	unitCache   map[string]fhir.Quantity
	// The last entries of sharedRefs, interpCache and unitCache used,
	// checked before the maps.
	recentRefs [4]sharedRef
	nextRecent int
	lastInterp struct {
		raw string
		l   []fhir.CodeableConcept
	}
	lastUnit struct {
		raw string
		q   fhir.Quantity
	}
	systems map[hd]resolvedSystem
	idTypes map[string]*fhir.CodeableConcept

	// stream is set by MapJSON: Observations are encoded as soon as they
	// are complete, into obsJSON, and their memory reused (newObsParts).
	stream    bool
	results   []fhir.Reference // MapJSON: room for DiagnosticReport.result
	scratch   obsParts
	pending   *fhir.Observation
	pendingID ident
	obsJSON   []byte
	// out is room for the whole bundle when the caller's buffer is too
	// small (see Mapper.appendJSONWith), kept across messages.
	out []byte
	err error // the first encoding error of a streamed resource
}

func (m *Mapper) newRun(msg *hl7.Message, trigger string) *run {
	r, _ := m.runs.Get().(*run)
	if r == nil {
		r = &run{byID: make(map[string]int, 32)}
	}
	r.m, r.msg, r.trigger, r.msh = m, msg, trigger, msg.Segments[0]
	r.controlID = text(r.msh.Field(10))
	r.msgKey = append(r.msgKey[:0],
		text(r.msh.Field(3).Component(1)), text(r.msh.Field(4).Component(1)),
		r.controlID, text(r.msh.Field(7).Component(1)))
	return r
}

// release empties r and returns it to the pool. Nothing the caller got
// (bundle, warnings) may point into what is kept.
func (m *Mapper) release(r *run) {
	clear(r.entries)
	clear(r.focus)
	clear(r.msgKey)
	clear(r.byID)
	clear(r.counts)
	clear(r.refs)
	clear(r.sharedRefs)
	clear(r.interpCache)
	clear(r.unitCache)
	clear(r.systems)
	clear(r.idTypes)
	clear(r.results)
	*r = run{
		entries: r.entries[:0], focus: r.focus[:0], msgKey: r.msgKey[:0], key: r.key[:0],
		obsJSON: r.obsJSON[:0], results: r.results[:0], out: r.out[:0], strs: r.strs, hasher: r.hasher,
		counts: r.counts[:0], byID: r.byID, refs: r.refs, sharedRefs: r.sharedRefs,
		interpCache: r.interpCache, unitCache: r.unitCache, systems: r.systems, idTypes: r.idTypes,
	}
	if cap(r.out) > maxKeptOut {
		r.out = nil // one huge message must not pin its buffer in the pool
	}
	m.runs.Put(r)
}

// maxKeptOut bounds the bundle buffer a pooled run keeps.
const maxKeptOut = 1 << 20

// ident is a resource's id, its fullUrl ("urn:uuid:<id>") and its request
// URL ("Type/<id>"), cut from one string.
type ident struct {
	id, url, req string
}

// entry is one resource of the bundle being built: the resource, or (when
// streamed, res nil) its JSON in run.obsJSON[start:end].
type entry struct {
	ident
	typ        string
	res        fhir.Resource
	start, end int
}

// ref is how a resource in the bundle is referred to: by its fullUrl, or,
// for a reference with no resource behind it, by display only. The zero
// ref is no reference.
type ref struct {
	url     string
	display string
}

func (x ref) isZero() bool { return x.url == "" && x.display == "" }

// reference returns a new Reference, or nil for the zero ref.
func (x ref) reference() *fhir.Reference {
	if x.isZero() {
		return nil
	}
	return &fhir.Reference{Reference: x.url, Display: x.display}
}

// at locates a field for warnings: segment name, the segment's 1-based
// position among segments of that name (0 or 1 print as the only one), and
// the field number.
type at struct {
	seg      string
	n, field int
}

// String formats the location as HL7 does: "OBX[3]-14".
func (a at) String() string {
	f := a.seg
	if a.n > 1 {
		f += "[" + strconv.Itoa(a.n) + "]"
	}
	if a.field == 0 { // the whole segment
		return f
	}
	return f + "-" + strconv.Itoa(a.field)
}

// warn records a problem with a field.
func (r *run) warn(a at, reason string) {
	r.warnings = append(r.warnings, Warning{Field: a.String(), Reason: reason})
}

// ident returns the deterministic id of a resource (see ids.go).
func (r *run) ident(typ string, key ...string) ident {
	const n = len("urn:uuid:") + 36
	var room [n + 32 + 36]byte // url, then the type name, '/' and id
	b := appendUUID(append(room[:0], "urn:uuid:"...), r.uuid(typ, key...))
	b = append(append(append(b, typ...), '/'), b[len("urn:uuid:"):n]...)
	s := r.strs.add(b)
	return ident{id: s[len("urn:uuid:"):n], url: s[:n], req: s[n:]}
}

// uniqueIdent is ident for a resource that must not merge with another of
// the bundle: when the id is taken (two OBX with the same code and sub-id
// under one OBR), key plus the lowest free ordinal ("#2", "#3") is used.
// The same message always numbers the same way.
func (r *run) uniqueIdent(typ string, key ...string) ident {
	x := r.ident(typ, key...)
	for n := 2; r.has(x.id); n++ {
		x = r.ident(typ, append(key[:len(key):len(key)], "#"+strconv.Itoa(n))...)
	}
	return x
}

// add appends a resource and returns its reference. A resource whose id is
// already in the bundle is not added twice: the first one stands (shared
// resources such as a Practitioner named by several fields).
func (r *run) add(x ident, res fhir.Resource) ref {
	if _, dup := r.byID[x.id]; !dup {
		r.byID[x.id] = len(r.entries)
		r.entries = append(r.entries, entry{ident: x, typ: res.ResourceType(), res: res})
	}
	return ref{url: x.url}
}

// addJSON adds a resource already encoded into r.obsJSON[start:end].
func (r *run) addJSON(x ident, typ string, start, end int) {
	r.byID[x.id] = len(r.entries)
	r.entries = append(r.entries, entry{ident: x, typ: typ, start: start, end: end})
}

// addLate adds res after everything the segments add (see run.late); the
// first of one id stands, as with add.
func (r *run) addLate(x ident, res fhir.Resource) {
	if !r.has(x.id) && !slices.ContainsFunc(r.late, func(e entry) bool { return e.id == x.id }) {
		r.late = append(r.late, entry{ident: x, typ: res.ResourceType(), res: res})
	}
}

// resource returns the bundle's resource with id, or nil.
func (r *run) resource(id string) fhir.Resource {
	if i, ok := r.byID[id]; ok {
		return r.entries[i].res
	}
	return nil
}

func (r *run) has(id string) bool {
	_, ok := r.byID[id]
	return ok
}

// supporting reports whether a resource type comes after the main ones. (A
// PRT after an OBX adds a Device while MapJSON still holds the
// Observation: as a supporting type it comes after it in Map's bundle too.)
func supporting(typ string) bool {
	switch typ {
	case "Practitioner", "PractitionerRole", "Location", "Organization", "Device":
		return true
	}
	return false
}

// ordered returns the bundle's entries in order: the MessageHeader of a
// message bundle, then the resources the message is about, in message
// order, then the ones they refer to (practitioners, locations,
// organizations).
func (r *run) ordered() []entry {
	entries := make([]entry, 0, len(r.entries)+1)
	if r.m.bundleType == BundleMessage {
		entries = append(entries, r.messageHeader())
	}
	for pass := range 2 {
		for _, e := range r.entries {
			if supporting(e.typ) == (pass == 1) {
				entries = append(entries, e)
			}
		}
	}
	return entries
}

// bundle assembles the entries into the bundle.
func (r *run) bundle() *fhir.Bundle {
	b := &fhir.Bundle{
		ID:         r.id("Bundle", r.msgKey...),
		Identifier: r.bundleIdentifier(),
		Type:       r.m.bundleType,
		Timestamp:  r.instant(r.msh.Field(7), at{"MSH", 0, 7}),
	}
	entries := r.ordered()
	b.Entry = make([]fhir.BundleEntry, len(entries))
	var reqs []fhir.BundleEntryRequest
	if r.m.bundleType == BundleTransaction {
		reqs = make([]fhir.BundleEntryRequest, len(entries))
	}
	for i, e := range entries {
		b.Entry[i] = fhir.BundleEntry{FullURL: e.url, Resource: e.res}
		if reqs != nil {
			reqs[i] = fhir.BundleEntryRequest{Method: "PUT", URL: e.req}
			b.Entry[i].Request = &reqs[i]
		}
	}
	return b
}

// appendJSON writes the bundle's JSON as fhir.Marshal(r.bundle()) would,
// without building the Bundle: its entries are all fullUrl, resource and
// request, whose strings (uuids, type names, timestamps) need no escaping.
// The samples test holds the two equal byte for byte.
func (r *run) appendJSON(b []byte) ([]byte, error) {
	if r.flush(); r.err != nil {
		return nil, r.err
	}
	b = append(b, `{"resourceType":"Bundle","id":"`...)
	b = append(b, r.id("Bundle", r.msgKey...)...)
	b = append(b, '"')
	if id := r.bundleIdentifier(); id != nil {
		// As fhir.Marshal writes an Identifier of a system and a value.
		b = append(b, `,"identifier":{`...)
		if id.System != "" {
			b = append(fhir.AppendString(append(b, `"system":`...), id.System), ',')
		}
		b = append(fhir.AppendString(append(b, `"value":`...), id.Value), '}')
	}
	b = append(b, `,"type":"`...)
	b = append(b, r.m.bundleType...)
	b = append(b, '"')
	if ts := r.instant(r.msh.Field(7), at{"MSH", 0, 7}); ts != "" {
		b = append(b, `,"timestamp":"`...)
		b = append(b, ts...)
		b = append(b, '"')
	}
	b = append(b, `,"entry":[`...)
	n := 0
	var err error
	if r.m.bundleType == BundleMessage {
		b, err = r.appendEntry(b, r.messageHeader(), n)
		n++
	}
	// The order of ordered(), without building its slice.
	for pass := range 2 {
		for _, e := range r.entries {
			if supporting(e.typ) != (pass == 1) || err != nil {
				continue
			}
			b, err = r.appendEntry(b, e, n)
			n++
		}
	}
	if err != nil {
		return nil, err
	}
	return append(b, "]}"...), nil
}

// sizeHint estimates the bundle's JSON size, for MapJSON to allocate its
// result once: the streamed Observations are written already; the other
// resources of the samples average under 1 KB, an entry's fullUrl and
// request under 200 bytes. A short estimate costs one more growth.
func (r *run) sizeHint() int {
	r.flush()
	n := 512 + len(r.obsJSON) + 200*len(r.entries)
	for _, e := range r.entries {
		if e.res != nil {
			n += 1000
		}
	}
	return n
}

// appendEntry writes the n-th (0-based) entry of the bundle.
func (r *run) appendEntry(b []byte, e entry, n int) ([]byte, error) {
	if n > 0 {
		b = append(b, ',')
	}
	b = append(b, `{"fullUrl":"`...)
	b = append(b, e.url...)
	b = append(b, `","resource":`...)
	if e.res == nil {
		b = append(b, r.obsJSON[e.start:e.end]...)
	} else {
		var err error
		if b, err = fhir.AppendJSON(b, e.res); err != nil {
			return nil, err
		}
	}
	if r.m.bundleType == BundleTransaction {
		b = append(b, `,"request":{"method":"PUT","url":"`...)
		b = append(b, e.req...)
		b = append(b, `"}`...)
	}
	return append(b, '}'), nil
}

// next returns the 1-based position of the next segment called name.
func (r *run) next(name string) int {
	for i := range r.counts {
		if c := &r.counts[i]; c.name == name {
			c.n++
			return c.n
		}
	}
	r.counts = append(r.counts, segCount{name, 1})
	return 1
}

// count returns how many segments called name were read so far.
func (r *run) count(name string) int {
	for _, c := range r.counts {
		if c.name == name {
			return c.n
		}
	}
	return 0
}

// segCount is how many segments called name were read.
type segCount struct {
	name string
	n    int
}

// reps returns the repetitions of a field without allocating when there is
// one (the usual case).
func (r *run) reps(f hl7.Value, one *[1]hl7.Value) []hl7.Value {
	if f.IsEmpty() {
		return nil
	}
	if strings.IndexByte(f.Raw(), r.msg.Delimiters.Repetition) < 0 {
		one[0] = f.Rep(1)
		return one[:]
	}
	return f.Reps()
}

// bundleIdentifier is the IG's MSH[Bundle] identifier: MSH-10, the message
// control id, whose system the IG leaves to the implementer. Decision: the
// sending application MSH-3 as an assigning authority (Options.
// IdentifierSystems, an OID, else the local urn:switchboard: URI), as
// control ids are unique per sender; without MSH-3, the value alone.
func (r *run) bundleIdentifier() *fhir.Identifier {
	if r.controlID == "" {
		return nil
	}
	sys, _ := r.system(hdAt(r.msh.Field(3), 1))
	return &fhir.Identifier{System: sys, Value: r.controlID}
}
