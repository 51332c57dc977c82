package mllptest

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/mllp"
)

// An AckServer answers every message with AA as fast as it can: the
// wire-speed baseline against which an MLLP path is measured. It has no
// timeouts and keeps nothing, so it also runs outside tests.
type AckServer struct {
	ln    net.Listener
	acked atomic.Uint64
	wg    sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

// StartAckServer listens on addr (such as "127.0.0.1:0") and starts serving.
// The caller must Close it.
func StartAckServer(addr string) (*AckServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mllptest: listen: %w", err)
	}
	s := &AckServer{ln: ln, conns: make(map[net.Conn]struct{})}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// NewAckServer starts an AckServer on 127.0.0.1 that is closed when the test
// ends.
func NewAckServer(t testing.TB) *AckServer {
	t.Helper()
	s, err := StartAckServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Addr returns the server's host:port.
func (s *AckServer) Addr() string { return s.ln.Addr().String() }

// Acked returns how many messages have been acknowledged.
func (s *AckServer) Acked() uint64 { return s.acked.Load() }

// WaitAcked waits until n messages have been acknowledged, or ctx ends.
func (s *AckServer) WaitAcked(ctx context.Context, n uint64) error {
	for s.acked.Load() < n {
		select {
		case <-ctx.Done():
			return fmt.Errorf("mllptest: %d of %d acknowledged: %w", s.Acked(), n, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// Close stops the server, closes its connections and waits for its
// goroutines. It may be called more than once.
func (s *AckServer) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	for nc := range s.conns {
		nc.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *AckServer) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[nc] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(nc)
	}
}

// serve acknowledges the messages of one connection, reusing one buffer.
func (s *AckServer) serve(nc net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, nc)
		s.mu.Unlock()
		nc.Close()
	}()
	r := mllp.NewReader(nc, 0)
	buf := make([]byte, 0, 512)
	for {
		msg, err := r.ReadFrame()
		if err != nil {
			return
		}
		buf = append(buf[:0], mllp.StartBlock)
		buf = appendAck(buf, msg, "AA", "", nil)
		buf = append(buf, mllp.EndBlock, mllp.CarriageReturn)
		// Counted before the write: a client that has read its ACK
		// must find it counted.
		s.acked.Add(1)
		if _, err := nc.Write(buf); err != nil {
			s.acked.Add(^uint64(0))
			return
		}
	}
}
