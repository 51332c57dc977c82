package hl7

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func addSamples(f *testing.F) {
	files, _ := filepath.Glob("../testdata/*.hl7")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(oru))
	f.Add([]byte("MSH|^~\\&#|A\nPID|1||\\X41\\|\"\""))
	f.Add([]byte("MSH*:!$%*A\r\n"))
}

// FuzzParse: parsing never panics, an accepted message round-trips byte
// for byte, and every path read of it is safe.
func FuzzParse(f *testing.F) {
	addSamples(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			if m != nil {
				_ = m.ControlID()
				_ = BuildAck(m, AckOptions{Code: AR, Text: err.Error()})
			}
			return
		}
		if got := m.Encode(); !bytes.Equal(got, data) {
			t.Fatalf("round trip: got %q, want %q", got, data)
		}
		for _, s := range m.Segments {
			want := naiveFields(s.text, m.Delimiters.Field)
			if s.NumFields() != len(want)-1 {
				t.Fatalf("segment %q: %d fields, want %d", s.text, s.NumFields(), len(want)-1)
			}
			for i, w := range want {
				if got := s.Field(i).Raw(); got != w {
					t.Fatalf("segment %q: field %d = %q, want %q", s.text, i, got, w)
				}
			}
		}
		for _, s := range m.Segments {
			for i := 0; i <= s.NumFields(); i++ {
				for _, r := range s.Field(i).Reps() {
					_ = r.Component(2).SubComponent(2).String()
				}
			}
		}
		ack, err := Parse(BuildAck(m, AckOptions{Code: AE, Text: string(data), Errors: []AckError{{Condition: ApplicationInternalError, Message: string(data)}}}))
		if err != nil {
			t.Fatalf("ACK of an accepted message does not parse: %v", err)
		}
		if len(ack.All("MSA")) != 1 || len(ack.All("ERR")) != 1 {
			t.Fatalf("escaping failed: ACK has %d MSA and %d ERR segments", len(ack.All("MSA")), len(ack.All("ERR")))
		}
	})
}

// FuzzEncode: any text set at a path reads back unchanged after an
// encode and re-parse.
func FuzzEncode(f *testing.F) {
	f.Add("PID-5[2].1.2", "Smith|^~\\&#\r\nJr")
	f.Add("OBX[3]-5", "")
	f.Add("ZZ1-1", `""`)
	f.Fuzz(func(t *testing.T, path, text string) {
		m, err := Parse([]byte("MSH|^~\\&#|A|B|C|D|2024||ORU^R01|1|P|2.7\rPID|1\r"))
		if err != nil {
			t.Fatal(err)
		}
		p, err := ParsePath(path)
		if err != nil || (isHeader(p.Segment) && p.Field <= 2) {
			return
		}
		if err := m.Set(path, text); err != nil {
			t.Fatalf("Set(%q): %v", path, err)
		}
		again, err := Parse(m.Encode())
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		want := toUTF8(text)
		if got := again.Get(path); got != want {
			t.Fatalf("Get(%q) = %q, want %q", path, got, want)
		}
	})
}

// naiveFields splits a segment's text the slow, obvious way, for FuzzParse
// to check the word-at-a-time splitter against.
func naiveFields(text string, fs byte) []string {
	f := []string{text[:3]}
	if len(text) <= 3 {
		return f
	}
	if isHeader(text[:3]) {
		f = append(f, text[3:4])
	}
	return append(f, strings.Split(text[4:], string(fs))...)
}
