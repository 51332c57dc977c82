package engine

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Defaults of tenants, the sandbox and enrichment steps.
const (
	defaultCacheTTL       = 5 * time.Minute
	defaultCacheSize      = 10000
	defaultSandboxListen  = "127.0.0.1:8090"
	defaultSandboxPeople  = 100
	defaultEnrichMax      = 20
	defaultEnrichRetryFor = 10 * time.Minute
)

var stepName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

func (c *Config) setTenantDefaults() {
	for _, t := range c.Tenants {
		if t == nil {
			continue
		}
		for i, k := range t.Keys {
			t.Keys[i] = c.resolve(k)
		}
		if t.Cache.TTL == nil {
			ttl := Duration(defaultCacheTTL)
			t.Cache.TTL = &ttl
		}
		if t.Cache.Size == 0 {
			t.Cache.Size = defaultCacheSize
		}
	}
	if c.Sandbox.Listen == "" {
		c.Sandbox.Listen = defaultSandboxListen
	}
	if c.Sandbox.Population == 0 {
		c.Sandbox.Population = defaultSandboxPeople
	}
	c.Sandbox.Data = c.resolve(c.Sandbox.Data)
}

// validateTenants checks every tenant, in name order for stable output.
func (c *Config) validateTenants(errs *errorList) {
	at := c.lines.line
	names := make([]string, 0, len(c.Tenants))
	for name := range c.Tenants {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t, p := c.Tenants[name], "tenants."+name
		if !tenantName.MatchString(name) {
			errs.add(at(p), "tenant %q: use lower-case letters, digits, - and _ (it becomes a NATS subject token)", name)
		}
		if t == nil {
			errs.add(at(p), "tenant %q is empty: it needs fhir_base, client_id, keys and scopes", name)
			continue
		}
		if t.FHIRBase == SandboxBase {
			if !c.Sandbox.Enabled {
				errs.add(at(p+".fhir_base"), "fhir_base %q names the built-in sandbox, but sandbox.enabled is false", SandboxBase)
			}
		} else if u, err := url.Parse(t.FHIRBase); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs.add(at(p+".fhir_base"), "fhir_base %q: use the EHR's FHIR R4 base URL, e.g. https://fhir.hospital.org/api/FHIR/R4 (or %q for the built-in sandbox)", t.FHIRBase, SandboxBase)
		}
		if t.TokenURL != "" {
			if u, err := url.Parse(t.TokenURL); err != nil || u.Host == "" {
				errs.add(at(p+".token_url"), "token_url %q is not an absolute URL", t.TokenURL)
			}
		}
		if t.ClientID == "" {
			errs.add(at(p+".client_id"), "tenant %s needs client_id: the backend-services client id the EHR registered", name)
		}
		if len(t.Keys) == 0 {
			errs.add(at(p+".keys"), "tenant %s needs keys: a key file or directory (create one with `switchboard keys generate --tenant %s`)", name, name)
		}
		if g := t.GenerateKey; g != "" && g != "RS384" && g != "ES384" {
			errs.add(at(p+".generate_key"), "generate_key %q: use RS384 or ES384", g)
		}
		if len(t.Scopes) == 0 {
			errs.add(at(p+".scopes"), "tenant %s needs scopes, e.g. [system/Patient.read, system/Encounter.read]", name)
		}
		if t.Quota.Rate < 0 || t.Quota.Burst < 0 || t.Quota.Daily < 0 {
			errs.add(at(p+".quota"), "quota values cannot be negative")
		}
		if t.MaxAttempts < 0 || t.MaxAttempts > 20 {
			errs.add(at(p+".max_attempts"), "max_attempts %d: use 1 to 20 (default 4)", t.MaxAttempts)
		}
		if t.Cache.Size < 0 || t.Cache.TTL.Std() < 0 {
			errs.add(at(p+".cache"), "cache ttl and size cannot be negative")
		}
	}
	if c.Sandbox.Enabled {
		checkListen(errs, at("sandbox.listen"), "sandbox.listen", c.Sandbox.Listen)
	}
}

// validateEnrich checks a channel's enrichment steps and fills their
// defaults.
func (ch *Channel) validateEnrich(errs *errorList) {
	at := ch.lines.line
	var names []string
	for i := range ch.Enrich {
		s, p := &ch.Enrich[i], fmt.Sprintf("enrich[%d]", i)
		if !stepName.MatchString(s.Name) || slices.Contains(names, s.Name) {
			errs.add(at(p+".name"), "enrich step name %q must be unique and use letters, digits, - and _", s.Name)
		}
		names = append(names, s.Name)
		var err error
		switch {
		case (s.Read == "") == (s.Search == ""):
			errs.add(at(p), "enrich step %q: give exactly one of read (e.g. Patient/{PID-3.1}) or search (e.g. Patient?identifier={PID-3.1})", s.Name)
			continue
		case s.Read != "":
			s.tmpl, err = parseURLTemplate(s.Read, true)
			if err != nil {
				errs.add(at(p+".read"), "%v", err)
			}
		default:
			s.tmpl, err = parseURLTemplate(s.Search, false)
			if err != nil {
				errs.add(at(p+".search"), "%v", err)
			}
		}
		if s.tmpl == nil {
			continue
		}
		for _, dep := range s.tmpl.steps() {
			if !slices.Contains(names[:len(names)-1], dep) {
				errs.add(at(p), "enrich step %q uses {%s.id}, but no earlier step is called %q", s.Name, dep, dep)
			}
		}
		s.setDefaults()
		if s.Use != UsePatient && s.Use != UseInclude && s.Use != UseNone {
			errs.add(at(p+".use"), "use %q: patient, include or none", s.Use)
		}
		if s.Use == UsePatient && s.tmpl.typ != "Patient" {
			errs.add(at(p+".use"), "use patient needs a Patient read or search, not %s", s.tmpl.typ)
		}
		if s.OnError != OnErrorContinue && s.OnError != OnErrorFail && s.OnError != OnErrorRetry {
			errs.add(at(p+".on_error"), "on_error %q: continue, fail or retry", s.OnError)
		}
		if s.OnMissing != OnErrorContinue && s.OnMissing != OnErrorFail {
			errs.add(at(p+".on_missing"), "on_missing %q: continue or fail", s.OnMissing)
		}
		if s.Max < 0 {
			errs.add(at(p+".max"), "max cannot be negative")
		}
	}
	if n := countUse(ch.Enrich, UsePatient); n > 1 {
		errs.add(at("enrich"), "%d enrich steps have use: patient; the Bundle has one Patient from the EHR", n)
	}
}

func (s *EnrichStep) setDefaults() {
	if s.Use == "" {
		s.Use = UseInclude
		if s.tmpl.typ == "Patient" {
			s.Use = UsePatient
		}
	}
	s.OnError = strings.ToLower(s.OnError)
	if s.OnError == "" {
		s.OnError = OnErrorContinue
	}
	if s.OnMissing == "" {
		s.OnMissing = OnErrorContinue
	}
	if s.Max == 0 {
		s.Max = defaultEnrichMax
	}
	if s.Retry == 0 {
		s.Retry = Duration(defaultEnrichRetryFor)
	}
}

func countUse(steps []EnrichStep, use string) int {
	n := 0
	for _, s := range steps {
		if s.Use == use {
			n++
		}
	}
	return n
}

// checkTenant makes sure a channel that calls its tenant's FHIR API
// (enrichment, a bulk export) names a configured tenant.
func (c *Config) checkTenant(ch *Channel) *ConfigError {
	if ch.Source.Bulk != nil {
		if t, ok := c.Tenants[ch.Tenant]; !ok || t == nil {
			return &ConfigError{File: ch.File, Line: ch.lines.line("tenant"),
				Msg: fmt.Sprintf("bulk channel %q exports from tenant %q, which %s does not configure: add it under tenants", ch.Name, ch.Tenant, c.File)}
		}
	}
	if len(ch.Enrich) == 0 {
		return nil
	}
	if t, ok := c.Tenants[ch.Tenant]; ok && t != nil {
		return nil
	}
	return &ConfigError{File: ch.File, Line: ch.lines.line("enrich"),
		Msg: fmt.Sprintf("channel %q enriches from tenant %q, which %s does not configure: add it under tenants", ch.Name, ch.Tenant, c.File)}
}
