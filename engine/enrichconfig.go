package engine

// EnrichStep is one FHIR read or search a channel makes for each message
// before mapping it.
type EnrichStep struct {
	Name    string   `yaml:"name" doc:"name the result is bound to (letters, digits, - and _)"`
	Read    string   `yaml:"read" doc:"a read, e.g. Patient/{PID-3.1}; {…} are HL7 paths, {tenant} or {channel}"`
	Search  string   `yaml:"search" doc:"a search, e.g. Patient?identifier=urn:oid:2.16.840.1.113883.19.5|{PID-3.1}"`
	Use     string   `yaml:"use" doc:"patient (the match becomes the Bundle's Patient: its id and the data the message lacks), include (matches are added to the Bundle) or none (logged only); default patient for a Patient step, else include"`
	Max     int      `yaml:"max" doc:"include: matches added at most (default 20)"`
	OnError string   `yaml:"on_error" doc:"when the EHR fails: continue (default: map without it), fail (message ERROR) or retry (the message waits, in order)"`
	Retry   Duration `yaml:"retry_for" doc:"on_error retry: give up (ERROR) after this long (default 10m)"`
	// OnMissing is about a search with no match or a read that is 404.
	OnMissing string `yaml:"on_missing" doc:"when nothing is found: continue (default) or fail"`

	tmpl *urlTemplate
}

// Enrichment policies.
const (
	OnErrorContinue = "continue"
	OnErrorFail     = "fail"
	OnErrorRetry    = "retry"

	UsePatient = "patient"
	UseInclude = "include"
	UseNone    = "none"
)
