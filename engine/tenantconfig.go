package engine

// TenantConfig is one EHR customer: its own FHIR endpoint, OAuth client,
// keys and limits. Tenants never share a token or a key.
type TenantConfig struct {
	FHIRBase      string      `yaml:"fhir_base" doc:"FHIR R4 base URL, e.g. https://fhir.hospital.org/api/FHIR/R4"`
	TokenURL      string      `yaml:"token_url" doc:"OAuth token URL; default: from <fhir_base>/.well-known/smart-configuration"`
	ClientID      string      `yaml:"client_id" doc:"backend-services client id registered with the EHR"`
	Keys          []string    `yaml:"keys" doc:"private key files or directories of *.pem (relative to this file); the newest signs, all are published at /.well-known/jwks.json"`
	GenerateKey   string      `yaml:"generate_key" doc:"RS384 or ES384: create a key in the first keys directory when it has none (development; default off)"`
	JKU           string      `yaml:"jku" doc:"JWKS URL sent as the assertion's jku header (the URL registered with the EHR); default none"`
	Scopes        []string    `yaml:"scopes" doc:"scopes to request, e.g. system/Patient.read (SMART v1) or system/Patient.rs (v2)"`
	Quota         QuotaConfig `yaml:"quota" doc:"client-side limit, kept below the EHR's"`
	Timeout       Duration    `yaml:"timeout" doc:"per HTTP request (default 20s)"`
	MaxAttempts   int         `yaml:"max_attempts" doc:"attempts per call on 429, 5xx and network errors (default 4)"`
	MaxRetryAfter Duration    `yaml:"max_retry_after" doc:"longest Retry-After honoured; longer values are clamped (default 30s)"`
	Cache         CacheConfig `yaml:"cache" doc:"enrichment results kept per tenant"`
}

// QuotaConfig is a tenant's call budget.
type QuotaConfig struct {
	Rate  float64 `yaml:"rate" doc:"FHIR calls per second (default 0: unlimited)"`
	Burst int     `yaml:"burst" doc:"calls allowed at once above rate (default rate)"`
	Daily int     `yaml:"daily" doc:"FHIR calls per UTC day; beyond it calls fail at once (default 0: unlimited)"`
}

// CacheConfig bounds an enrichment cache.
type CacheConfig struct {
	TTL  *Duration `yaml:"ttl" doc:"how long a result is reused (default 5m; 0s disables the cache)"`
	Size int       `yaml:"size" doc:"results kept at most (default 10000)"`
}

// SandboxConfig runs the built-in Epic-like FHIR sandbox inside the engine.
type SandboxConfig struct {
	Enabled    bool   `yaml:"enabled" doc:"start the sandbox with the engine (development and demos only)"`
	Listen     string `yaml:"listen" doc:"sandbox address (default 127.0.0.1:8090)"`
	Data       string `yaml:"data" doc:"directory of FHIR NDJSON/JSON files to load besides the synthetic population"`
	Population int    `yaml:"population" doc:"synthetic patients (default 100)"`
	BulkSize   int    `yaml:"bulk_size" doc:"synthetic lab Observations (~1 KB each, generated as served) added to $export output, for trying and measuring bulk exports (default 0)"`
}
