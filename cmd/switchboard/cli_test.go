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

// runCLI runs a command line in this process and returns its stdout,
// stderr and exit code.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := execute(args, &out, &errOut)
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

// The shipped channels' tests pass, a failing assertion fails the run
// with exit 1 and says why, and keys generate writes a private key and
// prints only public keys.
func TestCLI_TestAndKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	out, errOut, code := run(t, bin, "test", "--config", "../../config.yaml")
	if code != 0 || !strings.Contains(out, " 0 failed") {
		t.Fatalf("switchboard test on the shipped channels: exit %d\n%s%s", code, out, errOut)
	}

	dir := t.TempDir()
	ch := `name: t
source: {mllp: {listen: "127.0.0.1:0"}}
tests:
  - name: wrong family name
    input: ` + filepath.Join(mustAbs(t, "../../testdata"), "adt_a01_msfhirconverter_2.hl7") + `
    expect:
      - {path: Patient.name.family, equals: NOBODY}
`
	os.WriteFile(filepath.Join(dir, "t.yaml"), []byte(ch), 0o644)
	out, _, code = run(t, bin, "test", filepath.Join(dir, "t.yaml"))
	if code != 1 || !strings.Contains(out, `FAIL  t: wrong family name`) || !strings.Contains(out, `Patient.name.family: got ["EVERYMAN"], want "NOBODY"`) {
		t.Errorf("failing test: exit %d\n%s", code, out)
	}

	keys := filepath.Join(dir, "keys")
	out, _, code = run(t, bin, "keys", "generate", "--tenant", "stmarys", "--alg", "ES384", "--dir", keys)
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal([]byte(out), &set); code != 0 || err != nil || len(set.Keys) != 1 || set.Keys[0]["alg"] != "ES384" || set.Keys[0]["d"] != nil {
		t.Fatalf("keys generate: exit %d, %v\n%s", code, err, out)
	}
	files, _ := filepath.Glob(filepath.Join(keys, "*.pem"))
	if len(files) != 1 {
		t.Fatalf("key files %v", files)
	}
	if fi, _ := os.Stat(files[0]); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", fi.Mode().Perm())
	}
	run(t, bin, "keys", "generate", "--tenant", "stmarys", "--dir", keys)
	out, _, _ = run(t, bin, "keys", "jwks", "--tenant", "stmarys", "--dir", keys)
	if err := json.Unmarshal([]byte(out), &set); err != nil || len(set.Keys) != 2 || set.Keys[0]["alg"] != "RS384" {
		t.Errorf("after rotation the set %s: want both keys, the newest (RS384) first", out)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
