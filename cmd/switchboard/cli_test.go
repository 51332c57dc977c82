package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// run runs the binary and returns its stdout, stderr and exit code.
func run(t *testing.T, bin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out.String(), errOut.String(), code
}

// TestCLI_AsANewUserWould sends every sample to a running engine, reads
// the log back with tail and messages, and lints a typo.
func TestCLI_AsANewUserWould(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	p := newEngineProcess(t, bin)
	p.start()
	config := filepath.Join(p.dir, "config.yaml")

	samples, _ := filepath.Glob("../../testdata/adt_*.hl7")
	out, _, code := run(t, bin, "send", "--to", p.mllp, "--timeout", "5s", samples[0], samples[1])
	if code != 0 || strings.Count(out, "\tAA\t") != 2 {
		t.Fatalf("send of two ADT samples: exit %d\n%s", code, out)
	}
	broken := filepath.Join(t.TempDir(), "broken.hl7")
	os.WriteFile(broken, []byte("MSH|^~\\\\&|A|B|C|D|2024||ADT^A01|BAD1|P|2.6\rPID|1\r"), 0o644)
	out, _, code = run(t, bin, "send", "--to", p.mllp, "--timeout", "5s", broken)
	if code != 1 || !strings.Contains(out, "BAD1\tAR\t") {
		t.Fatalf("send of a broken message: exit %d\n%s", code, out)
	}
	waitDrained(t, p)

	out, _, code = run(t, bin, "tail", "--config", config, "--json", "-n", "50")
	if code != 0 {
		t.Fatalf("tail exit %d", code)
	}
	stages := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			ID                           int64
			Channel, Stage, Status, Type string
			ControlID                    string `json:"control_id"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil || e.ID == 0 || e.Channel != "adt" {
			t.Fatalf("tail --json line %q: %v", line, err)
		}
		stages[e.Stage+" "+e.Status]++
	}
	if stages["receive RECEIVED"] != 2 || stages["publish SENT"] != 2 || stages["receive ERROR"] != 1 {
		t.Errorf("tail events = %v", stages)
	}

	out, _, _ = run(t, bin, "messages", "search", "--config", config, "--status", "ERROR")
	if !strings.Contains(out, "BAD1") || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Errorf("search --status ERROR:\n%s", out)
	}
	id := strings.Fields(out)[0]
	out, _, _ = run(t, bin, "messages", "show", "--config", config, id)
	for _, want := range []string{"--- HL7 v2", "--- ACK (AR)", "MSA|AR|BAD1", "--- events"} {
		if !strings.Contains(out, want) {
			t.Errorf("messages show lacks %q:\n%s", want, out)
		}
	}

	out, _, code = run(t, bin, "messages", "reprocess", "--config", config, "--reason", "test", id)
	if code != 0 || !strings.Contains(out, id+"\treprocessed as ") {
		t.Errorf("reprocess: exit %d\n%s", code, out)
	}

	ch := filepath.Join(p.dir, "channels", "adt.yaml")
	body, _ := os.ReadFile(ch)
	os.WriteFile(ch, bytes.Replace(body, []byte("accept:"), []byte("acept:"), 1), 0o644)
	_, errOut, code := run(t, bin, "lint", "--config", config)
	if code != 1 || !strings.Contains(errOut, "adt.yaml:3: unknown key \"acept\"") || !strings.Contains(errOut, "did you mean \"accept\"") {
		t.Errorf("lint of a typo: exit %d\n%s", code, errOut)
	}
}
