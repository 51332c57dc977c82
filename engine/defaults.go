package engine

import (
	"fmt"
	"path/filepath"
	"time"
)

// Defaults, in one place.
const (
	defaultDataDir        = "./data"
	defaultNATSListen     = "127.0.0.1:4222"
	defaultHTTPListen     = "127.0.0.1:8080"
	defaultTenant         = "sandbox"
	defaultChannels       = "channels/*.yaml"
	defaultMaxMessageSize = 16 << 20
	defaultReadTimeout    = 60 * time.Second
	defaultAckTimeout     = 30 * time.Second
	// defaultDuplicateWindow covers a sender's retry after a lost ACK or
	// an engine restart, while staying far below any control-id reuse.
	defaultDuplicateWindow = 10 * time.Minute
	defaultStreamMaxAge    = 7 * 24 * time.Hour
	// defaultSyncInterval: JetStream with sync "always" fsyncs every
	// message on its own (no grouping), which caps the engine near 1/fsync
	// ≈ 1,500 msg/s. Every message still reaches the OS at once, so only an
	// OS crash or power loss can lose the last interval, and the engine
	// replays that window from its own log after an unclean stop.
	defaultSyncInterval = "1s"
	// defaultDuplicates bounds JetStream's dedup memory: every Nats-Msg-Id
	// of the window is held in memory. Twenty minutes covers a crash and
	// restart replay with a wide margin.
	defaultDuplicates = 20 * time.Minute
)

func (c *Config) setDefaults() {
	if c.DataDir == "" {
		c.DataDir = defaultDataDir
	}
	c.DataDir = c.resolve(c.DataDir)
	if c.Store.Driver == "" {
		c.Store.Driver = "sqlite"
	}
	if c.Store.Path == "" {
		c.Store.Path = filepath.Join(c.DataDir, "switchboard.db")
	}
	c.Store.Path = c.resolve(c.Store.Path)
	if c.Store.Synchronous == "" {
		c.Store.Synchronous = "full"
	}
	if c.NATS.URL == "" && c.NATS.Listen == "" {
		c.NATS.Listen = defaultNATSListen
	}
	if c.NATS.StoreDir == "" {
		c.NATS.StoreDir = filepath.Join(c.DataDir, "nats")
	}
	c.NATS.StoreDir = c.resolve(c.NATS.StoreDir)
	if c.NATS.SyncInterval == "" {
		c.NATS.SyncInterval = defaultSyncInterval
	}
	if len(c.NATS.Streams) == 0 {
		c.NATS.Streams = []StreamConfig{{Name: "FHIR", Subjects: []string{"fhir.>"}}}
	}
	for i := range c.NATS.Streams {
		s := &c.NATS.Streams[i]
		if s.MaxAge == 0 {
			s.MaxAge = Duration(defaultStreamMaxAge)
		}
		if s.Duplicates == 0 {
			s.Duplicates = Duration(defaultDuplicates)
		}
	}
	if c.HTTP.Listen == "" {
		c.HTTP.Listen = defaultHTTPListen
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
	if len(c.Channels) == 0 {
		c.Channels = []string{defaultChannels}
	}
	c.setTenantDefaults()
}

func (ch *Channel) setDefaults() {
	if ch.Tenant == "" {
		ch.Tenant = defaultTenant
	}
	if ch.DuplicateWindow == nil {
		w := Duration(defaultDuplicateWindow)
		ch.DuplicateWindow = &w
	}
	if ch.Workers == 0 {
		ch.Workers = 1
	}
	if m := ch.Source.MLLP; m != nil {
		if m.Ack == "" {
			m.Ack = AckOnReceive
		}
		if m.AckTimeout == 0 {
			m.AckTimeout = Duration(defaultAckTimeout)
		}
		if m.MaxMessageSize == 0 {
			m.MaxMessageSize = defaultMaxMessageSize
		}
		if m.ReadTimeout == 0 {
			m.ReadTimeout = Duration(defaultReadTimeout)
		}
	}
	if ch.Mapping.Bundle == "" {
		ch.Mapping.Bundle = "transaction"
	}
	ch.setWritebackDefaults()
	ch.setBulkDefaults()
	for i := range ch.Destinations {
		d := &ch.Destinations[i]
		if d.Name == "" && d.MLLP != nil {
			d.Name = fmt.Sprintf("mllp-%d", i+1)
		}
		if d.Name == "" {
			d.Name = fmt.Sprintf("nats-%d", i+1)
		}
		if d.NATS != nil && d.NATS.Subject == "" {
			d.NATS.Subject = DefaultSubject
		}
	}
}

// ACK modes of an MLLP source.
const (
	AckOnReceive   = "on-receive"
	AckOnProcessed = "on-processed"
)
