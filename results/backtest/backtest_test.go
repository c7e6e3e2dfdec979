package backtest

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scenarios"
)

func shortSpec(t *testing.T) *scenarios.Spec {
	t.Helper()
	s, err := scenarios.Default()
	if err != nil {
		t.Fatal(err)
	}
	s.Duration = scenarios.Duration(30 * 60e9)
	for i := range s.Injections {
		s.Injections[i].Count = 1
	}
	return s
}

// TestRunIsReproducible: the same spec gives byte-identical results
// directories (apart from the manifest's creation time) at GOMAXPROCS 1 and 2
// and at different batch sizes.
func TestRunIsReproducible(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var ref []results.FileHash
	for i, c := range []struct{ procs, batch int }{{2, 4096}, {1, 4096}, {2, 7}} {
		runtime.GOMAXPROCS(c.procs)
		out, err := Run(context.Background(), shortSpec(t), Options{SpecName: "short", SpecText: []byte("short"), ToolVersion: "test", BatchSize: c.batch})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Contents.Labels) != len(shortSpec(t).Injections) || len(out.Contents.Alerts) == 0 || out.Stats.Events < 10_000 {
			t.Fatalf("labels %d alerts %d events %d", len(out.Contents.Labels), len(out.Contents.Alerts), out.Stats.Events)
		}
		out.Contents.Manifest.Options = nil // the batch size is recorded; the results must not depend on it
		dir := filepath.Join(t.TempDir(), "out")
		if err := results.WriteDir(dir, out.Contents); err != nil {
			t.Fatal(err)
		}
		m, err := results.ReadManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			ref = m.Files
			continue
		}
		if d := results.CompareFiles(ref, m.Files); len(d) != 0 {
			t.Fatalf("procs=%d batch=%d: results differ: %v", c.procs, c.batch, d)
		}
	}
}
