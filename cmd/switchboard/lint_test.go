package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A typo in config.yaml and one in a channel file are both reported, each
// with its file and line, in one run that exits 1.
func TestLint_ReportsConfigAndChannelErrorsTogether(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "channels"), 0o755); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "config.yaml")
	write := func(path, body string) {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(config, "data_dir: data\nstor: {synchronous: full}\n")
	write(filepath.Join(dir, "channels", "adt.yaml"), "name: adt\nsource: {mllp: {listen: \"127.0.0.1:0\"}}\nacept: [\"ADT^*\"]\n")
	out, errOut, code := runCLI(t, "lint", "--config", config)
	for _, want := range []string{config + `:2: unknown key "stor" here: did you mean "store"?`, filepath.Join(dir, "channels", "adt.yaml") + `:3: unknown key "acept" here: did you mean "accept"?`} {
		if !strings.Contains(errOut, want+"\n") {
			t.Errorf("lint lacks %q", want)
		}
	}
	if code != 1 || out != "" {
		t.Errorf("lint: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	write(config, "data_dir: data\n")
	write(filepath.Join(dir, "channels", "adt.yaml"), "name: adt\nsource: {mllp: {listen: \"127.0.0.1:0\"}}\n")
	if out, errOut, code = runCLI(t, "lint", "--config", config); code != 0 || !strings.Contains(out, "and 1 channel file(s)") {
		t.Errorf("lint of the fixed files: exit %d\n%s%s", code, out, errOut)
	}
}
