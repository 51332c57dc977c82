package sandbox

import (
	"strconv"
	"time"
)

// groupAllID is the id of the Group whose members are every patient: what
// a bulk export or a population query starts from.
const groupAllID = "all"

// refreshGroupAll rebuilds Group/all from the stored patients, unless
// DataDir or Put supplied a Group/all of their own.
func (st *store) refreshGroupAll() {
	st.groupMu.Lock()
	defer st.groupMu.Unlock()
	st.mu.RLock()
	own := st.ownGroup
	st.mu.RUnlock()
	if own {
		return
	}
	patients := st.filter("Patient", func(*resource) bool { return true })
	members := make([]any, len(patients))
	for i, p := range patients {
		members[i] = obj{"entity": obj{"reference": "Patient/" + p.id}}
	}
	version, when := 1, synthEpoch
	if old := st.get("Group", groupAllID); old != nil {
		meta, _ := old.doc["meta"].(map[string]any)
		v, _ := meta["versionId"].(string)
		n, _ := strconv.Atoi(v)
		version, when = n+1, time.Now()
	}
	g := obj{
		"resourceType": "Group",
		"id":           groupAllID,
		"type":         "person",
		"actual":       true,
		"name":         "All patients",
		"quantity":     len(patients),
		"member":       members,
	}
	stamp(g, version, when)
	r, err := newResource(g)
	if err != nil {
		panic("sandbox: Group/all: " + err.Error())
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.ownGroup { // Put may have supplied one meanwhile
		st.addLocked(r)
	}
}
