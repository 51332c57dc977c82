package mllp_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/switchboard-hl7/switchboard/mllp"
	"github.com/switchboard-hl7/switchboard/mllp/mllptest"
)

func BenchmarkReader(b *testing.B) {
	for _, bc := range []struct {
		name string
		size int
	}{{"256B", 256}, {"2KiB", 2 << 10}, {"64KiB", 64 << 10}} {
		size := bc.size
		b.Run(bc.name, func(b *testing.B) {
			f := frame(bytes.Repeat([]byte("x"), size))
			r := mllp.NewReader(&loopReader{data: bytes.Repeat(f, max(1, (256<<10)/len(f)))}, 0)
			b.SetBytes(int64(len(f)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.ReadFrame(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkServerRoundTrip measures one message through Client and Server
// over loopback, on one connection, with a handler that only returns an ACK.
func BenchmarkServerRoundTrip(b *testing.B) {
	m := msg("BENCH1")
	ack := mllptest.BuildAck(m, "AA", "")
	s := &mllp.Server{
		Handler: mllp.HandlerFunc(func(context.Context, *mllp.Request) []byte { return ack }),
		Logger:  slog.New(slog.DiscardHandler),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.Serve(ln); close(done) }()
	defer func() { s.Close(); <-done }()
	benchmarkSend(b, ln.Addr().String(), m)
}

// BenchmarkClientSend measures Client.Send against the fastest responder,
// mllptest.AckServer.
func BenchmarkClientSend(b *testing.B) {
	benchmarkSend(b, mllptest.NewAckServer(b).Addr(), msg("BENCH2"))
}

// BenchmarkWireBaseline is the round trip without Client or Server: raw
// writes and framing only, against mllptest.AckServer.
func BenchmarkWireBaseline(b *testing.B) {
	srv := mllptest.NewAckServer(b)
	nc, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	r := mllp.NewReader(nc, 0)
	f := frame(msg("BENCH3"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := nc.Write(f); err != nil {
			b.Fatal(err)
		}
		if _, err := r.ReadFrame(); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkSend(b *testing.B, addr string, m []byte) {
	c := &mllp.Client{Addr: addr, AckTimeout: 10 * time.Second, Logger: slog.New(slog.DiscardHandler)}
	defer c.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Send(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
}
