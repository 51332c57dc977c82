package mllp_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/switchboard-hl7/switchboard/mllp"
)

const (
	sb = "\x0b"
	eb = "\x1c"
	cr = "\r"
)

// chunkReader returns its data n bytes per Read, as a slow network would.
type chunkReader struct {
	data []byte
	n    int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.n)], c.data)
	c.data = c.data[n:]
	return n, nil
}

// deliveries are the ways a stream may arrive: all at once, byte by byte,
// in small chunks, or with io.EOF along with the last data.
var deliveries = []struct {
	name string
	wrap func([]byte) io.Reader
}{
	{"whole", func(b []byte) io.Reader { return bytes.NewReader(b) }},
	{"bytewise", func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }},
	{"chunks of 3", func(b []byte) io.Reader { return &chunkReader{data: b, n: 3} }},
	{"data with EOF", func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) }},
}

func TestReader(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		max      int
		want     []string
		wantErr  error // after the frames
		skipped  int64
		restarts int64
	}{
		{name: "one frame", in: sb + "MSH|1" + eb + cr, want: []string{"MSH|1"}, wantErr: io.EOF},
		{name: "empty stream", in: "", wantErr: io.EOF},
		{name: "zero-length frame", in: sb + eb + cr, want: []string{""}, wantErr: io.EOF},
		{
			name: "several frames back to back",
			in:   sb + "A" + eb + cr + sb + "BB" + eb + cr + sb + "CCC" + eb + cr,
			want: []string{"A", "BB", "CCC"}, wantErr: io.EOF,
		},
		{
			name: "stray bytes before and between frames are skipped and counted",
			in:   "junk" + sb + "A" + eb + cr + "\n\n" + sb + "B" + eb + cr + "tail",
			want: []string{"A", "B"}, wantErr: io.EOF, skipped: 10,
		},
		{
			name: "bare end block ends a frame",
			in:   sb + "A" + eb + sb + "B" + eb,
			want: []string{"A", "B"}, wantErr: io.EOF,
		},
		{
			name: "CR after a bare end block is not stray",
			in:   sb + "A" + eb + cr + sb + "B" + eb + "x" + cr + sb + "C" + eb,
			want: []string{"A", "B", "C"}, wantErr: io.EOF, skipped: 2,
		},
		{
			name: "start block inside a frame restarts it",
			in:   sb + "partial" + sb + "A" + eb + cr,
			want: []string{"A"}, wantErr: io.EOF, restarts: 1,
		},
		{
			name: "EOF mid-frame drops the partial frame",
			in:   sb + "A" + eb + cr + sb + "partial",
			want: []string{"A"}, wantErr: io.ErrUnexpectedEOF,
		},
		{
			name:    "EOF right after start block",
			in:      sb,
			wantErr: io.ErrUnexpectedEOF,
		},
		{
			name: "frame of exactly the limit",
			in:   sb + "ABCD" + eb + cr, max: 4,
			want: []string{"ABCD"}, wantErr: io.EOF,
		},
		{
			name: "limit applies after a restart, not before",
			in:   sb + "ABCDEFG" + sb + "ABCD" + eb + cr, max: 4,
			wantErr: mllp.ErrFrameTooLarge,
		},
		{
			name: "restart within the limit",
			in:   sb + "ABC" + sb + "ABCD" + eb + cr, max: 4,
			want: []string{"ABCD"}, wantErr: io.EOF, restarts: 1,
		},
	}
	for _, tt := range tests {
		for _, d := range deliveries {
			t.Run(tt.name+"/"+d.name, func(t *testing.T) {
				r := mllp.NewReader(d.wrap([]byte(tt.in)), tt.max)
				var got []string
				var err error
				for range len(tt.in) + 1 { // each frame consumes at least one byte
					var msg []byte
					if msg, err = r.ReadFrame(); err != nil {
						break
					}
					got = append(got, string(msg))
				}
				if !slicesEqual(got, tt.want) {
					t.Errorf("frames = %q, want %q", got, tt.want)
				}
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("final error = %v, want %v", err, tt.wantErr)
				}
				if r.Skipped() != tt.skipped || r.Restarts() != tt.restarts {
					t.Errorf("Skipped, Restarts = %d, %d; want %d, %d",
						r.Skipped(), r.Restarts(), tt.skipped, tt.restarts)
				}
			})
		}
	}
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReader_OversizeFrameReturnsPrefixWithoutReadingTheRest(t *testing.T) {
	const max = 256 << 10
	payload := []byte("MSH|^~\\&|" + strings.Repeat("x", 4<<20))
	stream := []byte(sb + string(payload) + eb + cr)
	counter := &countingReader{r: bytes.NewReader(stream)}

	msg, err := mllp.NewReader(counter, max).ReadFrame()
	if !errors.Is(err, mllp.ErrFrameTooLarge) {
		t.Fatalf("err = %v, want ErrFrameTooLarge", err)
	}
	if want := payload[:64<<10]; !bytes.Equal(msg, want) {
		t.Errorf("prefix is %d bytes starting %q, want the first %d bytes of the payload",
			len(msg), msg[:min(len(msg), 12)], len(want))
	}
	if counter.n > max+64<<10 {
		t.Errorf("read %d bytes of a %d-byte stream with a %d limit; want it to stop near the limit",
			counter.n, len(stream), max)
	}
}

func TestReader_OversizePrefixIsCappedAtTheLimit(t *testing.T) {
	msg, err := mllp.NewReader(strings.NewReader(sb+"MSH|0123456789"+eb+cr), 8).ReadFrame()
	if !errors.Is(err, mllp.ErrFrameTooLarge) || string(msg) != "MSH|0123" {
		t.Errorf("ReadFrame = %q, %v; want %q, ErrFrameTooLarge", msg, err, "MSH|0123")
	}
}

func TestReader_ResynchronisesAfterOversizeFrame(t *testing.T) {
	r := mllp.NewReader(iotest.OneByteReader(strings.NewReader(sb+"toolong"+eb+cr+sb+"ok"+eb+cr)), 4)
	if _, err := r.ReadFrame(); !errors.Is(err, mllp.ErrFrameTooLarge) {
		t.Fatalf("first ReadFrame err = %v, want ErrFrameTooLarge", err)
	}
	if msg, err := r.ReadFrame(); err != nil || string(msg) != "ok" {
		t.Errorf("second ReadFrame = %q, %v; want %q", msg, err, "ok")
	}
}

func TestReader_ReturnedFramesAreNotOverwritten(t *testing.T) {
	r := mllp.NewReader(strings.NewReader(sb+"first"+eb+cr+sb+"XXXXX"+eb+cr), 0)
	first, _ := r.ReadFrame()
	if _, err := r.ReadFrame(); err != nil {
		t.Fatal(err)
	}
	if string(first) != "first" {
		t.Errorf("first frame became %q after the next read", first)
	}
}

func TestReader_DoesNotWaitForCRAfterEndBlock(t *testing.T) {
	pr, pw := io.Pipe()
	defer pr.Close()
	go func() {
		// io.Pipe hands each Write to a Read: the CR arrives only in a later read.
		pw.Write([]byte(sb + "A" + eb))
		pw.Write([]byte(cr + sb + "B" + eb + cr))
		pw.Close()
	}()
	r := mllp.NewReader(pr, 0)
	for _, want := range []string{"A", "B"} {
		got := make(chan string, 1)
		go func() {
			msg, _ := r.ReadFrame()
			got <- string(msg)
		}()
		select {
		case msg := <-got:
			if msg != want {
				t.Fatalf("ReadFrame = %q, want %q", msg, want)
			}
		case <-time.After(5 * time.Second):
			pw.CloseWithError(errors.New("test timed out"))
			<-got
			t.Fatalf("ReadFrame blocked waiting for the CR after the end block")
		}
	}
	if r.Skipped() != 0 {
		t.Errorf("Skipped = %d; the late CR belongs to the frame, want 0", r.Skipped())
	}
}

func TestReader_AllocatesOnlyThePayload(t *testing.T) {
	frame := []byte(sb + strings.Repeat("x", 2000) + eb + cr)
	r := mllp.NewReader(&loopReader{data: bytes.Repeat(frame, 50)}, 0)
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := r.ReadFrame(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("ReadFrame made %v allocations per frame, want 1 (the payload)", allocs)
	}
}

func TestWriteFrame_WritesWholeFrameInOneWrite(t *testing.T) {
	for _, size := range []int{0, 10, 64 << 10, 1 << 20} {
		w := &recordingWriter{}
		msg := bytes.Repeat([]byte("y"), size)
		if err := mllp.WriteFrame(w, msg); err != nil {
			t.Fatal(err)
		}
		want := append(append([]byte(sb), msg...), eb+cr...)
		if len(w.writes) != 1 || !bytes.Equal(w.writes[0], want) {
			t.Errorf("size %d: %d writes; want one write of the whole frame", size, len(w.writes))
		}
	}
}

func TestWriteFrame_WrapsWriteError(t *testing.T) {
	err := mllp.WriteFrame(failingWriter{}, []byte("x"))
	if !errors.Is(err, errBroken) {
		t.Errorf("err = %v, want it to wrap the writer's error", err)
	}
}

var errBroken = errors.New("broken pipe")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errBroken }

type recordingWriter struct{ writes [][]byte }

func (w *recordingWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, append([]byte(nil), p...))
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// loopReader repeats data forever.
type loopReader struct {
	data []byte
	off  int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := copy(p, l.data[l.off:])
	l.off = (l.off + n) % len(l.data)
	return n, nil
}

// event is one ReadFrame result.
type event struct {
	msg string
	err error
}

// modelEvents states the framing rules one byte at a time; FuzzReader checks
// the buffered Reader against it. skipped and restarts are exact only while
// no frame was too large: after one, the Reader skips the rest of it in
// whatever pieces it read.
func modelEvents(in []byte, max int) (events []event, skipped, restarts int64) {
	inFrame, afterEnd := false, false
	var cur []byte
	for _, b := range in {
		if !inFrame {
			switch {
			case b == mllp.StartBlock:
				inFrame, cur = true, cur[:0]
			case b == mllp.CarriageReturn && afterEnd:
			default:
				skipped++
			}
			afterEnd = false
			continue
		}
		switch b {
		case mllp.StartBlock:
			restarts++
			cur = cur[:0]
		case mllp.EndBlock:
			events = append(events, event{msg: string(cur)})
			inFrame, afterEnd = false, true
		default:
			if cur = append(cur, b); len(cur) > max {
				events = append(events, event{string(cur[:min(64<<10, max)]), mllp.ErrFrameTooLarge})
				inFrame = false
			}
		}
	}
	end := io.EOF
	if inFrame {
		end = io.ErrUnexpectedEOF
	}
	return append(events, event{err: end}), skipped, restarts
}

func FuzzReader(f *testing.F) {
	f.Add([]byte(sb+"MSH|^~\\&|A"+eb+cr), uint8(0), uint16(100))
	f.Add([]byte("junk"+sb+"A"+eb+sb+"B"+eb+cr+cr), uint8(2), uint16(10))
	f.Add([]byte(sb+"part"+sb+"whole"+eb+cr+sb+"cut"), uint8(1), uint16(10))
	f.Add([]byte(sb+"too long for the limit"+eb+cr+sb+"ok"+eb+cr), uint8(4), uint16(4))
	f.Add([]byte(sb+eb+eb+cr+cr+sb+sb+eb), uint8(0), uint16(0))
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8, maxSel uint16) {
		max := int(maxSel) + 1
		r := mllp.NewReader(&chunkReader{data: in, n: int(chunk) + 1}, max)
		want, skipped, restarts := modelEvents(in, max)
		var got []event
		total, sawTooLarge := 0, false
		// Every frame consumes at least its start block, so this always ends.
		for range len(in) + 1 {
			msg, err := r.ReadFrame()
			got = append(got, event{string(msg), err})
			if bytes.IndexByte(msg, mllp.StartBlock) >= 0 || bytes.IndexByte(msg, mllp.EndBlock) >= 0 {
				t.Fatalf("frame %q contains framing bytes", msg)
			}
			if total += len(msg); total > len(in) {
				t.Fatalf("returned %d payload bytes from %d input bytes", total, len(in))
			}
			sawTooLarge = sawTooLarge || errors.Is(err, mllp.ErrFrameTooLarge)
			if err != nil && !errors.Is(err, mllp.ErrFrameTooLarge) {
				break
			}
		}
		if len(got) != len(want) {
			t.Fatalf("got %d results %v, model says %d: %v", len(got), got, len(want), want)
		}
		for i := range got {
			if got[i].msg != want[i].msg || !errors.Is(got[i].err, want[i].err) {
				t.Fatalf("result %d = %q, %v; model says %q, %v", i, got[i].msg, got[i].err, want[i].msg, want[i].err)
			}
		}
		if !sawTooLarge && (r.Skipped() != skipped || r.Restarts() != restarts) {
			t.Errorf("Skipped, Restarts = %d, %d; model says %d, %d", r.Skipped(), r.Restarts(), skipped, restarts)
		}
	})
}
