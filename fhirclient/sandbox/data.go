package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"time"
)

// resource is one stored FHIR resource: its JSON as served, and the
// decoded form searches look into. Both are immutable once stored; a
// replacement is a new resource, so search snapshots stay consistent.
type resource struct {
	typ, id string
	doc     map[string]any
	raw     json.RawMessage
}

// store holds every resource, by type, in insertion order (the order
// searches return them in).
type store struct {
	mu       sync.RWMutex
	types    map[string]*table
	ownGroup bool // Group/all came from DataDir or Put: leave it alone

	// groupMu serialises rebuilds of Group/all, so that the last rebuild
	// always sees the last patient added.
	groupMu sync.Mutex
}

type table struct {
	list []*resource
	byID map[string]int
}

func newStore() *store { return &store{types: map[string]*table{}} }

// instant formats a time as a FHIR instant.
func instant(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// decodeResource parses one resource, keeping numbers as written (FHIR
// decimals carry their precision in their text).
func decodeResource(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	if doc == nil {
		return nil, errors.New("not a JSON object")
	}
	return doc, nil
}

// newResource checks a decoded resource and encodes it for serving.
func newResource(doc map[string]any) (*resource, error) {
	typ, _ := doc["resourceType"].(string)
	if !isTypeName(typ) {
		return nil, fmt.Errorf("resourceType %q is not a resource type", typ)
	}
	id, _ := doc["id"].(string)
	if !validID(id) {
		return nil, fmt.Errorf("%s id %q is not a FHIR id (1-64 of A-Z a-z 0-9 - .)", typ, id)
	}
	raw, err := encodeResource(doc, typ, id)
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %v", typ, id, err)
	}
	// Searches walk the decoded form of what is served, so that built and
	// loaded resources look alike ([]any, never []string) and the caller
	// keeps no handle on stored data.
	if doc, err = decodeResource(raw); err != nil {
		return nil, fmt.Errorf("%s/%s: %v", typ, id, err)
	}
	return &resource{typ: typ, id: id, doc: doc, raw: raw}, nil
}

// encodeResource writes resourceType and id first, as FHIR JSON is
// conventionally read, then the other elements in key order.
func encodeResource(doc map[string]any, typ, id string) ([]byte, error) {
	rest := maps.Clone(doc)
	delete(rest, "resourceType")
	delete(rest, "id")
	body, err := json.Marshal(rest)
	if err != nil {
		return nil, err
	}
	head, _ := json.Marshal(typ) // strings always marshal
	idJSON, _ := json.Marshal(id)
	var b bytes.Buffer
	b.WriteString(`{"resourceType":`)
	b.Write(head)
	b.WriteString(`,"id":`)
	b.Write(idJSON)
	if len(body) > 2 {
		b.WriteByte(',')
	}
	b.Write(body[1:])
	return b.Bytes(), nil
}

// validID reports whether s is a FHIR id.
func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// stamp sets meta.versionId and meta.lastUpdated, keeping the rest of meta.
func stamp(doc map[string]any, version int, when time.Time) {
	meta, _ := doc["meta"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		doc["meta"] = meta
	}
	meta["versionId"] = strconv.Itoa(version)
	meta["lastUpdated"] = instant(when)
}

// add stores r, replacing a resource with the same type and id in place.
// It reports whether r is new.
func (st *store) add(r *resource) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if r.typ == "Group" && r.id == groupAllID {
		st.ownGroup = true
	}
	return st.addLocked(r)
}

// addLocked is add with st.mu held, and no say over Group/all.
func (st *store) addLocked(r *resource) bool {
	t := st.types[r.typ]
	if t == nil {
		t = &table{byID: map[string]int{}}
		st.types[r.typ] = t
	}
	if i, ok := t.byID[r.id]; ok {
		t.list[i] = r
		return false
	}
	t.byID[r.id] = len(t.list)
	t.list = append(t.list, r)
	return true
}

// get returns a resource, or nil.
func (st *store) get(typ, id string) *resource {
	st.mu.RLock()
	defer st.mu.RUnlock()
	t := st.types[typ]
	if t == nil {
		return nil
	}
	if i, ok := t.byID[id]; ok {
		return t.list[i]
	}
	return nil
}

// hasType reports whether any resource of typ is stored.
func (st *store) hasType(typ string) bool {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.types[typ] != nil
}

// filter returns the resources of typ that match, in store order.
func (st *store) filter(typ string, match func(*resource) bool) []*resource {
	st.mu.RLock()
	defer st.mu.RUnlock()
	t := st.types[typ]
	if t == nil {
		return nil
	}
	var out []*resource
	for _, r := range t.list {
		if match(r) {
			out = append(out, r)
		}
	}
	return out
}

// putAll stores resources built by the sandbox itself (already stamped).
func (st *store) putAll(docs []map[string]any) {
	for _, d := range docs {
		r, err := newResource(d)
		if err != nil {
			panic("sandbox: built a bad resource: " + err.Error()) // a bug in synth.go or samples.go
		}
		st.add(r)
	}
}

// Put adds a resource, or replaces the one with the same type and id
// (its meta.versionId goes up by one; meta.lastUpdated is now). A new
// Patient joins Group/all.
func (s *Server) Put(raw json.RawMessage) error {
	doc, err := decodeResource(raw)
	if err != nil {
		return fmt.Errorf("sandbox: Put: %w", err)
	}
	version := 1
	typ, _ := doc["resourceType"].(string)
	id, _ := doc["id"].(string)
	if old := s.data.get(typ, id); old != nil {
		meta, _ := old.doc["meta"].(map[string]any)
		v, _ := meta["versionId"].(string)
		n, _ := strconv.Atoi(v)
		version = n + 1
	}
	stamp(doc, version, time.Now())
	r, err := newResource(doc)
	if err != nil {
		return fmt.Errorf("sandbox: Put: %w", err)
	}
	if s.data.add(r) && typ == "Patient" {
		s.data.refreshGroupAll()
	}
	return nil
}
