package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/switchboard-hl7/switchboard/fhirclient"
	"github.com/switchboard-hl7/switchboard/fhirclient/sandbox"
)

// SandboxBase is the fhir_base value that means "the built-in sandbox",
// whatever address it listens on.
const SandboxBase = "sandbox"

// tenant is a configured tenant at run time: its client (token, keys,
// quota) and its enrichment cache. Nothing is shared between tenants.
type tenant struct {
	name   string
	client *fhirclient.Client
	cache  *enrichCache
}

// startSandbox starts the in-process sandbox when the config asks for
// it. Tenants whose fhir_base is "sandbox" are registered with it, as an
// EHR registers a backend app's public keys.
func (e *Engine) startSandbox(keys map[string][]*fhirclient.Key) error {
	sc := e.cfg.Sandbox
	if !sc.Enabled {
		return nil
	}
	opts := sandbox.Options{Population: sc.Population, DataDir: sc.Data, Export: sandbox.ExportOptions{BulkSize: sc.BulkSize}}
	for name, t := range e.cfg.Tenants {
		if t.FHIRBase != SandboxBase {
			continue
		}
		set := fhirclient.JWKS(keys[name]...)
		opts.Clients = append(opts.Clients, sandbox.Client{ID: t.ClientID, JWKS: &set})
	}
	sb, err := sandbox.Start(sc.Listen, opts)
	if err != nil {
		return fmt.Errorf("sandbox.listen %s (%s): %w", sc.Listen, e.cfg.File, err)
	}
	e.sandbox = sb
	return nil
}

// loadKeys reads every tenant's keys, creating one where generate_key
// asks for it and none exists.
func (e *Engine) loadKeys() (map[string][]*fhirclient.Key, error) {
	return loadTenantKeys(e.cfg.Tenants)
}

// loadTenantKeys reads the keys of tenants, creating one where
// generate_key asks for it and none exists, and refuses a key that two
// tenants share.
func loadTenantKeys(tenants map[string]*TenantConfig) (map[string][]*fhirclient.Key, error) {
	out := map[string][]*fhirclient.Key{}
	for name, t := range tenants {
		if t.GenerateKey != "" {
			if err := ensureKey(t.Keys[0], t.GenerateKey); err != nil {
				return nil, fmt.Errorf("tenant %s: generate key: %w", name, err)
			}
		}
	}
	for name, t := range tenants {
		keys, err := fhirclient.ReadKeys(t.Keys...)
		if err != nil {
			return nil, fmt.Errorf("tenant %s: keys: %w", name, err)
		}
		out[name] = keys
	}
	// A key shared by two tenants would let one hospital's credentials
	// sign for another's client.
	owner := map[string]string{}
	for name, keys := range out {
		for _, k := range keys {
			if other, ok := owner[k.ID]; ok && other != name {
				return nil, fmt.Errorf("tenants %s and %s share key %s (%s): give each tenant its own keys", min(name, other), max(name, other), k.ID, k.Path)
			}
			owner[k.ID] = name
		}
	}
	return out, nil
}

// ensureKey creates a key in dir when it holds no *.pem file.
func ensureKey(dir, alg string) error {
	if strings.HasSuffix(dir, ".pem") {
		if _, err := os.Stat(dir); err == nil {
			return nil
		}
		k, err := fhirclient.GenerateKey(alg)
		if err != nil {
			return err
		}
		return k.WriteFile(dir)
	}
	if found, _ := filepath.Glob(filepath.Join(dir, "*.pem")); len(found) > 0 {
		return nil
	}
	k, err := fhirclient.GenerateKey(alg)
	if err != nil {
		return err
	}
	return k.WriteFile(filepath.Join(dir, fhirclient.KeyFileName(k)))
}

// startTenants builds every tenant's client. It runs after the sandbox
// (whose address a "sandbox" fhir_base takes) and the metrics.
func (e *Engine) startTenants(ctx context.Context, keys map[string][]*fhirclient.Key) error {
	e.tenants = map[string]*tenant{}
	for name, tc := range e.cfg.Tenants {
		base := tc.FHIRBase
		if base == SandboxBase {
			if e.sandbox == nil {
				return fmt.Errorf("tenant %s: fhir_base is %q but sandbox.enabled is false in %s", name, SandboxBase, e.cfg.File)
			}
			base = e.sandbox.BaseURL()
		}
		client, err := newTenantClient(name, tc, base, keys[name], e.metrics.fhirCall)
		if err != nil {
			return err
		}
		e.tenants[name] = &tenant{name: name, client: client, cache: newEnrichCache(ctx, tc.Cache.TTL.Std(), tc.Cache.Size)}
	}
	return nil
}

// newTenantClient builds tenant name's FHIR client on base.
func newTenantClient(name string, tc *TenantConfig, base string, keys []*fhirclient.Key, onCall func(fhirclient.Call)) (*fhirclient.Client, error) {
	return fhirclient.New(fhirclient.Config{
		Tenant: name, BaseURL: base, TokenURL: tc.TokenURL, ClientID: tc.ClientID, Keys: keys,
		Scopes: tc.Scopes, JKU: tc.JKU,
		Quota:   fhirclient.Quota{Rate: tc.Quota.Rate, Burst: tc.Quota.Burst, Daily: tc.Quota.Daily},
		Timeout: tc.Timeout.Std(), MaxAttempts: tc.MaxAttempts, MaxRetryAfter: tc.MaxRetryAfter.Std(),
		OnCall: onCall,
	})
}

// checkTokens fetches each enriching tenant's first token in the
// background: a token endpoint that refuses us shows in the log and in
// /readyz before the first event needs it.
func (e *Engine) checkTokens(ctx context.Context) {
	used := map[string]bool{}
	for _, r := range e.runners {
		if len(r.ch.Enrich) > 0 {
			used[r.ch.Tenant] = true
		}
	}
	for name := range used {
		t := e.tenants[name]
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := t.client.CheckToken(cctx); err != nil && ctx.Err() == nil {
				e.log.Error("tenant token request failed; enrichment will fail until it succeeds", "tenant", name, "err", err)
			}
		}()
	}
}

// tenantStatus lists each tenant's token state for /readyz.
func (e *Engine) tenantStatus() []string {
	var lines []string
	for name, t := range e.tenants {
		valid, fetched, err := t.client.TokenStatus()
		state := "token ok"
		switch {
		case err != nil && valid:
			state = "token ok, but its renewal failed: " + err.Error()
		case err != nil:
			state = "token refused: " + err.Error()
		case !fetched:
			state = "no token requested yet"
		}
		lines = append(lines, "tenant "+name+": "+state)
	}
	sort.Strings(lines)
	return lines
}

// serveJWKS publishes every tenant's public keys: the set for all of them
// at /.well-known/jwks.json, one tenant's at /.well-known/jwks/<tenant>.json
// (the URL to register with that customer's EHR).
func (e *Engine) serveJWKS(mux *http.ServeMux, keys map[string][]*fhirclient.Key) {
	var all []*fhirclient.Key
	names := make([]string, 0, len(keys))
	for name := range keys {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		all = append(all, keys[name]...)
	}
	serve := func(set jose.JSONWebKeySet) http.HandlerFunc {
		body, _ := json.Marshal(set)
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "max-age=300")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body)
		}
	}
	mux.HandleFunc("GET /.well-known/jwks.json", serve(fhirclient.JWKS(all...)))
	for _, name := range names {
		mux.HandleFunc("GET /.well-known/jwks/"+name+".json", serve(fhirclient.JWKS(keys[name]...)))
	}
}
