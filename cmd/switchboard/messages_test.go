package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/engine/store"
)

// A write-back shows its FHIR request, the v2 message sent and the EHR's
// ACK; an inbound message its v2, the ACK sent and the FHIR output.
func TestPrintMessage_LabelsByDirection(t *testing.T) {
	for _, tc := range []struct {
		dir  store.Direction
		want []string
	}{
		{store.Outbound, []string{"--- FHIR request", "--- HL7 v2 sent", "--- ACK from the EHR (AA)"}},
		{store.Inbound, []string{"--- HL7 v2", "--- ACK (AA)", "--- FHIR output"}},
	} {
		var b strings.Builder
		printMessage(&b, &store.Message{ID: 1, Direction: tc.dir, Raw: []byte("MSH|^~\\&|A\r"), Ack: []byte("MSH|^~\\&|B\rMSA|AA|1\r"),
			AckCode: "AA", Output: []byte(`{"resourceType":"Bundle"}`)}, nil)
		out, last := b.String(), -1
		for _, w := range tc.want {
			i := strings.Index(out, w)
			if i < 0 || i < last {
				t.Errorf("%s: %q missing or out of order in\n%s", tc.dir, w, out)
			}
			last = i
		}
	}
}

// newLog writes a message log with one inbound message and returns its
// path and the message's id.
func newLog(t *testing.T) (string, int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "switchboard.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := &store.Message{Channel: "adt", Direction: store.Inbound, Type: "ADT", Trigger: "A01", ControlID: "C1", Raw: []byte("MSH|^~\\&|A\r")}
	if err := st.Append(context.Background(), m, store.Event{Stage: "receive", Status: store.StatusReceived}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return path, m.ID
}

// An id or a log that is not there is said plainly, once, with exit 1;
// a log is never created by reading or reprocessing from a wrong path.
func TestMessages_MissingMessageOrLogIsSaidPlainly(t *testing.T) {
	db, id := newLog(t)
	missing := filepath.Join(t.TempDir(), "nothing.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"messages", "show", "--db", db, "9999"}, "message 9999 not found\n"},
		{[]string{"messages", "reprocess", "--db", db, "9999"}, "message 9999 not found\n"},
		{[]string{"bulk", "status", "--db", db, "9999"}, "job 9999 not found\n"},
		{[]string{"messages", "show", "--db", missing, "1"}, "no message log at " + missing},
		{[]string{"messages", "search", "--db", missing}, "no message log at " + missing},
		{[]string{"messages", "reprocess", "--db", missing, "1"}, "no message log at " + missing},
		{[]string{"tail", "--db", missing}, "no message log at " + missing},
	} {
		out, errOut, code := runCLI(t, tc.args...)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, tc.want) || strings.Count(errOut, "store:") > 0 {
			t.Errorf("%s: exit %d\nstdout %q\nstderr %q\nwant stderr starting %q", strings.Join(tc.args[:2], " "), code, out, errOut, tc.want)
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("a command created %s: %v", missing, err)
	}
	out, errOut, code := runCLI(t, "messages", "show", "--db", db, strconv.FormatInt(id, 10))
	if code != 0 || !strings.Contains(out, "control id C1") {
		t.Errorf("show of a stored message: exit %d\n%s%s", code, out, errOut)
	}
}
