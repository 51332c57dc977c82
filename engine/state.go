package engine

import (
	"container/list"
	"context"
	"encoding/json"
	"sync"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhir"
)

// patientState remembers, per tenant and patient (PID-3 with its
// assigning authority), the Patient and Encounters the engine mapped last,
// so that a later message that omits a field keeps its value in the
// published Bundle instead of wiping it (mappings/previous.go). It is a
// bounded LRU in memory; after a restart a patient's state is read back
// from the last message of theirs in the message log.
type patientState struct {
	mu    sync.Mutex
	items map[string]*list.Element // of *stateItem
	order *list.List
	size  int
}

type stateItem struct {
	key string
	res map[string]fhir.Resource // "Type/id" → resource; never changed once stored
}

// maxStateResources bounds the resources kept per patient: the Patient and
// the Encounters of their latest visits.
const maxStateResources = 8

func newPatientState(size int) *patientState {
	return &patientState{items: map[string]*list.Element{}, order: list.New(), size: size}
}

func stateKey(tenant string, m *store.Message) string {
	if m.PatientID == "" {
		return ""
	}
	return tenant + "\x00" + m.PatientAssigner + "\x00" + m.PatientID
}

func (s *patientState) get(key string) map[string]fhir.Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.items[key]; ok {
		s.order.MoveToFront(el)
		return el.Value.(*stateItem).res
	}
	return nil
}

// put records what a message mapped, over what the patient had: a new map,
// so that readers of the old one are never disturbed.
func (s *patientState) put(key string, mapped map[string]fhir.Resource) {
	if len(mapped) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := make(map[string]fhir.Resource, maxStateResources)
	for k, v := range mapped {
		res[k] = v
	}
	if el, ok := s.items[key]; ok {
		for k, v := range el.Value.(*stateItem).res {
			if _, newer := res[k]; !newer && len(res) < maxStateResources {
				res[k] = v
			}
		}
		el.Value.(*stateItem).res = res
		s.order.MoveToFront(el)
		return
	}
	s.items[key] = s.order.PushFront(&stateItem{key: key, res: res})
	for s.order.Len() > s.size {
		old := s.order.Back()
		s.order.Remove(old)
		delete(s.items, old.Value.(*stateItem).key)
	}
}

// previous returns the state of m's patient: from memory, or else from
// the patient's last mapped message of the same tenant in the log.
func (p *pipeline) previous(ctx context.Context, key string, m *store.Message) map[string]fhir.Resource {
	if key == "" {
		return nil
	}
	st := p.r.e.state
	if res := st.get(key); res != nil {
		return res
	}
	msgs, err := p.r.e.store.Search(ctx, store.Query{PatientID: m.PatientID, BeforeID: m.ID, Limit: 20,
		Statuses: []store.Status{store.StatusSent, store.StatusProcessed}})
	if err != nil {
		return nil // mapped as a snapshot; the log read is retried next time
	}
	for _, pm := range msgs {
		if pm.PatientAssigner != m.PatientAssigner || p.r.e.tenantOf(pm.Channel) != p.r.ch.Tenant {
			continue
		}
		full, err := p.r.e.store.Get(ctx, pm.ID)
		if err != nil {
			return nil
		}
		res := stateFromBundle(full.Output)
		st.put(key, res)
		return res
	}
	return nil
}

// stateFromBundle decodes the Patients and Encounters of a published Bundle.
func stateFromBundle(output []byte) map[string]fhir.Resource {
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if json.Unmarshal(output, &b) != nil {
		return nil
	}
	res := map[string]fhir.Resource{}
	for _, e := range b.Entry {
		var head struct{ ResourceType, ID string }
		if json.Unmarshal(e.Resource, &head) != nil || (head.ResourceType != "Patient" && head.ResourceType != "Encounter") {
			continue
		}
		if r, err := fhir.UnmarshalResource(e.Resource); err == nil && len(res) < maxStateResources {
			res[head.ResourceType+"/"+head.ID] = r
		}
	}
	return res
}

// tenantOf returns the tenant of a channel, or "" for one not loaded.
func (e *Engine) tenantOf(channel string) string {
	for _, ch := range e.cfg.ChannelList {
		if ch.Name == channel {
			return ch.Tenant
		}
	}
	return ""
}
