// Package sandbox is a local Epic-like FHIR R4 server for development,
// demos and tests: the stand-in for a hospital EHR, so it behaves like
// one. Clients authenticate with SMART Backend Services (a client
// assertion JWT signed with RS384 or ES384, really verified against the
// client's JWK Set) and get short-lived opaque bearer tokens; the FHIR
// API is read-only (read and search with paging) under Epic's path
// layout, [origin]/api/FHIR/R4; and faults (throttling with Retry-After,
// transient 503s, latency) can be switched on to prove a client copes.
//
// Bulk Data $export (STU2) runs at system, Patient and Group level as
// in-memory asynchronous jobs: kick-off with Prefer: respond-async, status
// at [origin]/_bulk/status/{job} (202 with X-Progress and Retry-After, then
// the manifest; DELETE cancels), NDJSON files at [origin]/_bulk/files/,
// generated as they are served (gzip and Range on request). A system
// export covers every stored type, Group included; Patient and Group
// exports cover the patients' compartments (the Patient and resources whose
// subject, patient or beneficiary points at it). _type, _since,
// _typeFilter (the search parameters the sandbox supports), _elements
// (top-level elements kept, resources tagged SUBSETTED) and, in a POST
// Parameters body, patient are honoured; Prefer: handling=lenient turns
// unsupported parameters into error-file warnings. ExportOptions.BulkSize
// adds any number of synthetic Observations for volume tests, and faults
// fail jobs, report errors and cut file downloads short.
//
// The data are a deterministic synthetic population (patients with
// encounters, vital signs and labs, conditions, allergies, coverage and
// medication orders), one patient per sample message in testdata/ (found
// by MRN under MRNSystem), and optionally FHIR files from a directory.
package sandbox
