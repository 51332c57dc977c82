package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/switchboard-hl7/switchboard/engine"
)

func testCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "test [CHANNEL_FILE...]",
		Short: "Run the tests in channel files (offline: no listener, NATS or EHR)",
		Long: `Maps each test's input message with its channel's mapping and checks the assertions
under tests: in the channel file. Without arguments, every channel of config.yaml. Exits 1
when a test fails, so channel files can be kept under version control with CI.
Enrichment steps are not run: the tests check the mapping.`,
		Example: "  switchboard test\n  switchboard test channels/adt-inbound.yaml",
		RunE: func(cmd *cobra.Command, args []string) error {
			channels, err := testChannels(cmd, args)
			if err != nil {
				return &exitError{2, err.Error()}
			}
			out := cmd.OutOrStdout()
			passed, failed := 0, 0
			for _, ch := range channels {
				results, err := ch.RunTests()
				if err != nil {
					return &exitError{2, err.Error()}
				}
				for _, r := range results {
					if len(r.Failures) == 0 {
						passed++
						fmt.Fprintf(out, "ok    %s: %s\n", r.Channel, r.Name)
						continue
					}
					failed++
					fmt.Fprintf(out, "FAIL  %s: %s\n", r.Channel, r.Name)
					for _, f := range r.Failures {
						fmt.Fprintf(out, "        %s\n", f)
					}
				}
			}
			fmt.Fprintf(out, "%d passed, %d failed\n", passed, failed)
			if failed > 0 {
				return &exitError{1, ""}
			}
			return nil
		},
	}
}

// testChannels loads the channel files named, or every channel of the
// configuration.
func testChannels(cmd *cobra.Command, files []string) ([]*engine.Channel, error) {
	if len(files) == 0 {
		cfg, err := engine.Load(configPath(cmd))
		if err != nil {
			return nil, err
		}
		return cfg.ChannelList, nil
	}
	var out []*engine.Channel
	for _, f := range files {
		ch, err := engine.LoadChannel(f)
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, nil
}
