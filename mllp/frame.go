package mllp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
)

// The bytes that frame a message: StartBlock, payload, EndBlock, CarriageReturn.
const (
	StartBlock     byte = 0x0B
	EndBlock       byte = 0x1C
	CarriageReturn byte = 0x0D
)

// DefaultMaxMessageSize is the frame size limit used when none is given.
const DefaultMaxMessageSize = 16 << 20

// ErrFrameTooLarge is returned by [Reader.ReadFrame] together with the first
// 64 KiB of a payload that exceeds the reader's limit, enough to find the MSH
// segment and build a NAK. The rest of that frame is left unread.
var ErrFrameTooLarge = errors.New("mllp: frame too large")

const (
	// prefixSize is how much of an over-size payload is returned.
	prefixSize = 64 << 10
	// readBufSize is the Reader's buffer: several typical messages per read.
	readBufSize = 32 << 10
	// maxRetainedScratch bounds the scratch space a Reader keeps between
	// frames, so one huge message does not pin its size for the connection's life.
	maxRetainedScratch = 256 << 10
	// maxEmptyReads is how many (0, nil) reads in a row are tolerated, as in bufio.
	maxEmptyReads = 100
	// maxPooledFrame bounds the write buffers WriteFrame keeps for reuse.
	maxPooledFrame = 64 << 10
)

// A Reader reads MLLP frames from a byte stream. It is buffered: several
// frames may arrive in one read and one frame may arrive over many reads.
//
// The reader is lenient where senders are known to be sloppy: bytes before a
// start block are skipped and counted, a bare EndBlock ends a frame (a
// following CarriageReturn is consumed if present), and a StartBlock inside a
// frame means the sender restarted, so the partial frame is discarded and
// counted. A Reader is not safe for concurrent use.
type Reader struct {
	rd        io.Reader
	max       int
	buf       []byte // buf[r:w] is read but not yet consumed
	r, w      int
	scratch   []byte // a frame that spans several reads is gathered here
	err       error  // read error to return once the buffer is drained
	pendingCR bool   // a frame ended with a bare EndBlock at the end of the buffer
	skipped   int64
	restarts  int64

	// onStart, when set, is called as soon as a frame's start block is read;
	// the Server uses it to start the frame's read timeout.
	onStart func()
}

// NewReader returns a Reader that reads frames from r and refuses payloads
// longer than maxSize bytes. A maxSize of zero or less means
// DefaultMaxMessageSize.
func NewReader(r io.Reader, maxSize int) *Reader {
	if maxSize <= 0 {
		maxSize = DefaultMaxMessageSize
	}
	return &Reader{rd: r, max: maxSize, buf: make([]byte, readBufSize)}
}

// Skipped returns how many stray bytes outside any frame have been discarded.
func (r *Reader) Skipped() int64 { return r.skipped }

// Restarts returns how many partial frames were discarded because a new start
// block arrived before their end block.
func (r *Reader) Restarts() int64 { return r.restarts }

// ReadFrame returns the payload of the next frame, without framing. The
// returned slice is the caller's: later reads never overwrite it.
//
// At the end of the stream between frames ReadFrame returns io.EOF; in the
// middle of a frame it returns io.ErrUnexpectedEOF and the partial payload is
// dropped. For a payload over the size limit it returns a prefix and
// ErrFrameTooLarge. Any other error comes from the underlying reader; the frame
// in progress is then abandoned.
func (r *Reader) ReadFrame() ([]byte, error) {
	if err := r.findStart(); err != nil {
		return nil, err
	}
	if r.onStart != nil {
		r.onStart()
	}
	msg, err := r.readPayload()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return msg, err
}

// findStart consumes bytes up to and including the next start block.
func (r *Reader) findStart() error {
	for {
		if r.r == r.w {
			if err := r.fill(); err != nil {
				return err
			}
			continue
		}
		b := r.buf[r.r:r.w]
		if r.pendingCR {
			// The CR that belongs to the previous frame's end arrived late;
			// it is not a stray byte.
			r.pendingCR = false
			if b[0] == CarriageReturn {
				r.r++
				continue
			}
		}
		i := bytes.IndexByte(b, StartBlock)
		if i < 0 {
			r.skipped += int64(len(b))
			r.r = r.w
			continue
		}
		r.skipped += int64(i)
		r.r += i + 1
		return nil
	}
}

// readPayload reads up to and including the end block of a started frame.
func (r *Reader) readPayload() ([]byte, error) {
	r.scratch = r.scratch[:0]
	defer r.releaseScratch()
	for {
		if r.r == r.w {
			if err := r.fill(); err != nil {
				return nil, err
			}
			continue
		}
		b := r.buf[r.r:r.w]
		stop := bytes.IndexByte(b, EndBlock)
		if stop < 0 {
			stop = len(b)
		}
		if i := bytes.IndexByte(b[:stop], StartBlock); i >= 0 {
			stop = i
		}
		seg := b[:stop]
		if len(r.scratch)+len(seg) > r.max {
			r.r += len(seg)
			return r.prefix(seg), ErrFrameTooLarge
		}
		switch {
		case stop == len(b): // the frame goes on in the next read
			r.scratch = append(r.scratch, seg...)
			r.r = r.w
		case b[stop] == StartBlock: // the sender started over
			r.restarts++
			r.scratch = r.scratch[:0]
			r.r += stop + 1
		default: // EndBlock
			msg := r.complete(seg)
			r.r += stop + 1
			r.consumeCR()
			return msg, nil
		}
	}
}

// complete returns a fresh copy of the gathered payload followed by tail.
func (r *Reader) complete(tail []byte) []byte {
	msg := make([]byte, len(r.scratch)+len(tail))
	n := copy(msg, r.scratch)
	copy(msg[n:], tail)
	return msg
}

// prefix returns a copy of the start of an over-size payload.
func (r *Reader) prefix(tail []byte) []byte {
	n := min(prefixSize, r.max, len(r.scratch)+len(tail))
	p := make([]byte, 0, n)
	p = append(p, r.scratch[:min(n, len(r.scratch))]...)
	return append(p, tail[:n-len(p)]...)
}

// consumeCR eats the CarriageReturn after an end block. If the next byte has
// not arrived yet, it does not wait: the next ReadFrame eats it instead.
func (r *Reader) consumeCR() {
	if r.r == r.w {
		r.pendingCR = true
		return
	}
	if r.buf[r.r] == CarriageReturn {
		r.r++
	}
}

func (r *Reader) releaseScratch() {
	if cap(r.scratch) > maxRetainedScratch {
		r.scratch = nil
	}
}

// fill reads more bytes into the empty buffer. A read error that came with
// data is kept and returned by the next fill.
func (r *Reader) fill() error {
	r.r, r.w = 0, 0
	if r.err != nil {
		err := r.err
		r.err = nil
		return err
	}
	for range maxEmptyReads {
		n, err := r.rd.Read(r.buf)
		if n < 0 || n > len(r.buf) {
			return fmt.Errorf("mllp: reader returned invalid count %d", n)
		}
		r.w = n
		if n > 0 {
			r.err = err
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// framePool holds write buffers so that WriteFrame does not allocate for
// typical messages.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// WriteFrame writes msg to w as one MLLP frame. The whole frame goes out in a
// single Write call, so small frames are not split into several TCP segments.
func WriteFrame(w io.Writer, msg []byte) error {
	var bp *[]byte
	var buf []byte
	if len(msg)+3 <= maxPooledFrame {
		bp = framePool.Get().(*[]byte)
		buf = (*bp)[:0]
	}
	buf = append(buf, StartBlock)
	buf = append(buf, msg...)
	buf = append(buf, EndBlock, CarriageReturn)
	_, err := w.Write(buf)
	if bp != nil {
		*bp = buf[:0]
		framePool.Put(bp)
	}
	if err != nil {
		return fmt.Errorf("mllp: write frame: %w", err)
	}
	return nil
}
