package engine

import (
	"context"
	"testing"

	"github.com/switchboard-hl7/switchboard/fhirclient"
	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/mappings"
)

// ehrPatient is a Patient as an EHR returns it: several identifiers,
// names, telecoms, an address and the US Core extensions.
const ehrPatient = `{"resourceType":"Patient","id":"eXyZ123abc","meta":{"versionId":"3","lastUpdated":"2026-11-01T10:00:00Z"},
"extension":[{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-race","extension":[{"url":"ombCategory","valueCoding":{"system":"urn:oid:2.16.840.1.113883.6.238","code":"2106-3","display":"White"}},{"url":"text","valueString":"White"}]},
{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex","valueCode":"M"}],
"identifier":[{"use":"usual","type":{"text":"MRN"},"system":"urn:oid:2.16.840.1.113883.19.5","value":"PATID1234"},{"system":"urn:oid:1.2.840.114350","value":"Z1234"}],
"active":true,"name":[{"use":"official","family":"Everyman","given":["Adam","A"]},{"use":"usual","given":["Ad"]}],
"telecom":[{"system":"phone","value":"555-555-2004","use":"home"},{"system":"email","value":"adam@example.org"}],
"gender":"male","birthDate":"1961-06-15","address":[{"use":"home","line":["2222 Home Street"],"city":"Greensboro","state":"NC","postalCode":"27401","country":"USA"}]}`

// BenchmarkEnrichCacheHit is the enrichment overhead of an event whose
// Patient is cached (issue 3 asks ≤ 50 µs): "steps" renders the search
// and reads the cache; "map-enriched" and "map-plain" map the same ADT
// with and without the EHR Patient, their difference being the mapping's
// share of the overhead.
func BenchmarkEnrichCacheHit(b *testing.B) {
	msg, err := hl7.Parse(sample(b, "adt_a01_msfhirconverter_2.hl7"))
	if err != nil {
		b.Fatal(err)
	}
	ch := &Channel{Name: "adt", Tenant: "sandbox", Enrich: []EnrichStep{{Name: "patient",
		Search: "Patient?identifier=urn:oid:2.16.840.1.113883.19.5|{PID-3.1}"}}}
	errs := &errorList{}
	ch.validateEnrich(errs)
	if len(errs.errs) > 0 {
		b.Fatal(errs.errs)
	}
	key, err := fhirclient.GenerateKey(fhirclient.ES384)
	if err != nil {
		b.Fatal(err)
	}
	client, err := fhirclient.New(fhirclient.Config{Tenant: "sandbox", BaseURL: "http://127.0.0.1:9/fhir", ClientID: "x", Keys: []*fhirclient.Key{key}})
	if err != nil {
		b.Fatal(err)
	}
	t := &tenant{name: "sandbox", client: client, cache: newEnrichCache(context.Background(), defaultCacheTTL, 100)}
	rel, _ := ch.Enrich[0].tmpl.render(msg, ch.Name, ch.Tenant, nil)
	decoded, err := mappings.DecodeEHRResource([]byte(ehrPatient))
	if err != nil {
		b.Fatal(err)
	}
	t.cache.put(rel, lookupResult{matches: []mappings.EHRResource{decoded}})
	mapper, err := mappings.New(mappings.Options{Namespace: "sandbox"})
	if err != nil {
		b.Fatal(err)
	}
	e := &Engine{metrics: newMetrics(nil, nil)}
	p := &pipeline{r: &runner{e: e, ch: ch, tenant: t, mapper: mapper}}
	ctx := context.Background()
	enr, _, end, _ := p.enrich(ctx, msg)
	if end != enrichOK || enr.Patient == nil {
		b.Fatalf("enrich did not hit the cache: %v", end)
	}
	b.Run("steps", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, end, _ := p.enrich(ctx, msg); end != enrichOK {
				b.Fatal(end)
			}
		}
	})
	b.Run("map-enriched", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := mapper.MapJSONEnriched(msg, enr); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("map-plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := mapper.MapJSONEnriched(msg, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
