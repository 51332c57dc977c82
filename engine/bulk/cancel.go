package bulk

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-hl7/switchboard/engine/store"
)

// Cancel ends job id: the server is asked to stop the export (or to drop
// its files, if it finished), and the job ends in ERROR as cancelled. A
// process still running the job stops at its next checkpoint. client may
// be nil when the tenant cannot be reached; the job is cancelled anyway.
func Cancel(ctx context.Context, st store.Store, client Exporter, id int64) error {
	j, err := Load(ctx, st, id)
	if err != nil {
		return err
	}
	if j.Status.Final() {
		return fmt.Errorf("bulk: job %d already ended (%s)", id, j.Status)
	}
	detail := "cancelled by an operator"
	if client != nil && j.StatusURL != "" {
		if err := client.CancelExport(ctx, j.StatusURL); err != nil {
			detail += fmt.Sprintf(" (the server's answer to the cancel: %v)", err)
		}
	}
	return st.Update(ctx, store.Update{ID: id, Status: store.StatusError, Error: errCancelled.Error(),
		Events: []store.Event{{Stage: "bulk", Status: store.StatusError, Detail: detail}}})
}

// IsCancelled reports whether err is Run's answer for a cancelled job.
func IsCancelled(err error) bool { return errors.Is(err, errCancelled) }
