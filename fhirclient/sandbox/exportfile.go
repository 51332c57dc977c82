package sandbox

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ndjsonType is the media type of export files.
const ndjsonType = "application/fhir+ndjson"

// exportFile is lines lo..hi-1 of a source. Its bytes are generated each
// time it is served; only its length is kept, worked out on first use.
type exportFile struct {
	name, typ string
	src       lineSource
	lo, hi    int

	sizeOnce sync.Once
	size     int64
}

// length is the file's size in bytes (for Content-Length and Range).
func (f *exportFile) length() int64 {
	f.sizeOnce.Do(func() {
		var b []byte
		for i := f.lo; i < f.hi; i++ {
			b = f.src.appendLine(b[:0], i)
			f.size += int64(len(b))
		}
	})
	return f.size
}

// flushAt is how much the writer gathers before writing: large enough
// for few syscalls, small enough that memory stays flat.
const flushAt = 32 << 10

// writeRange writes bytes [start, end) of the file to w, generating the
// lines on the way and dropping those before start.
func (f *exportFile) writeRange(w io.Writer, start, end int64) error {
	buf := make([]byte, 0, flushAt+4<<10)
	off := int64(0) // file offset just past what buf holds
	for i := f.lo; i < f.hi && off < end; i++ {
		n0 := len(buf)
		buf = f.src.appendLine(buf, i)
		lineStart := off
		off += int64(len(buf) - n0)
		if lineStart < start {
			cut := int(min(start-lineStart, int64(len(buf)-n0)))
			buf = append(buf[:n0], buf[n0+cut:]...)
		}
		if off > end {
			buf = buf[:len(buf)-int(off-end)]
		}
		if len(buf) >= flushAt {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	_, err := w.Write(buf)
	return err
}

// handleExportFile is GET <origin>/_bulk/files/{job}/{name}.ndjson.
func (s *Server) handleExportFile(w *exchange, r *http.Request) {
	j := s.jobFor(w, r, !s.opts.Export.OpenFiles)
	if j == nil {
		return
	}
	now := time.Now()
	name, ok := strings.CutSuffix(r.PathValue("file"), ".ndjson")
	var f *exportFile
	if ok && s.settle(j, now) == jobComplete {
		f = j.files[name] // fixed once complete
	}
	if f == nil {
		writeOutcome(w, http.StatusNotFound, "not-found", "export file %q is not part of this job's output", r.PathValue("file"))
		return
	}
	if exp := s.opts.Export.FileExpiry; exp > 0 && now.Sub(j.completed) > exp {
		writeOutcome(w, http.StatusGone, "not-found", "export file %q expired %s after the export completed: run the export again", r.PathValue("file"), exp)
		return
	}
	s.stats.exportFiles.Add(1)
	s.serveFile(w, r, j, f)
}

// serveFile streams a file: a byte range (identity encoding), gzip when
// on and accepted, else the whole file with its Content-Length. The
// DropFileAfter fault cuts the body and closes the connection.
func (s *Server) serveFile(w *exchange, r *http.Request, j *job, f *exportFile) {
	size := f.length()
	h := w.Header()
	etag := `"` + j.id + "-" + f.name + `"`
	h.Set("Content-Type", ndjsonType)
	h.Set("Accept-Ranges", "bytes")
	h.Set("ETag", etag)
	if s.opts.Export.Gzip {
		h.Set("Vary", "Accept-Encoding")
	}
	start, end, partial, ok := byteRange(r, etag, size)
	if !ok {
		h.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
		writeOutcome(w, http.StatusRequestedRangeNotSatisfiable, "invalid", "Range %q is beyond the file's %d bytes", r.Header.Get("Range"), size)
		return
	}
	out := &cutWriter{w: w, left: s.Faults().DropFileAfter}
	out.on = out.left > 0
	var err error
	switch {
	case partial:
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end-1, size))
		h.Set("Content-Length", strconv.FormatInt(end-start, 10))
		w.WriteHeader(http.StatusPartialContent)
		err = f.writeBody(r, out, start, end)
	case s.opts.Export.Gzip && acceptsGzip(r):
		h.Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusOK)
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(out)
		if err = f.writeBody(r, zw, 0, size); err == nil {
			err = zw.Close()
		}
		gzipWriters.Put(zw)
	default:
		h.Set("Content-Length", strconv.FormatInt(size, 10))
		w.WriteHeader(http.StatusOK)
		err = f.writeBody(r, out, 0, size)
	}
	s.stats.exportBytes.Add(out.n)
	if errors.Is(err, errCut) {
		// Push out what was written, then drop the connection mid-body.
		_ = http.NewResponseController(w.ResponseWriter).Flush()
		panic(http.ErrAbortHandler)
	}
}

// writeBody writes the range unless the request is a HEAD.
func (f *exportFile) writeBody(r *http.Request, w io.Writer, start, end int64) error {
	if r.Method == http.MethodHead {
		return nil
	}
	return f.writeRange(w, start, end)
}

// gzipWriters reuse compressors: each holds several hundred KB.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed) // the level is valid
	return zw
}}

// errCut is the DropFileAfter fault at work.
var errCut = errors.New("sandbox: file response cut (DropFileAfter)")

// cutWriter counts the body bytes and, when on, stops after left bytes.
type cutWriter struct {
	w    io.Writer
	on   bool
	left int64
	n    int64
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if c.on && int64(len(p)) > c.left {
		n, _ := c.w.Write(p[:c.left])
		c.left, c.n = 0, c.n+int64(n)
		return n, errCut
	}
	n, err := c.w.Write(p)
	c.left -= int64(n)
	c.n += int64(n)
	return n, err
}

// byteRange reads a single-range Range header (bytes=N-, bytes=N-M or
// bytes=-N) into the half-open [start, end). partial is false when the
// whole file is to be sent (no Range, a stale If-Range, or a form the
// sandbox ignores, as RFC 9110 allows); ok is false when the range lies
// beyond the file.
func byteRange(r *http.Request, etag string, size int64) (start, end int64, partial, ok bool) {
	v := r.Header.Get("Range")
	spec, isBytes := strings.CutPrefix(v, "bytes=")
	if !isBytes || strings.Contains(spec, ",") {
		return 0, size, false, true
	}
	if ir := r.Header.Get("If-Range"); ir != "" && ir != etag {
		return 0, size, false, true
	}
	first, last, _ := strings.Cut(strings.TrimSpace(spec), "-")
	if first == "" { // the last N bytes
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n <= 0 {
			return 0, size, false, true
		}
		return max(0, size-n), size, true, true
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 {
		return 0, size, false, true
	}
	end = size
	if last != "" {
		e, err := strconv.ParseInt(last, 10, 64)
		if err != nil || e < start {
			return 0, size, false, true
		}
		end = min(e+1, size)
	}
	return start, end, true, start < size
}

// acceptsGzip reports whether Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, h := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(h, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.TrimSpace(name)
			if name != "gzip" && name != "*" {
				continue
			}
			q := strings.ReplaceAll(params, " ", "")
			if q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000" {
				return true
			}
		}
	}
	return false
}
