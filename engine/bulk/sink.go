package bulk

import (
	"context"

	"github.com/switchboard-hl7/switchboard/engine/store"
)

// Sink takes the resources of a job: NATS subjects (NATSSink) or NDJSON
// files in a directory (DirSink).
type Sink interface {
	// OpenFile prepares to take the resources of export file f of job.
	// A file sink resumes after the f.Written bytes checkpointed earlier.
	OpenFile(ctx context.Context, job int64, f store.BulkFile) (FileSink, error)
}

// FileSink takes the resources of one export file.
type FileSink interface {
	// Put delivers r and may return before r is durable. r.Line is only
	// valid during the call.
	Put(ctx context.Context, r Resource) error
	// Flush returns once everything Put so far is durable, with the
	// position to checkpoint (bytes written, for a file sink).
	Flush(ctx context.Context) (written int64, err error)
	// Close releases the sink without flushing.
	Close() error
}
