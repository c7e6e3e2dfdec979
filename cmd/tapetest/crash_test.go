package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tapetest/tapetest/internal/staging"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scenarios"
)

// crashJob is a command the crash test kills, and how it checks what the
// command leaves: its output must be absent or complete, never half written.
type crashJob struct {
	name  string
	args  []string // the output is the last argument
	kills int      // kill points wanted
	// check inspects out (the committed output) and every staging beside it
	// after a kill; ref is the output of an uninterrupted run.
	check func(t *testing.T, out, ref string, stagings []string)
}

// TestCrashLeavesNothingHalfWritten kills run, gen and import with SIGKILL at
// random moments — from start-up to the final rename, weighted towards the
// end where the output is written — over an output a complete earlier run
// left, at least 200 times in all. After every kill the output must still be
// the complete earlier one (every file matching its manifest, the same bytes
// as an uninterrupted run), and anything half written beside it — a staged
// directory or file — must be refused by what reads results (the evidence
// check of gate and report, the event-file reader) unless it is complete. A last
// uninterrupted run sweeps the killed runs' stagings away. (merge, named
// beside them in issue #21, does not exist yet: issue #18.)
func TestCrashLeavesNothingHalfWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("kills the built binary 200 times")
	}
	bin, work := binary(t), t.TempDir()
	spec := filepath.Join(work, "tiny.yaml")
	text := strings.Replace(string(scenarios.DefaultSpecText()), "duration: 6h", "duration: 2m", 1)
	if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	csv.WriteString("timestamp,side,price,amount\n")
	for i := 0; i < 250_000; i++ {
		fmt.Fprintf(&csv, "%d,%s,%g,%d\n", 1_700_000_000_000+i, [2]string{"sell", "buy"}[i%2], 100+float64(i%50)*0.5, 1+i%7)
	}
	trades := filepath.Join(work, "trades.csv")
	if err := os.WriteFile(trades, csv.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	jobs := []crashJob{
		{name: "run", args: []string{"run", spec, "--detector", "wash_pairs", "-o"}, kills: 60, check: checkResultsDir},
		{name: "gen", args: []string{"gen", spec, "-o"}, kills: 80, check: checkResultsDir},
		{name: "import", args: []string{"import", "-f", "ccxt-trades", trades, "-o"}, kills: 70, check: checkEventFile},
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("kill times drawn with seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	total := 0
	for _, job := range jobs {
		parent := filepath.Join(work, job.name)
		os.Mkdir(parent, 0o755)
		ref, out := filepath.Join(parent, "ref"), filepath.Join(parent, "out")
		if ext := map[string]string{"import": ".parquet"}[job.name]; ext != "" {
			ref, out = ref+ext, out+ext
		}
		// Two uninterrupted runs: the reference, and the output every kill
		// must leave as it was; the slower of them sets the kill window.
		var took time.Duration
		for _, dst := range []string{ref, out} {
			t0 := time.Now()
			if err := exec.Command(bin, append(job.args, dst)...).Run(); err != nil {
				t.Fatalf("%s: %v", job.name, err)
			}
			took = max(took, time.Since(t0))
		}
		killed, finished := 0, 0
		for killed < job.kills && killed+finished < 4*job.kills {
			// A third of the kills fall late, where files are written and
			// committed (an uninterrupted run may be quicker than took).
			at := time.Duration(rng.Float64() * float64(took))
			if rng.IntN(3) == 0 {
				at = took*3/5 + time.Duration(rng.Float64()*float64(took)*3/10)
			}
			cmd := exec.Command(bin, append(job.args, out)...)
			t0 := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
				finished++ // it ended first: not a kill point, and a shorter window
				took = min(took, time.Since(t0))
			case <-time.After(at):
				cmd.Process.Kill()
				<-done // reaped: its stagings now belong to an ended process
				killed++
			}
			stale, err := staging.Stale(parent)
			if err != nil {
				t.Fatal(err)
			}
			var stagings []string
			for _, s := range stale {
				stagings = append(stagings, filepath.Join(parent, s))
			}
			job.check(t, out, ref, stagings)
			if t.Failed() {
				t.Fatalf("%s killed after %v (%d kills so far)", job.name, at, killed)
			}
		}
		if killed < job.kills {
			t.Errorf("%s: only %d kill points (it finished first %d times)", job.name, killed, finished)
		}
		total += killed
		// One uninterrupted run sweeps every staging of the killed ones.
		if err := exec.Command(bin, append(job.args, out)...).Run(); err != nil {
			t.Fatalf("%s: %v", job.name, err)
		}
		job.check(t, out, ref, nil)
		if left, _ := staging.Stale(parent); len(left) > 0 {
			t.Errorf("%s: stagings of killed runs left after a complete run: %v", job.name, left)
		}
		t.Logf("%s: %d kill points in a window narrowed to %v, %d runs finished first", job.name, killed, took.Round(time.Millisecond), finished)
	}
	if total < 200 {
		t.Fatalf("%d kill points, want at least 200", total)
	}
}

// checkResultsDir: out matches its manifest and holds the same files as ref;
// a staged directory is either refused as evidence or complete.
func checkResultsDir(t *testing.T, out, ref string, stagings []string) {
	t.Helper()
	want, err := results.CheckDir(ref)
	if err != nil {
		t.Fatal(err)
	}
	same := func(dir string) error {
		m, err := results.CheckDir(dir)
		if err != nil {
			return err
		}
		if d := results.CompareFiles(want.Files, m.Files); len(d) > 0 {
			return fmt.Errorf("%s differs from an uninterrupted run: %v", dir, d)
		}
		return nil
	}
	if err := same(out); err != nil {
		t.Errorf("the output after a kill: %v", err)
	}
	for _, s := range stagings {
		if fi, err := os.Stat(s); err != nil || !fi.IsDir() {
			continue
		}
		// What gate and report read results through.
		if _, err := results.CheckDir(s); err == nil {
			if err := same(s); err != nil {
				t.Errorf("a half-written directory passes as evidence: %v", err)
			}
		} else if ie := (*results.IntegrityError)(nil); !errors.As(err, &ie) {
			t.Errorf("a staged directory is refused, but not as incomplete: %v", err)
		}
	}
}

// checkEventFile: out is byte for byte the reference; a staged event file is
// either refused by the reader or complete.
func checkEventFile(t *testing.T, out, ref string, stagings []string) {
	t.Helper()
	want, _ := os.ReadFile(ref)
	if have, err := os.ReadFile(out); err != nil || !bytes.Equal(have, want) {
		t.Errorf("the event file after a kill is not the complete one (%d of %d bytes, %v)", len(have), len(want), err)
	}
	for _, s := range stagings {
		have, _ := os.ReadFile(s)
		if bytes.Equal(have, want) {
			continue
		}
		if r, err := replay.OpenEventFile(s, replay.EventFileReadOptions{}); err == nil {
			r.Close()
			t.Errorf("a half-written event file (%d of %d bytes) opens as an event file", len(have), len(want))
		}
	}
}
