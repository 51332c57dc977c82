package engine

import (
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-hl7/switchboard/fhir"
	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/mappings"
)

var (
	channelName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
	tenantName  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	acceptRule  = regexp.MustCompile(`^(\*|[A-Z0-9]{3})(\^(\*|[A-Z0-9]{3}))?$`)
	streamName  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

func (c *Config) validate() ConfigErrors {
	errs := &errorList{file: c.File}
	at := c.lines.line
	switch c.Store.Driver {
	case "sqlite":
	default:
		errs.add(at("store.driver"), "store.driver %q is not supported: use sqlite", c.Store.Driver)
	}
	switch strings.ToLower(c.Store.Synchronous) {
	case "full", "normal", "off":
	default:
		errs.add(at("store.synchronous"), "store.synchronous %q: use full (safe), normal or off", c.Store.Synchronous)
	}
	if r := c.Store.Retention.Std(); r < 0 || (r > 0 && r < time.Hour) {
		errs.add(at("store.retention"), "store.retention %s: use 0 (keep everything) or at least 1h, e.g. 720h for 30 days", r)
	}
	if c.NATS.URL == "" {
		checkListen(errs, at("nats.listen"), "nats.listen", c.NATS.Listen)
	}
	if m := c.NATS.MaxPayload; m != 0 && (m < 1024 || m > 64<<20) {
		errs.add(at("nats.max_payload"), "nats.max_payload %d: use 1KiB to 64MiB (default 8MiB)", m)
	}
	if c.NATS.SyncInterval != "always" {
		if d, err := time.ParseDuration(c.NATS.SyncInterval); err != nil || d <= 0 {
			errs.add(at("nats.sync_interval"), "nats.sync_interval %q: use always or a positive duration such as 1s", c.NATS.SyncInterval)
		}
	}
	names := map[string]bool{}
	for i, s := range c.NATS.Streams {
		p := fmt.Sprintf("nats.streams[%d]", i)
		if !streamName.MatchString(s.Name) || names[s.Name] {
			errs.add(at(p+".name"), "stream name %q must be unique and use letters, digits, - and _", s.Name)
		}
		names[s.Name] = true
		if len(s.Subjects) == 0 {
			errs.add(at(p), "stream %q needs subjects, e.g. subjects: [\"fhir.>\"]", s.Name)
		}
	}
	if c.HTTP.Listen != "off" {
		checkListen(errs, at("http.listen"), "http.listen", c.HTTP.Listen)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs.add(at("log.level"), "log.level %q: use debug, info, warn or error", c.Log.Level)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		errs.add(at("log.format"), "log.format %q: use text or json", c.Log.Format)
	}
	c.validateTenants(errs)
	return errs.errs
}

func checkListen(errs *errorList, line int, key, addr string) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		errs.add(line, "%s %q is not host:port, e.g. 127.0.0.1:2575", key, addr)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		errs.add(line, "%s %q: port must be 0-65535", key, addr)
	}
	if host != "" && net.ParseIP(host) == nil && host != "localhost" {
		if _, err := net.LookupHost(host); err != nil {
			errs.add(line, "%s %q: unknown host %q", key, addr, host)
		}
	}
}

func (ch *Channel) validate() ConfigErrors {
	errs := &errorList{file: ch.File}
	at := ch.lines.line
	if !channelName.MatchString(ch.Name) {
		errs.add(at("name"), "channel name %q: use 1-64 letters, digits, - and _ (e.g. name: adt-inbound)", ch.Name)
	}
	if !tenantName.MatchString(ch.Tenant) {
		errs.add(at("tenant"), "tenant %q: use lower-case letters, digits, - and _ (it becomes a NATS subject token)", ch.Tenant)
	}
	ch.validateSource(errs)
	for i, a := range ch.Accept {
		if !acceptRule.MatchString(a) {
			errs.add(at(fmt.Sprintf("accept[%d]", i)), "accept %q: write TYPE^TRIGGER such as ADT^A01, ADT^* or *", a)
		}
	}
	if ch.Filter != "" {
		f, err := compileFilter(ch.Filter)
		if err != nil {
			errs.add(at("filter"), "filter does not compile: %s", oneLine(err.Error()))
		}
		ch.filter = f
	}
	ch.validateEnrich(errs)
	ch.validateMapping(errs)
	ch.validateTests(errs)
	ch.validateDestinations(errs)
	if ch.Workers < 1 || ch.Workers > 64 {
		errs.add(at("workers"), "workers %d: use 1 to 64", ch.Workers)
	}
	return errs.errs
}

func (ch *Channel) validateSource(errs *errorList) {
	at := ch.lines.line
	m := ch.Source.MLLP
	n := 0
	for _, set := range []bool{m != nil, ch.Source.NATS != nil, ch.Source.Bulk != nil} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		errs.add(at("source"), "source: declare one source, mllp, nats or bulk, not several")
		return
	case ch.Source.Bulk != nil:
		ch.validateBulk(errs)
		return
	case ch.Source.NATS != nil:
		ch.validateWriteback(errs)
		return
	case m == nil:
		errs.add(at("source"), "source: declare one source, e.g. source: {mllp: {listen: \"127.0.0.1:2575\"}}")
		return
	}
	checkListen(errs, at("source.mllp.listen"), "source.mllp.listen", m.Listen)
	if m.Ack != AckOnReceive && m.Ack != AckOnProcessed {
		errs.add(at("source.mllp.ack"), "ack %q: use %s (AA once stored) or %s (AA/AE after processing)", m.Ack, AckOnReceive, AckOnProcessed)
	}
	if m.MaxMessageSize < 1024 {
		errs.add(at("source.mllp.max_message_size"), "max_message_size %d is too small: use at least 1KiB (default 16MiB)", m.MaxMessageSize)
	}
	if m.MaxConnections < 0 {
		errs.add(at("source.mllp.max_connections"), "max_connections must be 0 (unlimited) or more")
	}
	if m.TLS != nil {
		cfg, err := m.TLS.load(filepath.Dir(ch.File))
		if err != nil {
			errs.add(at("source.mllp.tls"), "%v", err)
		}
		ch.tls = cfg
	}
}

func (ch *Channel) validateMapping(errs *errorList) {
	at := ch.lines.line
	if b := ch.Mapping.Bundle; b != "transaction" && b != "message" {
		errs.add(at("mapping.bundle"), "bundle %q: use transaction or message", b)
	}
	ch.loc = time.UTC
	if tz := ch.Mapping.TimeZone; tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			errs.add(at("mapping.timezone"), "timezone %q is not an IANA zone name such as America/New_York", tz)
		}
		ch.loc = loc
	}
	for k, v := range ch.Mapping.IdentifierSystems {
		if !strings.Contains(v, ":") {
			errs.add(at("mapping.identifier_systems."+k), "identifier system for %q must be a URI, e.g. urn:oid:1.2.3 or https://hospital.example/mrn", k)
		}
	}
	for k, v := range ch.Mapping.CodeSystems {
		if !strings.Contains(v, ":") || strings.ContainsAny(v, " \t") {
			errs.add(at("mapping.code_systems."+k), "code system for %q must be a URI, e.g. http://loinc.org or https://hospital.example/codes", k)
		}
	}
	ch.validateFields(errs)
	for i, z := range ch.Mapping.IgnoreSegments {
		if len(z) != 3 || z[0] != 'Z' {
			errs.add(at(fmt.Sprintf("mapping.ignore_segments[%d]", i)), "ignore_segments %q: list Z-segment names such as ZPI", z)
		}
	}
}

// validateFields parses the field rules: both paths, and that the FHIR
// element exists and takes a string.
func (ch *Channel) validateFields(errs *errorList) {
	at := ch.lines.line
	for i, f := range ch.Mapping.Fields {
		p := fmt.Sprintf("mapping.fields[%d]", i)
		from, err := hl7.ParsePath(f.From)
		if err != nil {
			errs.add(at(p+".from"), "from %q: %v (write a v2 path such as ZPI-2 or PV1-10.1)", f.From, err)
			continue
		}
		to, err := fhir.ParsePath(f.To)
		if err == nil {
			err = to.Settable()
		}
		if err != nil {
			errs.add(at(p+".to"), "to %q: %v", f.To, err)
			continue
		}
		ch.Mapping.fields = append(ch.Mapping.fields, mappings.FieldRule{From: from, To: to})
	}
}

func (ch *Channel) validateDestinations(errs *errorList) {
	if ch.Source.NATS != nil || ch.Source.Bulk != nil {
		return // a write-back channel's destination: validateWriteback; a bulk channel has none
	}
	for i, d := range ch.Destinations {
		p := fmt.Sprintf("destinations[%d]", i)
		if d.MLLP != nil {
			errs.add(ch.lines.line(p+".mllp"), "destination %q: an mllp destination needs a nats source (a write-back channel)", d.Name)
			continue
		}
		if d.NATS == nil {
			errs.add(ch.lines.line(p), "destination %q: declare one output, e.g. nats: {subject: %q}", d.Name, DefaultSubject)
			continue
		}
		t, err := parseSubject(d.NATS.Subject)
		if err != nil {
			errs.add(ch.lines.line(p+".nats.subject"), "%v", err)
			continue
		}
		ch.subjects = append(ch.subjects, t)
	}
}

// crossCheck finds conflicts between channels and with the engine config.
func (c *Config) crossCheck() ConfigErrors {
	var errs ConfigErrors
	names, addrs := map[string]*Channel{}, map[string]*Channel{}
	for _, ch := range c.ChannelList {
		if prev, ok := names[ch.Name]; ok {
			errs = append(errs, &ConfigError{File: ch.File, Line: ch.lines.line("name"), Msg: fmt.Sprintf("channel name %q is already used by %s", ch.Name, prev.File)})
		}
		names[ch.Name] = ch
		if e := c.checkTenant(ch); e != nil && !ch.Disabled {
			errs = append(errs, e)
		}
		if ch.Disabled || ch.Source.MLLP == nil {
			continue
		}
		addr := ch.Source.MLLP.Listen
		if prev, ok := addrs[addr]; ok && !strings.HasSuffix(addr, ":0") {
			errs = append(errs, &ConfigError{File: ch.File, Line: ch.lines.line("source.mllp.listen"), Msg: fmt.Sprintf("listen address %s is already used by channel %q (%s)", addr, prev.Name, prev.File)})
		}
		addrs[addr] = ch
		errs = append(errs, c.checkStreams(ch)...)
	}
	return errs
}

// checkStreams makes sure every destination subject lands in a stream:
// otherwise JetStream would refuse each publish at run time.
func (c *Config) checkStreams(ch *Channel) ConfigErrors {
	var errs ConfigErrors
	for i, t := range ch.subjects {
		probe := t.render(func(p subjectPart) string {
			if p.name == "tenant" {
				return ch.Tenant
			}
			if p.name == "channel" {
				return ch.Name
			}
			return "X"
		})
		if !c.streamCovers(probe) {
			errs = append(errs, &ConfigError{File: ch.File, Line: ch.lines.line(fmt.Sprintf("destinations[%d].nats.subject", i)),
				Msg: fmt.Sprintf("subject %q is not captured by any stream in nats.streams of %s: add a matching subject such as %q", probe, c.File, firstToken(probe)+".>")})
		}
	}
	return errs
}

func (c *Config) streamCovers(subject string) bool {
	for _, s := range c.NATS.Streams {
		for _, f := range s.Subjects {
			if subjectMatches(f, subject) {
				return true
			}
		}
	}
	return false
}

func subjectMatches(filter, subject string) bool {
	f, s := strings.Split(filter, "."), strings.Split(subject, ".")
	for i, tok := range f {
		if tok == ">" {
			return len(s) > i
		}
		if i >= len(s) || (tok != "*" && tok != s[i]) {
			return false
		}
	}
	return len(f) == len(s)
}

func firstToken(s string) string {
	tok, _, _ := strings.Cut(s, ".")
	return tok
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
