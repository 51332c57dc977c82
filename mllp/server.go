package mllp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A Handler answers one MLLP message.
//
// ServeMLLP returns the ACK payload to send, without framing, or nil to send
// nothing. Messages from one connection are handled one at a time in the order
// they arrived: the next frame is read only after the reply was written.
// ctx is cancelled when the server is closed (not by a graceful Shutdown).
type Handler interface {
	ServeMLLP(ctx context.Context, r *Request) []byte
}

// HandlerFunc adapts an ordinary function to a [Handler].
type HandlerFunc func(ctx context.Context, r *Request) []byte

// ServeMLLP calls f(ctx, r).
func (f HandlerFunc) ServeMLLP(ctx context.Context, r *Request) []byte { return f(ctx, r) }

// A Request is one message received by a [Server].
type Request struct {
	// Message is the payload without framing. When Err is ErrFrameTooLarge it
	// holds only the first 64 KiB, enough to build a NAK from the MSH segment.
	Message    []byte
	RemoteAddr net.Addr  // the peer's address
	LocalAddr  net.Addr  // the address the connection was accepted on
	ConnID     uint64    // unique per accepted connection within the server
	Seq        uint64    // 1-based frame number on this connection
	Received   time.Time // when the end block was read
	// Err is nil or ErrFrameTooLarge. In the latter case the reply is sent
	// and then the connection is closed.
	Err error
}

// A ConnState is reported to [Server.ConnState] when a connection changes state.
type ConnState int

const (
	// StateNew is a connection just accepted.
	StateNew ConnState = iota
	// StateClosed is a connection closed, for any reason.
	StateClosed
	// StateRejected is a connection accepted and closed at once because the
	// server already had MaxConnections connections.
	StateRejected
)

var stateNames = [...]string{StateNew: "new", StateClosed: "closed", StateRejected: "rejected"}

// String returns the state's name, as used in logs and metric labels.
func (s ConnState) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("ConnState(%d)", int(s))
	}
	return stateNames[s]
}

// ErrServerClosed is returned by [Server.Serve] and [Server.ListenAndServe]
// after [Server.Shutdown] or [Server.Close].
var ErrServerClosed = errors.New("mllp: Server closed")

// DefaultAddr is the listen address used when Server.Addr is empty: 2575 is
// the port IANA registered for HL7 over MLLP.
const DefaultAddr = ":2575"

// Defaults for the zero values of Server and Client fields.
const (
	DefaultReadTimeout  = 60 * time.Second
	DefaultWriteTimeout = 30 * time.Second
	DefaultKeepAlive    = 30 * time.Second
)

// A Server accepts MLLP connections and passes every message to its Handler.
// Its exported fields are options; set them before calling Serve and do not
// change them afterwards. The zero value of each option is a sane default.
type Server struct {
	Addr    string  // TCP address to listen on; DefaultAddr if empty
	Handler Handler // required

	// MaxMessageSize limits a payload; DefaultMaxMessageSize if zero.
	MaxMessageSize int
	// ReadTimeout is the time a frame may take to arrive once its start block
	// was read. Zero means DefaultReadTimeout; negative means no limit.
	ReadTimeout time.Duration
	// IdleTimeout is the longest silence allowed between frames. Zero means
	// none: feeds are often quiet for hours at night, and TCP keep-alive
	// finds peers that are gone.
	IdleTimeout time.Duration
	// WriteTimeout limits writing one reply. Zero means DefaultWriteTimeout;
	// negative means no limit.
	WriteTimeout time.Duration
	// KeepAlive is the TCP keep-alive period of accepted connections. Zero
	// means DefaultKeepAlive; negative disables keep-alive.
	KeepAlive time.Duration
	// MaxConnections limits open connections; zero means no limit. Further
	// connections are accepted and closed at once.
	MaxConnections int
	// TLSConfig, if set, makes the server speak MLLP over TLS.
	TLSConfig *tls.Config
	// Logger receives connection events and errors, never message content.
	// slog.Default() if nil.
	Logger *slog.Logger
	// ConnState, if set, is called synchronously when a connection is
	// accepted, closed or rejected, for instance to keep metrics.
	ConnState func(remote net.Addr, state ConnState)

	inShutdown atomic.Bool
	nextConnID atomic.Uint64

	mu        sync.Mutex
	listeners map[*net.Listener]struct{}
	conns     map[*conn]struct{}
	drained   chan struct{} // closed when conns becomes empty during shutdown
	closing   int           // connections released but whose close hook still runs
	done      chan struct{} // closed by Shutdown and Close
	ctx       context.Context
	cancel    context.CancelFunc
}

// ListenAndServe listens on s.Addr and calls Serve. It always returns a
// non-nil error; after Shutdown or Close it is ErrServerClosed.
func (s *Server) ListenAndServe() error {
	if s.inShutdown.Load() {
		return ErrServerClosed
	}
	addr := s.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("mllp: listen: %w", err)
	}
	return s.Serve(l)
}

// Serve accepts connections on l and serves each in its own goroutine. It
// closes l when it returns, which is always with a non-nil error; after
// Shutdown or Close that is ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	defer l.Close()
	if s.Handler == nil {
		return errors.New("mllp: Server.Handler is nil")
	}
	if !s.trackListener(&l, true) {
		return ErrServerClosed
	}
	defer s.trackListener(&l, false)
	ctx, done := s.baseContext()
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.inShutdown.Load() {
				return ErrServerClosed
			}
			if !isTemporary(err) {
				return fmt.Errorf("mllp: accept: %w", err)
			}
			// Out of file descriptors and the like: wait rather than spin.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.logger().Warn("mllp: accept failed; retrying", "err", err, "delay", delay)
			if !sleep(done, delay) {
				return ErrServerClosed
			}
			continue
		}
		delay = 0
		s.startConn(ctx, nc)
	}
}

// startConn registers an accepted connection and starts serving it, or
// closes it at once when the server is full or shutting down.
func (s *Server) startConn(ctx context.Context, nc net.Conn) {
	setKeepAlive(nc, s.keepAlive())
	if s.TLSConfig != nil {
		nc = tls.Server(nc, s.TLSConfig)
	}
	c := newConn(s, nc)
	switch err := s.trackConn(c); {
	case errors.Is(err, errTooManyConns):
		s.logger().Warn("mllp: connection rejected: MaxConnections reached",
			"remote", c.remote.String(), "max_connections", s.MaxConnections)
		nc.Close()
		s.connState(c.remote, StateRejected)
		return
	case err != nil:
		nc.Close()
		return
	}
	s.connState(c.remote, StateNew)
	go c.serve(ctx)
}

// Shutdown stops the server gracefully: it closes the listeners and every
// connection waiting for a frame, lets a running handler finish and write its
// ACK, and gives a frame being received until ReadTimeout to arrive. It
// returns when all connections are closed, or when ctx ends; then it closes
// everything as Close does and returns ctx's error. Shutdown does not cancel
// the handlers' context, so that a running handler can still commit its
// message.
func (s *Server) Shutdown(ctx context.Context) error {
	s.inShutdown.Store(true)
	s.mu.Lock()
	err := s.closeListenersLocked()
	s.closeDoneLocked()
	for c := range s.conns {
		c.closeIfIdle()
	}
	drained := s.drainedLocked()
	s.mu.Unlock()

	select {
	case <-drained:
		return err
	case <-ctx.Done():
		s.Close()
		return ctx.Err()
	}
}

// Close closes the listeners and all connections at once and cancels the
// context passed to handlers. It does not wait for handlers to return.
func (s *Server) Close() error {
	s.inShutdown.Store(true)
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.closeListenersLocked()
	s.closeDoneLocked()
	if s.cancel != nil {
		s.cancel()
	}
	for c := range s.conns {
		c.rwc.Close()
	}
	return err
}

// baseContext returns the handlers' context, cancelled by Close, and a
// channel closed by Shutdown or Close.
func (s *Server) baseContext() (context.Context, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		s.ctx, s.cancel = context.WithCancel(context.Background())
	}
	return s.ctx, s.doneLocked()
}

func (s *Server) doneLocked() chan struct{} {
	if s.done == nil {
		s.done = make(chan struct{})
	}
	return s.done
}

func (s *Server) closeDoneLocked() {
	done := s.doneLocked()
	select {
	case <-done:
	default:
		close(done)
	}
}

// trackListener adds or removes l; adding fails once the server shuts down.
func (s *Server) trackListener(l *net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !add {
		delete(s.listeners, l)
		return true
	}
	if s.inShutdown.Load() {
		return false
	}
	if s.listeners == nil {
		s.listeners = make(map[*net.Listener]struct{})
	}
	s.listeners[l] = struct{}{}
	return true
}

func (s *Server) closeListenersLocked() error {
	var err error
	for l := range s.listeners {
		if cerr := (*l).Close(); cerr != nil && err == nil && !errors.Is(cerr, net.ErrClosed) {
			err = cerr
		}
	}
	return err
}

var errTooManyConns = errors.New("mllp: too many connections")

// trackConn registers c, unless the server is full or shutting down.
func (s *Server) trackConn(c *conn) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inShutdown.Load() {
		return ErrServerClosed
	}
	if s.MaxConnections > 0 && len(s.conns) >= s.MaxConnections {
		return errTooManyConns
	}
	if s.conns == nil {
		s.conns = make(map[*conn]struct{})
	}
	s.conns[c] = struct{}{}
	return nil
}

// releaseConn frees c's place among MaxConnections: a client told its
// connection closed (StateClosed) may connect again at once. c still
// counts for Shutdown until untrackConn, after the hook.
func (s *Server) releaseConn(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	s.closing++
}

func (s *Server) untrackConn(*conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closing--
	if len(s.conns) == 0 && s.closing == 0 && s.drained != nil {
		close(s.drained)
		s.drained = nil
	}
}

// drainedLocked returns a channel closed once no connection is left.
func (s *Server) drainedLocked() <-chan struct{} {
	if len(s.conns) == 0 && s.closing == 0 {
		ch := make(chan struct{})
		close(ch)
		return ch
	}
	if s.drained == nil {
		s.drained = make(chan struct{})
	}
	return s.drained
}

func (s *Server) connState(remote net.Addr, state ConnState) {
	if s.ConnState != nil {
		s.ConnState(remote, state)
	}
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) maxMessageSize() int {
	return orDefaultInt(s.MaxMessageSize, DefaultMaxMessageSize)
}

func (s *Server) readTimeout() time.Duration  { return orDefault(s.ReadTimeout, DefaultReadTimeout) }
func (s *Server) writeTimeout() time.Duration { return orDefault(s.WriteTimeout, DefaultWriteTimeout) }
func (s *Server) keepAlive() time.Duration    { return orDefault(s.KeepAlive, DefaultKeepAlive) }

// orDefault maps zero to def and negative values to 0, meaning "none".
func orDefault(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// orDefaultInt maps zero or negative n to def.
func orDefaultInt(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

func setKeepAlive(nc net.Conn, period time.Duration) {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return
	}
	if period <= 0 {
		tc.SetKeepAlive(false)
		return
	}
	tc.SetKeepAliveConfig(net.KeepAliveConfig{Enable: true, Idle: period, Interval: period})
}

// isTemporary reports whether an Accept error may go away by itself.
func isTemporary(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM) ||
		errors.Is(err, syscall.ECONNABORTED)
}

// sleep waits for d, or until done is closed; it reports whether d passed.
func sleep(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}
