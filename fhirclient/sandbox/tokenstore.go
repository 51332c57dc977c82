package sandbox

import (
	"container/heap"
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// grant is what an access token stands for.
type grant struct {
	clientID string
	scopes   []scope
	expires  time.Time
}

// maxTokens bounds the live tokens: past it, the oldest are forgotten
// (their holders get 401 and fetch a new one, as after an expiry).
const maxTokens = 100_000

// tokenStore maps opaque access tokens to grants. All tokens live equally
// long, so issue order is expiry order and a FIFO queue prunes them.
type tokenStore struct {
	mu     sync.Mutex
	grants map[string]*grant
	order  []string
}

func newTokenStore() *tokenStore { return &tokenStore{grants: map[string]*grant{}} }

// issue stores g under a new random token.
func (t *tokenStore) issue(g *grant) string {
	tok := randomToken()
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	for len(t.order) > 0 {
		old := t.grants[t.order[0]]
		if len(t.order) < maxTokens && old != nil && old.expires.After(now) {
			break
		}
		delete(t.grants, t.order[0])
		t.order = t.order[1:]
	}
	t.grants[tok] = g
	t.order = append(t.order, tok)
	return tok
}

// lookup returns the grant of a token, expired or not (nil if unknown).
func (t *tokenStore) lookup(tok string) *grant {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.grants[tok]
}

// revokeAll forgets every token.
func (t *tokenStore) revokeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.grants, t.order = map[string]*grant{}, nil
}

// RevokeTokens forgets every access token issued so far, as an EHR does
// on a restart or a security event: their holders get 401 "unknown
// access token" and must authenticate again.
func (s *Server) RevokeTokens() { s.tokens.revokeAll() }

// randomToken returns 256 random bits, base64url: opaque on purpose, so
// clients cannot come to rely on reading it.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// maxJTIs bounds the replay cache. Assertions live at most 5 minutes, so
// this is over 300 token requests a second sustained; past it, token
// requests are refused rather than replay protection dropped.
const maxJTIs = 100_000

// jtiCache remembers assertion ids until their assertion expires.
type jtiCache struct {
	mu   sync.Mutex
	seen map[string]time.Time
	exp  expiryHeap
}

func newJTICache() *jtiCache { return &jtiCache{seen: map[string]time.Time{}} }

// use records key (issuer and jti) until exp. It reports false if key was
// already seen (a replay) and full if there is no room.
func (c *jtiCache) use(key string, exp time.Time) (fresh, full bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	for len(c.exp) > 0 && c.exp[0].at.Before(now) {
		e := heap.Pop(&c.exp).(expiry)
		delete(c.seen, e.key)
	}
	if _, ok := c.seen[key]; ok {
		return false, false
	}
	if len(c.seen) >= maxJTIs {
		return false, true
	}
	c.seen[key] = exp
	heap.Push(&c.exp, expiry{key: key, at: exp})
	return true, false
}

// expiry is a jti and when it may be forgotten.
type expiry struct {
	key string
	at  time.Time
}

// expiryHeap is a min-heap by time.
type expiryHeap []expiry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
