package mllptest_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/mllp"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

func TestBuildAck(t *testing.T) {
	tests := []struct {
		name, msg, code, text string
		want                  string // with TS for MSH-7 and ID for the new MSH-10
	}{
		{
			name: "swaps sender and receiver, echoes trigger and version",
			msg:  "MSH|^~\\&|LAB|HOSP|SB|SBFAC|20240101||ORU^R01^ORU_R01|M1|P|2.3\rPID|1\r",
			code: "AA",
			want: "MSH|^~\\&|SB|SBFAC|LAB|HOSP|TS||ACK^R01^ACK|ID|P|2.3\rMSA|AA|M1\r",
		},
		{
			name: "escapes text with the message's delimiters",
			msg:  "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|M2|T|2.5\r",
			code: "AE", text: "bad | ^ ~ \\ & \r end",
			want: "MSH|^~\\&|C|D|A|B|TS||ACK^A01^ACK|ID|T|2.5\rMSA|AE|M2|bad \\F\\ \\S\\ \\R\\ \\E\\ \\T\\ \\X0D\\ end\r",
		},
		{
			name: "other delimiters and LF segments",
			msg:  "MSH#$*@!#A#B#C#D#20240101##ADT$A04#M3#P#2.5.1\nPID#1\n",
			code: "AR", text: "x#y",
			want: "MSH#$*@!#C#D#A#B#TS##ACK$A04$ACK#ID#P#2.5.1\rMSA#AR#M3#x@F@y\r",
		},
		{
			name: "empty code means AA; missing fields get defaults",
			msg:  "MSH|^~\\&|A\r",
			want: "MSH|^~\\&|||A||TS||ACK|ID|P|2.5.1\rMSA|AA|\r",
		},
		{
			name: "no MSH at all",
			msg:  "garbage",
			code: "AR",
			want: "MSH|^~\\&|||||TS||ACK|ID|P|2.5.1\rMSA|AR|\r",
		},
	}
	ts := regexp.MustCompile(`\d{14}`) // MSH-7, to the second
	id := regexp.MustCompile(`ACK\d+([|#])`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(mllptest.BuildAck([]byte(tt.msg), tt.code, tt.text))
			got = ts.ReplaceAllString(got, "TS")
			got = id.ReplaceAllString(got, "ID$1")
			if got != tt.want {
				t.Errorf("BuildAck =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestBuildAck_IsReadByAckCode(t *testing.T) {
	ack := mllptest.BuildAck(mllptest.Message("CTRL-9"), "CE", "a|b")
	code, id, err := mllp.AckCode(ack)
	if code != "CE" || id != "CTRL-9" || err != nil {
		t.Errorf("AckCode = %q, %q, %v; want CE, CTRL-9", code, id, err)
	}
}

func TestBuildAck_GivesEachACKItsOwnControlID(t *testing.T) {
	m := mllptest.Message("M1")
	a, b := mllptest.BuildAck(m, "AA", ""), mllptest.BuildAck(m, "AA", "")
	field := func(ack []byte) string { return strings.Split(string(ack), "|")[9] }
	if field(a) == field(b) {
		t.Errorf("two ACKs share MSH-10 %q", field(a))
	}
}
