package sandbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// client is a registered client as the token endpoint uses it.
type client struct {
	id     string
	scopes []scope
	keys   *keySource
}

// AddClient registers a backend-services client (or fails if its id is
// taken, it has no or several key sources, a JWKSFile cannot be read, or
// a scope is malformed). A JWKSURL is not fetched until first needed: the
// client's own server may not be up yet.
func (s *Server) AddClient(c Client) error {
	if c.ID == "" {
		return errors.New("sandbox: client has no ID")
	}
	n := 0
	for _, set := range []bool{c.JWKS != nil, c.JWKSFile != "", c.JWKSURL != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("sandbox: client %q: set exactly one of JWKS, JWKSFile and JWKSURL", c.ID)
	}
	cl := &client{id: c.ID, scopes: defaultScopes}
	if len(c.Scopes) > 0 {
		cl.scopes = nil
		for _, text := range c.Scopes {
			sc, err := parseScope(text)
			if err != nil {
				return fmt.Errorf("sandbox: client %q: %v", c.ID, err)
			}
			cl.scopes = append(cl.scopes, sc)
		}
	}
	cl.keys = &keySource{inline: c.JWKS, file: c.JWKSFile, url: c.JWKSURL, every: s.opts.jwksRefresh,
		http: &http.Client{Timeout: 10 * time.Second}}
	if c.JWKSFile != "" {
		if err := cl.keys.reload(context.Background()); err != nil {
			return fmt.Errorf("sandbox: client %q: %w", c.ID, err)
		}
	}
	if _, dup := s.clients.LoadOrStore(c.ID, cl); dup {
		return fmt.Errorf("sandbox: client %q is already registered", c.ID)
	}
	return nil
}

// lookupClient returns a registered client, or nil.
func (s *Server) lookupClient(id string) *client {
	v, _ := s.clients.Load(id)
	cl, _ := v.(*client)
	return cl
}

// keySource is where a client's public keys come from. A file or URL set
// is cached and loaded again only when an unknown kid arrives, and then
// at most once per interval, so a flood of bad assertions cannot turn
// the sandbox into a load generator against the client's key server.
type keySource struct {
	inline    *jose.JSONWebKeySet
	file, url string
	every     time.Duration
	http      *http.Client

	mu      sync.Mutex
	set     *jose.JSONWebKeySet // last good load
	loaded  time.Time           // last attempt, good or not
	loadErr error
}

// lookup returns the keys with this kid, loading the set again if the kid
// is unknown and the last load is old enough.
func (k *keySource) lookup(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	if k.inline != nil {
		if keys := k.inline.Key(kid); len(keys) > 0 {
			return keys, nil
		}
		return nil, fmt.Errorf("no key with kid %q in the client's registered JWK Set", kid)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.set != nil {
		if keys := k.set.Key(kid); len(keys) > 0 {
			return keys, nil
		}
	}
	if k.loaded.IsZero() || time.Since(k.loaded) >= k.every {
		_ = k.reloadLocked(ctx) // loadErr keeps the reason
		if k.set != nil {
			if keys := k.set.Key(kid); len(keys) > 0 {
				return keys, nil
			}
		}
	}
	if k.set == nil {
		return nil, fmt.Errorf("cannot load the client's JWK Set from %s: %v", k.where(), k.loadErr)
	}
	return nil, fmt.Errorf("no key with kid %q in the client's JWK Set at %s (loaded again at most every %s)", kid, k.where(), k.every)
}

// reload loads the set now.
func (k *keySource) reload(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.reloadLocked(ctx)
}

func (k *keySource) reloadLocked(ctx context.Context) error {
	k.loaded = time.Now()
	var data []byte
	var err error
	if k.file != "" {
		data, err = os.ReadFile(k.file)
	} else {
		data, err = k.fetch(ctx)
	}
	if err == nil {
		var set jose.JSONWebKeySet
		if err = json.Unmarshal(data, &set); err == nil && len(set.Keys) == 0 {
			err = errors.New("the JWK Set has no keys")
		}
		if err == nil {
			k.set = &set
		}
	}
	if err != nil {
		err = fmt.Errorf("JWK Set %s: %w", k.where(), err)
	}
	k.loadErr = err
	return err
}

// fetch GETs the hosted set.
func (k *keySource) fetch(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET answered %s", resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}

func (k *keySource) where() string {
	if k.file != "" {
		return k.file
	}
	return k.url
}

// verificationKey picks, among the keys sharing a kid, the public key
// that can check a signature made with alg, or says why none can.
func verificationKey(keys []jose.JSONWebKey, alg string) (any, error) {
	var why []string
	for _, k := range keys {
		if k.Use != "" && k.Use != "sig" {
			why = append(why, fmt.Sprintf("a key with use %q", k.Use))
			continue
		}
		if k.Algorithm != "" && k.Algorithm != alg {
			why = append(why, fmt.Sprintf("a key for alg %s", k.Algorithm))
			continue
		}
		pub := k.Public().Key
		switch p := pub.(type) {
		case *rsa.PublicKey:
			if alg != "RS384" {
				why = append(why, "an RSA key")
			} else if p.N.BitLen() < 2048 {
				why = append(why, fmt.Sprintf("an RSA key of %d bits (at least 2048 are required)", p.N.BitLen()))
			} else {
				return p, nil
			}
		case *ecdsa.PublicKey:
			if alg == "ES384" && p.Curve == elliptic.P384() {
				return p, nil
			}
			why = append(why, fmt.Sprintf("an EC key on %s", p.Curve.Params().Name))
		default:
			why = append(why, fmt.Sprintf("a %T key", pub))
		}
	}
	return nil, fmt.Errorf("kid %q names %s, which cannot verify %s", keys[0].KeyID, strings.Join(why, " and "), alg)
}
