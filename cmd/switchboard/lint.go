package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/switchboard-hl7/switchboard/engine"
)

func lintCmd() *cobra.Command {
	var reference bool
	cmd := &cobra.Command{
		Use:   "lint",
		Short: "Check config.yaml and every channel file; print file:line for each problem",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if reference {
				engine.WriteReference(cmd.OutOrStdout())
				return nil
			}
			cfg, err := engine.Load(configPath(cmd))
			if err != nil {
				return &exitError{1, err.Error()}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %s and %d channel file(s)\n", cfg.File, len(cfg.ChannelList))
			return nil
		},
	}
	cmd.Flags().BoolVar(&reference, "reference", false, "print every configuration key with its type and meaning")
	return cmd
}
