package sandbox

import (
	"time"

	"github.com/go-jose/go-jose/v4"
)

// MRNSystem is the identifier system of the sandbox's medical record
// numbers (HL7's example OID), on synthetic and sample patients alike.
const MRNSystem = "urn:oid:2.16.840.1.113883.19.5"

// VisitSystem is the identifier system of the sandbox's visit numbers
// (Encounter.identifier, type VN), a sibling arc of MRNSystem.
const VisitSystem = "urn:oid:2.16.840.1.113883.19.6"

// NPISystem is the identifier system of US National Provider Identifiers.
const NPISystem = "http://hl7.org/fhir/sid/us-npi"

// Options configure a Server. The zero value is a working sandbox with no
// registered clients: add them with AddClient.
type Options struct {
	// Clients are the registered backend-services clients.
	Clients []Client
	// Population is the number of synthetic patients (default 100); -1
	// means none. The data are deterministic: the same Seed gives the
	// same patients, and patient i does not depend on Population.
	Population int
	// Seed seeds the synthetic data (default 1).
	Seed int64
	// DataDir, if set, names a directory whose *.ndjson (one resource per
	// line) and *.json (a resource or a Bundle) files are loaded too.
	DataDir string
	// TokenLifetime is how long an access token is valid (default 5m).
	TokenLifetime time.Duration
	// PageSize is the default _count of a search (default 50, at most 1000).
	PageSize int
	// Faults make the server throttle, fail and lag like a busy EHR.
	Faults Faults
	// Export shapes Bulk Data $export jobs and their files.
	Export ExportOptions
	// PublicURL is the scheme://host[:port] clients use to reach the
	// server, when it differs from the listener (a proxy, or Handler
	// mounted elsewhere). Empty: the listener's address, or without one
	// the request's Host.
	PublicURL string

	// jwksRefresh shortens the minimum interval between JWK Set fetches
	// (tests only; default 5s).
	jwksRefresh time.Duration
}

// Client is a registered SMART Backend Services client. Exactly one of
// JWKS, JWKSFile and JWKSURL holds its public keys.
type Client struct {
	// ID is the client_id: the iss and sub of its assertions.
	ID string
	// JWKS holds the public keys inline.
	JWKS *jose.JSONWebKeySet
	// JWKSFile names a file holding a JWK Set. It is read when the client
	// is added and read again when an unknown kid arrives (at most once
	// per 5 s).
	JWKSFile string
	// JWKSURL is a hosted JWK Set, fetched on first use and cached, and
	// fetched again when an unknown kid arrives (at most once per 5 s):
	// that is how key rotation works at Epic.
	JWKSURL string
	// Scopes are the scopes this client may be granted, e.g.
	// "system/Patient.read" or "system/*.rs". Empty: any read scope
	// (system/*.read and system/*.rs and what they cover).
	Scopes []string
}

// Faults describe the misbehaviour a client must survive. The zero value
// is a well-behaved server. Counting (Every429, Every5xx) covers FHIR
// requests that passed authentication; SetFaults restarts it.
type Faults struct {
	// RateLimit is the FHIR request rate (per second, token bucket with
	// burst max(1, RateLimit)) above which requests get 429; 0 is off.
	RateLimit float64
	// Every429 makes every Nth FHIR request a 429; 0 is off.
	Every429 int
	// RetryAfter is sent in Retry-After with 429 and 503, in whole seconds
	// (rounded up, at least 1); default 1s. A rate-limited 429 asks for at
	// least as long as the bucket needs to refill.
	RetryAfter time.Duration
	// RetryAfterDate sends Retry-After as an HTTP-date instead of seconds.
	RetryAfterDate bool
	// Every5xx makes every Nth FHIR request a 503 with an OperationOutcome
	// (issue code "transient"); 0 is off. Every429 wins when both hit.
	Every5xx int
	// Latency is added before every FHIR and token response.
	Latency time.Duration

	// ExportFail makes $export jobs that complete while it is set end
	// failed: their status answers 500 with an OperationOutcome.
	ExportFail bool
	// ExportErrors makes $export jobs that complete while it is set leave
	// out the first resource of each type and report it in an error file
	// (one OperationOutcome line per type, issue code "processing").
	ExportErrors bool
	// DropFileAfter cuts every export file response after this many body
	// bytes, closing the connection mid-line, so clients must resume with
	// Range; 0 is off.
	DropFileAfter int64
	// MalformedEvery makes every Nth line of the output files of $export
	// jobs that complete while it is set a broken one (the resource cut
	// in half), as a server with a bug writes; 0 is off.
	MalformedEvery int
}

const (
	defaultPopulation    = 100
	defaultTokenLifetime = 5 * time.Minute
	defaultPageSize      = 50
	maxPageSize          = 1000
	defaultRetryAfter    = time.Second
	defaultJWKSRefresh   = 5 * time.Second
)

// withDefaults fills in the zero fields.
func (o Options) withDefaults() Options {
	switch {
	case o.Population == 0:
		o.Population = defaultPopulation
	case o.Population < 0:
		o.Population = 0
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = defaultTokenLifetime
	}
	if o.PageSize <= 0 {
		o.PageSize = defaultPageSize
	}
	o.PageSize = min(o.PageSize, maxPageSize)
	o.Export = o.Export.withDefaults()
	if o.jwksRefresh <= 0 {
		o.jwksRefresh = defaultJWKSRefresh
	}
	return o
}
