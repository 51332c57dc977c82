package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/mllp"
)

func ehrCmd() *cobra.Command {
	var (
		listen, ack string
		everyAE     int
		delay       time.Duration
		show        bool
	)
	cmd := &cobra.Command{
		Use:   "ehr",
		Short: "Run a test EHR MLLP listener that ACKs what write-back channels send",
		Long: `A stand-in for the EHR's inbound interface, for trying write-back: it listens for MLLP,
prints one line per message (MSH-9, MSH-10 and the ACK code; the whole message with --show)
and answers with the ACK code given. Development only: it prints message content with --show.`,
		Example: "  switchboard ehr --listen 127.0.0.1:6662 --ack AA\n  switchboard ehr --ack AA --every-ae 3 --delay 200ms --show",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			code := strings.ToUpper(ack)
			switch code {
			case hl7.AA, hl7.AE, hl7.AR, "CA", "CE", "CR":
			default:
				return &exitError{2, fmt.Sprintf("--ack %q: AA, AE, AR, CA, CE or CR", ack)}
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return &exitError{1, "switchboard ehr: " + err.Error()}
			}
			out := cmd.OutOrStdout()
			var n atomic.Int64
			srv := &mllp.Server{Handler: mllp.HandlerFunc(func(ctx context.Context, r *mllp.Request) []byte {
				i := n.Add(1)
				c := code
				if everyAE > 0 && i%int64(everyAE) == 0 {
					c = hl7.AE
				}
				if delay > 0 {
					time.Sleep(delay)
				}
				msg, err := hl7.Parse(r.Message)
				if err != nil {
					fmt.Fprintf(out, "%d\t?\t?\tAR\t%v\n", i, err)
					return hl7.BuildAck(hl7.Salvage(r.Message), hl7.AckOptions{Code: hl7.AR, Text: err.Error()})
				}
				typ, trigger, _ := msg.Type()
				fmt.Fprintf(out, "%d\t%s^%s\t%s\t%s\n", i, typ, trigger, msg.ControlID(), c)
				if show {
					fmt.Fprintln(out, strings.ReplaceAll(strings.TrimRight(string(r.Message), "\r"), "\r", "\n"))
				}
				return hl7.BuildAck(msg, hl7.AckOptions{Code: c})
			})}
			fmt.Fprintf(out, "test EHR listening on %s (ACK %s)\n", ln.Addr(), code)
			go srv.Serve(ln)
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", envOr("SWITCHBOARD_EHR_MLLP", "127.0.0.1:6662"), "address to listen on")
	cmd.Flags().StringVar(&ack, "ack", hl7.AA, "ACK code to answer: AA, AE, AR, CA, CE or CR")
	cmd.Flags().IntVar(&everyAE, "every-ae", 0, "answer AE to every Nth message (0: never)")
	cmd.Flags().DurationVar(&delay, "delay", 0, "wait this long before answering")
	cmd.Flags().BoolVar(&show, "show", false, "print each whole message (content: development only)")
	return cmd
}
