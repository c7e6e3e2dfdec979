package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scoring"
	"github.com/tapetest/tapetest/training"
	"github.com/urfave/cli/v3"
)

func newTrainCommand(gs *globalState) *cli.Command {
	def := training.DefaultOptions()
	return &cli.Command{
		Name:      "train",
		Usage:     "fit a learned detector's model on a spec's labelled episodes",
		ArgsUsage: "SPEC",
		Description: "Replays SPEC, computes the pump features on every trade that extends a rush buy order, labels each\n" +
			"sample (positive within --positive-window after a pump label's start, or the scoring's lead before it;\n" +
			"left out within --exclusion of it otherwise; negative elsewhere) and fits a logistic regression on\n" +
			"every episode and once per fold of episodes (cross-fitting: the learned detector scores a training\n" +
			"episode with the fold model that did not see it). Then it runs the learned detector with the model over\n" +
			"SPEC, its threshold chosen by --select on folds of episodes, and records those cross-validated figures\n" +
			"in the model file. The same SPEC, inputs and flags write the same bytes.\n\n" +
			"The built-in model: tapetest train examples/pump-episodes/spec.yaml -o detectors/models/pump.json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "model file to write (required)"},
			&cli.DurationFlag{Name: "positive-window", Value: def.PositiveWindow, Usage: "a sample this long after a label's start is a positive"},
			&cli.DurationFlag{Name: "exclusion", Value: def.Exclusion, Usage: "other samples this close to a label's start are left out"},
			&cli.FloatFlag{Name: "l2", Value: def.L2, Usage: "L2 penalty on the standardised weights"},
			&cli.IntFlag{Name: "folds", Value: def.Folds, Usage: "folds of episodes for cross-fitting"},
			&cli.StringFlag{Name: "select", Value: "capacity 0.02", Usage: "the rule that picks the threshold of the cross-validated figures"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text or json"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Args().Len() != 1 {
				return usageErrorf("train: give one SPEC")
			}
			out := c.String("out")
			if out == "" {
				return usageErrorf("train: -o/--out is required")
			}
			if f := c.String("format"); f != "text" && f != "json" {
				return usageErrorf("train: --format %q: want text or json", f)
			}
			if _, err := scoring.ParseSelection(nil, c.String("select")); err != nil {
				return usageErrorf("train: --select: %v", err)
			}
			spec, _, err := backtest.Load(c.Args().First())
			if err != nil {
				return usageError(err)
			}
			opts := training.Options{PositiveWindow: c.Duration("positive-window"), Exclusion: c.Duration("exclusion"), L2: c.Float("l2"),
				Folds: int(c.Int("folds")), SpecName: filepath.Base(c.Args().First())}
			if opts.Folds < 2 || opts.L2 < 0 || opts.PositiveWindow <= 0 || opts.Exclusion < opts.PositiveWindow {
				return usageErrorf("train: want --folds ≥ 2, --l2 ≥ 0, --positive-window > 0 and --exclusion ≥ --positive-window")
			}
			opts.Command = trainCommandLine(c)
			t0 := time.Now()
			m, err := training.Train(ctx, spec, opts)
			if err != nil {
				return err
			}
			gs.logger.Info("model fitted", "samples", m.Training.Samples, "positives", m.Training.Positives, "episodes", len(m.Episodes), "seconds", time.Since(t0).Round(time.Millisecond).Seconds())
			fig, err := training.Evaluate(ctx, spec, m, c.String("select"))
			if err != nil {
				return err
			}
			if err := training.AttachFigures(m, fig); err != nil {
				return err
			}
			b, err := m.Encode()
			if err != nil {
				return err
			}
			if err := results.WriteFileAtomic(out, b); err != nil {
				return fmt.Errorf("train: %w", err)
			}
			if c.String("format") == "json" {
				return writeJSON(gs.stdout, fig)
			}
			printFigures(gs, fig, out)
			return nil
		},
	}
}

// trainCommandLine is the command that reproduces the model: its spec,
// output and the flags given.
func trainCommandLine(c *cli.Command) string {
	parts := []string{"tapetest train", c.Args().First(), "-o", c.String("out")}
	for _, name := range []string{"positive-window", "exclusion", "l2", "folds", "select"} {
		if c.IsSet(name) {
			parts = append(parts, fmt.Sprintf("--%s %q", name, c.String(name)))
		}
	}
	return strings.Join(parts, " ")
}

func printFigures(gs *globalState, f *training.Figures, out string) {
	w := gs.stdout
	val := func(p *float64, format string) string {
		if p == nil {
			return "–"
		}
		return fmt.Sprintf(format, *p)
	}
	fmt.Fprintf(w, "model: %s\ncross-validated (%s; threshold by %s, each fold's chosen on the others: %s)\n", out, f.Split, f.Select, val(f.Threshold, "%.3g ships"))
	lo, hi := scoring.Wilson(f.Detected, f.Labels)
	fmt.Fprintf(w, "  recall            %d/%d [%.0f–%.0f%%]\n", f.Detected, f.Labels, 100*lo, 100*hi)
	for _, r := range f.RecallWithin {
		fmt.Fprintf(w, "  within %-4s       %d/%d [%.0f–%.0f%%]\n", time.Duration(r.Seconds*float64(time.Second)), r.Detected, f.Labels, 100*r.CI[0], 100*r.CI[1])
	}
	for _, r := range f.ByIntensity {
		fmt.Fprintf(w, "  labels %-10s %d/%d (within 1 min %d, 5 min %d)\n", r.Intensity, r.Detected, r.Labels, r.DetectedWithin[0], r.DetectedWithin[1])
	}
	fmt.Fprintf(w, "  false alerts      %d over %.1f days (%s a day, %s per instrument-day)\n", f.FalseAlerts, f.CoveredDays, val(f.FalseAlertsPerDay, "%.3g"), val(f.FalseAlertsPerInstrumentDay, "%.3g"))
	fmt.Fprintf(w, "  TTD p50           %s s\n", val(f.TTDP50, "%.0f"))
}
