package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/engine/bulk"
	"github.com/switchboard-hl7/switchboard/engine/store"
)

// The view prints a live line per file being read and a lasting "done"
// line per finished one, each with its type, index and counts.
func TestBulkView_FilesInProgressAndDone(t *testing.T) {
	var out bytes.Buffer
	v := newBulkView(&out) // not a terminal: plain lines
	v.update(bulk.Progress{Phase: bulk.Exporting, Server: "40% (2 of 5 files)"})
	v.draw(false)
	if !strings.Contains(out.String(), "export: server 40% (2 of 5 files)") {
		t.Fatalf("while exporting: %q", out.String())
	}
	out.Reset()
	v.update(bulk.Progress{Phase: bulk.Downloading, Files: 2, WireBytes: 2_500_000,
		File: store.BulkFile{Index: 0, Type: "Observation", Count: 10000, Lines: 2500}})
	v.update(bulk.Progress{Phase: bulk.Downloading, Files: 2, WireBytes: 130_000,
		File: store.BulkFile{Index: 1, Type: "Patient", Count: 128, Lines: 128, Done: true}})
	v.draw(false)
	v.stop()
	got := out.String()
	for _, want := range []string{"files: 1 of 2 read", "Observation        #0  25%", "(2500/10000", "2.5 MB", "done Patient            #1 100%", "(128/128"} {
		if !strings.Contains(got, want) {
			t.Errorf("view lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "\r") {
		t.Errorf("a carriage return would overwrite the line's start:\n%q", got)
	}
}
