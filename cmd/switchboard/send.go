package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/mllp"
)

func sendCmd() *cobra.Command {
	var to, caFile, certFile, keyFile string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "send --to HOST:PORT FILE...",
		Short: "Send HL7 files over MLLP; one line per message with its ACK code",
		Long: "Send every message of every file (batch files and files holding several messages are split)\n" +
			"and print one line per message: file, control id, ACK code and text. Exits 1 unless every ACK is AA (or CA).",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			c := &mllp.Client{Addr: to, AckTimeout: timeout, DialTimeout: timeout}
			if caFile != "" || certFile != "" {
				cfg, err := clientTLS(caFile, certFile, keyFile)
				if err != nil {
					return &exitError{2, err.Error()}
				}
				c.TLSConfig = cfg
			}
			defer c.Close()
			out := cmd.OutOrStdout()
			failed := 0
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				for _, msg := range hl7.SplitBatch(data) {
					line, ok := sendOne(cmd.Context(), c, msg)
					fmt.Fprintf(out, "%s\t%s\n", filepath.Base(f), line)
					if !ok {
						failed++
					}
				}
			}
			if failed > 0 {
				return &exitError{1, fmt.Sprintf("%d message(s) not accepted with AA", failed)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "127.0.0.1:2575", "MLLP listener address")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "connect and ACK timeout")
	cmd.Flags().StringVar(&caFile, "tls-ca", "", "connect with TLS, trusting this PEM CA bundle")
	cmd.Flags().StringVar(&certFile, "tls-cert", "", "client certificate (PEM) for mutual TLS")
	cmd.Flags().StringVar(&keyFile, "tls-key", "", "client key (PEM) for mutual TLS")
	return cmd
}

// sendOne sends msg and describes the result: control id, ACK code, text.
func sendOne(ctx context.Context, c *mllp.Client, msg []byte) (string, bool) {
	// A message we cannot parse is still sent: the receiver's NAK is the
	// useful answer.
	id := "-"
	m, _ := hl7.Parse(msg)
	if m == nil {
		m = hl7.Salvage(msg)
	}
	if m != nil && m.ControlID() != "" {
		id = m.ControlID()
	}
	ack, err := c.Send(ctx, msg)
	if err != nil {
		return fmt.Sprintf("%s\tERROR\t%v", id, err), false
	}
	a, err := hl7.Parse(ack)
	if err != nil {
		return fmt.Sprintf("%s\tBADACK\t%v", id, err), false
	}
	code, text := a.Get("MSA-1"), a.Get("MSA-3")
	if e := a.Get("ERR-8"); e != "" && text == "" {
		text = e
	}
	return fmt.Sprintf("%s\t%s\t%s", id, code, text), code == hl7.AA || code == hl7.CA
}

// clientTLS builds the TLS settings of send from PEM files.
func clientTLS(caFile, certFile, keyFile string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
		}
	}
	if certFile != "" {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}
