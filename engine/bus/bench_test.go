package bus

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// BenchmarkPublishAsync measures acknowledged messages per second into an
// embedded, file-backed stream for each fsync policy, with 2 KB payloads
// (a typical ADT bundle) and the default window:
//
//	go test -run '^$' -bench PublishAsync -benchtime 20000x ./engine/bus/
func BenchmarkPublishAsync(b *testing.B) {
	for _, bc := range []struct {
		name string
		sync time.Duration
	}{
		{"sync=always", 0},
		{"sync=100ms", 100 * time.Millisecond},
		{"sync=1s", time.Second},
		{"sync=2m-nats-default", 2 * time.Minute},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bus := startTestBus(b, Options{
				SyncInterval: bc.sync,
				Streams:      []StreamConfig{{Name: "BENCH", Subjects: []string{"bench.>"}}},
			})
			benchmarkPublishAsync(b, bus)
		})
	}
}

func benchmarkPublishAsync(b *testing.B, bus *Bus) {
	ctx := context.Background()
	payload := make([]byte, 2048)
	// The engine collects acks on another goroutine, in publish order.
	pending := make(chan *Pending, DefaultMaxPending)
	collected := make(chan int)
	go func() {
		failed := 0
		for p := range pending {
			if _, err := p.Wait(ctx); err != nil {
				failed++
			}
		}
		collected <- failed
	}()

	b.SetBytes(int64(len(payload)))
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		p, err := bus.PublishAsync(ctx, "bench.fhir", payload, Header{MsgID: strconv.Itoa(i)})
		if err != nil {
			b.Error(err)
			break
		}
		pending <- p
	}
	close(pending)
	failed := <-collected
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msg/s")
	if failed > 0 {
		b.Errorf("%d of %d publishes failed", failed, b.N)
	}
}
