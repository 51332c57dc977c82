package hl7

import (
	"strings"
	"testing"
	"time"
)

func TestBuildAck_SwapsAndEchoes(t *testing.T) {
	req := mustParse(t, "MSH|^~\\&|LAB|LABFAC|EHR|EHRFAC|20240305103000||ORU^R01^ORU_R01|CTRL|P|2.5.1|||AL|NE||UNICODE UTF-8\rPID|1\r")
	req.Segments[0].SetField(10, `C\F\1`)
	at := time.Date(2024, 3, 5, 10, 30, 0, 0, time.UTC)
	ack := mustParse(t, string(BuildAck(req, AckOptions{Code: AA, Text: "ok | fine", ControlID: "ACK1", Time: at})))
	want := map[string]string{
		"MSH-3": "EHR", "MSH-4": "EHRFAC", "MSH-5": "LAB", "MSH-6": "LABFAC",
		"MSH-7": "20240305103000.000+0000", "MSH-9": "ACK^R01^ACK", "MSH-10": "ACK1",
		"MSH-11": "P", "MSH-12": "2.5.1", "MSH-18": "UNICODE UTF-8",
		"MSA-1": "AA", "MSA-2": "C|1", "MSA-3": "ok | fine",
	}
	for path, w := range want {
		if got := ack.Get(path); got != w {
			t.Errorf("%s = %q, want %q", path, got, w)
		}
	}
	if ack.Segment("ERR") != nil {
		t.Error("AA carries an ERR segment")
	}
}

func TestBuildAck_ErrorSegments(t *testing.T) {
	req := mustParse(t, "MSH|^~\\&|A|B|C|D|20240305||ADT^A01|X1|P|2.5\r")
	raw := BuildAck(req, AckOptions{Code: AE, Text: "PID missing", Errors: []AckError{{
		Condition: RequiredFieldMissing, Segment: "PID", Field: 3, Message: "PID-3 & MRN ^ missing",
	}}})
	ack := mustParse(t, string(raw))
	checks := map[string]string{"ERR-2": "PID^1^3", "ERR-3.1": "101", "ERR-3.3": "HL70357", "ERR-4": "E", "ERR-8": "PID-3 & MRN ^ missing", "MSA-1": "AE", "MSA-2": "X1"}
	for path, w := range checks {
		if got := ack.Get(path); got != w {
			t.Errorf("%s = %q, want %q", path, got, w)
		}
	}
	if ack.ControlID() == "" || ack.ControlID() == "X1" {
		t.Errorf("ACK MSH-10 must be new, got %q", ack.ControlID())
	}

	old := mustParse(t, "MSH|^~\\&|A|B|C|D|20240305||ADT^A01|X2|P|2.3\r")
	ack = mustParse(t, string(BuildAck(old, AckOptions{Code: AR, Errors: []AckError{{Condition: UnsupportedMessageType, Segment: "MSH", Field: 9}}})))
	if got := ack.Get("ERR-1.4.1"); got != "200" {
		t.Errorf("v2.3 ERR-1.4.1 = %q, want 200 (raw %q)", got, ack.Segment("ERR").String())
	}
	if got := ack.Get("MSH-9"); got != "ACK^A01" {
		t.Errorf("v2.3 ACK MSH-9 = %q, want ACK^A01", got)
	}
}

func TestBuildAck_UnparseableRequest(t *testing.T) {
	raw := BuildAck(nil, AckOptions{Code: AR, Text: "not HL7", Errors: []AckError{{Condition: ApplicationInternalError, Message: "no MSH"}}})
	ack := mustParse(t, string(raw))
	if ack.Get("MSA-1") != "AR" || ack.Get("MSA-2") != "" || ack.Get("MSH-12") != "2.5.1" || ack.Get("ERR-3.1") != "207" {
		t.Errorf("ack = %q", strings.ReplaceAll(string(raw), "\r", "\n"))
	}
}

func TestBuildAck_EchoesDelimiters(t *testing.T) {
	req := mustParse(t, "MSH*:!$%*A*B*C*D*2024**ADT:A01*Z9*P*2.5\r")
	ack := mustParse(t, string(BuildAck(req, AckOptions{Code: AA})))
	if ack.Delimiters != req.Delimiters || ack.Get("MSA-2") != "Z9" || ack.Get("MSH-9.2") != "A01" {
		t.Errorf("ack %q", ack.Encode())
	}
}

func TestNewControlID_Unique(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		id := NewControlID()
		if len(id) != 20 || seen[id] {
			t.Fatalf("control id %q repeated or not 20 characters", id)
		}
		seen[id] = true
	}
}
