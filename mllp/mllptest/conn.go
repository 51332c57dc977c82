package mllptest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/mllp"
)

// A Conn is a raw MLLP test client: it writes whatever bytes a test gives it
// (stray bytes, split frames, several frames at once) and reads frames back.
type Conn struct {
	t  testing.TB
	nc net.Conn
	r  *mllp.Reader
}

// Dial connects to addr, failing the test if it cannot. The connection is
// closed when the test ends.
func Dial(t testing.TB, addr string) *Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		t.Fatalf("mllptest: dial %s: %v", addr, err)
	}
	c := &Conn{t: t, nc: nc, r: mllp.NewReader(nc, 0)}
	t.Cleanup(c.Close)
	return c
}

// Write writes raw as is, in one Write call, failing the test on error. Call
// it from the test's goroutine; use NetConn to see write errors instead.
func (c *Conn) Write(raw []byte) {
	c.t.Helper()
	c.nc.SetWriteDeadline(time.Now().Add(ioTimeout))
	if _, err := c.nc.Write(raw); err != nil {
		c.t.Fatalf("mllptest: write: %v", err)
	}
}

// WriteFrame writes msg as one well-formed frame, failing the test on error.
func (c *Conn) WriteFrame(msg []byte) {
	c.t.Helper()
	c.Write(frame(msg))
}

// ReadFrame reads the next frame's payload, waiting at most timeout.
func (c *Conn) ReadFrame(timeout time.Duration) ([]byte, error) {
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	return c.r.ReadFrame()
}

// WaitClosed waits at most timeout for the other side to close the
// connection. It returns an error if a frame arrives or time runs out.
func (c *Conn) WaitClosed(timeout time.Duration) error {
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	msg, err := c.r.ReadFrame()
	switch {
	case err == nil:
		return fmt.Errorf("mllptest: got a %d-byte frame while waiting for close", len(msg))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return nil
	default:
		return fmt.Errorf("mllptest: waiting for close: %w", err)
	}
}

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// Close closes the connection. It may be called more than once.
func (c *Conn) Close() { c.nc.Close() }
