package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBulkFiles_CheckpointsSurviveReopenAndReAdd(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "switchboard.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	job := &Message{Channel: "bulk-export", Direction: Inbound, Type: "BULK", Trigger: "GROUP", Raw: []byte(`{}`)}
	if err := s.Append(ctx, job); err != nil {
		t.Fatal(err)
	}
	files := []BulkFile{
		{Job: job.ID, Index: 0, Kind: "output", Type: "Patient", URL: "http://ehr/f/0.ndjson", Count: 10},
		{Job: job.ID, Index: 1, Kind: "output", Type: "Observation", URL: "http://ehr/f/1.ndjson", Count: 500},
		{Job: job.ID, Index: 2, Kind: "error", Type: "OperationOutcome", URL: "http://ehr/f/e.ndjson"},
	}
	if err := s.AddBulkFiles(ctx, files); err != nil {
		t.Fatal(err)
	}
	progress := files[1]
	progress.Lines, progress.Offset, progress.Written, progress.Resources, progress.Skipped = 120, 98765, 98000, 119, 1
	if err := s.CheckpointBulkFile(ctx, progress); err != nil {
		t.Fatal(err)
	}
	done := files[0]
	done.Lines, done.Resources, done.Done = 10, 10, true
	if err := s.CheckpointBulkFile(ctx, done); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openPath(t, path, Options{})
	// Reading the manifest again after a restart must not reset progress.
	if err := s.AddBulkFiles(ctx, files); err != nil {
		t.Fatal(err)
	}
	got, err := s.BulkFiles(ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []BulkFile{done, progress, files[2]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("files after reopen (-want +got):\n%s", diff)
	}
	if err := s.CheckpointBulkFile(ctx, BulkFile{Job: job.ID, Index: 9}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("checkpoint of an unknown file: %v, want ErrNotFound", err)
	}

	// The files go with their job when the job is pruned.
	if err := s.Update(ctx, Update{ID: job.ID, Status: StatusProcessed}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Prune(ctx, time.Now().Add(time.Hour), 10); err != nil || n != 1 {
		t.Fatalf("prune: %d, %v", n, err)
	}
	if got, err := s.BulkFiles(ctx, job.ID); err != nil || len(got) != 0 {
		t.Fatalf("files of a pruned job: %v, %v", got, err)
	}
}
