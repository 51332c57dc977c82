package bus

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// DefaultDuplicates is the dedup window of a stream that does not set one.
//
// It must cover the longest replay we expect: the engine republishes what
// its store has not marked SENT after a crash, a restart or a NATS outage,
// and only a Nats-Msg-Id seen within the window is dropped as a duplicate
// (a later replay stores a second copy; our PUT bundles make it harmless).
// The price is server memory: it keeps every id of the window in a map,
// about 115 bytes per 40-character id (100k ids measured 11 MB), and
// rebuilds that map from the store on restart. At 100 msg/s twenty minutes
// is 120k ids, about 14 MB; a sustained 5,000 msg/s would hold 6M ids,
// about 700 MB, so a high-rate stream should shorten its window.
const DefaultDuplicates = 20 * time.Minute

// StreamConfig describes a file-backed JetStream stream with limits
// retention: when MaxAge or MaxBytes is exceeded the oldest messages go.
type StreamConfig struct {
	// Name of the stream; no spaces, '.', '*', '>', '/' or '\'.
	Name string
	// Subjects the stream captures; wildcards allowed.
	Subjects []string
	// MaxAge removes older messages; zero keeps them forever.
	MaxAge time.Duration
	// MaxBytes caps the stream size; zero means no limit.
	MaxBytes int64
	// Duplicates is the dedup window; default DefaultDuplicates, shortened
	// to MaxAge when that is smaller, as the server requires.
	Duplicates time.Duration
	// Replicas is the number of copies on a clustered server; default 1.
	Replicas int
	// WorkQueue removes each message once a consumer acknowledged it: for
	// a transport stream (write-back requests) whose messages are kept
	// elsewhere (the message log) once taken.
	WorkQueue bool
}

func (c StreamConfig) withDefaults() StreamConfig {
	c.Subjects = append([]string(nil), c.Subjects...)
	if c.Duplicates == 0 {
		c.Duplicates = DefaultDuplicates
		if c.MaxAge > 0 && c.MaxAge < c.Duplicates {
			c.Duplicates = c.MaxAge
		}
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	return c
}

// validate catches what the server would reject, before anything starts.
func (c StreamConfig) validate(embedded bool) error {
	if c.Name == "" || strings.ContainsAny(c.Name, " \t\r\n.*>/\\") {
		return fmt.Errorf("bus: stream name %q: invalid", c.Name)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("bus: stream %s: %s", c.Name, fmt.Sprintf(format, args...))
	}
	switch {
	case len(c.Subjects) == 0:
		return fail("no subjects")
	case c.MaxAge < 0 || c.MaxBytes < 0 || c.Duplicates < 0 || c.Replicas < 0:
		return fail("MaxAge, MaxBytes, Duplicates and Replicas must not be negative")
	case c.MaxAge > 0 && c.Duplicates > c.MaxAge:
		return fail("Duplicates %v exceeds MaxAge %v", c.Duplicates, c.MaxAge)
	case embedded && c.Replicas > 1:
		return fail("Replicas %d: the embedded server is a single node", c.Replicas)
	}
	for _, s := range c.Subjects {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return fail("subject %q: invalid", s)
		}
	}
	return nil
}

func (c StreamConfig) jetStream() jetstream.StreamConfig {
	maxBytes := c.MaxBytes
	if maxBytes == 0 {
		maxBytes = -1 // the server's "unlimited"
	}
	retention := jetstream.LimitsPolicy
	if c.WorkQueue {
		retention = jetstream.WorkQueuePolicy
	}
	return jetstream.StreamConfig{
		Name:       c.Name,
		Subjects:   c.Subjects,
		Retention:  retention,
		Discard:    jetstream.DiscardOld,
		Storage:    jetstream.FileStorage,
		MaxAge:     c.MaxAge,
		MaxBytes:   maxBytes,
		Duplicates: c.Duplicates,
		Replicas:   c.Replicas,
	}
}

// ensureStreams creates every configured stream or updates it to match.
// It is idempotent, so it runs after every (re)connect. A stream that
// already matches is left alone: an update is not free, and nats-server
// (v2.15) races an update against a consumer being created on the same
// stream (the race detector catches it in our write-back tests).
func (b *Bus) ensureStreams(ctx context.Context) error {
	for _, c := range b.opts.Streams {
		want := c.jetStream()
		if s, err := b.js.Stream(ctx, c.Name); err == nil && sameStream(s.CachedInfo().Config, want) {
			continue
		}
		if _, err := b.js.CreateOrUpdateStream(ctx, want); err != nil {
			return fmt.Errorf("bus: stream %s: %w", c.Name, err)
		}
		b.log.Debug("nats stream ready", "stream", c.Name)
	}
	return nil
}

// sameStream reports whether have already is want, in the fields we set
// (the server fills in the others; a zero Duplicates is its default).
func sameStream(have, want jetstream.StreamConfig) bool {
	return slices.Equal(have.Subjects, want.Subjects) && have.Retention == want.Retention &&
		have.Discard == want.Discard && have.Storage == want.Storage && have.MaxAge == want.MaxAge &&
		have.MaxBytes == want.MaxBytes && (want.Duplicates == 0 || have.Duplicates == want.Duplicates) &&
		max(have.Replicas, 1) == max(want.Replicas, 1)
}
