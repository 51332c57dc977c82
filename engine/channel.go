package engine

import (
	"crypto/tls"
	"time"

	"github.com/switchboard-hl7/switchboard/mappings"
)

// Channel is one channels/*.yaml file: where messages come from, which
// are accepted, how they are filtered and mapped, and where they go.
type Channel struct {
	Name         string        `yaml:"name" doc:"unique channel name (letters, digits, - and _)"`
	Description  string        `yaml:"description" doc:"free text for operators"`
	Tenant       string        `yaml:"tenant" doc:"EHR tenant the channel belongs to; used in subjects and ids (default sandbox)"`
	Disabled     bool          `yaml:"disabled" doc:"load and lint the channel but do not run it"`
	Source       Source        `yaml:"source" doc:"where messages come from"`
	Accept       []string      `yaml:"accept" doc:"accepted message types such as ADT^A01, ADT^* or *; others get AR (default all)"`
	Filter       string        `yaml:"filter" doc:"expression; messages for which it is false are FILTERED, e.g. field(\"PV1-2\") != \"P\""`
	Enrich       []EnrichStep  `yaml:"enrich" doc:"FHIR reads and searches against the channel's tenant, run in order before mapping"`
	Mapping      Mapping       `yaml:"mapping" doc:"HL7 v2 to FHIR R4 mapping options"`
	Destinations []Destination `yaml:"destinations" doc:"where mapped messages go"`
	Outbound     Outbound      `yaml:"outbound" doc:"write-back channels: the HL7 v2 messages built from FHIR requests"`
	Workers      int           `yaml:"workers" doc:"parallel workers; one patient's messages always stay in order (default 1: strict arrival order)"`
	Tests        []ChannelTest `yaml:"tests" doc:"sample messages and what their FHIR output must hold; run by switchboard test"`
	// DuplicateWindow drops resends: a sender that lost an ACK (a dropped
	// connection, an engine crash) sends the same message again.
	DuplicateWindow *Duration `yaml:"duplicate_window" doc:"a message identical to one received within this window (same MSH-10, same bytes) is ACKed and stored but FILTERED as a duplicate (default 10m; 0s disables)"`

	// File is the channel file; Index its position in load order.
	File string `yaml:"-"`

	lines    lineIndex
	filter   *Filter
	subjects []*subjectTemplate
	loc      *time.Location
	tls      *tls.Config
}

// Source selects and configures the channel's source component.
type Source struct {
	MLLP *MLLPSource `yaml:"mllp" doc:"an MLLP listener"`
	NATS *NATSSource `yaml:"nats" doc:"write-back requests from a JetStream subject (writeback.<tenant>.<kind>)"`
	Bulk *BulkSource `yaml:"bulk" doc:"a scheduled FHIR Bulk Data export from the tenant, published to fhir.<tenant>.bulk.<ResourceType>"`
}

// MLLPSource configures an MLLP listener.
type MLLPSource struct {
	Listen         string   `yaml:"listen" doc:"host:port to listen on"`
	Ack            string   `yaml:"ack" doc:"on-receive (default: AA once stored) or on-processed (AA/AE after the pipeline)"`
	AckTimeout     Duration `yaml:"ack_timeout" doc:"on-processed: answer AE when the pipeline takes longer (default 30s)"`
	MaxMessageSize ByteSize `yaml:"max_message_size" doc:"largest frame accepted; larger ones get AR and the connection is closed (default 16MiB)"`
	ReadTimeout    Duration `yaml:"read_timeout" doc:"time allowed to receive one frame (default 60s)"`
	IdleTimeout    Duration `yaml:"idle_timeout" doc:"close a connection silent this long (default never; TCP keep-alive finds dead peers)"`
	MaxConnections int      `yaml:"max_connections" doc:"connections beyond this are closed at once (default 0 = unlimited)"`
	TLS            *TLS     `yaml:"tls" doc:"serve MLLP over TLS"`
}

// TLS configures a TLS listener. Paths are relative to the channel file.
type TLS struct {
	CertFile     string `yaml:"cert_file" doc:"PEM certificate chain of this listener"`
	KeyFile      string `yaml:"key_file" doc:"PEM private key of the certificate"`
	ClientCAFile string `yaml:"client_ca_file" doc:"PEM CA bundle; when set, senders must present a certificate it signed (mutual TLS)"`
	MinVersion   string `yaml:"min_version" doc:"1.2 (default) or 1.3"`
}

// Mapping configures the v2 → FHIR mapping.
type Mapping struct {
	Bundle            string            `yaml:"bundle" doc:"transaction (default: PUT entries, idempotent) or message"`
	TimeZone          string            `yaml:"timezone" doc:"IANA zone of the sender for times without an offset, e.g. America/Chicago (default UTC)"`
	IdentifierSystems map[string]string `yaml:"identifier_systems" doc:"assigning authority → identifier system URI, e.g. MRN: urn:oid:1.2.3"`
	CodeSystems       map[string]string `yaml:"code_systems" doc:"coding system name as the sender writes it (CWE.3) → URI, e.g. 99LAB: https://hospital.example/codes/lab"`
	Fields            []FieldRule       `yaml:"fields" doc:"set FHIR elements from v2 fields after the IG maps: overrides and Z-segment fields"`
	IgnoreSegments    []string          `yaml:"ignore_segments" doc:"Z-segments left unmapped on purpose; others that no rule reads are reported as mapping warnings"`

	fields []mappings.FieldRule
}

// FieldRule sets one FHIR element from one v2 field.
type FieldRule struct {
	From string `yaml:"from" doc:"v2 field path, e.g. ZPI-2 or PV1-10.1"`
	To   string `yaml:"to" doc:"FHIR element, e.g. Patient.extension(https://hospital.example/fhir/vip).valueString or Encounter.serviceType.text"`
}

// Destination is one output of a channel.
type Destination struct {
	Name string           `yaml:"name" doc:"name used in logs and the message log (default nats-<n>)"`
	NATS *NATSDestination `yaml:"nats" doc:"publish the FHIR Bundle on a JetStream subject"`
	MLLP *MLLPDestination `yaml:"mllp" doc:"write-back channels: send the HL7 v2 message to the EHR's MLLP listener"`
}

// NATSDestination publishes to a JetStream subject.
type NATSDestination struct {
	Subject string `yaml:"subject" doc:"subject template (default fhir.{tenant}.{type}.{trigger}); {tenant} {channel} {type} {trigger} {structure} or an HL7 path such as {MSH-4}"`
}
