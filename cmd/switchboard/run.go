package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard-hl7/switchboard/engine"
)

func runCmd() *cobra.Command {
	var drain time.Duration
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the engine (embedded NATS and SQLite by default)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := engine.Load(configPath(cmd))
			if err != nil {
				return &exitError{2, err.Error()}
			}
			log := newLogger(cfg.Log)
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			e := engine.New(cfg, log)
			if err := e.Start(ctx); err != nil {
				return &exitError{1, "switchboard: " + err.Error()}
			}
			for _, ch := range cfg.ChannelList {
				if a := e.ChannelAddr(ch.Name); a != nil {
					fmt.Fprintf(os.Stderr, "channel %-14s mllp://%s\n", ch.Name, a)
				}
				if b := ch.Source.Bulk; b != nil && !ch.Disabled {
					fmt.Fprintf(os.Stderr, "channel %-14s bulk %s export every %s → fhir.%s.bulk.<type>\n", ch.Name, b.Level, b.Interval.Std(), ch.Tenant)
				}
				if n := ch.Source.NATS; n != nil && !ch.Disabled {
					fmt.Fprintf(os.Stderr, "channel %-14s %s → mllp://%s\n", ch.Name, n.Subject, ch.Destinations[0].MLLP.To)
				}
			}
			fmt.Fprintf(os.Stderr, "nats           %s   (try: nats sub 'fhir.>')\n", e.NATSURL())
			if u := e.SandboxURL(); u != "" {
				fmt.Fprintf(os.Stderr, "sandbox        %s\n", u)
			}
			if a := e.HTTPAddr(); a != "" {
				fmt.Fprintf(os.Stderr, "http           http://%s/metrics\n", a)
			}
			<-ctx.Done()
			log.Info("shutting down", "drain_timeout", drain)
			sctx, cancel := context.WithTimeout(context.Background(), drain)
			defer cancel()
			if err := e.Shutdown(sctx); err != nil {
				return &exitError{1, "switchboard: shutdown: " + err.Error()}
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&drain, "drain-timeout", 30*time.Second, "how long shutdown waits for in-flight messages")
	return cmd
}

func newLogger(c engine.LogConfig) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
