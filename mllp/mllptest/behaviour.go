package mllptest

import "time"

// An Action is what a [Peer] does with one received message. The zero
// Action replies AA at once.
type Action struct {
	// Code is the ACK code (AA, AE, AR, CA, CE or CR); AA if empty.
	Code string
	// Text goes into MSA-3, escaped.
	Text string
	// Delay is waited before doing anything else; the peer reads nothing
	// meanwhile, as a slow receiver would.
	Delay time.Duration
	// SplitAt lists offsets into the framed ACK where it is cut into separate
	// writes, with a short pause between them.
	SplitAt []int
	// HangUp closes the connection without replying.
	HangUp bool
	// NoReply sends no ACK; the peer goes on reading.
	NoReply bool
	// LateAck sends the ACK only after this long, from the background, while
	// the peer goes on reading and answering later messages on the same
	// connection: the reply a client that timed out must never take for the
	// answer to its next message.
	LateAck time.Duration
	// WrongControlID first sends an extra ACK whose MSA-2 is not the
	// message's control ID; the real reply follows unless NoReply is set.
	WrongControlID bool
}

// A Behaviour decides what a [Peer] does with each message it receives. n is
// the 1-based index of msg among all messages the peer received, across
// connections. Act may be called from several goroutines at once.
type Behaviour interface {
	Act(n int, msg []byte) Action
}

// Func returns a Behaviour that calls f.
func Func(f func(n int, msg []byte) Action) Behaviour { return behaviourFunc(f) }

type behaviourFunc func(n int, msg []byte) Action

func (f behaviourFunc) Act(n int, msg []byte) Action { return f(n, msg) }

// AlwaysAck returns a Behaviour that answers every message at once with code.
func AlwaysAck(code string) Behaviour {
	return Func(func(int, []byte) Action { return Action{Code: code} })
}

// Sequence returns a Behaviour that takes the nth action for the nth message
// and repeats the last one after that. With no actions it always replies AA.
func Sequence(actions ...Action) Behaviour {
	actions = append([]Action(nil), actions...)
	return Func(func(n int, _ []byte) Action {
		if len(actions) == 0 {
			return Action{}
		}
		return actions[min(max(n, 1), len(actions))-1]
	})
}
