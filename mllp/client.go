package mllp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

var (
	// ErrNoControlID is returned by [Client.Send], without sending, for a
	// message that has no MSH-10: its ACK could not be correlated.
	ErrNoControlID = errors.New("mllp: message has no MSH-10 control ID")
	// ErrAckTimeout means the message was written but no matching ACK came
	// in time. The peer may or may not have received it.
	ErrAckTimeout = errors.New("mllp: timed out waiting for ACK")
)

// Defaults for the zero values of Client fields.
const (
	DefaultDialTimeout = 10 * time.Second
	DefaultAckTimeout  = 30 * time.Second
	DefaultMaxAckSize  = 1 << 20
)

// A Client sends messages over one MLLP connection and returns the ACK that
// answers each. It dials on first use and keeps the connection; concurrent
// Sends are serialised. Set the options before the first Send.
//
// Send does not retry: after a write, a message may have been delivered even
// if no ACK came back, and whether to send it again is the caller's decision.
type Client struct {
	Addr         string        // host:port of the peer
	DialTimeout  time.Duration // DefaultDialTimeout if zero
	AckTimeout   time.Duration // wait for an ACK after writing; DefaultAckTimeout if zero
	WriteTimeout time.Duration // DefaultWriteTimeout if zero; negative means none
	KeepAlive    time.Duration // TCP keep-alive; DefaultKeepAlive if zero, negative disables
	MaxAckSize   int           // largest ACK accepted; DefaultMaxAckSize if zero
	TLSConfig    *tls.Config   // if set, the connection uses TLS
	Logger       *slog.Logger  // slog.Default() if nil; never logs message content

	mismatched atomic.Uint64
	once       sync.Once
	sem        chan struct{} // holds a token while a Send runs

	mu  sync.Mutex // guards cc and gen, not the exchange itself
	cc  *clientConn
	gen uint64 // incremented by Close, so a dial that raced it is dropped
}

// Send writes msg as one frame and waits for the ACK whose MSA-2 equals the
// message's MSH-10; other ACKs are discarded and counted. It returns the ACK
// payload, whatever its code: [AckCode] tells AA from AE or AR.
//
// A msg without MSH-10 is not sent: Send returns ErrNoControlID. On
// ErrAckTimeout, ctx ending or any I/O error, the connection is closed, so an
// ACK that comes later can never be taken for the next message's; the next
// Send dials again, as it does when the peer closed the connection while it
// was idle.
func (c *Client) Send(ctx context.Context, msg []byte) ([]byte, error) {
	id := controlID(msg)
	if id == nil {
		return nil, ErrNoControlID
	}
	if err := c.acquire(ctx); err != nil {
		return nil, fmt.Errorf("mllp: send %q: %w", id, err)
	}
	defer c.release()
	cc, err := c.conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("mllp: send %q: %w", id, err)
	}
	ack, err := c.exchange(ctx, cc, msg, id)
	cc.lastUsed = time.Now()
	if err != nil {
		c.drop(cc)
		c.logger().Warn("mllp: send failed; connection closed", "addr", c.Addr,
			"control_id", string(id), "err", err)
		return nil, fmt.Errorf("mllp: send %q: %w", id, err)
	}
	return ack, nil
}

// MismatchedAcks returns how many ACKs were discarded because their MSA-2 did
// not match the message waiting for one.
func (c *Client) MismatchedAcks() uint64 { return c.mismatched.Load() }

// Close closes the connection, failing a Send in progress. The Client stays
// usable: a later Send dials again.
func (c *Client) Close() error {
	c.mu.Lock()
	cc := c.cc
	c.cc = nil
	c.gen++
	c.mu.Unlock()
	if cc == nil {
		return nil
	}
	if err := cc.nc.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("mllp: close: %w", err)
	}
	return nil
}

// acquire waits for the right to send, or for ctx to end.
func (c *Client) acquire(ctx context.Context) error {
	c.once.Do(func() { c.sem = make(chan struct{}, 1) })
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) release() { <-c.sem }

// clientConn is one connection and the reader of its ACKs.
type clientConn struct {
	nc       net.Conn
	r        *Reader
	lastUsed time.Time // when the last exchange ended
}

// A connection idle for longer than idleProbeAfter is checked before reuse,
// waiting up to idleProbeWait: Read does not even try when its deadline has
// passed, so the check needs a deadline a little in the future.
const (
	idleProbeAfter = 200 * time.Millisecond
	idleProbeWait  = time.Millisecond
)

// closedByPeer reports whether the peer has closed the connection while it
// was idle. Bytes that arrived meanwhile stay buffered; a stray ACK among
// them is discarded by correlation later.
func (cc *clientConn) closedByPeer() bool {
	if time.Since(cc.lastUsed) < idleProbeAfter || cc.r.r < cc.r.w {
		return false
	}
	cc.nc.SetReadDeadline(time.Now().Add(idleProbeWait))
	err := cc.r.fill()
	return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
}

// conn returns the open connection, dialing one if needed.
func (c *Client) conn(ctx context.Context) (*clientConn, error) {
	c.mu.Lock()
	cc, gen := c.cc, c.gen
	c.mu.Unlock()
	if cc != nil && !cc.closedByPeer() {
		return cc, nil
	}
	if cc != nil {
		// Peers often close idle connections; finding out before writing
		// keeps a message from being sent into a dead connection.
		c.drop(cc)
		c.logger().Info("mllp: peer closed the idle connection; reconnecting", "addr", c.Addr)
	}
	nc, err := c.dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", c.Addr, err)
	}
	cc = &clientConn{nc: nc, r: NewReader(nc, orDefaultInt(c.MaxAckSize, DefaultMaxAckSize)), lastUsed: time.Now()}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		nc.Close()
		return nil, fmt.Errorf("dial %s: %w", c.Addr, net.ErrClosed)
	}
	c.cc = cc
	c.logger().Debug("mllp: connected", "addr", c.Addr, "local", nc.LocalAddr().String())
	return cc, nil
}

func (c *Client) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{
		Timeout:   orDefault(c.DialTimeout, DefaultDialTimeout),
		KeepAlive: c.KeepAlive,
	}
	if c.KeepAlive == 0 {
		d.KeepAlive = DefaultKeepAlive
	}
	if c.TLSConfig != nil {
		td := &tls.Dialer{NetDialer: d, Config: c.TLSConfig}
		return td.DialContext(ctx, "tcp", c.Addr)
	}
	return d.DialContext(ctx, "tcp", c.Addr)
}

// aLongTimeAgo is a deadline in the past: setting it unblocks pending I/O.
var aLongTimeAgo = time.Unix(1, 0)

// exchange writes msg and reads ACKs until one carries id as MSA-2.
func (c *Client) exchange(ctx context.Context, cc *clientConn, msg, id []byte) ([]byte, error) {
	if ctx.Done() != nil { // Background never ends: spare the allocation
		stop := context.AfterFunc(ctx, func() { cc.nc.SetDeadline(aLongTimeAgo) })
		defer stop()
	}

	var wdl time.Time
	if d := orDefault(c.WriteTimeout, DefaultWriteTimeout); d > 0 {
		wdl = time.Now().Add(d)
	}
	cc.nc.SetWriteDeadline(wdl)
	// Checked after setting the deadline, which could otherwise undo ctx's.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := WriteFrame(cc.nc, msg); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return nil, err
	}

	ackTimeout := orDefault(c.AckTimeout, DefaultAckTimeout)
	cc.nc.SetReadDeadline(time.Now().Add(ackTimeout))
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAckTimeout, err)
	}
	for {
		ack, err := cc.r.ReadFrame()
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return nil, fmt.Errorf("%w: %w", ErrAckTimeout, ctx.Err())
		case errors.Is(err, os.ErrDeadlineExceeded):
			return nil, fmt.Errorf("%w after %v", ErrAckTimeout, ackTimeout)
		default:
			return nil, fmt.Errorf("reading ACK: %w", err)
		}
		_, got, ok := msaFields(ack)
		if ok && bytes.Equal(got, id) {
			return ack, nil
		}
		// An ACK for an earlier message, or a confused peer: keep waiting
		// within the same deadline.
		c.mismatched.Add(1)
		c.logger().Warn("mllp: discarding ACK for another message",
			"control_id", string(id), "ack_control_id", string(truncate(got, 64)))
	}
}

// drop closes cc, so that nothing still in flight on it can be read as the
// answer to a later message.
func (c *Client) drop(cc *clientConn) {
	c.mu.Lock()
	if c.cc == cc {
		c.cc = nil
	}
	c.mu.Unlock()
	cc.nc.Close()
}

func (c *Client) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
