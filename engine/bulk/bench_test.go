package bulk

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhirclient/sandbox"
)

// discard is a sink that takes everything and keeps nothing: the cost of
// downloading and reading alone.
type discard struct{}

func (discard) OpenFile(context.Context, int64, store.BulkFile) (FileSink, error) {
	return discard{}, nil
}
func (discard) Put(context.Context, Resource) error  { return nil }
func (discard) Flush(context.Context) (int64, error) { return 0, nil }
func (discard) Close() error                         { return nil }

// BenchmarkIngest is one export of b.N synthetic Observations (~1 KB
// each) from the sandbox over loopback HTTP: download, NDJSON streaming,
// parsing each resource and handing it to the sink, with checkpoints.
// MB/s counts the bytes of the files. The sandbox generating the files
// runs in the same process and takes its share of the CPU.
//
//	go test -run '^$' -bench Ingest -benchtime 200000x ./engine/bulk
func BenchmarkIngest(b *testing.B) {
	for _, bc := range []struct {
		name string
		sink func(r *rig) Sink
	}{
		{"discard", func(*rig) Sink { return discard{} }},
		{"nats", func(r *rig) Sink { return r.natsSink() }},
		{"dir", func(r *rig) Sink { return &DirSink{Dir: b.TempDir()} }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := newRig(b, sandbox.Options{Population: 1, Export: sandbox.ExportOptions{Delay: -1, BulkSize: b.N, FileLines: 25_000}})
			req := groupAll()
			req.Export.Types = []string{"Observation"}
			ctx := context.Background()
			j, err := Create(ctx, r.store, "bench", req)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			sum, err := Run(ctx, j, r.options(bc.sink(r)))
			elapsed := time.Since(start)
			b.StopTimer()
			if err != nil || sum.Status != store.StatusProcessed || sum.Resources["Observation"] < int64(b.N) {
				b.Fatalf("%v %s %s %v", err, sum.Status, sum.Error, sum.Resources)
			}
			bytes := r.sb.Stats().ExportBytes
			b.ReportMetric(float64(bytes)/1e6/elapsed.Seconds(), "MB/s")
			b.ReportMetric(float64(sum.Resources["Observation"])/elapsed.Seconds(), "resources/s")
		})
	}
}
