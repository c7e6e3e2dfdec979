package backtest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/tapetest/tapetest/results"
)

// BenchmarkDefaultSuite is the main job: the embedded default suite
// generated, replayed through every built-in detector, scored, and written
// as a results directory (tables, plots, report, case files) — what
// `tapetest run` does after parsing its flags. It reports events per
// second; profile it to see the next bottleneck (BENCHMARKS.md):
//
//	go test -run '^$' -bench DefaultSuite -benchtime 1x -count 5 -cpuprofile cpu.out -memprofile mem.out ./backtest
func BenchmarkDefaultSuite(b *testing.B) {
	spec, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	var events int64
	var running, writing time.Duration
	for i := 0; i < b.N; i++ {
		began := time.Now()
		out, err := Run(context.Background(), spec, Options{SpecName: "default", SpecText: []byte("default"), ToolVersion: "bench", BatchSize: 4096})
		if err != nil {
			b.Fatal(err)
		}
		ran := time.Now()
		running += ran.Sub(began)
		dir := filepath.Join(b.TempDir(), "out")
		if err := results.WriteDir(dir, out.Contents); err != nil {
			b.Fatal(err)
		}
		writing += time.Since(ran)
		out.Close()
		events += out.Stats.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds()/1e6, "Mevents/s")
	// The two phases' wall times: the run (generation, replay, detectors,
	// scoring) and writing the results directory.
	b.ReportMetric(running.Seconds()/float64(b.N), "run-s/op")
	b.ReportMetric(writing.Seconds()/float64(b.N), "write-s/op")
}
