package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard-hl7/switchboard/engine/store"
)

func tailCmd() *cobra.Command {
	var follow, asJSON bool
	var channel, status string
	var lines int
	cmd := &cobra.Command{
		Use:   "tail",
		Short: "Print message events as they happen (one line per event)",
		Long: `Prints message events in the order they were committed to the message log.

Each message's own events are always in order (receive before map before publish).
Different messages' events may interleave out of time order by a few milliseconds
(tens under load): a receive event carries the time its frame arrived and an enrich
event the time of its lookup, but both are committed, and numbered, a little later
together with other messages' writes. Sort the --json output by time where strict
time order matters.`,
		Example: `  switchboard tail -f
  switchboard tail -f --channel oru-inbound --status ERROR
  switchboard tail --json | jq .`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var statuses []store.Status
			for _, s := range strings.Split(status, ",") {
				if s = strings.ToUpper(strings.TrimSpace(s)); s != "" {
					statuses = append(statuses, store.Status(s))
				}
			}
			st, err := openLog(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			return tail(cmd.Context(), st, cmd.OutOrStdout(), tailOptions{channel, statuses, lines, follow, asJSON})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&follow, "follow", "f", false, "keep printing new events")
	f.StringVar(&channel, "channel", "", "only this channel")
	f.StringVar(&status, "status", "", "only events with this status (comma-separated list)")
	f.IntVarP(&lines, "lines", "n", 20, "start with the last N events")
	f.BoolVar(&asJSON, "json", false, "one JSON object per line")
	f.String("db", "", "message log file (default: store.path of the config)")
	return cmd
}

type tailOptions struct {
	channel  string
	statuses []store.Status
	lines    int
	follow   bool
	json     bool
}

func tail(ctx context.Context, st *store.SQLite, w io.Writer, o tailOptions) error {
	// A negative cursor asks for the newest events. The newest of all is
	// read first, so following starts there even when filters print none.
	var after int64
	newest, err := st.EventsSince(ctx, -1, "", nil, 1)
	if err != nil {
		return err
	}
	if len(newest) > 0 {
		after = newest[0].ID
	}
	var recent []store.Event
	if o.lines > 0 {
		if recent, err = st.EventsSince(ctx, -1, o.channel, o.statuses, o.lines); err != nil {
			return err
		}
	}
	for _, e := range recent {
		printEvent(w, e, o.json)
		after = max(after, e.ID)
	}
	for o.follow {
		events, err := st.EventsSince(ctx, after, o.channel, o.statuses, 1000)
		if err != nil {
			return err
		}
		for _, e := range events {
			printEvent(w, e, o.json)
			after = e.ID
		}
		if len(events) == 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return nil
}

func printEvent(w io.Writer, e store.Event, asJSON bool) {
	if asJSON {
		writeJSONLine(w, map[string]any{"id": e.MessageID, "event_id": e.ID, "time": e.Time, "channel": e.Channel,
			"stage": e.Stage, "status": e.Status, "type": e.Type + "^" + e.Trigger, "control_id": e.ControlID, "error": errorOf(e), "detail": e.Detail})
		return
	}
	fmt.Fprintf(w, "%s  #%-7d %-14s %-8s %-9s %-8s %-22s %s\n", e.Time.Local().Format("15:04:05.000"), e.MessageID,
		e.Channel, e.Stage, e.Status, e.Type+"^"+e.Trigger, e.ControlID, oneLineErr(e.Detail))
}

func errorOf(e store.Event) string {
	if e.Status == store.StatusError || e.Status == store.StatusQueued {
		return e.Detail
	}
	return ""
}
