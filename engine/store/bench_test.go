package store

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// reportRate reports messages per second since start and the writes per
// commit since before.
func reportRate(b *testing.B, start time.Time, s *SQLite, before WriterStats) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	if st := s.Stats(); st.Commits > before.Commits {
		b.ReportMetric(float64(st.Ops-before.Ops)/float64(st.Commits-before.Commits), "ops/commit")
	}
}

// BenchmarkAppend appends one message at a time: every Append waits for its
// own commit (synchronous=FULL, one fsync each).
func BenchmarkAppend(b *testing.B) {
	s, _ := openTest(b, Options{})
	ctx := context.Background()
	b.ReportAllocs()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		m := testMessage("adt", strconv.Itoa(i))
		if err := s.Append(ctx, m, Event{Stage: "receive", Status: StatusReceived}); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, start, s, WriterStats{})
}

// BenchmarkAppendParallel appends from several goroutines, as MLLP
// connections each waiting for their ACK do; commits group. NORMAL shows
// what durability against power loss (FULL) costs.
func BenchmarkAppendParallel(b *testing.B) {
	for _, bc := range []struct {
		sync  string
		conns int
	}{{"FULL", 4}, {"FULL", 16}, {"FULL", 64}, {"NORMAL", 4}} {
		b.Run(fmt.Sprintf("sync=%s/conns=%d", bc.sync, bc.conns), func(b *testing.B) {
			s, _ := openTest(b, Options{Synchronous: bc.sync})
			ctx := context.Background()
			procs := runtime.GOMAXPROCS(0)
			b.SetParallelism((bc.conns + procs - 1) / procs)
			b.ReportAllocs()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for i := 0; pb.Next(); i++ {
					m := testMessage("adt", strconv.Itoa(i))
					if err := s.Append(ctx, m, Event{Stage: "receive", Status: StatusReceived}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportRate(b, start, s, WriterStats{})
		})
	}
}

// BenchmarkUpdate records outcomes (status, a 2 KB output, two events):
// sync waits for each commit, async pipelines as a worker would.
func BenchmarkUpdate(b *testing.B) {
	output := make([]byte, 2048)
	update := func(id int64) Update {
		return Update{ID: id, Status: StatusSent, Output: output, Events: []Event{
			{Stage: "map", Status: StatusQueued}, {Stage: "publish", Status: StatusSent}}}
	}
	setup := func(b *testing.B) (*SQLite, []int64, WriterStats) {
		s, _ := openTest(b, Options{})
		ids := bulkAppend(b, s, b.N, func(i int) (*Message, []Event) {
			return testMessage("adt", strconv.Itoa(i)), nil
		})
		b.ReportAllocs()
		b.ResetTimer()
		return s, ids, s.Stats()
	}
	b.Run("sync", func(b *testing.B) {
		s, ids, before := setup(b)
		start := time.Now()
		for _, id := range ids {
			if err := s.Update(context.Background(), update(id)); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b, start, s, before)
	})
	b.Run("async", func(b *testing.B) {
		s, ids, before := setup(b)
		var wg sync.WaitGroup
		wg.Add(len(ids))
		start := time.Now()
		for _, id := range ids {
			s.UpdateAsync(update(id), func(err error) {
				if err != nil {
					b.Error(err)
				}
				wg.Done()
			})
		}
		wg.Wait()
		reportRate(b, start, s, before)
	})
}

// BenchmarkDiskSync measures the floor under every commit at
// synchronous=FULL: a 16 KiB write and an fsync of a file on the disk that
// holds the test's temp dir (set TMPDIR to the data disk to measure that).
// With N callers each waiting for its commit, throughput cannot exceed
// N / mean fsync time.
func BenchmarkDiskSync(b *testing.B) {
	f, err := os.CreateTemp(b.TempDir(), "sync")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 16<<10)
	var times []time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, err := f.WriteAt(page, int64(i%64)*int64(len(page))); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	q := func(p float64) float64 { return float64(times[int(p*float64(len(times)-1))].Microseconds()) }
	b.ReportMetric(q(0.5), "p50-µs")
	b.ReportMetric(q(0.99), "p99-µs")
}
