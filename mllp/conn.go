package mllp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"time"
)

// phase is where a server connection is in its read-handle-reply cycle.
// Shutdown closes a connection at once only while it is idle.
type phase int

const (
	phaseIdle    phase = iota // waiting for a start block
	phaseReading              // a frame has started
	phaseActive               // the handler runs or its reply is being written
)

// lingerTimeout and lingerMaxBytes bound how long, and how much, a closing
// connection keeps reading after its last reply; see lingeringClose.
const (
	lingerTimeout  = 500 * time.Millisecond
	lingerMaxBytes = 64 << 20
)

// conn is one accepted connection. Its goroutine, started by Server.startConn,
// is the only one that reads, calls the handler and writes; the server only
// closes rwc.
type conn struct {
	srv    *Server
	rwc    net.Conn
	id     uint64
	remote net.Addr
	local  net.Addr
	opened time.Time
	log    *slog.Logger
	r      *Reader
	frames uint64

	mu    sync.Mutex // guards phase against Shutdown
	phase phase
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{
		srv:    s,
		rwc:    nc,
		id:     s.nextConnID.Add(1),
		remote: nc.RemoteAddr(),
		local:  nc.LocalAddr(),
		opened: time.Now(),
	}
	c.log = s.logger().With("conn_id", c.id, "remote", c.remote.String())
	return c
}

// serve runs the connection until it ends, then closes it. A handler panic
// ends only this connection, never the server.
func (c *conn) serve(ctx context.Context) {
	c.r = NewReader(c.rwc, c.srv.maxMessageSize())
	c.r.onStart = c.frameStarted
	linger := false
	defer func() {
		if p := recover(); p != nil {
			// The panic value may quote the message, which may hold PHI:
			// log its type and where it happened, not its text.
			c.log.Error("mllp: handler panic; closing connection",
				"panic_type", fmt.Sprintf("%T", p), "stack", string(debug.Stack()))
			linger = false
		}
		c.close(linger)
	}()
	c.log.Info("mllp: connection opened", "local", c.local.String())
	linger = c.run(ctx)
}

// run reads, handles and answers frames until the connection should close.
// It reports whether a reply may still be in flight, so the close should
// linger.
func (c *conn) run(ctx context.Context) (linger bool) {
	if err := c.handshake(); err != nil {
		c.log.Warn("mllp: TLS handshake failed", "err", err)
		return false
	}
	for {
		if !c.enterIdle() {
			return c.frames > 0 // shutting down: the last ACK was just written
		}
		c.setIdleDeadline()
		skipped, restarts := c.r.Skipped(), c.r.Restarts()
		msg, err := c.r.ReadFrame()
		received := time.Now()
		c.logStray(skipped, restarts)
		if err != nil && !errors.Is(err, ErrFrameTooLarge) {
			c.logReadError(err)
			return false
		}
		c.setPhase(phaseActive)
		c.frames++
		if err != nil {
			c.log.Warn("mllp: frame exceeds MaxMessageSize; replying, then closing",
				"max_bytes", c.srv.maxMessageSize(), "seq", c.frames)
		}
		req := &Request{
			Message: msg, RemoteAddr: c.remote, LocalAddr: c.local,
			ConnID: c.id, Seq: c.frames, Received: received, Err: err,
		}
		if reply := c.srv.Handler.ServeMLLP(ctx, req); reply != nil {
			if werr := c.write(reply); werr != nil {
				c.log.Warn("mllp: writing reply failed", "seq", c.frames, "err", werr)
				return false
			}
		}
		if req.Err != nil {
			return true // unread input of the over-size frame may follow
		}
	}
}

func (c *conn) handshake() error {
	tc, ok := c.rwc.(*tls.Conn)
	if !ok {
		return nil
	}
	if d := c.srv.readTimeout(); d > 0 {
		tc.SetDeadline(time.Now().Add(d))
	}
	if err := tc.Handshake(); err != nil {
		return err
	}
	return tc.SetDeadline(time.Time{})
}

// enterIdle marks the connection as waiting for a frame. It reports false,
// leaving the phase alone, if the server is shutting down. Checking under the
// same lock that closeIfIdle takes means a connection either sees the
// shutdown here or is seen idle there.
func (c *conn) enterIdle() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv.inShutdown.Load() {
		return false
	}
	c.phase = phaseIdle
	return true
}

func (c *conn) setPhase(p phase) {
	c.mu.Lock()
	c.phase = p
	c.mu.Unlock()
}

// closeIfIdle closes the connection if it is waiting for a frame. A frame
// whose bytes are in flight at that moment is lost unacknowledged, which the
// sender's retransmission covers.
func (c *conn) closeIfIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.phase == phaseIdle {
		c.rwc.Close()
	}
}

// frameStarted runs when a start block arrives: from now on the frame has
// ReadTimeout to complete.
func (c *conn) frameStarted() {
	c.setPhase(phaseReading)
	if d := c.srv.readTimeout(); d > 0 {
		c.rwc.SetReadDeadline(time.Now().Add(d))
	}
}

func (c *conn) setIdleDeadline() {
	var deadline time.Time
	if d := c.srv.IdleTimeout; d > 0 {
		deadline = time.Now().Add(d)
	}
	c.rwc.SetReadDeadline(deadline)
}

func (c *conn) write(reply []byte) error {
	var deadline time.Time
	if d := c.srv.writeTimeout(); d > 0 {
		deadline = time.Now().Add(d)
	}
	c.rwc.SetWriteDeadline(deadline)
	return WriteFrame(c.rwc, reply)
}

// close closes the connection and reports it. With linger, it first lets the
// peer read the last reply; see lingeringClose.
func (c *conn) close(linger bool) {
	if linger {
		c.lingeringClose()
	} else {
		c.rwc.Close()
	}
	c.log.Info("mllp: connection closed", "frames", c.frames,
		"skipped_bytes", c.r.Skipped(), "restarts", c.r.Restarts(),
		"duration", time.Since(c.opened).Round(time.Millisecond))
	c.srv.releaseConn(c)
	c.srv.connState(c.remote, StateClosed)
	// Last, so that Shutdown returns only after the hook ran.
	c.srv.untrackConn(c)
}

// lingeringClose half-closes the connection, then discards what the peer
// still sends for a moment before closing. Closing a socket with unread input
// makes the kernel send a reset, which can destroy the reply we just wrote
// before the peer reads it.
func (c *conn) lingeringClose() {
	if cw, ok := c.rwc.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
		c.rwc.SetReadDeadline(time.Now().Add(lingerTimeout))
		io.Copy(io.Discard, io.LimitReader(c.rwc, lingerMaxBytes))
	}
	c.rwc.Close()
}

// logStray logs the stray bytes and restarted frames that the last ReadFrame
// met, as counts only.
func (c *conn) logStray(skipped, restarts int64) {
	if n := c.r.Skipped() - skipped; n > 0 {
		c.log.Debug("mllp: skipped stray bytes before a frame", "bytes", n)
	}
	if n := c.r.Restarts() - restarts; n > 0 {
		c.log.Warn("mllp: peer restarted a frame; partial frame discarded", "count", n)
	}
}

func (c *conn) logReadError(err error) {
	switch {
	case errors.Is(err, io.EOF):
		c.log.Debug("mllp: peer closed the connection")
	case errors.Is(err, net.ErrClosed) && c.srv.inShutdown.Load():
		c.log.Debug("mllp: connection closed by shutdown")
	case errors.Is(err, io.ErrUnexpectedEOF):
		c.log.Warn("mllp: peer closed the connection mid-frame; partial frame discarded")
	case errors.Is(err, os.ErrDeadlineExceeded) && c.phase == phaseReading:
		c.log.Warn("mllp: read timeout mid-frame; partial frame discarded",
			"read_timeout", c.srv.readTimeout())
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.log.Info("mllp: idle timeout", "idle_timeout", c.srv.IdleTimeout)
	default:
		c.log.Warn("mllp: read failed", "err", err)
	}
}
