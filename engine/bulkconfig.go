package engine

import (
	"time"

	"github.com/switchboard-hl7/switchboard/engine/bulk"
	"github.com/switchboard-hl7/switchboard/fhirclient"
)

// BulkSource runs a FHIR Bulk Data export against the channel's tenant on
// a schedule, each run incremental from the previous one, and publishes
// every resource to fhir.<tenant>.bulk.<ResourceType>.
type BulkSource struct {
	Level       string   `yaml:"level" doc:"group (default), patient or system: which $export"`
	Group       string   `yaml:"group" doc:"the Group id of a group export"`
	Types       []string `yaml:"types" doc:"_type: the resource types to export (default all the server gives)"`
	TypeFilters []string `yaml:"type_filters" doc:"_typeFilter queries, e.g. Observation?category=laboratory"`
	Elements    []string `yaml:"elements" doc:"_elements: the elements to keep"`
	Interval    Duration `yaml:"interval" doc:"time from the start of one export to the start of the next (default 24h)"`
	Incremental *bool    `yaml:"incremental" doc:"export only what changed since the previous export's transactionTime (default true)"`
	Parallel    int      `yaml:"parallel" doc:"files downloaded at once (default 4)"`
	OnInvalid   string   `yaml:"on_invalid" doc:"a malformed line: skip (log it with file and line, default) or fail (the file fails)"`
}

const defaultBulkInterval = 24 * time.Hour

func (ch *Channel) setBulkDefaults() {
	b := ch.Source.Bulk
	if b == nil {
		return
	}
	if b.Level == "" {
		b.Level = string(fhirclient.GroupExport)
	}
	if b.Interval == 0 {
		b.Interval = Duration(defaultBulkInterval)
	}
	if b.Incremental == nil {
		on := true
		b.Incremental = &on
	}
	if b.Parallel == 0 {
		b.Parallel = 4
	}
	if b.OnInvalid == "" {
		b.OnInvalid = string(bulk.SkipInvalid)
	}
}

// validateBulk checks a bulk channel: the export it asks for and that it
// has nothing an HL7 channel has.
func (ch *Channel) validateBulk(errs *errorList) {
	at := ch.lines.line
	b := ch.Source.Bulk
	switch fhirclient.ExportLevel(b.Level) {
	case fhirclient.GroupExport:
		if b.Group == "" {
			errs.add(at("source.bulk.group"), "a group export needs group: the Group id at the EHR (or level: patient or system)")
		}
	case fhirclient.PatientExport, fhirclient.SystemExport:
		if b.Group != "" {
			errs.add(at("source.bulk.group"), "group is only for level: group")
		}
	default:
		errs.add(at("source.bulk.level"), "level %q: group, patient or system", b.Level)
	}
	for i, t := range b.Types {
		if !fhirclient.ValidType(t) {
			errs.add(at("source.bulk.types"), "types[%d] %q is not a FHIR resource type name", i, t)
		}
	}
	if b.Interval.Std() < time.Minute {
		errs.add(at("source.bulk.interval"), "interval %s: at least 1m (an export is a heavy request for the EHR)", b.Interval.Std())
	}
	if b.Parallel < 1 || b.Parallel > 32 {
		errs.add(at("source.bulk.parallel"), "parallel %d: use 1 to 32", b.Parallel)
	}
	if b.OnInvalid != string(bulk.SkipInvalid) && b.OnInvalid != string(bulk.FailInvalid) {
		errs.add(at("source.bulk.on_invalid"), "on_invalid %q: skip or fail", b.OnInvalid)
	}
	if len(ch.Destinations) > 0 || len(ch.Enrich) > 0 || ch.Filter != "" || len(ch.Accept) > 0 {
		errs.add(at("source"), "a bulk channel takes no destinations, enrich, filter or accept: it publishes each resource to fhir.<tenant>.bulk.<ResourceType>")
	}
}

// request is the export one run of the channel asks for.
func (b *BulkSource) request(tenant string, since time.Time) bulk.Request {
	return bulk.Request{Tenant: tenant, Export: fhirclient.ExportRequest{
		Level: fhirclient.ExportLevel(b.Level), GroupID: b.Group, Types: b.Types,
		TypeFilters: b.TypeFilters, Elements: b.Elements, Since: since}}
}
