package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/switchboard-hl7/switchboard/engine"
)

func channelCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "channel",
		Short: "Control a running engine's channels",
	}
	for _, action := range []string{"pause", "resume"} {
		var addr string
		sub := &cobra.Command{
			Use:   action + " NAME",
			Short: map[string]string{"pause": "Stop a write-back channel's deliveries; requests are stored and wait, in order", "resume": "Restart a paused write-back channel's deliveries"}[action],
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				if addr == "" {
					cfg, err := engine.Load(configPath(cmd))
					if err != nil {
						return &exitError{2, err.Error()}
					}
					addr = cfg.HTTP.Listen
				}
				c := &http.Client{Timeout: 10 * time.Second}
				resp, err := c.Post("http://"+addr+"/channels/"+args[0]+"/"+action, "text/plain", nil)
				if err != nil {
					return &exitError{1, fmt.Sprintf("switchboard: is the engine running? %v", err)}
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
				if resp.StatusCode != http.StatusOK {
					return &exitError{1, "switchboard: " + strings.TrimSpace(string(body))}
				}
				fmt.Fprint(cmd.OutOrStdout(), string(body))
				return nil
			},
		}
		sub.Flags().StringVar(&addr, "http", "", "the engine's HTTP address (default http.listen of config.yaml)")
		cmd.AddCommand(sub)
	}
	return cmd
}
