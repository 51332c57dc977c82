package mllptest_test

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/mllp"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

const wait = 5 * time.Second

// exchange sends msgs over one connection to addr and returns the MSA-1 and
// MSA-2 of the n replies it then reads.
func exchange(t *testing.T, addr string, n int, ids ...string) []string {
	t.Helper()
	c := mllptest.Dial(t, addr)
	for _, id := range ids {
		c.WriteFrame(mllptest.Message(id))
	}
	var got []string
	for range n {
		ack, err := c.ReadFrame(wait)
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		code, id, err := mllp.AckCode(ack)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, code+" "+id)
	}
	return got
}

func check(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("replies %q, want %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("replies %q, want %q", got, want)
		}
	}
}

func TestPeer_AlwaysAckAnswersEveryMessage(t *testing.T) {
	p := mllptest.NewPeer(t, mllptest.AlwaysAck("CA"))
	check(t, exchange(t, p.Addr(), 2, "M1", "M2"), "CA M1", "CA M2")
}

func TestPeer_SequenceRepeatsItsLastAction(t *testing.T) {
	p := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{Code: "AE"}, mllptest.Action{Code: "AR"}))
	check(t, exchange(t, p.Addr(), 3, "M1", "M2", "M3"), "AE M1", "AR M2", "AR M3")
}

func TestPeer_CountsMessagesAcrossConnections(t *testing.T) {
	var mu sync.Mutex
	var seen []int
	p := mllptest.NewPeer(t, mllptest.Func(func(n int, msg []byte) mllptest.Action {
		mu.Lock()
		seen = append(seen, n)
		mu.Unlock()
		return mllptest.Action{}
	}))
	exchange(t, p.Addr(), 1, "M1")
	exchange(t, p.Addr(), 1, "M2")
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0] != 1 || seen[1] != 2 || p.Accepted() != 2 {
		t.Errorf("Act saw n = %v over %d connections, want [1 2] over 2", seen, p.Accepted())
	}
}

func TestPeer_NoReplyKeepsReading(t *testing.T) {
	p := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{NoReply: true}, mllptest.Action{}))
	check(t, exchange(t, p.Addr(), 1, "M1", "M2"), "AA M2")
}

func TestPeer_WrongControlIDComesBeforeTheRealACK(t *testing.T) {
	p := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{WrongControlID: true}))
	check(t, exchange(t, p.Addr(), 2, "M1"), "AA WRONG-M1", "AA M1")
}

func TestPeer_LateAckArrivesAfterLaterReplies(t *testing.T) {
	p := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{LateAck: 200 * time.Millisecond}, mllptest.Action{}))
	check(t, exchange(t, p.Addr(), 2, "M1", "M2"), "AA M2", "AA M1")
}

func TestPeer_SplitAckIsStillOneFrame(t *testing.T) {
	p := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{SplitAt: []int{40, 1, 1000, 10}}))
	check(t, exchange(t, p.Addr(), 1, "M1"), "AA M1")
}

func TestPeer_HangUpClosesWithoutReply(t *testing.T) {
	p := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{HangUp: true}))
	c := mllptest.Dial(t, p.Addr())
	c.WriteFrame(mllptest.Message("M1"))
	if err := c.WaitClosed(wait); err != nil {
		t.Error(err)
	}
}

func TestPeer_ReceivedReturnsCopies(t *testing.T) {
	p := mllptest.NewPeer(t, nil)
	exchange(t, p.Addr(), 1, "M1")
	got := p.Received()
	got[0][0] = 'X'
	if again := p.Received(); len(again) != 1 || !bytes.Equal(again[0], mllptest.Message("M1")) {
		t.Errorf("Received = %q, want the message as sent, untouched by callers", again)
	}
}

func TestPeer_CloseDoesNotWaitForPendingReplies(t *testing.T) {
	p := mllptest.NewPeer(t, mllptest.Sequence(mllptest.Action{LateAck: time.Hour}, mllptest.Action{Delay: time.Hour}))
	c := mllptest.Dial(t, p.Addr())
	c.WriteFrame(mllptest.Message("M1"))
	c.WriteFrame(mllptest.Message("M2"))
	for deadline := time.Now().Add(wait); len(p.Received()) < 2 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { p.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(wait):
		t.Fatal("Close waited for a pending late ACK or delay")
	}
}

func TestAckServer_RunsWithoutATest(t *testing.T) {
	s, err := mllptest.StartAckServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	check(t, exchange(t, s.Addr(), 3, "M1", "M2", "M3"), "AA M1", "AA M2", "AA M3")
	if n := s.Acked(); n != 3 {
		t.Errorf("Acked = %d, want 3", n)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}
