// Package sandbox is a local Epic-like FHIR R4 server for development,
// demos and tests: the stand-in for a hospital EHR, so it behaves like
// one. Clients authenticate with SMART Backend Services (a client
// assertion JWT signed with RS384 or ES384, really verified against the
// client's JWK Set) and get short-lived opaque bearer tokens; the FHIR
// API is read-only (read and search with paging) under Epic's path
// layout, [origin]/api/FHIR/R4; and faults (throttling with Retry-After,
// transient 503s, latency) can be switched on to prove a client copes.
//
// The data are a deterministic synthetic population (patients with
// encounters, vital signs and labs, conditions, allergies, coverage and
// medication orders), one patient per sample message in testdata/ (found
// by MRN under MRNSystem), and optionally FHIR files from a directory.
package sandbox
