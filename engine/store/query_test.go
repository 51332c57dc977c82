package store

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// seedSearch appends 40 messages whose fields cycle at different periods,
// so that every filter and combination selects a different subset, and
// returns them as stored.
func seedSearch(t *testing.T, s *SQLite) []*Message {
	t.Helper()
	statuses := []Status{StatusReceived, StatusSent, StatusError, StatusQueued, StatusFiltered}
	var msgs []*Message
	for i := range 40 {
		m := testMessage("adt", "C"+strconv.Itoa(i))
		m.Trigger = []string{"A01", "A08"}[i/2%2]
		if i%2 == 1 {
			m.Channel, m.Type, m.Trigger, m.Structure = "lab", "ORU", "R01", "ORU_R01"
		}
		if i%10 == 9 {
			m.Direction = Outbound
		}
		m.Status = statuses[i%5]
		m.PatientID = "P" + strconv.Itoa(i%3)
		mustAppend(t, s, m)
		msgs = append(msgs, m)
	}
	return msgs
}

// matches is the reference model of Search's filters.
func matches(q Query, m *Message) bool {
	return (q.Channel == "" || m.Channel == q.Channel) &&
		(len(q.Statuses) == 0 || slices.Contains(q.Statuses, m.Status)) &&
		(q.Type == "" || m.Type == q.Type) &&
		(q.Trigger == "" || m.Trigger == q.Trigger) &&
		(q.ControlID == "" || m.ControlID == q.ControlID) &&
		(len(q.ControlIDs) == 0 || slices.Contains(q.ControlIDs, m.ControlID)) &&
		(q.PatientID == "" || m.PatientID == q.PatientID) &&
		(q.Since.IsZero() || !m.ReceivedAt.Before(q.Since)) &&
		(q.Until.IsZero() || m.ReceivedAt.Before(q.Until)) &&
		(q.Direction == "" || m.Direction == q.Direction) &&
		(q.BeforeID == 0 || m.ID < q.BeforeID)
}

// searchCases are queries for every filter alone and in combinations.
func searchCases(msgs []*Message) map[string]Query {
	at := func(i int) time.Time { return msgs[i].ReceivedAt }
	last := msgs[len(msgs)-1].ReceivedAt
	return map[string]Query{
		"everything":         {},
		"channel":            {Channel: "lab"},
		"one status":         {Statuses: []Status{StatusError}},
		"two statuses":       {Statuses: []Status{StatusReceived, StatusQueued}},
		"type":               {Type: "ADT"},
		"type and trigger":   {Type: "ADT", Trigger: "A08"},
		"trigger":            {Trigger: "R01"},
		"control id":         {ControlID: "C17"},
		"patient":            {PatientID: "P1"},
		"since":              {Since: at(30)},
		"until":              {Until: at(5)},
		"since and until":    {Since: at(10), Until: at(20)},
		"since the future":   {Since: last.Add(time.Hour)},
		"until the past":     {Until: at(0).Add(-time.Hour)},
		"until the future":   {Until: last.Add(time.Hour)},
		"between two":        {Since: at(7).Add(1), Until: at(8).Add(1)},
		"direction":          {Direction: Outbound},
		"before id":          {BeforeID: msgs[12].ID},
		"limit":              {Limit: 3},
		"channel and status": {Channel: "adt", Statuses: []Status{StatusReceived, StatusError}},
		"patient and type":   {PatientID: "P2", Type: "ORU"},
		"channel and time":   {Channel: "adt", Since: at(8), Until: at(31)},
		"status and patient": {Statuses: []Status{StatusSent}, PatientID: "P0"},
		"all at once": {Channel: "lab", Statuses: []Status{StatusSent, StatusError}, Type: "ORU", Trigger: "R01",
			PatientID: "P0", Since: at(1), Until: at(39), Direction: Inbound, BeforeID: msgs[35].ID},
		"matches nothing":      {Channel: "adt", Type: "ORU"},
		"unknown control id":   {ControlID: "nope"},
		"control ids":          {ControlIDs: []string{"C3", "nope", "C17", "C30"}},
		"control ids, channel": {Channel: "lab", ControlIDs: []string{"C3", "C17", "C30"}},
		"status, before, lim":  {Statuses: []Status{StatusQueued, StatusFiltered}, BeforeID: msgs[30].ID, Limit: 2},
	}
}

func TestSearch_FiltersAndCombinations(t *testing.T) {
	s, _ := openTest(t, Options{Synchronous: "OFF"})
	msgs := seedSearch(t, s)
	for name, q := range searchCases(msgs) {
		t.Run(name, func(t *testing.T) {
			var want []int64
			for _, m := range slices.Backward(msgs) {
				if matches(q, m) && len(want) < pageSize(q.Limit) {
					want = append(want, m.ID)
				}
			}
			got, err := s.Search(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, ids(got)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			for _, m := range got {
				if m.Raw != nil || m.Ack != nil || m.Output != nil {
					t.Errorf("message %d carries bodies; Search loads none", m.ID)
				}
			}
		})
	}
}

func TestSearch_PagesWithBeforeID(t *testing.T) {
	s, _ := openTest(t, Options{Synchronous: "OFF"})
	msgs := seedSearch(t, s)
	q := Query{Channel: "adt", Limit: 3}
	var got []int64
	for range 20 { // 20 matches in pages of 3: 7 pages, then an empty one
		page, err := s.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		got = append(got, ids(page)...)
		q.BeforeID = page[len(page)-1].ID
	}
	var want []int64
	for _, m := range slices.Backward(msgs) {
		if m.Channel == "adt" {
			want = append(want, m.ID)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paged ids (-want +got):\n%s", diff)
	}
}

func TestEventsSince_FollowsAndFilters(t *testing.T) {
	s, _ := openTest(t, Options{Synchronous: "OFF"})
	ctx := context.Background()
	a := mustAppend(t, s, testMessage("adt", "A"), Event{Stage: "receive", Status: StatusReceived})
	b := mustAppend(t, s, testMessage("lab", "B"), Event{Stage: "receive", Status: StatusReceived})
	for _, u := range []Update{
		{ID: a, Status: StatusError, Events: []Event{{Stage: "map", Status: StatusError}}},
		{ID: b, Status: StatusSent, Events: []Event{
			{Stage: "map", Status: StatusQueued}, {Stage: "publish", Status: StatusSent}}},
	} {
		if err := s.Update(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	type line struct {
		Channel, ControlID, Stage string
		Status                    Status
	}
	lines := func(events []Event) []line {
		var out []line
		for _, e := range events {
			out = append(out, line{e.Channel, e.ControlID, e.Stage, e.Status})
		}
		return out
	}
	all, err := s.EventsSince(ctx, 0, "", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []line{
		{"adt", "A", "receive", StatusReceived}, {"lab", "B", "receive", StatusReceived},
		{"adt", "A", "map", StatusError}, {"lab", "B", "map", StatusQueued}, {"lab", "B", "publish", StatusSent},
	}
	if diff := cmp.Diff(want, lines(all)); diff != "" {
		t.Fatalf("all events (-want +got):\n%s", diff)
	}
	for _, e := range all {
		if e.Type != "ADT" || e.Trigger != "A01" || e.MessageID == 0 {
			t.Errorf("event %d: type %q trigger %q message %d; want the message's header", e.ID, e.Type, e.Trigger, e.MessageID)
		}
	}

	for name, tc := range map[string]struct {
		after    int64
		channel  string
		statuses []Status
		limit    int
		want     []line
	}{
		"after the second":    {after: all[1].ID, want: want[2:]},
		"one channel":         {channel: "lab", want: []line{want[1], want[3], want[4]}},
		"statuses":            {statuses: []Status{StatusError, StatusSent}, want: []line{want[2], want[4]}},
		"limit":               {after: all[0].ID, limit: 2, want: want[1:3]},
		"newest two":          {after: -1, limit: 2, want: want[3:]},
		"newest of a channel": {after: -1, channel: "adt", limit: 1, want: want[2:3]},
		"none left":           {after: all[4].ID},
	} {
		got, err := s.EventsSince(ctx, tc.after, tc.channel, tc.statuses, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, lines(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func TestQueueStats_CountsNonFinalPerChannel(t *testing.T) {
	s, _ := openTest(t, Options{Synchronous: "OFF"})
	msgs := seedSearch(t, s)
	got, err := s.QueueStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := make(map[string]QueueStat)
	for _, m := range msgs {
		if m.Status.Final() {
			continue
		}
		st := want[m.Channel]
		if st.Depth == 0 {
			st.Oldest = m.ReceivedAt
		}
		st.Depth++
		want[m.Channel] = st
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("QueueStats (-want +got):\n%s", diff)
	}
}

// fullScan matches a plan step that reads every row of messages (aliased m
// or f in our SQL) in table order, rather than searching an index.
var fullScan = regexp.MustCompile(`^SCAN (messages|m|f)$`)

// TestSearch_UsesIndexes asks SQLite for the plan of every read the store
// makes and fails on a full scan of messages. Two searches are exempt: with
// no filter, or only a direction (two values, no index), reading messages
// newest first and stopping at the LIMIT is the best plan there is.
func TestSearch_UsesIndexes(t *testing.T) {
	s, _ := openTest(t, Options{Synchronous: "OFF"})
	msgs := seedSearch(t, s)
	type stmt struct {
		sql  string
		args []any
	}
	stmts := map[string]stmt{
		"Pending":    {pendingSQL, []any{"adt", 0, 10}},
		"QueueStats": {queueStatsSQL, nil},
		"Get":        {getSQL, []any{1}},
		"Events":     {eventsSQL, []any{1}},
	}
	for name, q := range searchCases(msgs) {
		if name == "everything" || name == "direction" || name == "limit" {
			continue
		}
		sql, args := searchSQL(q)
		stmts["Search "+name] = stmt{sql, args}
	}
	for name, tc := range map[string]struct {
		after    int64
		channel  string
		statuses []Status
	}{
		"follow":            {after: 5},
		"follow a channel":  {after: 5, channel: "adt"},
		"follow statuses":   {after: 5, statuses: []Status{StatusError}},
		"from the start":    {channel: "adt", statuses: []Status{StatusError}},
		"newest of channel": {after: -1, channel: "adt"},
	} {
		sql, args := eventsSinceSQL(tc.after, tc.channel, tc.statuses, 10)
		stmts["EventsSince "+name] = stmt{sql, args}
	}

	for name, st := range stmts {
		plan := queryPlan(t, s, st.sql, st.args)
		t.Logf("%s: %q", name, plan)
		for _, step := range plan {
			if fullScan.MatchString(step) {
				t.Errorf("%s scans messages: plan %q\n%s", name, plan, st.sql)
			}
		}
	}
}

func queryPlan(t *testing.T, s *SQLite, sql string, args []any) []string {
	t.Helper()
	rows, err := s.read.Query("EXPLAIN QUERY PLAN "+sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// The exempt searches really are what the test above says they are.
func TestSearch_UnfilteredReadsNewestFirst(t *testing.T) {
	s, _ := openTest(t, Options{Synchronous: "OFF"})
	for _, q := range []Query{{}, {Direction: Inbound}} {
		sql, args := searchSQL(q)
		plan := queryPlan(t, s, sql, args)
		if len(plan) != 1 || plan[0] != "SCAN m" {
			t.Errorf("plan of %+v = %q, want one backward SCAN m without a sort", q, plan)
		}
	}
}
