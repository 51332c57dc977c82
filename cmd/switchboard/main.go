// Command switchboard runs the Switchboard integration engine and the
// operator tools around it: lint, tail, messages, send, map, bench, keys
// and sandbox.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	_ "time/tzdata" // channel time zones must resolve on minimal hosts too
)

// exitError carries a process exit code through cobra.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func main() {
	root := &cobra.Command{
		Use:           "switchboard",
		Short:         "HL7 v2 / FHIR R4 integration engine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String("config", envOr("SWITCHBOARD_CONFIG", "config.yaml"), "engine configuration file")
	root.AddCommand(runCmd(), lintCmd(), tailCmd(), messagesCmd(), sendCmd(), mapCmd(), benchCmd(), keysCmd(), sandboxCmd(), testCmd(), ehrCmd(), channelCmd(), bulkCmd())
	if err := root.Execute(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, ee.msg)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "switchboard:", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func configPath(cmd *cobra.Command) string {
	p, _ := cmd.Flags().GetString("config")
	return p
}
