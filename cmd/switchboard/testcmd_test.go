package main

import (
	"strings"
	"testing"
)

// A channel is named as config.yaml names it, or given as a file; an
// unknown name lists the names there are.
func TestTest_ChannelsByNameOrFile(t *testing.T) {
	const config = "../../config.yaml"
	out, errOut, code := runCLI(t, "test", "--config", config, "adt-inbound")
	if code != 0 || !strings.Contains(out, "ok    adt-inbound: ") || strings.Contains(out, "oru-inbound") {
		t.Errorf("test adt-inbound: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = runCLI(t, "test", "--config", config, "oru-inbound", "../../channels/adt-inbound.yaml")
	if code != 0 || !strings.Contains(out, "ok    oru-inbound: ") || !strings.Contains(out, "ok    adt-inbound: ") {
		t.Errorf("test by name and by file: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = runCLI(t, "test", "--config", config, "adt-inbond")
	want := `no channel "adt-inbond" in ../../config.yaml; its channels are adt-inbound, bulk-sandbox, oru-inbound, writeback-sandbox`
	if code != 2 || out != "" || !strings.Contains(errOut, want) {
		t.Errorf("test of an unknown name: exit %d\n%s%s\nwant %s", code, out, errOut, want)
	}
	_, errOut, code = runCLI(t, "test", "--config", config, "channels/nothing.yaml")
	if code != 2 || !strings.Contains(errOut, "channels/nothing.yaml") || !strings.Contains(errOut, "no such file") {
		t.Errorf("test of a missing file: exit %d\n%s", code, errOut)
	}
}
