package bulk

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-hl7/switchboard/engine/store"
	"github.com/switchboard-hl7/switchboard/fhirclient"
	"github.com/switchboard-hl7/switchboard/fhirclient/sandbox"
)

// A file's name comes from the server's manifest: a type that is not a
// resource type never names a file, let alone one outside the directory.
func TestDirSink_RefusesATypeThatIsNotAResourceType(t *testing.T) {
	root := t.TempDir()
	s := &DirSink{Dir: filepath.Join(root, "out")}
	for _, typ := range []string{"../../escaped", "Patient/../../x", ""} {
		fs, err := s.OpenFile(context.Background(), 1, store.BulkFile{Job: 1, Index: 0, Kind: "output", Type: typ})
		if err == nil {
			fs.Close()
			t.Errorf("type %q: opened a file", typ)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "escaped.000.ndjson")); err == nil {
		t.Error("a file was written outside the sink's directory")
	}
}

type badTypeManifest struct{ Exporter }

func (b badTypeManifest) WaitExport(ctx context.Context, s string, p func(fhirclient.ExportStatus)) (*fhirclient.Manifest, error) {
	m, err := b.Exporter.WaitExport(ctx, s, p)
	if err == nil && len(m.Output) > 0 {
		m.Output[0].Type = "../../escaped"
	}
	return m, err
}

// A manifest whose output type is not a resource type ends the job in
// ERROR (bad input), rather than a sink stopping it to resume forever.
func TestRun_AManifestTypeThatIsNotAResourceTypeFailsTheJob(t *testing.T) {
	r := newRig(t, sandbox.Options{Population: 1, Export: sandbox.ExportOptions{Delay: -1}})
	o := r.options(&DirSink{Dir: t.TempDir()})
	o.Client = badTypeManifest{r.client}
	j, sum := runJob(t, r, groupAll(), o)
	if sum.Status != store.StatusError || j.Status != store.StatusError || !strings.Contains(sum.Error, "not a resource type") {
		t.Fatalf("job ended %s %q; want ERROR naming the type", sum.Status, sum.Error)
	}
}
