package hl7

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const oru = "MSH|^~\\&|LAB|HOSP|EHR|HOSP|20240305103000-0500||ORU^R01^ORU_R01|CTRL1|P|2.5.1\r" +
	"PID|1||123^^^MRN&1.2.3&ISO^MR~456^^^SSA^SS||Doe^Jane^Q||19800101|F\r" +
	"OBR|1|ORD1|FIL1|24331-1^Lipid panel^LN\r" +
	"OBX|1|NM|2093-3^Cholesterol^LN||185|mg/dL^^UCUM|<200|N|||F\r" +
	"OBX|2|ST|X^Comment^L||Fasting \\T\\ rested\\.br\\second line|||||F\r" +
	"NTE|1||Text with \\F\\ pipe and \\E\\ backslash\r" +
	"ZXT|1|custom^stuff\r"

func mustParse(t testing.TB, s string) *Message {
	t.Helper()
	m, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

func TestParse_FieldPaths(t *testing.T) {
	m := mustParse(t, oru)
	tests := []struct{ path, want string }{
		{"MSH-1", "|"},
		{"MSH-2", `^~\&`},
		{"MSH-9", "ORU^R01^ORU_R01"},
		{"MSH-9.2", "R01"},
		{"MSH-10", "CTRL1"},
		{"PID-3.1", "123"},
		{"PID-3[1].4.2", "1.2.3"},
		{"PID-3[2].1", "456"},
		{"PID-3[2].4", "SSA"},
		{"PID-3[3].1", ""},
		{"PID-5.2", "Jane"},
		{"PID-99", ""},
		{"OBX-5", "185"},
		{"OBX[2]-5", "Fasting & rested\nsecond line"},
		{"OBX[2]-3.2", "Comment"},
		{"OBX[3]-5", ""},
		{"NTE-3", `Text with | pipe and \ backslash`},
		{"ZXT-2.2", "stuff"},
	}
	for _, tt := range tests {
		if got := m.Get(tt.path); got != tt.want {
			t.Errorf("Get(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
	if code, trig, st := m.Type(); code != "ORU" || trig != "R01" || st != "ORU_R01" {
		t.Errorf("Type() = %q %q %q", code, trig, st)
	}
	if m.Version() != "2.5.1" || m.ControlID() != "CTRL1" {
		t.Errorf("Version/ControlID = %q/%q", m.Version(), m.ControlID())
	}
	if n := len(m.All("OBX")); n != 2 {
		t.Errorf("All(OBX) = %d segments, want 2", n)
	}
}

func TestParse_Terminators(t *testing.T) {
	for name, sep := range map[string]string{"CR": "\r", "LF": "\n", "CRLF": "\r\n"} {
		t.Run(name, func(t *testing.T) {
			in := strings.ReplaceAll(oru, "\r", sep)
			m := mustParse(t, in)
			if len(m.Segments) != 7 {
				t.Fatalf("got %d segments, want 7", len(m.Segments))
			}
			if got := m.Get("NTE-3"); !strings.HasSuffix(got, "backslash") {
				t.Errorf("last field of a segment kept a terminator: %q", got)
			}
			if !bytes.Equal(m.Encode(), []byte(in)) {
				t.Errorf("round trip changed the bytes")
			}
		})
	}
}

func TestParse_NewlineInsideTextWhenSegmentsEndInCR(t *testing.T) {
	in := "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\rNTE|1||line one\nline two\nPID is not a segment here\rPID|1||9\r"
	m := mustParse(t, in)
	if got := m.Get("NTE-3"); got != "line one\nline two\nPID is not a segment here" {
		t.Errorf("NTE-3 = %q", got)
	}
	if m.Get("PID-3") != "9" {
		t.Errorf("PID-3 = %q", m.Get("PID-3"))
	}
}

func TestParse_BOMAndMixedTerminatorsRoundTrip(t *testing.T) {
	in := "\xef\xbb\xbfMSH|^~\\&|A|B|C|D|20240101||ADT^A04|1|P|2.3\nEVN|A04\r\nPID|1||7^^^X^MR\r\r\nPV1|1|O"
	m := mustParse(t, in)
	if !m.BOM || len(m.Segments) != 4 {
		t.Fatalf("BOM=%v segments=%d", m.BOM, len(m.Segments))
	}
	if m.Get("PV1-2") != "O" || m.Get("PID-3.4") != "X" {
		t.Errorf("PV1-2=%q PID-3.4=%q", m.Get("PV1-2"), m.Get("PID-3.4"))
	}
	if got := string(m.Encode()); got != in {
		t.Errorf("Encode = %q, want %q", got, in)
	}
}

func TestParse_FiveCharacterAndUnusualDelimiters(t *testing.T) {
	m := mustParse(t, "MSH|^~\\&#|A|B|C|D|20240101||ORU^R01|1|P|2.7\rOBX|1|ST|c||cut\\P\\here\r")
	if m.Delimiters.Truncation != '#' || m.Get("MSH-2") != `^~\&#` {
		t.Errorf("truncation = %q, MSH-2 = %q", m.Delimiters.Truncation, m.Get("MSH-2"))
	}
	if m.Get("OBX-5") != "cut#here" {
		t.Errorf("OBX-5 = %q", m.Get("OBX-5"))
	}
	m = mustParse(t, "MSH*:!$%*A*B*C*D*20240101**ADT:A08*9*P*2.4\rPID*1**1:2:3:MRN!4:5:6:SSN\r")
	if m.Get("MSH-9.2") != "A08" || m.Get("PID-3[2].4") != "SSN" || m.ControlID() != "9" {
		t.Errorf("custom delimiters: MSH-9.2=%q PID-3[2].4=%q", m.Get("MSH-9.2"), m.Get("PID-3[2].4"))
	}
}

func TestParse_NullIsNotEmpty(t *testing.T) {
	m := mustParse(t, "MSH|^~\\&|A|B|C|D|20240101||ADT^A08|1|P|2.5\rPID|1||123||\"\"||\r")
	if v := m.Segment("PID").Field(5); !v.IsNull() || v.IsEmpty() {
		t.Errorf("PID-5 null=%v empty=%v, want null", v.IsNull(), v.IsEmpty())
	}
	if v := m.Segment("PID").Field(4); v.IsNull() || !v.IsEmpty() {
		t.Errorf("PID-4 null=%v empty=%v, want empty", v.IsNull(), v.IsEmpty())
	}
}

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
		partial  bool
	}{
		{"empty", "", ErrEmpty, false},
		{"blank", "\r\n", ErrEmpty, false},
		{"not hl7", "hello world", ErrNoHeader, false},
		{"PID first", "PID|1||2\r", ErrNoHeader, false},
		{"alnum separator", "MSHA^~\\&A", ErrDelimiters, false},
		{"repeated encoding character", "MSH|^~\\\\&|A|B\r", ErrDelimiters, false},
		{"lower-case segment", "MSH|^~\\&|A|B|C|D|2024||ADT^A01|77|P|2.5\rpid|1\r", ErrSegment, true},
		{"name without separator", "MSH|^~\\&|A|B|C|D|2024||ADT^A01|77|P|2.5\rPIDX\r", ErrSegment, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err is %T, want *ParseError", err)
			}
			if tt.partial != (m != nil) {
				t.Fatalf("partial message = %v, want %v", m != nil, tt.partial)
			}
			if tt.partial && m.ControlID() != "77" {
				t.Errorf("partial message lost MSH-10: %q", m.ControlID())
			}
		})
	}
}

func TestParse_SamplesRoundTripByteForByte(t *testing.T) {
	files, err := filepath.Glob("../testdata/*.hl7")
	if err != nil || len(files) < 20 {
		t.Fatalf("samples: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			m, err := Parse(data)
			if strings.Contains(f, "oru_r01_lfh_2") {
				// Its MSH-2 is `^~\\&`: an escaping artefact that repeats
				// the escape character. It must be refused, not guessed.
				if !errors.Is(err, ErrDelimiters) {
					t.Fatalf("want ErrDelimiters, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := m.Encode(); !bytes.Equal(got, data) {
				t.Errorf("round trip differs: got %d bytes, want %d", len(got), len(data))
			}
			if m.Segments[0].Name() != "MSH" && m.Segments[0].Name() != "FHS" {
				t.Errorf("first segment %q", m.Segments[0].Name())
			}
		})
	}
}

func TestParse_MixedEOLSampleMatchesNormalised(t *testing.T) {
	raw, err1 := os.ReadFile("../testdata/adt_a03_lfh_1_raw_mixed_eol.hl7")
	norm, err2 := os.ReadFile("../testdata/adt_a03_lfh_1.hl7")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	a, b := mustParse(t, string(raw)), mustParse(t, string(norm))
	if len(a.Segments) != len(b.Segments) {
		t.Fatalf("mixed EOL: %d segments, normalised: %d", len(a.Segments), len(b.Segments))
	}
	for i := range a.Segments {
		if a.Segments[i].String() != b.Segments[i].String() {
			t.Errorf("segment %d differs:\n%q\n%q", i+1, a.Segments[i].String(), b.Segments[i].String())
		}
	}
}

func TestSet_BuildsMissingStructure(t *testing.T) {
	m := mustParse(t, "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\rPID|1||123^^^MRN\r")
	steps := []struct{ path, text string }{
		{"PID-3[2].4.2", "1.2.3"},
		{"PID-5.1", "O'Brien|Smith"},
		{"PV1-2", "I"},
		{"PID-3.1", "999"},
	}
	for _, s := range steps {
		if err := m.Set(s.path, s.text); err != nil {
			t.Fatalf("Set(%s): %v", s.path, err)
		}
	}
	again := mustParse(t, string(m.Encode()))
	for _, s := range steps {
		if got := again.Get(s.path); got != s.text {
			t.Errorf("after re-parse Get(%s) = %q, want %q", s.path, got, s.text)
		}
	}
	if got := again.Get("PID-3[1].4"); got != "MRN" {
		t.Errorf("Set clobbered a sibling: PID-3[1].4 = %q", got)
	}
	if err := m.Set("MSH-2", "x"); err == nil {
		t.Error("Set(MSH-2) succeeded; delimiters must not be set as text")
	}
}

func TestSplitBatch_SeveralMessages(t *testing.T) {
	one := "MSH|^~\\&|A|B|C|D|2024||ADT^A01|1|P|2.5\nPID|1||1\n"
	two := strings.ReplaceAll(one, "|1|P", "|2|P")
	msgs := SplitBatch([]byte("\xef\xbb\xbf" + one + "\n\n" + two))
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	for i, raw := range msgs {
		if !strings.HasSuffix(string(raw), "PID|1||1\r") || strings.Contains(string(raw), "\n") {
			t.Errorf("message %d not normalised to CR: %q", i+1, raw)
		}
	}
}

func TestSplitBatch_Envelope(t *testing.T) {
	data, err := os.ReadFile("../testdata/batch_adt_a04_pythonhl7_1.hl7")
	if err != nil {
		t.Fatal(err)
	}
	msgs := SplitBatch(data)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	for i, raw := range msgs {
		m := mustParse(t, string(raw))
		if code, _, _ := m.Type(); code != "ADT" {
			t.Errorf("message %d type %q", i+1, code)
		}
		if m.Segment("BTS") != nil || m.Segment("FHS") != nil {
			t.Errorf("message %d kept batch envelope segments", i+1)
		}
	}
}

func TestSalvage_KeepsControlIDOfRefusedMessage(t *testing.T) {
	raw := []byte("MSH|^~\\\\&|A|B|C|D|2024||ORU^R01|MSGID5|T|2.6\rPID|1\r")
	if _, err := Parse(raw); err == nil {
		t.Fatal("Parse accepted repeated encoding characters")
	}
	m := Salvage(raw)
	if m == nil || m.ControlID() != "MSGID5" || m.Version() != "2.6" {
		t.Fatalf("Salvage = %+v", m)
	}
	ack, err := Parse(BuildAck(m, AckOptions{Code: AR}))
	if err != nil || ack.Get("MSA-2") != "MSGID5" {
		t.Fatalf("NAK of salvaged header: %v, MSA-2 %q", err, ack.Get("MSA-2"))
	}
	if Salvage([]byte("hello")) != nil {
		t.Error("Salvage of non-HL7 returned a header")
	}
}
