package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard-hl7/switchboard/engine"
	"github.com/switchboard-hl7/switchboard/engine/bulk"
	"github.com/switchboard-hl7/switchboard/engine/store"
)

// openLog opens the message log read-only, from --db or the config.
func openLog(cmd *cobra.Command) (*store.SQLite, error) {
	path, err := logPath(cmd)
	if err != nil {
		return nil, err
	}
	return store.OpenReadOnly(path)
}

// logPath returns the message log's path, from --db or the config. The
// log must exist: only the engine creates one, so a wrong path is said
// as such rather than read as an empty log (or, by reprocess, created).
func logPath(cmd *cobra.Command) (string, error) {
	path, _ := cmd.Flags().GetString("db")
	if path == "" {
		cfg, err := engine.Load(configPath(cmd))
		if err != nil {
			return "", &exitError{2, err.Error() + "\n(pass --db FILE to read a message log without a valid config)"}
		}
		path = cfg.Store.Path
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", &exitError{1, fmt.Sprintf("no message log at %s: the engine creates it when it first starts (pass --db FILE or --config for another)", path)}
	}
	return path, nil
}

// notFound turns the store's ErrNotFound for the id an operator typed
// into an answer, "message 9999 not found", rather than an internal error.
func notFound(what string, id int64, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return &exitError{1, fmt.Sprintf("%s %d not found", what, id)}
	}
	return err
}

func reprocessCmd() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "reprocess ID...",
		Short: "Run messages through their channel again (as new messages linked to the originals)",
		Long: "Copies each message into a new RECEIVED message of the same channel; the running engine\n" +
			"picks it up within seconds, maps it with the current configuration and delivers it again.\n" +
			"The original and its history stay as they were.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := logPath(cmd)
			if err != nil {
				return err
			}
			st, err := store.Open(path, store.Options{})
			if err != nil {
				return err
			}
			defer st.Close()
			for _, a := range args {
				id, err := strconv.ParseInt(a, 10, 64)
				if err != nil {
					return &exitError{2, fmt.Sprintf("message id %q must be a number", a)}
				}
				n, err := st.Reprocess(cmd.Context(), id, reason)
				if err != nil {
					return notFound("message", id, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%d\treprocessed as %d\n", id, n)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, recorded with the new message")
	return cmd
}

func messagesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "messages", Short: "Search and inspect the message log"}
	cmd.PersistentFlags().String("db", "", "message log file (default: store.path of the config)")
	cmd.AddCommand(showCmd(), searchCmd(), reprocessCmd())
	return cmd
}

func showCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show one message: raw HL7, the ACK, the FHIR output (or a write-back's request) and every event",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return &exitError{2, "message id must be a number"}
			}
			st, err := openLog(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			m, err := st.Get(cmd.Context(), id)
			if err != nil {
				return notFound("message", id, err)
			}
			events, err := st.Events(cmd.Context(), id)
			if err != nil {
				return err
			}
			printMessage(cmd.OutOrStdout(), m, events)
			return nil
		},
	}
}

func printMessage(w io.Writer, m *store.Message, events []store.Event) {
	fmt.Fprintf(w, "message %d  %s  %s  %s^%s  control id %s\n", m.ID, m.Channel, m.Status, m.Type, m.Trigger, m.ControlID)
	fmt.Fprintf(w, "received %s from %s  patient %s  attempts %d\n", m.ReceivedAt.Format(time.RFC3339Nano), m.RemoteAddr, patient(m), m.Attempts)
	if m.Error != "" {
		fmt.Fprintf(w, "error    %s\n", m.Error)
	}
	switch {
	case m.Type == bulk.MessageType:
		// A bulk export job: what it asked for, and what the server
		// answered (status URL, manifest); its files: bulk status ID.
		section(w, "export request", pretty(m.Raw))
		section(w, "export state (status URL, manifest)", pretty(m.Output))
	case m.Direction == store.Outbound:
		// A write-back: the request as it came, the v2 message sent, and
		// the EHR's ACK. An invalid request is stored as it came.
		section(w, "FHIR request", pretty(m.Output))
		section(w, "HL7 v2 sent", segments(m.Raw))
		section(w, "ACK from the EHR ("+m.AckCode+")", segments(m.Ack))
	default:
		section(w, "HL7 v2", segments(m.Raw))
		section(w, "ACK ("+m.AckCode+")", segments(m.Ack))
		section(w, "FHIR output", pretty(m.Output))
	}
	fmt.Fprintln(w, "\n--- events")
	for _, e := range events {
		fmt.Fprintf(w, "%s  %-8s %-9s %s\n", e.Time.Format("15:04:05.000000"), e.Stage, e.Status, e.Detail)
	}
}

func section(w io.Writer, title, body string) {
	if body == "" {
		return
	}
	fmt.Fprintf(w, "\n--- %s\n%s\n", title, strings.TrimRight(body, "\n"))
}

// segments prints one segment per line.
func segments(b []byte) string {
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

func pretty(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if json.Indent(&buf, b, "", "  ") != nil {
		return string(b)
	}
	return buf.String()
}

func patient(m *store.Message) string {
	if m.PatientID == "" {
		return "-"
	}
	if m.PatientAssigner == "" {
		return m.PatientID
	}
	return m.PatientAssigner + "|" + m.PatientID
}

func searchCmd() *cobra.Command {
	var q store.Query
	var status, typ, since, until string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "search",
		Short: "Find messages by channel, status, type, control id, patient or time",
		Example: `  switchboard messages search --status ERROR --since 2h
  switchboard messages search --type ADT^A08 --patient 123456
  switchboard messages search --control-id MSG00001 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := fillQuery(&q, status, typ, since, until); err != nil {
				return &exitError{2, err.Error()}
			}
			st, err := openLog(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			msgs, err := st.Search(cmd.Context(), q)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for _, m := range msgs {
				if asJSON {
					writeJSONLine(w, messageLine(m))
					continue
				}
				fmt.Fprintf(w, "%-8d %s  %-14s %-9s %-8s %-24s %s\n", m.ID, m.ReceivedAt.Local().Format("2006-01-02 15:04:05"),
					m.Channel, m.Status, m.Type+"^"+m.Trigger, m.ControlID, oneLineErr(m.Error))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Channel, "channel", "", "channel name")
	f.StringVar(&status, "status", "", "status, or several separated by commas (RECEIVED,QUEUED,SENT,FILTERED,PROCESSED,ERROR)")
	f.StringVar(&typ, "type", "", "message type, e.g. ADT or ADT^A08")
	f.StringVar(&q.ControlID, "control-id", "", "MSH-10")
	f.StringVar(&q.PatientID, "patient", "", "patient identifier (first PID-3)")
	f.StringVar(&since, "since", "", "received at or after: RFC 3339 time or a duration ago such as 2h")
	f.StringVar(&until, "until", "", "received before: RFC 3339 time or a duration ago")
	f.IntVar(&q.Limit, "limit", 50, "maximum messages")
	f.Int64Var(&q.BeforeID, "before-id", 0, "page: only messages with a smaller id")
	f.BoolVar(&asJSON, "json", false, "one JSON object per line")
	return cmd
}

func fillQuery(q *store.Query, status, typ, since, until string) error {
	for _, s := range strings.Split(status, ",") {
		if s = strings.ToUpper(strings.TrimSpace(s)); s != "" {
			if !store.Status(s).Valid() {
				return fmt.Errorf("unknown status %q", s)
			}
			q.Statuses = append(q.Statuses, store.Status(s))
		}
	}
	q.Type, q.Trigger, _ = strings.Cut(typ, "^")
	var err error
	if q.Since, err = parseWhen(since); err != nil {
		return err
	}
	q.Until, err = parseWhen(until)
	return err
}

// parseWhen reads an RFC 3339 time or a duration before now.
func parseWhen(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return time.Now().Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: use RFC 3339 (2026-11-26T08:00:00Z) or a duration such as 90m", s)
	}
	return t, nil
}

func messageLine(m *store.Message) map[string]any {
	return map[string]any{"id": m.ID, "time": m.ReceivedAt, "channel": m.Channel, "status": m.Status,
		"type": m.Type + "^" + m.Trigger, "control_id": m.ControlID, "patient": patient(m), "error": m.Error}
}

func writeJSONLine(w io.Writer, v any) {
	b, _ := json.Marshal(v)
	w.Write(append(b, '\n'))
}

func oneLineErr(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
