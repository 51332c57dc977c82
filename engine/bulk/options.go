package bulk

import (
	"context"
	"log/slog"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhirclient"
)

// Exporter is the part of a tenant's fhirclient.Client a job uses.
type Exporter interface {
	StartExport(ctx context.Context, r fhirclient.ExportRequest) (string, error)
	WaitExport(ctx context.Context, statusURL string, progress func(fhirclient.ExportStatus)) (*fhirclient.Manifest, error)
	CancelExport(ctx context.Context, statusURL string) error
	OpenExportFile(ctx context.Context, f fhirclient.ExportFile, o fhirclient.FileOptions) (*fhirclient.NDJSONReader, error)
}

// Invalid says what a job does with a line that is not a FHIR resource.
type Invalid string

// The policies for malformed lines.
const (
	SkipInvalid Invalid = "skip" // record it (file and line) in the log, count it, go on
	FailInvalid Invalid = "fail" // end the file with an error at that line
)

// Options configure Run. Store, Client and Sink are required.
type Options struct {
	Store  store.Store
	Client Exporter
	Sink   Sink

	// Parallel is how many files download at once; default 4.
	Parallel int
	// CheckpointLines and CheckpointEvery bound the work redone after a
	// crash: a file's progress is checkpointed after this many lines or
	// this long, whichever comes first. Defaults 10,000 and 1s.
	CheckpointLines int
	CheckpointEvery time.Duration
	// MaxLine is the longest line accepted; default 16 MiB (a Binary or
	// a DocumentReference with its attachment inline can be large).
	MaxLine int
	// Invalid is the policy for malformed lines; default SkipInvalid.
	Invalid Invalid
	// FileAttempts bounds how often a file whose download broke off is
	// resumed from its checkpoint; default 5.
	FileAttempts int
	// RetryWait is the first wait before resuming a broken download; it
	// doubles with each attempt. Default 1s.
	RetryWait time.Duration

	// Progress, if set, is called as the job advances, from several
	// goroutines at once.
	Progress func(Progress)
	// Logger receives job-level lines (no resource content); default
	// slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
	if o.CheckpointLines <= 0 {
		o.CheckpointLines = 10_000
	}
	if o.CheckpointEvery <= 0 {
		o.CheckpointEvery = time.Second
	}
	if o.MaxLine <= 0 {
		o.MaxLine = 16 << 20
	}
	if o.Invalid == "" {
		o.Invalid = SkipInvalid
	}
	if o.FileAttempts <= 0 {
		o.FileAttempts = 5
	}
	if o.RetryWait <= 0 {
		o.RetryWait = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Phase is where a job stands.
type Phase string

// The phases of a job, in order.
const (
	Exporting   Phase = "exporting"   // the server is preparing the files
	Downloading Phase = "downloading" // the files are being read
	Finished    Phase = "finished"
)

// Progress reports a job's advance. In Downloading, File is the file that
// advanced, with WireBytes read from the network so far.
type Progress struct {
	Job       int64
	Phase     Phase
	Server    string // the server's X-Progress while exporting
	Files     int    // files in the manifest
	File      store.BulkFile
	WireBytes int64
}

func (o *Options) report(p Progress) {
	if o.Progress != nil {
		o.Progress(p)
	}
}
