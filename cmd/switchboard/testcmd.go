package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/switchboard-hl7/switchboard/engine"
)

func testCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "test [CHANNEL...]",
		Short: "Run the tests in channel files (offline: no listener, NATS or EHR)",
		Long: `Maps each test's input message with its channel's mapping and checks the assertions
under tests: in the channel file. A CHANNEL is a channel name of config.yaml (--config)
or a channel file (a path: it has a directory or an extension). Without arguments, every
channel of config.yaml. Exits 1 when a test fails, so channel files can be kept under
version control with CI. Enrichment steps are not run: the tests check the mapping.`,
		Example: "  switchboard test\n  switchboard test adt-inbound oru-inbound\n  switchboard test channels/adt-inbound.yaml",
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

// testChannels loads the channels args name, or every channel of the
// configuration when there are none. An argument without a directory or
// an extension is a channel name, looked up among the configuration's
// channels; any other is a channel file (./name for a file without an
// extension). A path cannot be mistaken for a name: a typo in one reads
// "no such file", not "no channel".
func testChannels(cmd *cobra.Command, args []string) ([]*engine.Channel, error) {
	var cfg *engine.Config
	if len(args) == 0 || slices.ContainsFunc(args, isChannelName) {
		var err error
		if cfg, err = engine.Load(configPath(cmd)); err != nil {
			return nil, err
		}
	}
	if len(args) == 0 {
		return cfg.ChannelList, nil
	}
	var out []*engine.Channel
	for _, a := range args {
		ch, err := loadTestChannel(cfg, a)
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, nil
}

func isChannelName(arg string) bool {
	return filepath.Base(arg) == arg && filepath.Ext(arg) == ""
}

// loadTestChannel returns channel arg of cfg, or reads file arg.
func loadTestChannel(cfg *engine.Config, arg string) (*engine.Channel, error) {
	if !isChannelName(arg) {
		return engine.LoadChannel(arg)
	}
	names := make([]string, len(cfg.ChannelList))
	for i, ch := range cfg.ChannelList {
		if ch.Name == arg {
			return ch, nil
		}
		names[i] = ch.Name
	}
	return nil, fmt.Errorf("no channel %q in %s; its channels are %s", arg, cfg.File, strings.Join(names, ", "))
}
