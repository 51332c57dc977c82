package engine

import (
	"container/list"
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/switchboard-hl7/switchboard/mappings"
)

// lookupResult is what one enrichment read or search found: the matches
// (none for a read that was 404 or a search without a match), decoded
// once for every message that uses them.
type lookupResult struct {
	matches []mappings.EHRResource
}

// enrichCache keeps a tenant's enrichment results for a TTL, at most size
// of them (least recently used out first), and collapses concurrent
// identical lookups into one call: a burst of events for one patient
// costs the EHR one search.
type enrichCache struct {
	base context.Context // calls run on it: the engine's, not one caller's
	ttl  time.Duration   // 0: no caching, but concurrent lookups still collapse
	size int

	mu    sync.Mutex
	items map[string]*list.Element // of *cacheItem
	order *list.List               // front = most recently used
	calls singleflight.Group
}

type cacheItem struct {
	key     string
	res     lookupResult
	expires time.Time
}

// newEnrichCache returns a cache whose calls run on base: a caller that
// gives up (its ctx ends) leaves the call to the others, and the engine
// stopping (base ends) stops it.
func newEnrichCache(base context.Context, ttl time.Duration, size int) *enrichCache {
	return &enrichCache{base: base, ttl: ttl, size: size, items: map[string]*list.Element{}, order: list.New()}
}

// How a lookup was answered.
const (
	fromEHR    = "ehr"    // this caller's call
	fromCache  = "cache"  // a cached result
	fromShared = "shared" // another caller's call in flight
)

// get returns the result for key, calling fetch on a miss, and how it was
// answered. Errors are never cached.
func (c *enrichCache) get(ctx context.Context, key string, fetch func(context.Context) (lookupResult, error)) (res lookupResult, how string, err error) {
	if res, ok := c.cached(key); ok {
		return res, fromCache, nil
	}
	call := c.calls.DoChan(key, func() (any, error) {
		res, err := fetch(c.base)
		if err == nil {
			c.put(key, res)
		}
		return res, err
	})
	select {
	case out := <-call:
		how = fromEHR
		if out.Shared {
			how = fromShared
		}
		if out.Err != nil {
			return lookupResult{}, how, out.Err
		}
		return out.Val.(lookupResult), how, nil
	case <-ctx.Done():
		return lookupResult{}, fromEHR, ctx.Err()
	}
}

func (c *enrichCache) cached(key string) (lookupResult, bool) {
	if c.ttl <= 0 {
		return lookupResult{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return lookupResult{}, false
	}
	it := el.Value.(*cacheItem)
	if time.Now().After(it.expires) {
		c.order.Remove(el)
		delete(c.items, key)
		return lookupResult{}, false
	}
	c.order.MoveToFront(el)
	return it.res, true
}

func (c *enrichCache) put(key string, res lookupResult) {
	if c.ttl <= 0 || c.size <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		it := el.Value.(*cacheItem)
		it.res, it.expires = res, time.Now().Add(c.ttl)
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&cacheItem{key: key, res: res, expires: time.Now().Add(c.ttl)})
	for c.order.Len() > c.size {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.items, old.Value.(*cacheItem).key)
	}
}
