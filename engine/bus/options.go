package bus

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"
)

// Defaults applied by [Start] to zero-valued [Options] fields.
const (
	DefaultListen     = "127.0.0.1:4222"
	DefaultName       = "switchboard"
	DefaultMaxPending = 4096
	DefaultAckTimeout = 30 * time.Second
	// DefaultMaxPayload fits a result with an embedded PDF of several MB,
	// where nats-server's own 1 MB default would refuse it.
	DefaultMaxPayload = 8 << 20
)

// Options configures a [Bus]. The zero value of every field except StoreDir
// (embedded server) or URL (external server) is a usable default.
//
// Listen, StoreDir and SyncInterval configure the embedded server and are
// ignored when URL is set, so one configuration can switch to an external
// server through the environment alone.
type Options struct {
	// URL of an external NATS server with JetStream enabled, e.g. from
	// SWITCHBOARD_NATS_URL. Empty starts an embedded server.
	URL string

	// Listen is the embedded server's client address, host:port. Port 0
	// picks a free port (tests). Default DefaultListen.
	Listen string

	// StoreDir holds the embedded server's JetStream files. Required for
	// the embedded server: the nats-server default is a temporary directory.
	StoreDir string

	// SyncInterval is how often the embedded JetStream store fsyncs. Zero
	// fsyncs every message before its PubAck, one by one: concurrent
	// publishes are not grouped, so throughput is at most 1/fsync, 2,000
	// msg/s at 0.5 ms (BenchmarkPublishAsync measured 300 to 1,500).
	// With an interval every message still reaches the kernel before its
	// PubAck, so a process crash loses nothing, but an OS crash or power
	// loss can lose the last interval of acknowledged messages (nats-server's
	// own default interval is two minutes).
	SyncInterval time.Duration

	// MaxPayload is the embedded server's largest message, in bytes.
	// Default DefaultMaxPayload; NATS allows up to 64 MiB.
	MaxPayload int

	// Streams are created, or updated to match, on every (re)connect, so an
	// external server that lost its state gets them back.
	Streams []StreamConfig

	// Name identifies the client connection, and the embedded server.
	// Default DefaultName.
	Name string

	// MaxPending bounds the publishes awaiting a PubAck; PublishAsync blocks
	// while the window is full. Default DefaultMaxPending.
	MaxPending int

	// AckTimeout bounds the wait for one PubAck, counted from PublishAsync.
	// It must cover a full window at the slowest expected ack rate, or a
	// healthy but busy server causes needless retries. A lost connection
	// fails pending publishes at once, without waiting for this timeout.
	// Default DefaultAckTimeout.
	AckTimeout time.Duration

	// Logger receives connection events and the embedded server's log.
	// Default slog.Default().
	Logger *slog.Logger
}

// embedded reports whether o asks for an in-process server.
func (o Options) embedded() bool { return o.URL == "" }

// withDefaults returns o with every zero field that has a default filled in.
// It is the only place defaults are decided.
func (o Options) withDefaults() Options {
	if o.embedded() && o.Listen == "" {
		o.Listen = DefaultListen
	}
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.MaxPayload == 0 {
		o.MaxPayload = DefaultMaxPayload
	}
	if o.MaxPending == 0 {
		o.MaxPending = DefaultMaxPending
	}
	if o.AckTimeout == 0 {
		o.AckTimeout = DefaultAckTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	streams := make([]StreamConfig, len(o.Streams))
	for i, s := range o.Streams {
		streams[i] = s.withDefaults()
	}
	o.Streams = streams
	return o
}

// validate checks options after withDefaults, before anything starts.
func (o Options) validate() error {
	if o.MaxPending < 0 {
		return fmt.Errorf("bus: MaxPending %d: must not be negative", o.MaxPending)
	}
	if o.AckTimeout < 0 {
		return fmt.Errorf("bus: AckTimeout %v: must not be negative", o.AckTimeout)
	}
	if o.embedded() {
		if err := o.validateEmbedded(); err != nil {
			return err
		}
	}
	seen := make(map[string]bool, len(o.Streams))
	for _, s := range o.Streams {
		if err := s.validate(o.embedded()); err != nil {
			return err
		}
		if seen[s.Name] {
			return fmt.Errorf("bus: stream %q: configured twice", s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

func (o Options) validateEmbedded() error {
	if o.StoreDir == "" {
		return errors.New("bus: StoreDir is required for the embedded server")
	}
	if o.SyncInterval < 0 {
		return fmt.Errorf("bus: SyncInterval %v: must not be negative", o.SyncInterval)
	}
	if o.MaxPayload < 1024 || o.MaxPayload > 64<<20 {
		return fmt.Errorf("bus: MaxPayload %d: want 1 KiB to 64 MiB", o.MaxPayload)
	}
	if _, _, err := splitListen(o.Listen); err != nil {
		return err
	}
	return nil
}

// splitListen parses a host:port listen address.
func splitListen(addr string) (host string, port int, err error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("bus: Listen %q: %w", addr, err)
	}
	port, err = strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("bus: Listen %q: invalid port", addr)
	}
	return host, port, nil
}
