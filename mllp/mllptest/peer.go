package mllptest

import (
	"net"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/mllp"
)

const (
	// splitPause separates the pieces of an ACK written with SplitAt: long
	// enough for each to leave as its own TCP segment.
	splitPause = 5 * time.Millisecond
	// ioTimeout bounds every write of a peer, so a peer never hangs a test.
	ioTimeout = 5 * time.Second
)

// A Peer is an EHR-like MLLP listener on 127.0.0.1 whose replies follow a
// Behaviour. It serves any number of connections, each in order: read a
// message, act, read the next.
type Peer struct {
	ln        net.Listener
	behaviour Behaviour
	done      chan struct{} // closed by Close: stops sleeps and late ACKs
	wg        sync.WaitGroup
	closeOnce sync.Once

	mu       sync.Mutex
	received [][]byte
	accepted int
	conns    map[net.Conn]struct{}
}

// NewPeer starts a Peer that acts as b says (AlwaysAck("AA") if b is nil).
// It is closed when the test ends.
func NewPeer(t testing.TB, b Behaviour) *Peer {
	t.Helper()
	return NewPeerAt(t, "127.0.0.1:0", b)
}

// NewPeerAt is NewPeer on a given address: an EHR that comes up where a
// client has been trying to reach it.
func NewPeerAt(t testing.TB, addr string, b Behaviour) *Peer {
	t.Helper()
	if b == nil {
		b = AlwaysAck("AA")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("mllptest: listen: %v", err)
	}
	p := &Peer{ln: ln, behaviour: b, done: make(chan struct{}), conns: make(map[net.Conn]struct{})}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Addr returns the peer's host:port.
func (p *Peer) Addr() string { return p.ln.Addr().String() }

// Received returns a copy of every message received so far, in order.
func (p *Peer) Received() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([][]byte, len(p.received))
	for i, m := range p.received {
		out[i] = append([]byte(nil), m...)
	}
	return out
}

// Accepted returns how many connections the peer has accepted.
func (p *Peer) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// Close stops the peer, closes its connections and waits for its goroutines.
// It may be called more than once.
func (p *Peer) Close() {
	p.closeOnce.Do(func() {
		close(p.done)
		p.ln.Close()
		p.mu.Lock()
		for nc := range p.conns {
			nc.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
}

func (p *Peer) accept() {
	defer p.wg.Done()
	for {
		nc, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.mu.Lock()
		select {
		case <-p.done:
			p.mu.Unlock()
			nc.Close()
			return
		default:
		}
		p.accepted++
		p.conns[nc] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serve(nc)
	}
}

// serve answers the messages of one connection in order.
func (p *Peer) serve(nc net.Conn) {
	defer p.wg.Done()
	defer func() {
		p.mu.Lock()
		delete(p.conns, nc)
		p.mu.Unlock()
		nc.Close()
	}()
	w := &peerWriter{nc: nc}
	r := mllp.NewReader(nc, 0)
	for {
		msg, err := r.ReadFrame()
		if err != nil {
			return
		}
		a := p.behaviour.Act(p.record(msg), msg)
		if !p.sleep(a.Delay) || a.HangUp {
			return
		}
		if a.WrongControlID {
			id := append([]byte("WRONG-"), parseHeader(msg).fields[10]...)
			if w.write(frame(appendAck(nil, msg, a.Code, a.Text, id))) != nil {
				return
			}
		}
		if a.NoReply {
			continue
		}
		ack := frame(appendAck(nil, msg, a.Code, a.Text, nil))
		if a.LateAck > 0 {
			p.lateAck(w, ack, a.LateAck)
			continue
		}
		if p.writeSplit(w, ack, a.SplitAt) != nil {
			return
		}
	}
}

// record stores msg and returns its 1-based index.
func (p *Peer) record(msg []byte) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.received = append(p.received, msg)
	return len(p.received)
}

// lateAck writes ack after d from its own goroutine, unless the peer closes.
func (p *Peer) lateAck(w *peerWriter, ack []byte, d time.Duration) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		if p.sleep(d) {
			w.write(ack) // fails harmlessly if the client hung up, as it should have
		}
	}()
}

// writeSplit writes ack in pieces cut at the offsets in at.
func (p *Peer) writeSplit(w *peerWriter, ack []byte, at []int) error {
	cuts := append([]int(nil), at...)
	sort.Ints(cuts)
	prev := 0
	for _, cut := range cuts {
		if cut <= prev || cut >= len(ack) {
			continue
		}
		if err := w.write(ack[prev:cut]); err != nil {
			return err
		}
		prev = cut
		if !p.sleep(splitPause) {
			return net.ErrClosed
		}
	}
	return w.write(ack[prev:])
}

// sleep waits for d unless the peer closes first; it reports whether d passed.
func (p *Peer) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.done:
		return false
	}
}

// peerWriter serialises the writes of one connection: late ACKs are written
// from their own goroutines.
type peerWriter struct {
	mu sync.Mutex
	nc net.Conn
}

func (w *peerWriter) write(b []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.nc.SetWriteDeadline(time.Now().Add(ioTimeout))
	_, err := w.nc.Write(b)
	return err
}

// frame returns msg wrapped in MLLP framing.
func frame(msg []byte) []byte {
	out := make([]byte, 0, len(msg)+3)
	out = append(out, mllp.StartBlock)
	out = append(out, msg...)
	return append(out, mllp.EndBlock, mllp.CarriageReturn)
}
