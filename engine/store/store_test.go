package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

// Every store a test opens is closed, and Close stops every goroutine the
// store started (the writer, database/sql's openers).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// openTest opens a store in a fresh directory (one level down, so that
// Open has a directory to create) and closes it when the test ends.
func openTest(t testing.TB, opts Options) (*SQLite, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "switchboard.db")
	return openPath(t, path, opts), path
}

func openPath(t testing.TB, path string, opts Options) *SQLite {
	t.Helper()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testMessage(channel, controlID string) *Message {
	return &Message{
		Channel:         channel,
		Direction:       Inbound,
		RemoteAddr:      "10.1.2.3:40000",
		Type:            "ADT",
		Trigger:         "A01",
		Structure:       "ADT_A01",
		ControlID:       controlID,
		PatientID:       "MRN-" + controlID,
		PatientAssigner: "HOSP",
		AckCode:         "AA",
		Raw:             []byte("MSH|^~\\&|EPIC|HOSP|SB|SB|20240102030405||ADT^A01^ADT_A01|" + controlID + "|P|2.5.1\r"),
		Ack: []byte("MSH|^~\\&|SB|SB|EPIC|HOSP|20240102030405||ACK^A01^ACK|A" + controlID +
			"|P|2.5.1\rMSA|AA|" + controlID + "\r"),
	}
}

func mustAppend(t testing.TB, s *SQLite, m *Message, events ...Event) int64 {
	t.Helper()
	if err := s.Append(context.Background(), m, events...); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// bulkAppend stores n messages made by gen in transactions of up to 10,000,
// through the writer but without a caller per message: the fast way to
// build large test databases.
func bulkAppend(tb testing.TB, s *SQLite, n int, gen func(i int) (*Message, []Event)) []int64 {
	tb.Helper()
	ids := make([]int64, 0, n)
	for start := 0; start < n; start += 10000 {
		end := min(start+10000, n)
		err := s.w.do(context.Background(), func(tx *writeTx) error {
			ids = ids[:start] // the writer may apply an op twice
			for i := start; i < end; i++ {
				m, events := gen(i)
				if err := tx.append(m, events); err != nil {
					return err
				}
				ids = append(ids, m.ID)
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return ids
}

func ids(msgs []*Message) []int64 {
	var out []int64
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}

func TestAppendGet_RoundTrip(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := context.Background()
	at := time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)
	in := testMessage("adt-in", "C1")
	in.ReceivedAt = at // ignored: the store stamps it
	in.Output = []byte(`{"resourceType":"Bundle"}`)
	ev := Event{Stage: "receive", Status: StatusReceived, Detail: "from 10.1.2.3", Time: at}
	id := mustAppend(t, s, in, ev)
	if id <= 0 {
		t.Fatalf("Append set ID %d, want > 0", id)
	}
	if in.Status != StatusReceived || time.Since(in.ReceivedAt) > time.Hour || !in.UpdatedAt.Equal(in.ReceivedAt) {
		t.Errorf("Append left Status %q, ReceivedAt %v, UpdatedAt %v: want RECEIVED and now twice",
			in.Status, in.ReceivedAt, in.UpdatedAt)
	}

	got, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, got); diff != "" {
		t.Errorf("Get differs from what was appended (-want +got):\n%s", diff)
	}
	events, err := s.Events(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	ev.ID, ev.MessageID = events[0].ID, id
	if diff := cmp.Diff([]Event{ev}, events); diff != "" {
		t.Errorf("Events (-want +got):\n%s", diff)
	}
}

func TestAppendGet_KeepsNilAndEmptyBodiesApart(t *testing.T) {
	s, _ := openTest(t, Options{})
	empty := []byte{}
	for _, tc := range []struct {
		name             string
		raw, ack, output []byte
	}{
		{"all nil", nil, nil, nil},
		{"all empty", empty, empty, empty},
		{"empty raw, nil ack", empty, nil, nil},
		{"nil raw, empty ack, output", nil, empty, []byte("x")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testMessage("c", tc.name)
			m.Raw, m.Ack, m.Output = tc.raw, tc.ack, tc.output
			got, err := s.Get(context.Background(), mustAppend(t, s, m))
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range []struct {
				name      string
				want, got []byte
			}{{"Raw", tc.raw, got.Raw}, {"Ack", tc.ack, got.Ack}, {"Output", tc.output, got.Output}} {
				if (b.want == nil) != (b.got == nil) || !bytes.Equal(b.want, b.got) {
					t.Errorf("%s = %#v, want %#v", b.name, b.got, b.want)
				}
			}
		})
	}
}

func TestGet_MissingMessageIsErrNotFound(t *testing.T) {
	s, _ := openTest(t, Options{})
	if _, err := s.Get(context.Background(), 42); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(42) error = %v, want ErrNotFound", err)
	}
}

func TestAppend_RejectsInvalidMessages(t *testing.T) {
	s, _ := openTest(t, Options{})
	for name, m := range map[string]*Message{
		"no channel":     {Direction: Inbound},
		"no direction":   {Channel: "c"},
		"unknown status": {Channel: "c", Direction: Outbound, Status: "DONE"},
	} {
		if err := s.Append(context.Background(), m); err == nil {
			t.Errorf("%s: Append succeeded, want an error", name)
		}
	}
}

func TestUpdate_RecordsOutcome(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := context.Background()
	id := mustAppend(t, s, testMessage("c", "1"), Event{Stage: "receive", Status: StatusReceived})

	err := s.Update(ctx, Update{ID: id, Status: StatusError, Error: "map: no PID", Attempts: 1,
		Output: []byte("first"), Events: []Event{{Stage: "map", Status: StatusError, Detail: "no PID"}}})
	if err != nil {
		t.Fatal(err)
	}
	// Empty AckCode, nil Output and zero Attempts leave the stored values.
	err = s.Update(ctx, Update{ID: id, Status: StatusSent,
		Events: []Event{{Stage: "map", Status: StatusQueued}, {Stage: "publish", Status: StatusSent}}})
	if err != nil {
		t.Fatal(err)
	}

	m, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != StatusSent || m.Error != "" || m.AckCode != "AA" || m.Attempts != 1 || string(m.Output) != "first" {
		t.Errorf("after updates: Status %q, Error %q, AckCode %q, Attempts %d, Output %q; want SENT, \"\", AA, 1, first",
			m.Status, m.Error, m.AckCode, m.Attempts, m.Output)
	}
	if !m.UpdatedAt.After(m.ReceivedAt) {
		t.Errorf("UpdatedAt %v not after ReceivedAt %v", m.UpdatedAt, m.ReceivedAt)
	}
	events, err := s.Events(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var stages []string
	for _, e := range events {
		if e.MessageID != id || e.Time.IsZero() {
			t.Errorf("event %+v: want MessageID %d and a time", e, id)
		}
		stages = append(stages, e.Stage+":"+string(e.Status))
	}
	want := []string{"receive:RECEIVED", "map:ERROR", "map:QUEUED", "publish:SENT"}
	if diff := cmp.Diff(want, stages); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	if err := s.Update(ctx, Update{ID: id, Status: StatusQueued, Output: []byte("second")}); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Get(ctx, id); string(m.Output) != "second" {
		t.Errorf("Output = %q after replacing it, want second", m.Output)
	}
}

func TestUpdate_AckOnlyKeepsStatusAndError(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := context.Background()
	m := testMessage("c", "1")
	m.Ack, m.AckCode = nil, ""
	id := mustAppend(t, s, m)
	if err := s.Update(ctx, Update{ID: id, Status: StatusError, Error: "map: boom"}); err != nil {
		t.Fatal(err)
	}
	ack := []byte("MSH|^~\\&|A\rMSA|AE|1\r")
	if err := s.Update(ctx, Update{ID: id, AckCode: "AE", Ack: ack, Events: []Event{{Stage: "ack", Detail: "AE"}}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusError || got.Error != "map: boom" || got.AckCode != "AE" || string(got.Ack) != string(ack) {
		t.Errorf("got status %q error %q ack code %q ack %q", got.Status, got.Error, got.AckCode, got.Ack)
	}
}

func TestUpdate_MissingMessageIsErrNotFound(t *testing.T) {
	s, _ := openTest(t, Options{})
	err := s.Update(context.Background(), Update{ID: 7, Status: StatusSent, Events: []Event{{Stage: "x"}}})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Update(7) error = %v, want ErrNotFound", err)
	}
	if err := s.Update(context.Background(), Update{ID: 7, Status: "bogus"}); err == nil {
		t.Error("Update with an unknown status succeeded")
	}
}

func TestPending_ReturnsNonFinalOfOneChannelInOrder(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := context.Background()
	final := map[int]Status{1: StatusSent, 4: StatusFiltered, 6: StatusError, 8: StatusProcessed}
	var want []int64
	for i := range 10 {
		id := mustAppend(t, s, testMessage("a", strconv.Itoa(i)))
		mustAppend(t, s, testMessage("b", strconv.Itoa(i))) // another channel, interleaved
		switch st, ok := final[i]; {
		case ok:
			if err := s.Update(ctx, Update{ID: id, Status: st}); err != nil {
				t.Fatal(err)
			}
		case i == 3:
			if err := s.Update(ctx, Update{ID: id, Status: StatusQueued, Output: []byte("out")}); err != nil {
				t.Fatal(err)
			}
			want = append(want, id)
		default:
			want = append(want, id)
		}
	}

	// Page through three at a time; the bound keeps a bug from looping.
	var got []*Message
	var after int64
	for range 10 {
		page, err := s.Pending(ctx, "a", after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
		after = page[len(page)-1].ID
	}
	if diff := cmp.Diff(want, ids(got)); diff != "" {
		t.Fatalf("pending ids (-want +got):\n%s", diff)
	}
	for _, m := range got {
		if m.Channel != "a" || m.Status.Final() || m.Raw == nil || m.Ack != nil {
			t.Errorf("pending %d: channel %q status %q raw %t ack %t; want a, non-final, raw, no ack",
				m.ID, m.Channel, m.Status, m.Raw != nil, m.Ack != nil)
		}
		if (m.Status == StatusQueued) != (string(m.Output) == "out") {
			t.Errorf("pending %d: status %q with output %q", m.ID, m.Status, m.Output)
		}
	}
}

func TestPending_ResumesAfterReopen(t *testing.T) {
	s, path := openTest(t, Options{})
	ctx := context.Background()
	var want []int64
	for i := range 5 {
		want = append(want, mustAppend(t, s, testMessage("c", strconv.Itoa(i))))
	}
	if err := s.Update(ctx, Update{ID: want[0], Status: StatusSent}); err != nil {
		t.Fatal(err)
	}
	want = want[1:]
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openPath(t, path, Options{})
	got, err := s.Pending(ctx, "c", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, ids(got)); diff != "" {
		t.Errorf("pending after reopen (-want +got):\n%s", diff)
	}
	// New ids continue above the old ones.
	if id := mustAppend(t, s, testMessage("c", "new")); id <= want[len(want)-1] {
		t.Errorf("id after reopen = %d, want > %d", id, want[len(want)-1])
	}
}

func TestClock_NeverGoesBack(t *testing.T) {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var c clock
	var got []int64
	for _, d := range []time.Duration{0, time.Second, -time.Hour, time.Second, 2 * time.Second} {
		got = append(got, c.stamp(base.Add(d)))
	}
	n := base.UnixNano()
	s := int64(time.Second)
	want := []int64{n, n + s, n + s, n + s, n + 2*s}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stamps (-want +got):\n%s", diff)
	}
}

func TestPrune_DeletesOldFinalMessagesOnly(t *testing.T) {
	s, path := openTest(t, Options{})
	ctx := context.Background()
	var ids []int64
	for i := range 6 {
		ids = append(ids, mustAppend(t, s, testMessage("c", strconv.Itoa(i)), Event{Stage: "receive"}))
	}
	// 0-2 final, 3 still pending; all received before the cutoff.
	for _, id := range ids[:3] {
		if err := s.Update(ctx, Update{ID: id, Status: StatusSent, Output: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	cutoff := time.Now()
	late := mustAppend(t, s, testMessage("c", "late"))
	if err := s.Update(ctx, Update{ID: late, Status: StatusSent}); err != nil {
		t.Fatal(err)
	}
	n, err := s.Prune(ctx, cutoff, 2)
	if err != nil || n != 2 {
		t.Fatalf("first Prune = %d, %v; want 2 (the limit)", n, err)
	}
	if n, err = s.Prune(ctx, cutoff, 2); err != nil || n != 1 {
		t.Fatalf("second Prune = %d, %v; want 1", n, err)
	}
	for _, id := range ids[:3] {
		if _, err := s.Get(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("message %d survived: %v", id, err)
		}
		if ev, _ := s.Events(ctx, id); len(ev) != 0 {
			t.Errorf("events of pruned message %d remain", id)
		}
	}
	for _, id := range append(ids[3:], late) {
		if _, err := s.Get(ctx, id); err != nil {
			t.Errorf("message %d (pending or recent) was pruned: %v", id, err)
		}
	}
	// Ids are never given again after pruning.
	s.Close()
	s = openPath(t, path, Options{})
	if next := mustAppend(t, s, testMessage("c", "next")); next <= late {
		t.Errorf("id %d after pruning, want > %d", next, late)
	}
}

func TestReprocess_CopiesWithLinkAndKeepsOriginal(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := context.Background()
	id := mustAppend(t, s, testMessage("c", "R1"))
	if err := s.Update(ctx, Update{ID: id, Status: StatusError, Error: "map: boom"}); err != nil {
		t.Fatal(err)
	}
	n, err := s.Reprocess(ctx, id, "mapping fixed")
	if err != nil || n <= id {
		t.Fatalf("Reprocess = %d, %v", n, err)
	}
	c, err := s.Get(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := s.Get(ctx, id)
	if c.Status != StatusReceived || c.ReprocessOf != id || string(c.Raw) != string(o.Raw) || c.ControlID != "R1" || c.Channel != "c" {
		t.Errorf("copy = %+v", c)
	}
	if o.Status != StatusError || o.Error != "map: boom" {
		t.Errorf("original changed: %s %q", o.Status, o.Error)
	}
	ev, _ := s.Events(ctx, id)
	if last := ev[len(ev)-1]; last.Stage != "reprocess" || !strings.Contains(last.Detail, fmt.Sprint(n)) {
		t.Errorf("original's last event = %+v", last)
	}
	if pending, _ := s.Pending(ctx, "c", 0, 10); len(pending) != 1 || pending[0].ID != n {
		t.Errorf("pending = %v, want the copy", ids(pending))
	}
}
