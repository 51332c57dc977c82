package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard-hl7/switchboard/engine"
	"github.com/switchboard-hl7/switchboard/hl7"
	"github.com/switchboard-hl7/switchboard/mappings"
)

func mapCmd() *cobra.Command {
	var channelFile string
	var compact bool
	cmd := &cobra.Command{
		Use:   "map FILE",
		Short: "Map an HL7 v2 file to FHIR R4 Bundle JSON on stdout (offline)",
		Long: "Map every message of FILE to a FHIR R4 Bundle, one JSON document per message.\n" +
			"With --channel the channel's mapping options (time zone, identifier systems, bundle type, tenant) apply.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := mappings.Options{Location: time.UTC, BundleType: "transaction", Namespace: "sandbox"}
			if channelFile != "" {
				ch, err := engine.LoadChannel(channelFile)
				if err != nil {
					return &exitError{2, err.Error()}
				}
				opts = ch.MappingOptions()
			}
			mapper, err := mappings.New(opts)
			if err != nil {
				return err
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for i, raw := range hl7.SplitBatch(data) {
				msg, err := hl7.Parse(raw)
				if err != nil {
					return &exitError{1, fmt.Sprintf("%s message %d: %v", args[0], i+1, err)}
				}
				b, err := mapper.MapJSON(msg)
				if err != nil {
					return &exitError{1, fmt.Sprintf("%s message %d: %v", args[0], i+1, err)}
				}
				if !compact {
					var buf bytes.Buffer
					if err := json.Indent(&buf, b, "", "  "); err == nil {
						b = buf.Bytes()
					}
				}
				out.Write(append(b, '\n'))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&channelFile, "channel", "", "channel file whose mapping options to use")
	cmd.Flags().BoolVar(&compact, "compact", false, "one line per Bundle")
	return cmd
}
