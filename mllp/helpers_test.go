package mllp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/mllp"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

// phi is patient data in every test message (see mllptest.Message). No log
// line may ever contain it.
const phi = "DOE^JANE"

// wait bounds every blocking step of a test: long enough for a loaded
// machine, short enough that a hang fails fast.
const wait = 5 * time.Second

// msg returns a test message with the given control ID.
func msg(id string) []byte { return mllptest.Message(id) }

// ackFor answers every message with AA.
var ackFor = mllp.HandlerFunc(func(_ context.Context, r *mllp.Request) []byte {
	return mllptest.BuildAck(r.Message, "AA", "")
})

// logBuffer collects log output from any goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newLogger returns a debug-level logger whose output is checked for PHI
// when the test ends.
func newLogger(t *testing.T) (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	t.Cleanup(func() {
		if out := b.String(); strings.Contains(out, phi) || strings.Contains(out, "PID|") {
			t.Errorf("logs contain message content:\n%s", out)
		}
	})
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// running is a Server serving on 127.0.0.1.
type running struct {
	addr string
	done chan struct{}
	err  error // Serve's result, once done is closed
}

// serve starts s on a loopback port, with a test logger unless s has one,
// and closes it when the test ends.
func serve(t *testing.T, s *mllp.Server) *running {
	t.Helper()
	return serveListener(t, s, listen(t))
}

// listen returns a listener on a free loopback port.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// serveListener is serve on a given listener.
func serveListener(t *testing.T, s *mllp.Server, ln net.Listener) *running {
	t.Helper()
	if s.Logger == nil {
		s.Logger, _ = newLogger(t)
	}
	r := &running{addr: ln.Addr().String(), done: make(chan struct{})}
	go func() {
		r.err = s.Serve(ln)
		close(r.done)
	}()
	t.Cleanup(func() {
		s.Close()
		if err := r.wait(); !errors.Is(err, mllp.ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return r
}

// wait returns Serve's result, or an error if it does not return in time.
func (r *running) wait() error {
	select {
	case <-r.done:
		return r.err
	case <-time.After(wait):
		return errors.New("Serve did not return")
	}
}

// connEvents collects ConnState reports.
type connEvents chan mllp.ConnState

func (ch connEvents) hook(_ net.Addr, s mllp.ConnState) { ch <- s }

// next returns the next reported state.
func (ch connEvents) next(t *testing.T) mllp.ConnState {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(wait):
		t.Fatal("no connection state change")
		return 0
	}
}

// expect waits for the given states, in order.
func (ch connEvents) expect(t *testing.T, states ...mllp.ConnState) {
	t.Helper()
	for _, want := range states {
		if got := ch.next(t); got != want {
			t.Fatalf("connection state %v, want %v", got, want)
		}
	}
}

// readAck reads one frame from c and returns its MSA-1 and MSA-2.
func readAck(t *testing.T, c *mllptest.Conn) (code, id string) {
	t.Helper()
	ack, err := c.ReadFrame(wait)
	if err != nil {
		t.Fatalf("reading ACK: %v", err)
	}
	code, id, err = mllp.AckCode(ack)
	if err != nil {
		t.Fatalf("AckCode(%q): %v", ack, err)
	}
	return code, id
}

// frame returns payload framed, for raw writes.
func frame(payload []byte) []byte {
	return []byte(fmt.Sprintf("%s%s%s%s", sb, payload, eb, cr))
}
