package fhirclient

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxLine is the longest NDJSON line a reader accepts by default.
const DefaultMaxLine = 16 << 20

// NDJSONReader reads an NDJSON file one line (one resource) at a time,
// in a buffer bounded by the longest line allowed: a file is never held
// in memory.
type NDJSONReader struct {
	src     io.Reader // decoded bytes
	wire    *countingReader
	close   func() error
	maxLine int

	skip   int64 // decoded bytes to discard before the first line (resume)
	buf    []byte
	r, w   int   // buf[r:w] is read and not yet consumed
	pos    int64 // decoded bytes consumed
	lines  int64 // lines consumed
	line   int64 // Line()
	offset int64 // Offset()
	err    error // sticky: the source is done
}

// LineError is a line the reader skipped: longer than MaxLine.
type LineError struct {
	Line int64
	Err  error
}

// Error says which line was skipped and why.
func (e *LineError) Error() string { return fmt.Sprintf("ndjson line %d: %v", e.Line, e.Err) }

// Unwrap returns Err.
func (e *LineError) Unwrap() error { return e.Err }

// ErrLineTooLong is the Err of a LineError for a line over MaxLine.
var ErrLineTooLong = errors.New("line longer than the limit; skipped")

// NewNDJSONReader reads NDJSON from r, plain or gzip-compressed (told by
// its first bytes), resuming per o: o.Offset decoded bytes are skipped
// and line numbers continue from o.Line. The caller closes r.
func NewNDJSONReader(r io.Reader, o FileOptions) (*NDJSONReader, error) {
	return newNDJSONReader(r, nil, false, o.Offset, o)
}

// newNDJSONReader reads body, gunzipping it when encoded says so or its
// first bytes are gzip's magic; skip decoded bytes are discarded first
// and the reader's positions start at o.Offset and o.Line.
func newNDJSONReader(body io.Reader, closeFn func() error, encoded bool, skip int64, o FileOptions) (*NDJSONReader, error) {
	nr := &NDJSONReader{wire: &countingReader{r: body}, close: closeFn, maxLine: o.MaxLine,
		skip: skip, pos: o.Offset, lines: o.Line, line: o.Line, offset: o.Offset}
	if nr.maxLine <= 0 {
		nr.maxLine = DefaultMaxLine
	}
	src, err := decompress(nr.wire, encoded)
	if err != nil {
		return nil, err
	}
	nr.src = src
	nr.buf = make([]byte, min(64<<10, nr.maxLine+2))
	return nr, nil
}

// decompress undoes gzip when encoded, and again when the (decoded)
// stream starts with gzip's magic: a .gz file served as it is.
func decompress(r io.Reader, encoded bool) (io.Reader, error) {
	if encoded {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		r = zr
	}
	br := bufio.NewReader(r)
	magic, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		return br, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("gzip file: %w", err)
	}
	return zr, nil
}

// Next returns the next non-blank line, without its line end; it is
// valid until the next call. At the clean end of the file it returns
// io.EOF. A line over MaxLine is skipped and reported as a *LineError,
// after which Next goes on. A body that ends inside a line (the
// connection dropped) is an error wrapping io.ErrUnexpectedEOF, never
// io.EOF, and the partial line is not returned.
func (r *NDJSONReader) Next() ([]byte, error) {
	if r.skip > 0 {
		if err := r.discard(); err != nil {
			return nil, err
		}
	}
	for {
		line, tooLong, err := r.readLine()
		if err != nil {
			return nil, err
		}
		r.line, r.offset = r.lines, r.pos
		if tooLong || len(line) > r.maxLine {
			return nil, &LineError{Line: r.line, Err: ErrLineTooLong}
		}
		if len(bytes.TrimSpace(line)) > 0 {
			return line, nil
		}
	}
}

// readLine consumes one line and returns it without "\n" or "\r\n". A
// line that does not fit the buffer is consumed to its end and reported
// as tooLong, without its bytes.
func (r *NDJSONReader) readLine() (line []byte, tooLong bool, err error) {
	for {
		if i := bytes.IndexByte(r.buf[r.r:r.w], '\n'); i >= 0 {
			line = r.buf[r.r : r.r+i]
			r.consume(i + 1)
			r.lines++
			return bytes.TrimSuffix(line, []byte{'\r'}), tooLong, nil
		}
		if r.err != nil {
			return r.atEnd(tooLong)
		}
		if r.w-r.r == len(r.buf) && len(r.buf) > r.maxLine+1 {
			// Over the limit with no line end yet: drop what is
			// buffered and read on to the end of the line.
			tooLong = true
			r.consume(r.w - r.r)
		}
		r.fill()
	}
}

// atEnd handles the end of the source with buf[r:w] holding no line end.
func (r *NDJSONReader) atEnd(tooLong bool) ([]byte, bool, error) {
	rest := r.w - r.r
	if r.err != io.EOF {
		if rest > 0 || tooLong {
			return nil, false, fmt.Errorf("ndjson line %d: body cut off mid-line: %w", r.lines+1, unexpectedEOF(r.err))
		}
		return nil, false, fmt.Errorf("ndjson after line %d: %w", r.lines, r.err)
	}
	if rest == 0 && !tooLong {
		return nil, false, io.EOF
	}
	// A last line without a line end.
	line := r.buf[r.r:r.w]
	r.consume(rest)
	r.lines++
	return bytes.TrimSuffix(line, []byte{'\r'}), tooLong, nil
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	return fmt.Errorf("%w: %w", io.ErrUnexpectedEOF, err)
}

func (r *NDJSONReader) consume(n int) {
	r.r += n
	r.pos += int64(n)
}

// fill reads more into the buffer: compacting it first, growing it (up
// to maxLine plus a line end) when a line fills it.
func (r *NDJSONReader) fill() {
	if r.r > 0 {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	if r.w == len(r.buf) {
		bigger := make([]byte, min(2*len(r.buf), r.maxLine+2))
		copy(bigger, r.buf[:r.w])
		r.buf = bigger
	}
	n, err := r.src.Read(r.buf[r.w:])
	r.w += n
	if err != nil {
		r.err = err
	}
}

// discard skips the resume offset's bytes.
func (r *NDJSONReader) discard() error {
	n, err := io.CopyN(io.Discard, r.src, r.skip)
	r.skip -= n
	if err == io.EOF {
		err = fmt.Errorf("the file ends %d bytes before the resume offset: %w", r.skip, io.ErrUnexpectedEOF)
	}
	if err != nil {
		r.err = err
		r.skip = 0
		return fmt.Errorf("ndjson resume: %w", err)
	}
	return nil
}

// Line returns the 1-based number of the line last returned (or
// skipped as too long), counting blank lines.
func (r *NDJSONReader) Line() int64 { return r.line }

// Offset returns the decoded bytes consumed through the end of the line
// last returned (or skipped as too long), its line end included: where a
// resume starts.
func (r *NDJSONReader) Offset() int64 { return r.offset }

// WireBytes returns the bytes read from the source so far (compressed,
// if it is), for progress.
func (r *NDJSONReader) WireBytes() int64 { return r.wire.n }

// Close releases the file's connection, if it has one.
func (r *NDJSONReader) Close() error {
	r.err = errors.New("ndjson reader closed")
	if r.close == nil {
		return nil
	}
	return r.close()
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
