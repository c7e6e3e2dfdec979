package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scaleout"
)

// TestLocalShardsAreTheRun: the built binary's run --shards 2 --local
// writes the directory run writes (every file; the report included), and
// merge refuses a store with a shard missing, naming it, with exit 1.
func TestLocalShardsAreTheRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and replays the suite four times")
	}
	bin := binary(t)
	spec := shortSpecFile(t)
	localShardsAreTheRun(t, bin, spec, 2)
	// One shard of three in a store: the merge names the two missing.
	store := filepath.Join(t.TempDir(), "store")
	if out, err := exec.Command(bin, "run", spec, "--shard", "1/3", "-o", store).CombinedOutput(); err != nil {
		t.Fatalf("run --shard 1/3: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "merge", store, "-o", filepath.Join(t.TempDir(), "m")).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "missing shard(s) 0, 2") {
		t.Fatalf("merge with shards 0 and 2 missing: %v\n%s", err, out)
	}
}

// TestLocalShardsByInstrument: the 27 real pump episodes (23 coins'
// trades, some coins in two files) dealt by instrument over three local
// processes — each replaying only its coins' files — give the same results
// directory as one process.
func TestLocalShardsByInstrument(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and replays the pump episodes four times")
	}
	realdata.Path(t, "pump-trades-pugoev/trades")
	bin := binary(t)
	spec := "../../examples/pump-episodes/spec.yaml"
	out, err := exec.Command(bin, "plan", spec, "--shards", "3").Output()
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	var p scaleout.Plan
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Axes, []string{scaleout.AxisInstruments}) || p.Parts != 3 || len(p.Symbols) != 23 {
		t.Fatalf("plan: axes %v, %d parts, %d instruments", p.Axes, p.Parts, len(p.Symbols))
	}
	localShardsAreTheRun(t, bin, spec, 3)
}

// localShardsAreTheRun runs spec with the built binary in one process and
// as shards local processes, and fails unless both write the same files.
func localShardsAreTheRun(t *testing.T, bin, spec string, shards int) {
	t.Helper()
	single, sharded := filepath.Join(t.TempDir(), "single"), filepath.Join(t.TempDir(), "sharded")
	if out, err := exec.Command(bin, "run", spec, "-o", single).CombinedOutput(); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	n := fmt.Sprint(shards)
	cmd := exec.Command(bin, "run", spec, "--shards", n, "--local", "-o", sharded)
	cmd.Env = append(os.Environ(), "TAPETEST_EXECUTABLE="+bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("run --shards %s --local: %v\n%s", n, err, out)
	}
	a, _ := results.ReadManifest(single)
	b, _ := results.ReadManifest(sharded)
	if d := results.CompareFiles(a.Files, b.Files); len(d) > 0 || len(a.Files) < 20 {
		t.Fatalf("run --shards %s --local differs from run: %v", n, d)
	}
}
