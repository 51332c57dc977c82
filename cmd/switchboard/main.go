// Command switchboard runs the Switchboard integration engine and the
// operator tools around it: lint, tail, messages, send, map, bench, keys
// and sandbox.
package main

import (
	"errors"
	"fmt"
	"io"
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
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}

// execute runs one command line and returns the process's exit code. It
// writes what the commands print to stdout and errors to stderr, so
// tests can run commands in-process.
func execute(args []string, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:           "switchboard",
		Short:         "HL7 v2 / FHIR R4 integration engine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String("config", envOr("SWITCHBOARD_CONFIG", "config.yaml"), "engine configuration file")
	root.AddCommand(runCmd(), lintCmd(), tailCmd(), messagesCmd(), sendCmd(), mapCmd(), benchCmd(), keysCmd(), sandboxCmd(), testCmd(), ehrCmd(), channelCmd(), bulkCmd())
	// cobra reads os.Args when given nil: an empty command line is not nil.
	root.SetArgs(append([]string{}, args...))
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "switchboard:", err)
	return 1
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
