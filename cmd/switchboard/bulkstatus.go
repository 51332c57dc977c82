package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/bulk"
	"github.com/switchboard-hl7/switchboard/engine/store"
)

// listJobs prints the newest bulk jobs, one per line.
func listJobs(ctx context.Context, st store.Store, w io.Writer) error {
	ms, err := bulk.List(ctx, st, 50)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		fmt.Fprintln(w, "no bulk export jobs in the message log")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tSTATUS\tCHANNEL\tLEVEL\tSTARTED\tUPDATED\tERROR")
	for _, m := range ms {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.Status, m.Channel, m.Trigger,
			m.ReceivedAt.Local().Format(time.DateTime), m.UpdatedAt.Local().Format(time.DateTime), oneLineErr(m.Error))
	}
	return tw.Flush()
}

// showJob prints one job and its files.
func showJob(ctx context.Context, st store.Store, id int64, w io.Writer) error {
	j, err := bulk.Load(ctx, st, id)
	if err != nil {
		return notFound("job", id, err)
	}
	fmt.Fprintf(w, "job %d  %s  channel %s  tenant %s  level %s\n", j.ID, j.Status, j.Channel, j.Request.Tenant, j.Request.Export.Level)
	fmt.Fprintf(w, "started %s, updated %s\n", j.Created.Local().Format(time.DateTime), j.Updated.Local().Format(time.DateTime))
	if j.Error != "" {
		fmt.Fprintf(w, "error: %s\n", j.Error)
	}
	switch {
	case j.StatusURL == "":
		fmt.Fprintln(w, "not kicked off yet")
	case j.Manifest == nil:
		fmt.Fprintln(w, "the server is preparing the files")
	default:
		fmt.Fprintf(w, "transactionTime %s, %d files\n", j.Manifest.TransactionTimeRaw, len(j.Files))
	}
	if len(j.Files) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tKIND\tTYPE\tLINES\tOF\tRESOURCES\tSKIPPED\tSTATE")
	for _, f := range j.Files {
		state := "waiting"
		switch {
		case f.Error != "":
			state = "failed: " + oneLineErr(f.Error)
		case f.Done:
			state = "done"
		case f.Lines > 0:
			state = "in progress"
		}
		of := "?"
		if f.Count > 0 {
			of = fmt.Sprint(f.Count)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%d\t%d\t%s\n", f.Index, f.Kind, f.Type, f.Lines, of, f.Resources, f.Skipped, state)
	}
	return tw.Flush()
}
