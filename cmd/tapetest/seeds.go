package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scoring"
	"github.com/urfave/cli/v3"
)

// maxSeeds bounds --seeds: every seed is a whole run.
const maxSeeds = 1000

// parseSeeds reads a seed list: numbers and ranges separated by commas
// (1-8, 1,3,5, 2-4,9), each seed once, in the order given.
func parseSeeds(s string) ([]uint64, error) {
	var out []uint64
	seen := map[uint64]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(lo, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--seeds %q: %q is not a seed (want 1-8, 1,3,5 or 2-4,9)", s, part)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 64); err != nil || b < a {
				return nil, fmt.Errorf("--seeds %q: %q is not a range from low to high", s, part)
			}
		}
		if b-a >= maxSeeds {
			return nil, fmt.Errorf("--seeds %q: more than %d seeds", s, maxSeeds)
		}
		for v := a; ; v++ {
			if seen[v] {
				return nil, fmt.Errorf("--seeds %q: seed %d twice", s, v)
			}
			seen[v] = true
			out = append(out, v)
			if len(out) > maxSeeds {
				return nil, fmt.Errorf("--seeds %q: more than %d seeds", s, maxSeeds)
			}
			if v == b {
				break
			}
		}
	}
	return out, nil
}

// seedsAction is run --seeds: the spec once per seed, each into its own
// complete results directory, and the aggregate beside them; the whole
// directory is committed at once.
func seedsAction(ctx context.Context, gs *globalState, c *cli.Command) error {
	seeds, err := parseSeeds(c.String("seeds"))
	if err != nil {
		return usageError(fmt.Errorf("run: %w", err))
	}
	cal := int(c.Int("calibration-seeds"))
	if cal < 0 || (cal > 0 && cal >= len(seeds)) {
		return usageErrorf("run: --calibration-seeds %d: give 1 to %d (a seed must be left to measure on)", cal, len(seeds)-1)
	}
	req, err := readBacktestFlags(ctx, gs, c)
	if err != nil {
		return err
	}
	var sels map[string]scoring.Selection
	var draws []scoring.Draw
	var failed int
	err = results.CommitDir(req.dir, func(tmp string) error {
		if err := results.WriteFileAtomic(filepath.Join(tmp, "spec.yaml"), req.text); err != nil {
			return err
		}
		for _, seed := range seeds {
			out, err := backtest.Run(ctx, backtest.WithSeed(req.spec, seed), req.opts)
			if gs.stderrTerminal {
				fmt.Fprintln(gs.stderr)
			}
			if err != nil {
				return usageError(fmt.Errorf("run: seed %d: %w", seed, err))
			}
			sub := filepath.Join(tmp, results.SeedDir(seed))
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return err
			}
			if err := results.WriteFileAtomic(filepath.Join(sub, "spec.yaml"), req.text); err != nil {
				return err
			}
			err = results.WriteDir(sub, out.Contents)
			out.Close()
			if err != nil {
				return err
			}
			cs := out.Contents
			failed += len(cs.Failures)
			if sels == nil {
				sels = map[string]scoring.Selection{}
				for _, r := range cs.Ran {
					sels[r.Instance] = r.Selection
				}
			}
			draws = append(draws, results.DrawOf(seed, cs))
			gs.logger.Info("seed done", "seed", seed, "events", out.Stats.Events, "alerts", len(cs.Alerts), "labels", len(cs.Labels), "seconds", time.Since(req.t0).Round(time.Millisecond).Seconds())
		}
		return results.FinishSeedsDir(tmp, results.SeedsRun{SpecName: req.name, SpecText: string(req.text), Seeds: c.String("seeds"), CalibrationSeeds: cal,
			BatchSize: req.opts.BatchSize, ToolVersion: version, CreatedAt: time.Now().UTC().Format(time.RFC3339)}, draws, sels)
	})
	if err != nil {
		return err
	}
	if err := printSeeds(gs.stdout, req.dir, req.format); err != nil {
		return err
	}
	if failed > 0 {
		return detectorFailed(fmt.Errorf("run: %d detector instance run(s) failed; see the seeds' reports in %s", failed, req.dir))
	}
	return nil
}

// printSeeds prints a multi-seed run's aggregate.
func printSeeds(w io.Writer, dir, format string) error {
	d, err := results.ReadDraws(dir)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		return writeJSON(w, d)
	case "markdown":
		_, err := io.WriteString(w, results.DrawsMarkdown(d))
		return err
	}
	share := func(k, n int) string { return countedShare(k, n, "–") }
	interval := func(v float64, ci [2]float64) string {
		if math.IsNaN(v) {
			return "–"
		}
		return fmt.Sprintf("%.3f [%.2f–%.2f]", v, ci[0], ci[1])
	}
	rate := results.RateWithCI
	fmt.Fprintf(w, "%d seeds (%s), pooled: each seed at its headline threshold\n", len(d.Seeds), seedText(d.Seeds))
	rows := [][]string{{"detector instance", "typology", "measured", "precision [95%]", "recall [95%]", "F1 [95% over seeds]", "bg alerts/d (count) [95% over seeds]"}}
	for _, in := range d.Instances {
		p := in.Pooled
		rows = append(rows, []string{in.Instance, string(in.Typology), in.Measured(), share(p.MatchedAlerts, p.Alerts), share(p.Detected, p.Labels), interval(p.F1, p.F1CI), rate(p.AlertsPerDay, p.BackgroundAlert, p.AlertsPerDayCI)})
	}
	printColumns(w, rows, 3)
	if len(d.TestSeeds) > 0 {
		fmt.Fprintf(w, "\nchosen on seeds %s, measured on seeds %s (out of sample by seed)\n", seedText(d.CalibrationSeeds), seedText(d.TestSeeds))
		rows = [][]string{{"detector instance", "typology", "threshold", "precision [95%]", "recall [95%]", "F1 [95%]", "bg alerts/d (count) [95%]"}}
		for _, in := range d.Instances {
			s := in.BySeed
			m := s.Test
			rows = append(rows, []string{in.Instance, string(in.Typology), fmt.Sprintf("%.4g (%s)", s.Threshold, s.SelectedBy), share(m.MatchedAlerts, m.Alerts), share(m.Detected, m.Labels),
				interval(m.F1, m.F1CI), rate(m.AlertsPerDay, m.BackgroundAlert, m.AlertsPerDayCI)})
		}
		printColumns(w, rows, 2)
	}
	fmt.Fprintf(w, "each seed's results and report: %s\n", filepath.Join(dir, "seed-N"))
	return nil
}

// seedText lists seeds.
func seedText(seeds []uint64) string {
	parts := make([]string, len(seeds))
	for i, s := range seeds {
		parts[i] = strconv.FormatUint(s, 10)
	}
	return strings.Join(parts, ",")
}
