package mllp_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/mllp"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

// newClient returns a Client for addr with a test logger, closed when the
// test ends.
func newClient(t *testing.T, addr string) *mllp.Client {
	logger, _ := newLogger(t)
	c := &mllp.Client{Addr: addr, Logger: logger}
	t.Cleanup(func() { c.Close() })
	return c
}

// send sends msg(id) and checks that the ACK answers it with code.
func send(t *testing.T, c *mllp.Client, id, code string) {
	t.Helper()
	ack, err := c.Send(context.Background(), msg(id))
	if err != nil {
		t.Fatalf("Send(%s): %v", id, err)
	}
	gotCode, gotID, err := mllp.AckCode(ack)
	if err != nil || gotCode != code || gotID != id {
		t.Fatalf("Send(%s) ACK = %s for %q (%v), want %s for %s", id, gotCode, gotID, err, code, id)
	}
}

func TestClient_SendReturnsTheMatchingACK(t *testing.T) {
	peer := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{}, mllptest.Action{Code: "AE"}, mllptest.Action{Code: "AR"}))
	c := newClient(t, peer.Addr())
	send(t, c, "M1", "AA")
	send(t, c, "M2", "AE") // the ACK is returned whatever its code
	send(t, c, "M3", "AR")
	if n := peer.Accepted(); n != 1 {
		t.Errorf("peer accepted %d connections, want 1 reused", n)
	}
}

func TestClient_DiscardsACKForAnotherMessage(t *testing.T) {
	peer := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{WrongControlID: true}))
	c := newClient(t, peer.Addr())
	send(t, c, "M1", "AA")
	if n := c.MismatchedAcks(); n != 1 {
		t.Errorf("MismatchedAcks = %d, want 1", n)
	}
}

func TestClient_AckTimeoutClosesTheConnection(t *testing.T) {
	peer := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{NoReply: true}, mllptest.Action{}))
	c := newClient(t, peer.Addr())
	c.AckTimeout = 100 * time.Millisecond
	_, err := c.Send(context.Background(), msg("M1"))
	if !errors.Is(err, mllp.ErrAckTimeout) {
		t.Fatalf("Send = %v, want ErrAckTimeout", err)
	}
	send(t, c, "M2", "AA")
	if n := peer.Accepted(); n != 2 {
		t.Errorf("peer accepted %d connections; want 2, the first closed after the timeout", n)
	}
}

func TestClient_LateACKIsNotCreditedToNextMessage(t *testing.T) {
	// The peer answers M1 late, from the background, while it goes on
	// answering later messages on the same connection.
	peer := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{LateAck: 300 * time.Millisecond}, mllptest.Action{}))
	c := newClient(t, peer.Addr())
	c.AckTimeout = 100 * time.Millisecond
	if _, err := c.Send(context.Background(), msg("M1")); !errors.Is(err, mllp.ErrAckTimeout) {
		t.Fatalf("Send(M1) = %v, want ErrAckTimeout", err)
	}
	send(t, c, "M2", "AA")
	time.Sleep(300 * time.Millisecond) // the late ACK for M1 is out by now
	send(t, c, "M3", "AA")
	if n := peer.Accepted(); n != 2 {
		t.Errorf("peer accepted %d connections, want 2", n)
	}
	if n := c.MismatchedAcks(); n != 0 {
		t.Errorf("MismatchedAcks = %d; the late ACK reached the client on a connection it should have closed", n)
	}
}

func TestClient_ReconnectsAfterPeerHangsUp(t *testing.T) {
	peer := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{HangUp: true}, mllptest.Action{}))
	c := newClient(t, peer.Addr())
	_, err := c.Send(context.Background(), msg("M1"))
	if err == nil || errors.Is(err, mllp.ErrAckTimeout) {
		t.Fatalf("Send = %v, want an I/O error", err)
	}
	send(t, c, "M2", "AA")
	if n := peer.Accepted(); n != 2 {
		t.Errorf("peer accepted %d connections, want 2", n)
	}
}

func TestClient_ReassemblesACKSplitOverWrites(t *testing.T) {
	peer := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{SplitAt: []int{1, 5, 30, 60}}))
	c := newClient(t, peer.Addr())
	send(t, c, "M1", "AA")
}

func TestClient_WaitsForSlowACKWithinTimeout(t *testing.T) {
	peer := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{Delay: 150 * time.Millisecond}))
	c := newClient(t, peer.Addr())
	c.AckTimeout = wait
	send(t, c, "M1", "AA")
}

func TestClient_RefusesMessageWithoutControlID(t *testing.T) {
	peer := mllptest.NewPeer(t, nil)
	c := newClient(t, peer.Addr())
	_, err := c.Send(context.Background(), []byte("MSH|^~\\&|A|B|C|D|20240101||ADT^A01||P|2.5\r"))
	if !errors.Is(err, mllp.ErrNoControlID) {
		t.Errorf("Send = %v, want ErrNoControlID", err)
	}
	if n := peer.Accepted(); n != 0 {
		t.Errorf("peer accepted %d connections, want none", n)
	}
}

func TestClient_ContextCancelWhileWaitingClosesTheConnection(t *testing.T) {
	peer := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{NoReply: true}, mllptest.Action{}))
	c := newClient(t, peer.Addr())
	c.AckTimeout = wait
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Send(ctx, msg("M1"))
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, mllp.ErrAckTimeout) {
		t.Fatalf("Send = %v, want DeadlineExceeded and ErrAckTimeout", err)
	}
	send(t, c, "M2", "AA")
	if n := peer.Accepted(); n != 2 {
		t.Errorf("peer accepted %d connections, want 2", n)
	}
}

func TestClient_ConcurrentSendsAreSerialised(t *testing.T) {
	peer := mllptest.NewPeer(t, nil)
	c := newClient(t, peer.Addr())
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 10 {
				id := fmt.Sprintf("G%dM%d", g, i)
				ack, err := c.Send(context.Background(), msg(id))
				if _, got, _ := mllp.AckCode(ack); err != nil || got != id {
					t.Errorf("Send(%s) = ACK for %q, %v", id, got, err)
				}
			}
		})
	}
	wg.Wait()
	if n := peer.Accepted(); n != 1 {
		t.Errorf("peer accepted %d connections, want 1", n)
	}
	if n := c.MismatchedAcks(); n != 0 {
		t.Errorf("MismatchedAcks = %d, want 0", n)
	}
}

func TestClient_RejectsOversizeACK(t *testing.T) {
	peer := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{Text: strings.Repeat("x", 2048)}, mllptest.Action{}))
	c := newClient(t, peer.Addr())
	c.MaxAckSize = 1024
	if _, err := c.Send(context.Background(), msg("M1")); !errors.Is(err, mllp.ErrFrameTooLarge) {
		t.Fatalf("Send = %v, want ErrFrameTooLarge", err)
	}
	send(t, c, "M2", "AA")
}

func TestClient_DialFailureIsReturned(t *testing.T) {
	ln := listen(t)
	addr := ln.Addr().String()
	ln.Close()
	c := newClient(t, addr)
	if _, err := c.Send(context.Background(), msg("M1")); err == nil {
		t.Fatal("Send to a closed port succeeded")
	}
}

func TestClient_CloseEndsSendInProgress(t *testing.T) {
	peer := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{NoReply: true}))
	c := newClient(t, peer.Addr())
	c.AckTimeout = wait
	errc := make(chan error, 1)
	go func() {
		_, err := c.Send(context.Background(), msg("M1"))
		errc <- err
	}()
	// Close once the message is out and Send waits for its ACK.
	for deadline := time.Now().Add(wait); len(peer.Received()) == 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	c.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Send = %v, want net.ErrClosed", err)
		}
	case <-time.After(wait):
		t.Fatal("Send still running after Close")
	}
}

func TestClient_ReconnectsWhenPeerClosedIdleConnection(t *testing.T) {
	events := make(connEvents, 4)
	srv := serve(t, &mllp.Server{Handler: ackFor, IdleTimeout: 50 * time.Millisecond, ConnState: events.hook})
	c := newClient(t, srv.addr)
	send(t, c, "M1", "AA")
	events.expect(t, mllp.StateNew, mllp.StateClosed) // the server's idle timeout
	time.Sleep(250 * time.Millisecond)                // idle long enough to be checked
	send(t, c, "M2", "AA")
}
