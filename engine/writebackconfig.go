package engine

import (
	"strings"
	"time"
)

// NATSSource consumes write-back requests: a JetStream durable consumer on
// writeback.<tenant>.<kind> subjects. Each request is stored in the
// message log before its JetStream ack, so none is lost if the engine dies.
type NATSSource struct {
	Subject string `yaml:"subject" doc:"subject filter, e.g. writeback.sandbox.> (default writeback.<tenant>.>)"`
	Durable string `yaml:"durable" doc:"durable consumer name (default the channel name)"`
}

// MLLPDestination sends write-back messages to the EHR.
type MLLPDestination struct {
	To             string   `yaml:"to" doc:"host:port of the EHR's MLLP listener"`
	ConnectTimeout Duration `yaml:"connect_timeout" doc:"TCP connect timeout (default 10s)"`
	AckTimeout     Duration `yaml:"ack_timeout" doc:"wait for the ACK; after it the connection is closed so a late ACK is never credited to the next message (default 30s)"`
	MaxAttempts    int      `yaml:"max_attempts" doc:"deliveries of one message answered AE/CE or failing (no connection, no ACK) before it is DEAD (default 10; 0 = retry for ever)"`
	Backoff        Duration `yaml:"backoff" doc:"first wait before a retry; doubles each time (default 1s)"`
	BackoffMax     Duration `yaml:"backoff_max" doc:"longest wait between retries (default 5m)"`
}

// Outbound configures the HL7 v2 messages a write-back channel builds.
type Outbound struct {
	SendingApplication   string            `yaml:"sending_application" doc:"MSH-3 (default SWITCHBOARD)"`
	SendingFacility      string            `yaml:"sending_facility" doc:"MSH-4"`
	ReceivingApplication string            `yaml:"receiving_application" doc:"MSH-5: EHRs reject messages not addressed to their interface"`
	ReceivingFacility    string            `yaml:"receiving_facility" doc:"MSH-6"`
	Version              string            `yaml:"version" doc:"MSH-12 (default 2.5.1): must match the EHR's interface"`
	ProcessingID         string            `yaml:"processing_id" doc:"MSH-11: P production (default), T training, D debugging"`
	OrderStructure       string            `yaml:"order_structure" doc:"orders: ORM^O01 (default) or OML^O21"`
	AssigningAuthorities map[string]string `yaml:"assigning_authorities" doc:"identifier system URI → CX.4 assigning authority, e.g. urn:oid:1.2.3: MRN"`
	CodingSystems        map[string]string `yaml:"coding_systems" doc:"code system URI → CWE.3 name, e.g. https://hospital.example/codes/lab: 99LAB"`
}

// Defaults of write-back channels.
const (
	defaultConnectTimeout = 10 * time.Second
	defaultOutAckTimeout  = 30 * time.Second
	defaultOutAttempts    = 10
	defaultBackoff        = time.Second
	defaultBackoffMax     = 5 * time.Minute
)

func (ch *Channel) setWritebackDefaults() {
	n := ch.Source.NATS
	if n == nil {
		return
	}
	if n.Subject == "" {
		n.Subject = "writeback." + ch.Tenant + ".>"
	}
	if n.Durable == "" {
		n.Durable = strings.NewReplacer(".", "_", "*", "_", ">", "_").Replace(ch.Name)
	}
	for i := range ch.Destinations {
		if m := ch.Destinations[i].MLLP; m != nil {
			if m.ConnectTimeout == 0 {
				m.ConnectTimeout = Duration(defaultConnectTimeout)
			}
			if m.AckTimeout == 0 {
				m.AckTimeout = Duration(defaultOutAckTimeout)
			}
			if m.MaxAttempts == 0 {
				m.MaxAttempts = defaultOutAttempts
			}
			if m.Backoff == 0 {
				m.Backoff = Duration(defaultBackoff)
			}
			if m.BackoffMax == 0 {
				m.BackoffMax = Duration(defaultBackoffMax)
			}
		}
	}
	o := &ch.Outbound
	if o.SendingApplication == "" {
		o.SendingApplication = "SWITCHBOARD"
	}
	if o.Version == "" {
		o.Version = "2.5.1"
	}
	if o.ProcessingID == "" {
		o.ProcessingID = "P"
	}
	if o.OrderStructure == "" {
		o.OrderStructure = "ORM^O01"
	}
}

// validateWriteback checks a write-back channel: its subject, its one
// MLLP destination, its outbound settings.
func (ch *Channel) validateWriteback(errs *errorList) {
	at := ch.lines.line
	n := ch.Source.NATS
	if !strings.HasPrefix(n.Subject, "writeback."+ch.Tenant+".") {
		errs.add(at("source.nats.subject"), "subject %q: a write-back channel of tenant %s consumes writeback.%s.<kind> (e.g. writeback.%s.>)", n.Subject, ch.Tenant, ch.Tenant, ch.Tenant)
	}
	if len(ch.Destinations) != 1 || ch.Destinations[0].MLLP == nil {
		errs.add(at("destinations"), "a write-back channel needs exactly one destination, e.g. destinations: [{mllp: {to: \"ehr.hospital.org:6662\"}}]")
		return
	}
	m := ch.Destinations[0].MLLP
	checkListen(errs, at("destinations[0].mllp.to"), "destinations[0].mllp.to", m.To)
	if m.MaxAttempts < 0 {
		errs.add(at("destinations[0].mllp.max_attempts"), "max_attempts cannot be negative")
	}
	switch ch.Outbound.OrderStructure {
	case "ORM^O01", "OML^O21":
	default:
		errs.add(at("outbound.order_structure"), "order_structure %q: ORM^O01 or OML^O21", ch.Outbound.OrderStructure)
	}
	if len(ch.Enrich) > 0 || ch.Filter != "" || len(ch.Accept) > 0 {
		errs.add(at("source"), "a write-back channel takes no enrich, filter or accept: those are for inbound HL7")
	}
}

// addWritebackStreams makes sure write-back requests and outcomes land in
// streams: WRITEBACK on writeback.> and OUTCOMES on outcomes.>, added when
// a write-back channel exists and config.yaml declares none that capture
// them.
func (c *Config) addWritebackStreams() {
	for _, ch := range c.ChannelList {
		if ch.Source.NATS == nil {
			continue
		}
		for _, s := range []StreamConfig{
			{Name: "WRITEBACK", Subjects: []string{"writeback.>"}, WorkQueue: true},
			{Name: "OUTCOMES", Subjects: []string{"outcomes.>"}},
		} {
			if !c.streamCovers(strings.TrimSuffix(s.Subjects[0], ">") + ch.Tenant + ".x") {
				s.MaxAge, s.Duplicates = Duration(defaultStreamMaxAge), Duration(defaultDuplicates)
				c.NATS.Streams = append(c.NATS.Streams, s)
			}
		}
		return
	}
}

// streamFor names the configured stream that captures subject, or "".
func (e *Engine) streamFor(subject string) string {
	if s := e.streamConfigFor(subject); s != nil {
		return s.Name
	}
	return ""
}

// duplicatesFor is the Nats-Msg-Id dedup window of the stream that
// captures subject; 0 when none does.
func (e *Engine) duplicatesFor(subject string) time.Duration {
	if s := e.streamConfigFor(subject); s != nil {
		return s.Duplicates.Std()
	}
	return 0
}

func (e *Engine) streamConfigFor(subject string) *StreamConfig {
	for i, s := range e.cfg.NATS.Streams {
		for _, f := range s.Subjects {
			if subjectMatches(f, subject) {
				return &e.cfg.NATS.Streams[i]
			}
		}
	}
	return nil
}
