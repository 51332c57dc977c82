package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard-hl7/switchboard/internal/bench"
)

func benchCmd() *cobra.Command {
	var o bench.Options
	var file, cpuProfile string
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure a complete engine: MLLP in → store → map → NATS, on temporary storage",
		Long: "Starts an engine on temporary storage with the embedded NATS server, drives it over loopback\n" +
			"MLLP with N connections (each waits for its ACK) for a bounded time, checks that every ACKed\n" +
			"message arrived on NATS exactly once, and prints msg/s, ACK and end-to-end latency and peak RSS.",
		Example: `  switchboard bench --connections 4 --duration 60s --baseline
  switchboard bench --rate 1000 --duration 30s
  switchboard bench --message testdata/synthetic/oru_r01_20obx.hl7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file != "" {
				b, err := os.ReadFile(file)
				if err != nil {
					return err
				}
				o.Message = b
			}
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			res, err := bench.Run(cmd.Context(), o)
			if res != nil {
				printBench(cmd, o, res)
			}
			if err != nil {
				return &exitError{1, "bench: " + err.Error()}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVarP(&o.Connections, "connections", "c", 4, "MLLP connections")
	f.DurationVarP(&o.Duration, "duration", "d", 10*time.Second, "sending time")
	f.IntVar(&o.MaxMessages, "max", 10_000_000, "stop after this many messages")
	f.IntVar(&o.Rate, "rate", 0, "offered messages per second in total (0 = as fast as ACKs return)")
	f.StringVar(&file, "message", "", "HL7 file to send (MSH-10 is replaced); default a built-in ADT^A01")
	f.StringVar(&o.Synchronous, "sync", "full", "store synchronous setting: full, normal or off")
	f.IntVar(&o.Workers, "workers", 1, "channel workers")
	f.BoolVar(&o.Baseline, "baseline", false, "also measure a bare MLLP ACK echo (the wire limit)")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the run (go tool pprof)")
	f.StringVar(&o.HeapProfile, "memprofile", "", "write a heap profile taken when sending ends")
	return cmd
}

func printBench(cmd *cobra.Command, o bench.Options, r *bench.Result) {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "connections      %d (sync=%s, workers=%d)\n", o.Connections, o.Synchronous, o.Workers)
	fmt.Fprintf(w, "messages         %d sent, %d ACKed AA, %d delivered on NATS\n", r.Sent, r.Acked, r.Delivered)
	fmt.Fprintf(w, "throughput       %.0f msg/s end to end (%.1fs)\n", r.Throughput, r.Elapsed.Seconds())
	fmt.Fprintf(w, "ACK latency      p50 %s  p99 %s\n", ms(r.AckP50), ms(r.AckP99))
	fmt.Fprintf(w, "end to end       p50 %s  p99 %s  (MLLP send → NATS delivery)\n", ms(r.E2EP50), ms(r.E2EP99))
	if r.Commits > 0 {
		fmt.Fprintf(w, "message log      %d commits, %.1f writes per commit\n", r.Commits, float64(r.Writes)/float64(r.Commits))
	}
	fmt.Fprintf(w, "peak RSS         %.0f MB (engine and load generator)\n", float64(r.PeakRSS)/(1<<20))
	if b := r.Baseline; b != nil {
		fmt.Fprintf(w, "baseline         %.0f msg/s bare MLLP ACK echo, ACK p50 %s p99 %s; engine = %.0f%% of wire limit\n",
			b.Throughput, ms(b.AckP50), ms(b.AckP99), 100*r.Throughput/b.Throughput)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }
