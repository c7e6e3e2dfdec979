package backtest

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/tapetest/tapetest/scoring"
)

func shortSpec(t *testing.T) *Spec {
	t.Helper()
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	s.Scenario.Duration = scenarios.Duration(30 * 60e9)
	for i := range s.Scenario.Injections {
		s.Scenario.Injections[i].Count = 1
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
		if len(out.Contents.Labels) != len(shortSpec(t).Scenario.Injections) || len(out.Contents.Alerts) == 0 || out.Stats.Events < 10_000 {
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

// TestDefaultSuiteQualityBar holds the built-in detectors to their quality
// bar: on the blatant and standard attacks of the embedded default suite,
// every instance reaches an F1 of 0.8 or more at its best threshold, for every
// typology it claims (liquidation_abuse: suicide, offsetting and cascade) —
// with the suite's seed and with three others, so that the bar holds for the
// detectors and the attacks, not for one lucky draw.
func TestDefaultSuiteQualityBar(t *testing.T) {
	if testing.Short() {
		t.Skip("runs six simulated hours of the default suite four times")
	}
	def, err := scenarios.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, seed := range []uint64{def.Seed, 1, 2, 3} {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			t.Parallel()
			spec, err := Default()
			if err != nil {
				t.Fatal(err)
			}
			sc := spec.Scenario
			sc.Seed = seed
			kept := sc.Injections[:0]
			for _, in := range sc.Injections {
				if in.Intensity == labels.Blatant || in.Intensity == labels.Standard {
					kept = append(kept, in)
				}
			}
			sc.Injections = kept
			out, err := Run(context.Background(), spec, Options{SpecName: "default, blatant and standard", SpecText: []byte("bs"), ToolVersion: "test"})
			if err != nil {
				t.Fatal(err)
			}
			c := out.Contents
			ev := scoring.Evaluate(c.Alerts, c.Labels, c.Options, c.Ran...)
			seen := map[replay.Typology]bool{}
			for _, r := range ev.Instances {
				seen[r.Typology] = true
				t.Logf("%-48s %-22s F1 %.3f (%d/%d labels, %d alerts)", r.Instance, r.Typology, r.Best.F1, r.Best.Detected, r.Best.Labels, r.Best.Alerts)
				if r.Best.F1 < 0.8 {
					t.Errorf("%s on %s: best F1 %.3f, below 0.8", r.Instance, r.Typology, r.Best.F1)
				}
			}
			for _, ty := range ev.Typologies {
				if !seen[ty] {
					t.Errorf("no detector instance claims %s", ty)
				}
			}
		})
	}
}
