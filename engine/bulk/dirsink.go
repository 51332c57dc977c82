package bulk

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhirclient"
)

// DirSink writes each export file as an NDJSON file in Dir, named
// <ResourceType>.<index>.ndjson after its place in the manifest. A
// resumed file is cut back to its last checkpoint and continued, so it
// never holds a line twice.
type DirSink struct {
	Dir string
}

// OpenFile implements Sink.
func (s *DirSink) OpenFile(_ context.Context, _ int64, f store.BulkFile) (FileSink, error) {
	// The type comes from the server's manifest and names the file.
	if !fhirclient.ValidType(f.Type) {
		return nil, fmt.Errorf("file %d: type %q is not a resource type: no file named after it", f.Index, f.Type)
	}
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return nil, err
	}
	path := filepath.Join(s.Dir, fmt.Sprintf("%s.%03d.ndjson", f.Type, f.Index))
	file, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, err
	}
	// Lines written after the checkpoint are written again: drop them.
	if err := file.Truncate(f.Written); err != nil {
		file.Close()
		return nil, err
	}
	if _, err := file.Seek(f.Written, io.SeekStart); err != nil {
		file.Close()
		return nil, err
	}
	return &dirFile{file: file, w: bufio.NewWriterSize(file, 256<<10), n: f.Written}, nil
}

type dirFile struct {
	file *os.File
	w    *bufio.Writer
	n    int64
}

func (f *dirFile) Put(_ context.Context, r Resource) error {
	if _, err := f.w.Write(r.Line); err != nil {
		return err
	}
	if err := f.w.WriteByte('\n'); err != nil {
		return err
	}
	f.n += int64(len(r.Line)) + 1
	return nil
}

// Flush writes the buffer and syncs the file: the checkpoint that follows
// must not name bytes a power loss could take back.
func (f *dirFile) Flush(context.Context) (int64, error) {
	if err := f.w.Flush(); err != nil {
		return 0, err
	}
	if err := f.file.Sync(); err != nil {
		return 0, err
	}
	return f.n, nil
}

func (f *dirFile) Close() error { return f.file.Close() }
