package fhirclient_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/switchboard-hl7/switchboard/fhirclient"
)

// readLine is one line as a reader gave it, with its position.
type readLine struct {
	text   string
	line   int64
	offset int64
}

// readAll reads r to its end; line errors are kept as lines "ERR".
func readAll(t *testing.T, r *fhirclient.NDJSONReader) ([]readLine, error) {
	t.Helper()
	var out []readLine
	for {
		b, err := r.Next()
		var le *fhirclient.LineError
		switch {
		case errors.As(err, &le):
			if le.Line != r.Line() {
				t.Errorf("LineError.Line %d, Line() %d", le.Line, r.Line())
			}
			out = append(out, readLine{"ERR", le.Line, r.Offset()})
			continue
		case err != nil:
			return out, err
		}
		if bytes.IndexByte(b, '\n') >= 0 || bytes.HasSuffix(b, []byte{'\r'}) {
			t.Errorf("line %d keeps its line end: %q", r.Line(), b)
		}
		out = append(out, readLine{string(b), r.Line(), r.Offset()})
	}
}

// expectLines reads src to its clean end and checks the lines it gave.
func expectLines(t *testing.T, src io.Reader, o fhirclient.FileOptions, want []readLine) *fhirclient.NDJSONReader {
	t.Helper()
	r, err := fhirclient.NewNDJSONReader(src, o)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, r)
	if err != io.EOF {
		t.Fatalf("ended with %v, want io.EOF", err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	return r
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// wrappers read the same bytes in different chunkings, so line ends
// fall on every read boundary.
var wrappers = map[string]func(io.Reader) io.Reader{
	"whole":   func(r io.Reader) io.Reader { return r },
	"onebyte": iotest.OneByteReader,
	"half":    iotest.HalfReader,
}

func TestNDJSONReader_LinesAndPositions(t *testing.T) {
	const a, b, c = `{"resourceType":"Patient","id":"1"}`, `{"resourceType":"Patient","id":"2"}`, `{"resourceType":"Patient","id":"3"}`
	for _, tc := range []struct {
		name, in string
		want     []readLine
	}{
		{"plain", a + "\n" + b + "\n", []readLine{{a, 1, 36}, {b, 2, 72}}},
		{"crlf", a + "\r\n" + b + "\r\n", []readLine{{a, 1, 37}, {b, 2, 74}}},
		{"blank lines", "\n" + a + "\n  \r\n\n" + b + "\n\n", []readLine{{a, 2, 37}, {b, 5, 78}}},
		{"no final newline", a + "\n" + b, []readLine{{a, 1, 36}, {b, 2, 71}}},
		{"crlf no final newline", a + "\r\n" + c + "\r", []readLine{{a, 1, 37}, {c, 2, 73}}},
		{"empty", "", nil},
		{"only blanks", "\n\r\n \n", nil},
	} {
		for wname, wrap := range wrappers {
			for _, gz := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/gzip=%v", tc.name, wname, gz), func(t *testing.T) {
					data := []byte(tc.in)
					if gz {
						data = gzipBytes(t, data)
					}
					r := expectLines(t, wrap(bytes.NewReader(data)), fhirclient.FileOptions{}, tc.want)
					if r.WireBytes() != int64(len(data)) {
						t.Errorf("WireBytes %d, want %d (the bytes given)", r.WireBytes(), len(data))
					}
					if _, err := r.Next(); err != io.EOF {
						t.Errorf("Next after the end: %v, want io.EOF again", err)
					}
				})
			}
		}
	}
}

// A line over MaxLine is reported with its number and skipped; reading
// goes on with the next line, however the long line is chunked.
func TestNDJSONReader_TooLongLineIsSkipped(t *testing.T) {
	long := strings.Repeat("x", 100)
	for _, tc := range []struct {
		name, in string
		want     []readLine
	}{
		{"middle", "short\n" + long + "\nnext\n", []readLine{{"short", 1, 6}, {"ERR", 2, 107}, {"next", 3, 112}}},
		{"last without newline", "short\n" + long, []readLine{{"short", 1, 6}, {"ERR", 2, 106}}},
		{"first crlf", long + "\r\nok\r\n", []readLine{{"ERR", 1, 102}, {"ok", 2, 106}}},
		{"just over", "0123456789a\n0123456789\n", []readLine{{"ERR", 1, 12}, {"0123456789", 2, 23}}},
		{"exactly max with crlf", "0123456789\r\nb\n", []readLine{{"0123456789", 1, 12}, {"b", 2, 14}}},
	} {
		for wname, wrap := range wrappers {
			t.Run(tc.name+"/"+wname, func(t *testing.T) {
				expectLines(t, wrap(strings.NewReader(tc.in)), fhirclient.FileOptions{MaxLine: 10}, tc.want)
			})
		}
	}
}

// cutReader gives its bytes, then fails as a dropped connection does.
type cutReader struct {
	r   io.Reader
	err error
}

func (c *cutReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		err = c.err
	}
	return n, err
}

// A body cut off mid-line is an error that is not io.EOF, and the part
// of the line that came is never returned.
func TestNDJSONReader_TruncatedBodyIsAnError(t *testing.T) {
	full := `{"id":"1"}` + "\n" + `{"id":"2"}` + "\n" + `{"id":"3","name":"cut here"}` + "\n"
	cut := len(full) - 10
	gz := gzipBytes(t, []byte(full))
	for name, src := range map[string]io.Reader{
		"unexpected EOF":   &cutReader{strings.NewReader(full[:cut]), io.ErrUnexpectedEOF},
		"connection reset": &cutReader{strings.NewReader(full[:cut]), errors.New("read: connection reset by peer")},
		"gzip cut short":   bytes.NewReader(gz[:len(gz)-12]),
		"long line cut":    &cutReader{strings.NewReader(full[:20] + strings.Repeat("y", 50)), io.ErrUnexpectedEOF},
	} {
		t.Run(name, func(t *testing.T) {
			r, err := fhirclient.NewNDJSONReader(src, fhirclient.FileOptions{MaxLine: 40})
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(t, r)
			if err == nil || err == io.EOF || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("ended with %v, want an error wrapping io.ErrUnexpectedEOF", err)
			}
			for _, l := range got {
				if l.text != "ERR" && !strings.Contains("\n"+full, "\n"+l.text+"\n") {
					t.Errorf("returned %q: part of a cut-off line", l.text)
				}
			}
			if len(got) == 0 || got[0].text != `{"id":"1"}` {
				t.Errorf("lines before the cut: %v", got)
			}
			if _, again := r.Next(); again == nil || again == io.EOF {
				t.Errorf("Next after the cut: %v, want the error again", again)
			}
		})
	}
}

// Resuming at any line's Offset and Line gives the very lines, numbers
// and offsets that followed it in one uninterrupted read.
func TestNDJSONReader_ResumeByOffsetAndLine(t *testing.T) {
	var in strings.Builder
	for i := range 40 {
		switch i % 7 {
		case 3:
			in.WriteString("\r\n") // blank
		case 5:
			fmt.Fprintf(&in, "{\"id\":\"%d\",\"text\":\"%s\"}\r\n", i, strings.Repeat("é", i))
		default:
			fmt.Fprintf(&in, "{\"id\":\"%d\"}\n", i)
		}
	}
	data := []byte(in.String())
	for _, gz := range []bool{false, true} {
		src := data
		if gz {
			src = gzipBytes(t, data)
		}
		r, _ := fhirclient.NewNDJSONReader(bytes.NewReader(src), fhirclient.FileOptions{})
		whole, err := readAll(t, r)
		if err != io.EOF || len(whole) < 30 {
			t.Fatalf("whole read: %d lines, %v", len(whole), err)
		}
		for k, at := range whole {
			o := fhirclient.FileOptions{Offset: at.offset, Line: at.line}
			r, err := fhirclient.NewNDJSONReader(iotest.HalfReader(bytes.NewReader(src)), o)
			if err != nil {
				t.Fatal(err)
			}
			if r.Offset() != at.offset || r.Line() != at.line {
				t.Errorf("before reading: Offset %d Line %d, want %d %d", r.Offset(), r.Line(), at.offset, at.line)
			}
			rest, err := readAll(t, r)
			if err != io.EOF {
				t.Fatalf("gzip=%v resume after line %d: %v", gz, at.line, err)
			}
			if fmt.Sprint(rest) != fmt.Sprint(whole[k+1:]) {
				t.Fatalf("gzip=%v resume after line %d:\n got %v\nwant %v", gz, at.line, rest, whole[k+1:])
			}
		}
	}
	// An offset past the end is an error, not an empty file.
	r, _ := fhirclient.NewNDJSONReader(bytes.NewReader(data), fhirclient.FileOptions{Offset: int64(len(data)) + 1})
	if _, err := r.Next(); err == nil || err == io.EOF {
		t.Errorf("resume past the end: %v, want an error", err)
	}
}

func TestParseOperationOutcome(t *testing.T) {
	oo, err := fhirclient.ParseOperationOutcome([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","diagnostics":"Observation/9 could not be exported"}]}`))
	if err != nil || len(oo.Issue) != 1 || oo.Issue[0].Code != "processing" || !strings.Contains(oo.String(), "could not be exported") {
		t.Fatalf("got %+v, %v", oo, err)
	}
	if _, err := fhirclient.ParseOperationOutcome([]byte(`{"resourceType":"Patient"}`)); err == nil {
		t.Error("a Patient parsed as an OperationOutcome")
	}
	if _, err := fhirclient.ParseOperationOutcome([]byte(`{"resourceType":`)); err == nil {
		t.Error("broken JSON parsed")
	}
}

// FuzzNDJSONReader: whatever the input, a line never holds a newline and
// the offset never passes the decoded input.
func FuzzNDJSONReader(f *testing.F) {
	for _, s := range []string{"", "a\nb", "\r\n\r\n", "{}\n{}\r\n", strings.Repeat("z", 70) + "\nq", "\x1f\x8b"} {
		f.Add([]byte(s), 64)
	}
	f.Add(gzipBytes(f, []byte("x\ny\n")), 8)
	f.Fuzz(func(t *testing.T, data []byte, maxLine int) {
		decoded := data
		if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				return // NewNDJSONReader refuses it too
			}
			decoded, _ = io.ReadAll(io.LimitReader(zr, 1<<20+1))
			if len(decoded) > 1<<20 {
				return // a bomb: too big to check line by line here
			}
		}
		r, err := fhirclient.NewNDJSONReader(bytes.NewReader(data), fhirclient.FileOptions{MaxLine: maxLine % 200})
		if err != nil {
			return
		}
		for range len(decoded) + 2 {
			line, err := r.Next()
			if bytes.IndexByte(line, '\n') >= 0 {
				t.Fatalf("line %d holds a newline: %q", r.Line(), line)
			}
			if r.Offset() > int64(len(decoded)) {
				t.Fatalf("Offset %d past the input's %d bytes", r.Offset(), len(decoded))
			}
			var le *fhirclient.LineError
			if err != nil && !errors.As(err, &le) {
				return
			}
		}
		t.Fatal("the reader did not end")
	})
}

// benchInput is n bytes or more of lines shaped like exported Observations.
func benchInput(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `{"resourceType":"Observation","id":"obs-%d","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2345-7"}]},"subject":{"reference":"Patient/%d"},"valueQuantity":{"value":%d.4,"unit":"mg/dL"},"note":[{"text":"%s"}]}`+"\n",
			i, i%977, i%200, strings.Repeat("n", i%300))
	}
	return b.Bytes()
}

func BenchmarkNDJSONReader(b *testing.B) {
	plain := benchInput(8 << 20)
	for _, gz := range []bool{false, true} {
		data := plain
		name := "plain"
		if gz {
			data, name = gzipBytes(b, plain), "gzip"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(plain)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := fhirclient.NewNDJSONReader(bytes.NewReader(data), fhirclient.FileOptions{})
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if r.Offset() != int64(len(plain)) || n == 0 {
					b.Fatalf("read %d lines to offset %d of %d", n, r.Offset(), len(plain))
				}
			}
		})
	}
}
