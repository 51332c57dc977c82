package store

import (
	"context"
	"fmt"
)

// BulkFile is one file of a Bulk Data export job (the job is a message of
// the log) and how far it has been read. A job checkpoints its files as it
// goes, so that after a crash it resumes where the last checkpoint left
// it instead of downloading and delivering everything again.
type BulkFile struct {
	Job   int64  // the job's message id
	Index int    // position in the manifest: outputs first, then error files
	Kind  string // "output" or "error"
	Type  string // resource type, as the manifest gives it
	URL   string
	Count int64 // the manifest's count, 0 if it gave none

	Lines     int64 // lines consumed
	Offset    int64 // decoded bytes consumed: where a resumed download starts
	Written   int64 // bytes written to a file sink: where a resumed write starts
	Resources int64 // resources delivered
	Skipped   int64 // malformed lines skipped
	Done      bool
	Error     string // why the file could not be read to its end, if it could not
}

const (
	insertBulkFileSQL = `INSERT INTO bulk_files (message_id, idx, kind, type, url, count,
		lines, offset, written, resources, skipped, done, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (message_id, idx) DO NOTHING`
	checkpointBulkFileSQL = `UPDATE bulk_files SET lines = ?, offset = ?, written = ?,
		resources = ?, skipped = ?, done = ?, error = ? WHERE message_id = ? AND idx = ?`
	bulkFilesSQL = `SELECT message_id, idx, kind, type, url, count, lines, offset, written,
		resources, skipped, done, error FROM bulk_files WHERE message_id = ? ORDER BY idx`
)

// AddBulkFiles records the files of a job's manifest. Files already
// recorded keep their progress: a job that reads its manifest again after
// a restart does not start its files over.
func (s *SQLite) AddBulkFiles(ctx context.Context, files []BulkFile) error {
	if s.w == nil {
		return ErrReadOnly
	}
	err := s.w.do(ctx, func(tx *writeTx) error {
		for _, f := range files {
			if _, err := tx.tx.ExecContext(tx.ctx, insertBulkFileSQL, f.Job, f.Index, f.Kind, f.Type, f.URL, f.Count,
				f.Lines, f.Offset, f.Written, f.Resources, f.Skipped, f.Done, f.Error); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: add bulk files: %w", err)
	}
	return nil
}

// CheckpointBulkFile records how far file f.Index of job f.Job has been
// read. It returns once the checkpoint is durable.
func (s *SQLite) CheckpointBulkFile(ctx context.Context, f BulkFile) error {
	if s.w == nil {
		return ErrReadOnly
	}
	err := s.w.do(ctx, func(tx *writeTx) error {
		res, err := tx.tx.ExecContext(tx.ctx, checkpointBulkFileSQL, f.Lines, f.Offset, f.Written,
			f.Resources, f.Skipped, f.Done, f.Error, f.Job, f.Index)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: checkpoint file %d of bulk job %d: %w", f.Index, f.Job, err)
	}
	return nil
}

// BulkFiles returns the files of job, in manifest order.
func (s *SQLite) BulkFiles(ctx context.Context, job int64) ([]BulkFile, error) {
	if err := s.readable(); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, bulkFilesSQL, job)
	if err != nil {
		return nil, fmt.Errorf("store: files of bulk job %d: %w", job, err)
	}
	defer rows.Close()
	var files []BulkFile
	for rows.Next() {
		var f BulkFile
		if err := rows.Scan(&f.Job, &f.Index, &f.Kind, &f.Type, &f.URL, &f.Count, &f.Lines, &f.Offset,
			&f.Written, &f.Resources, &f.Skipped, &f.Done, &f.Error); err != nil {
			return nil, fmt.Errorf("store: files of bulk job %d: %w", job, err)
		}
		files = append(files, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: files of bulk job %d: %w", job, err)
	}
	return files, nil
}
