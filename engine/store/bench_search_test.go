package store

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// searchRows is the size of BenchmarkSearch1M's database.
const searchRows = 1_000_000

// genSearchRow makes row i of a log shaped like a hospital feed: four
// channels (50/30/15/5%), mostly ADT^A08, 100,000 patients, 95% SENT with
// a few errors and filtered messages, and the last 1% still pending.
func genSearchRow(i int) (*Message, []Event) {
	m := &Message{Direction: Inbound, RemoteAddr: "10.0.0.7:41000", ControlID: "CTL" + strconv.Itoa(i),
		PatientID: "P" + strconv.Itoa(i*7919%100000), PatientAssigner: "HOSP", AckCode: "AA"}
	switch c := i % 20; {
	case c < 10:
		m.Channel, m.Type = "adt-in", "ADT"
		m.Trigger = [...]string{"A08", "A08", "A08", "A08", "A08", "A08", "A01", "A01", "A03", "A04"}[i/20%10]
	case c < 16:
		m.Channel, m.Type, m.Trigger = "lab-in", "ORU", "R01"
	case c < 19:
		m.Channel, m.Type, m.Trigger = "orders", "ORM", "O01"
	default:
		m.Channel, m.Type, m.Trigger, m.Direction = "writeback", "ADT", "A31", Outbound
	}
	m.Structure = m.Type + "_" + m.Trigger
	switch h := i * 2654435761 % 1000; {
	case i >= searchRows*99/100:
		m.Status = [...]Status{StatusReceived, StatusQueued}[i%2]
	case h < 10:
		m.Status, m.Error = StatusError, "map: PID-3 missing"
	case h < 30:
		m.Status = StatusFiltered
	case h < 40:
		m.Status = StatusProcessed
	default:
		m.Status = StatusSent
	}
	m.Raw = []byte("MSH|^~\\&|EPIC|HOSP|SB|SB|20240102030405||" + m.Type + "^" + m.Trigger + "|" + m.ControlID +
		"|P|2.5.1\rPID|1||" + m.PatientID + "^^^HOSP^MR||DOE^JANE||19800101|F\rPV1|1|I|4W^401^A\r")
	m.Ack = []byte("MSH|^~\\&|SB|SB|EPIC|HOSP|20240102030405||ACK|A" + m.ControlID +
		"|P|2.5.1\rMSA|AA|" + m.ControlID + "\r")
	return m, []Event{{Stage: "receive", Status: StatusReceived}, {Stage: "publish", Status: m.Status}}
}

// BenchmarkSearch1M measures every read on a database of a million
// messages and two million events. Building it takes a while, so it runs
// only when benchmarks are asked for (and not with -short); ns/op is the
// latency of one call.
func BenchmarkSearch1M(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 1M-row database")
	}
	s, _ := openTest(b, Options{Synchronous: "OFF"})
	built := time.Now()
	ids := bulkAppend(b, s, searchRows, genSearchRow)
	b.Logf("built %d messages in %v", len(ids), time.Since(built).Round(time.Millisecond))
	ctx := context.Background()
	at := func(i int) time.Time {
		m, err := s.Get(ctx, ids[i])
		if err != nil {
			b.Fatal(err)
		}
		return m.ReceivedAt
	}
	last, err := s.EventsSince(ctx, -1, "", nil, 1)
	if err != nil || len(last) != 1 {
		b.Fatal(last, err)
	}
	lastEvent := last[0].ID

	searches := []struct {
		name string
		q    Query
	}{
		{"newest", Query{}},
		{"channel", Query{Channel: "orders"}},
		{"status=ERROR", Query{Statuses: []Status{StatusError}}},
		{"status=ERROR,FILTERED", Query{Statuses: []Status{StatusError, StatusFiltered}}},
		{"status=SENT,PROCESSED", Query{Statuses: []Status{StatusSent, StatusProcessed}}},
		{"type=ORM", Query{Type: "ORM"}},
		{"type+trigger=ADT^A01", Query{Type: "ADT", Trigger: "A01"}},
		{"trigger=A03", Query{Trigger: "A03"}},
		{"control_id", Query{ControlID: "CTL500000"}},
		{"patient", Query{PatientID: "P12345"}},
		{"since=last10%", Query{Since: at(searchRows * 9 / 10)}},
		{"window=1%", Query{Since: at(searchRows / 2), Until: at(searchRows/2 + searchRows/100)}},
		{"until=first0.1%", Query{Until: at(searchRows / 1000)}},
		{"channel+status=ERROR", Query{Channel: "adt-in", Statuses: []Status{StatusError}}},
		{"channel+window", Query{Channel: "lab-in", Since: at(searchRows / 4), Until: at(searchRows / 3)}},
		{"page@10%", Query{Channel: "lab-in", BeforeID: ids[searchRows/10]}},
	}
	for _, sc := range searches {
		b.Run("Search/"+sc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Search(ctx, sc.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	reads := []struct {
		name string
		run  func() error
	}{
		{"Get", func() error { _, err := s.Get(ctx, ids[searchRows/2]); return err }},
		{"Events", func() error { _, err := s.Events(ctx, ids[searchRows/2]); return err }},
		{"Pending/first100", func() error { _, err := s.Pending(ctx, "adt-in", 0, 100); return err }},
		{"QueueStats", func() error { _, err := s.QueueStats(ctx); return err }},
		{"EventsSince/follow100", func() error { _, err := s.EventsSince(ctx, lastEvent-100, "", nil, 0); return err }},
		{"EventsSince/newest20ofChannel", func() error { _, err := s.EventsSince(ctx, -1, "orders", nil, 20); return err }},
		{"EventsSince/fromStartERROR", func() error {
			_, err := s.EventsSince(ctx, 0, "", []Status{StatusError}, 100)
			return err
		}},
	}
	for _, r := range reads {
		b.Run(strings.ReplaceAll(r.name, " ", "_"), func(b *testing.B) {
			for b.Loop() {
				if err := r.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
