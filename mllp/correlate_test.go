package mllp_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/mllp"
)

func TestControlID(t *testing.T) {
	tests := []struct {
		name, msg, want string
	}{
		{"CR segments", "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|MSG001|P|2.5\rPID|1\r", "MSG001"},
		{"LF segments when there is no CR", "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|MSG002|P|2.5\nPID|1\n", "MSG002"},
		{"CRLF segments", "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|MSG003|P|2.5\r\nPID|1\r\n", "MSG003"},
		{"last field of the segment", "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|MSG004", "MSG004"},
		{"other field separator", "MSH#^~\\&#A#B#C#D#20240101##ADT^A01#MSG005#P#2.5\r", "MSG005"},
		{"five encoding characters", "MSH|^~\\&#|A|B|C|D|20240101||ADT^A01|MSG006|P|2.7\r", "MSG006"},
		{"UTF-8 BOM", "\xEF\xBB\xBFMSH|^~\\&|A|B|C|D|20240101||ADT^A01|MSG007|P|2.5\r", "MSG007"},
		{"spaces trimmed", "MSH|^~\\&|A|B|C|D|20240101||ADT^A01| MSG008 |P|2.5\r", "MSG008"},
		{"MSH after a batch header", "BHS|^~\\&\rMSH|^~\\&|A|B|C|D|20240101||ADT^A01|MSG009|P\r", "MSG009"},
		{"LF inside a CR message is data", "MSH|^~\\&|A|B|C|D|2024\n||ADT|MSG010|P\r", "MSG010"},
		{"empty MSH-10", "MSH|^~\\&|A|B|C|D|20240101||ADT^A01||P|2.5\r", ""},
		{"too few fields", "MSH|^~\\&|A|B|C\r", ""},
		{"no MSH", "PID|1||123\r", ""},
		{"bare MSH", "MSH", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(mllp.ControlID([]byte(tt.msg))); got != tt.want {
				t.Errorf("controlID = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAckCode(t *testing.T) {
	tests := []struct {
		name, ack, code, id string
		err                 error
	}{
		{"AA", "MSH|^~\\&|B|A|||20240101||ACK^A01^ACK|X1|P|2.5\rMSA|AA|MSG001\r", "AA", "MSG001", nil},
		{"AE with text", "MSH|^~\\&|B|A|||20240101||ACK|X1|P|2.5\rMSA|AE|MSG001|bad \\F\\ field\rERR|x\r", "AE", "MSG001", nil},
		{"CR commit code", "MSH|^~\\&|B|A|||20240101||ACK|X1|P|2.5\rMSA|CR|M9\r", "CR", "M9", nil},
		{"field separator from MSH", "MSH#^~\\&#B#A###20240101##ACK#X1#P#2.5\rMSA#AR#M2\r", "AR", "M2", nil},
		{"LF segments", "MSH|^~\\&|B|A|||20240101||ACK|X1|P|2.5\nMSA|AA|M3\n", "AA", "M3", nil},
		{"MSA without MSH", "MSA|AA|M4", "AA", "M4", nil},
		{"no control ID", "MSH|^~\\&|B|A\rMSA|AA\r", "AA", "", nil},
		{"no MSA", "MSH|^~\\&|B|A|||20240101||ACK|X1|P|2.5\r", "", "", mllp.ErrNoMSA},
		{"MSA with another separator", "MSH|^~\\&|B\rMSA#AA#M5\r", "", "", mllp.ErrNoMSA},
		{"garbage", "\x00\xff\x0b", "", "", mllp.ErrNoMSA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, id, err := mllp.AckCode([]byte(tt.ack))
			if code != tt.code || id != tt.id || !errors.Is(err, tt.err) {
				t.Errorf("AckCode = %q, %q, %v; want %q, %q, %v", code, id, err, tt.code, tt.id, tt.err)
			}
		})
	}
}

func FuzzCorrelate(f *testing.F) {
	f.Add([]byte("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|MSG001|P|2.5\rPID|1\r"))
	f.Add([]byte("MSH|^~\\&|B|A|||20240101||ACK|X1|P|2.5\nMSA|AA|M3\n"))
	f.Add([]byte("\xEF\xBB\xBFMSH#^~\\&#A#B#C#D#2024##ADT#ID#P\r\nMSA#AE#ID#x\r\n"))
	f.Add([]byte("MSH|"))
	f.Add([]byte("MSA|AA|\rMSH\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if id := mllp.ControlID(data); id != nil {
			if len(id) == 0 || !bytes.Contains(data, id) || bytes.ContainsAny(id, "\r") {
				t.Fatalf("controlID(%q) = %q: want a non-empty part of one segment", data, id)
			}
		}
		code, id, err := mllp.AckCode(data)
		if err == nil && (strings.ContainsAny(code+id, "\r") ||
			!bytes.Contains(data, []byte(code)) || !bytes.Contains(data, []byte(id))) {
			t.Fatalf("AckCode(%q) = %q, %q: want parts of one segment", data, code, id)
		}

		// Whatever the fuzzer gives as a control ID that fits in a field must
		// survive a round trip: message, then ACK, then correlation.
		if bytes.ContainsAny(data, "|\r\n") {
			return
		}
		want := string(bytes.TrimSpace(data))
		msg := []byte("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|" + string(data) + "|P|2.5\rPID|1\r")
		ack := []byte("MSH|^~\\&|C|D|A|B|20240101||ACK|X|P|2.5\rMSA|AA|" + string(data) + "\r")
		got := string(mllp.ControlID(msg))
		if _, ackID, err := mllp.AckCode(ack); got != want || ackID != want || err != nil {
			t.Fatalf("control ID %q: message gives %q, ACK gives %q (%v)", want, got, ackID, err)
		}
	})
}
