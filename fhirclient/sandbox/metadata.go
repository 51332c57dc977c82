package sandbox

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
)

// handleSMARTConfig serves .well-known/smart-configuration: where the
// token endpoint is and what it accepts. No token is needed.
func (s *Server) handleSMARTConfig(w http.ResponseWriter, r *http.Request) {
	scopes := []string{"system/*.read", "system/*.rs"}
	for _, typ := range slices.Sorted(maps.Keys(searchParams)) {
		scopes = append(scopes, "system/"+typ+".read", "system/"+typ+".rs")
	}
	cfg := map[string]any{
		"token_endpoint":                                   s.tokenURL(r),
		"grant_types_supported":                            []string{"client_credentials"},
		"token_endpoint_auth_methods_supported":            []string{"private_key_jwt"},
		"token_endpoint_auth_signing_alg_values_supported": assertionAlgs,
		"scopes_supported":                                 scopes,
		"capabilities":                                     []string{"client-confidential-asymmetric", "permission-v1", "permission-v2"},
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(cfg)
}

// handleMetadata serves a small CapabilityStatement: the resources, their
// search parameters, and the token endpoint. No token is needed.
func (s *Server) handleMetadata(w http.ResponseWriter, r *http.Request) {
	var resources []any
	for _, typ := range slices.Sorted(maps.Keys(searchParams)) {
		params := paramsOf(typ)
		var sp []any
		for _, name := range slices.Sorted(maps.Keys(params)) {
			sp = append(sp, obj{"name": name, "type": kindNames[params[name].kind]})
		}
		resources = append(resources, obj{
			"type":        typ,
			"interaction": []any{obj{"code": "read"}, obj{"code": "search-type"}},
			"searchParam": sp,
		})
	}
	writeFHIR(w, http.StatusOK, obj{
		"resourceType":   "CapabilityStatement",
		"status":         "active",
		"date":           synthEpoch.Format("2006-01-02"),
		"kind":           "instance",
		"software":       obj{"name": "Switchboard FHIR sandbox"},
		"implementation": obj{"description": "Local Epic-like FHIR R4 server for development", "url": s.baseURL(r)},
		"fhirVersion":    "4.0.1",
		"format":         []any{"json"},
		"rest": []any{obj{
			"mode": "server",
			"security": obj{
				"service": []any{concept("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR", "SMART-on-FHIR")},
				"extension": []any{obj{
					"url":       "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
					"extension": []any{obj{"url": "token", "valueUri": s.tokenURL(r)}},
				}},
			},
			"resource": resources,
		}},
	})
}
