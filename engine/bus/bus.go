// Package bus connects the engine to NATS JetStream: an embedded or external
// server, the streams it publishes into, and a deduplicating, back-pressured publisher.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Errors callers branch on; they arrive wrapped, so test with errors.Is.
var (
	// ErrNotConnected means the server is unreachable right now. The client
	// keeps reconnecting; keep the message and retry later.
	ErrNotConnected = errors.New("bus: not connected to NATS")
	// ErrAckTimeout means no PubAck came within Options.AckTimeout. The
	// message may or may not be stored; a retry with the same id is safe.
	ErrAckTimeout = errors.New("bus: timed out waiting for PubAck")
	// ErrNoStream means no stream captures the subject.
	ErrNoStream = errors.New("bus: no stream for subject")
	// ErrRejected means the server refused this message for good (it is
	// larger than the server's max_payload): retrying cannot help.
	ErrRejected = errors.New("bus: message refused by the server")
	// ErrMissingMsgID means a publish had no Header.MsgID.
	ErrMissingMsgID = errors.New("bus: missing message id")
	// ErrClosed means the Bus was closed.
	ErrClosed = errors.New("bus: closed")
)

const (
	// streamsTimeout bounds one round of stream creation.
	streamsTimeout = 10 * time.Second
	// streamsRetry is the pause before retrying stream creation that failed
	// while connected, e.g. when a restarted server has not yet enabled JetStream.
	streamsRetry = 2 * time.Second
	// closeTimeout bounds the drain of the client connection in Close.
	closeTimeout = 10 * time.Second
	// pingInterval detects a silently dead connection in about three
	// intervals, instead of nats.go's default of minutes.
	pingInterval = 10 * time.Second
)

// Bus is a NATS connection with JetStream, optionally backed by an embedded
// server. Its methods are safe for concurrent use.
type Bus struct {
	opts      Options
	log       *slog.Logger
	server    *embeddedServer // nil with an external server
	clientURL string
	nc        *nats.Conn
	js        jetstream.JetStream

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc

	slots    chan struct{} // one token per publish awaiting its PubAck
	mu       sync.Mutex
	inflight map[*nats.Msg]*Pending
	closed   bool

	connected  chan struct{} // signals the streams loop after a (re)connect
	loopDone   chan struct{}
	connClosed chan struct{} // closed by the client's ClosedHandler

	closeOnce sync.Once
	closeErr  error
}

// Start connects to NATS, starting the embedded server first when
// o.URL is empty, and creates the configured streams.
//
// With an external URL, Start succeeds even if that server is down: the
// client keeps retrying in the background, publishes fail with
// ErrNotConnected meanwhile, and the streams are created once it connects.
// An embedded server that cannot start (its port in use, an unusable
// StoreDir) is an error. Configuration errors are reported before anything
// starts.
func Start(ctx context.Context, o Options) (*Bus, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	b := &Bus{
		opts:       o,
		log:        o.Logger.With("component", "bus"),
		clientURL:  o.URL,
		slots:      make(chan struct{}, o.MaxPending),
		inflight:   make(map[*nats.Msg]*Pending),
		connected:  make(chan struct{}, 1),
		loopDone:   make(chan struct{}),
		connClosed: make(chan struct{}),
	}
	if o.embedded() {
		srv, err := startEmbedded(&b.opts)
		if err != nil {
			return nil, err
		}
		b.server, b.clientURL = srv, srv.url
	}
	if err := b.connect(); err != nil {
		b.shutdownServer()
		return nil, err
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	// Ensure the streams here when we can, so Start reports a stream the
	// server refuses; the loop, started after to keep this serial, covers
	// later connects.
	var err error
	switch {
	case b.nc.IsConnected():
		err = b.ensureStreams(ctx)
		// That was this connect's turn: the loop is for later ones.
		select {
		case <-b.connected:
		default:
		}
	case b.server != nil:
		err = fmt.Errorf("bus: cannot connect to embedded nats at %s", b.clientURL)
	}
	go b.streamsLoop()
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// connect dials the server with reconnection forever and creates the
// JetStream context whose async publisher settles our Pendings.
func (b *Bus) connect() error {
	nc, err := nats.Connect(b.clientURL,
		nats.Name(b.opts.Name),
		nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(true),
		// No reconnect buffer: a publish while disconnected fails at once,
		// and the engine's store, not client memory, holds the message.
		nats.ReconnectBufSize(-1),
		nats.PingInterval(pingInterval),
		nats.DrainTimeout(closeTimeout),
		nats.ConnectHandler(b.onConnect),
		nats.ReconnectHandler(b.onConnect),
		nats.DisconnectErrHandler(b.onDisconnect),
		nats.ClosedHandler(func(*nats.Conn) { close(b.connClosed) }),
		nats.ErrorHandler(b.onAsyncError),
	)
	if err != nil {
		return fmt.Errorf("bus: connect %s: %w", redact(b.clientURL), err)
	}
	js, err := jetstream.New(nc,
		// Our slots keep the client below this, so it never stalls and
		// never returns ErrTooManyStalledMsgs.
		jetstream.WithPublishAsyncMaxPending(b.opts.MaxPending),
		jetstream.WithPublishAsyncTimeout(b.opts.AckTimeout),
		jetstream.WithPublishAsyncAckHandler(b.onAck),
		jetstream.WithPublishAsyncErrHandler(b.onPublishError),
	)
	if err != nil {
		nc.Close()
		return fmt.Errorf("bus: jetstream: %w", err)
	}
	b.nc, b.js = nc, js
	return nil
}

func (b *Bus) onConnect(nc *nats.Conn) {
	b.log.Info("nats connected", "url", nc.ConnectedUrlRedacted())
	select {
	case b.connected <- struct{}{}:
	default: // a signal is already pending
	}
}

func (b *Bus) onDisconnect(_ *nats.Conn, err error) {
	if err != nil {
		b.log.Warn("nats disconnected", "err", err)
	}
}

func (b *Bus) onAsyncError(_ *nats.Conn, sub *nats.Subscription, err error) {
	if sub != nil {
		b.log.Error("nats async error", "subject", sub.Subject, "err", err)
		return
	}
	b.log.Error("nats async error", "err", err)
}

// streamsLoop ensures the streams after every connect, retrying while
// connected if that fails. Close stops it.
func (b *Bus) streamsLoop() {
	defer close(b.loopDone)
	var retry <-chan time.Time
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-b.connected:
		case <-retry:
		}
		retry = nil
		ctx, cancel := context.WithTimeout(b.ctx, streamsTimeout)
		err := b.ensureStreams(ctx)
		cancel()
		if err != nil && b.ctx.Err() == nil {
			b.log.Warn("nats streams not ready", "err", err)
			if b.nc.IsConnected() {
				retry = time.After(streamsRetry)
			}
		}
	}
}

// Connected reports whether the client is connected right now.
func (b *Bus) Connected() bool { return b.nc.IsConnected() }

// ClientURL is the URL other processes on this host use to reach the
// server: the embedded server's loopback address, or Options.URL.
func (b *Bus) ClientURL() string { return b.clientURL }

// Conn returns the underlying connection, for subscribers.
func (b *Bus) Conn() *nats.Conn { return b.nc }

// JetStream returns the JetStream context, for consumers and stream admin.
// Publish through the Bus instead, to get dedup ids and back-pressure.
func (b *Bus) JetStream() jetstream.JetStream { return b.js }

// Close waits a bounded time for outstanding PubAcks, drains the
// connection and shuts the embedded server down. Publishes still pending
// then fail with ErrClosed; retrying them later is safe. Close is idempotent.
func (b *Bus) Close() error {
	b.closeOnce.Do(func() { b.closeErr = b.close() })
	return b.closeErr
}

func (b *Bus) close() error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.awaitAcks(min(b.opts.AckTimeout, closeTimeout))

	b.cancel()
	<-b.loopDone

	var err error
	if derr := b.nc.Drain(); derr != nil && !errors.Is(derr, nats.ErrConnectionReconnecting) {
		err = fmt.Errorf("bus: drain: %w", derr)
		b.nc.Close()
	}
	select {
	case <-b.connClosed:
	case <-time.After(closeTimeout + time.Second):
		b.nc.Close()
		err = errors.Join(err, errors.New("bus: drain timed out"))
	}
	b.failInflight(ErrClosed)
	b.shutdownServer()
	return err
}

// awaitAcks waits until no publish awaits its PubAck, or d passes. New
// publishes are refused by now, so the set only shrinks.
func (b *Bus) awaitAcks(d time.Duration) {
	if !b.nc.IsConnected() {
		return // they fail on their own; nothing will ack them
	}
	select {
	case <-b.js.PublishAsyncComplete():
	case <-time.After(d):
	}
}

// redact hides a password or token in a URL before it reaches a log or error.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = url.User("redacted") // a lone user name may be a token
	return u.String()
}

func (b *Bus) shutdownServer() {
	if b.server != nil {
		b.server.shutdown()
	}
}
