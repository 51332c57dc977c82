package sandbox

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// Stored searches are bounded in number and age, as at a real server: a
// client that dawdles between pages gets 410 and must search again.
const (
	maxSearchSets = 1000
	pageTTL       = 10 * time.Minute
)

// searchSet is the result of one search, kept while its pages are read.
type searchSet struct {
	id      string // "" until stored
	typ     string
	results []*resource
	count   int // page size
	created time.Time
}

// pageCache holds stored searches, oldest first.
type pageCache struct {
	mu    sync.Mutex
	sets  map[string]*searchSet
	order []string
}

func newPageCache() *pageCache { return &pageCache{sets: map[string]*searchSet{}} }

// store gives set an id and keeps it, forgetting expired and excess sets.
func (c *pageCache) store(set *searchSet) {
	set.id = randomToken()[:22]
	set.created = time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.order) > 0 {
		old := c.sets[c.order[0]]
		if len(c.order) < maxSearchSets && time.Since(old.created) < pageTTL {
			break
		}
		delete(c.sets, c.order[0])
		c.order = c.order[1:]
	}
	c.sets[set.id] = set
	c.order = append(c.order, set.id)
}

// lookup resolves a page token to its search and offset.
func (c *pageCache) lookup(token string) (*searchSet, int, bool) {
	id, off, ok := strings.Cut(token, ".")
	if !ok {
		return nil, 0, false
	}
	offset, err := strconv.Atoi(off)
	if err != nil {
		return nil, 0, false
	}
	c.mu.Lock()
	set := c.sets[id]
	c.mu.Unlock()
	if set == nil || time.Since(set.created) >= pageTTL || offset < 0 || offset > len(set.results) {
		return nil, 0, false
	}
	return set, offset, true
}
