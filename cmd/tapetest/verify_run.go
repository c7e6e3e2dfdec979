package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/results/backtest"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/urfave/cli/v3"
)

func newVerifyRunCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "verify-run",
		Usage:     "re-run a results directory from its manifest and compare every result file",
		ArgsUsage: "DIR",
		Description: "Reads DIR/manifest.json and DIR/spec.yaml, runs the same scenario with the same detector\n" +
			"configurations, and compares the SHA-256 of every file the run writes with the manifest's.\n" +
			"Exit 1 when any file differs (each is listed), 2 when DIR is not a results directory.",
		Flags: []cli.Flag{&cli.StringFlag{Name: "format", Value: "text", Usage: "text or json"}},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Args().Len() != 1 {
				return usageError(errors.New("verify-run: give one results directory"))
			}
			dir := c.Args().First()
			m, err := results.ReadManifest(dir)
			if err != nil {
				return usageError(fmt.Errorf("verify-run: %w", err))
			}
			if m.Command != "run" {
				return usageError(fmt.Errorf("verify-run: %s was written by %q, not run", dir, m.Command))
			}
			text, err := os.ReadFile(filepath.Join(dir, m.Spec.File))
			if err != nil {
				return usageError(fmt.Errorf("verify-run: %w", err))
			}
			if got := results.HashBytes(text); got != m.Spec.SHA256 {
				return checkFailed(fmt.Errorf("verify-run: %s has sha256 %s, the manifest says %s", m.Spec.File, got, m.Spec.SHA256))
			}
			spec, err := scenarios.Parse(m.Spec.File, text)
			if err == nil && m.Spec.Dir != "" {
				spec.SetDir(m.Spec.Dir) // the spec's files resolve where the original spec was
			}
			if err != nil {
				return usageError(fmt.Errorf("verify-run: %w", err))
			}
			var cfgs struct {
				Detectors []detectors.Config `json:"detectors"`
				Baseline  []detectors.Config `json:"baseline"`
			}
			if err := json.Unmarshal(m.Detectors, &cfgs); err != nil {
				return usageError(fmt.Errorf("verify-run: manifest detectors: %w", err))
			}
			batch, _ := strconv.Atoi(m.Options["batch_size"])
			out, err := backtest.Run(ctx, spec, backtest.Options{SpecName: m.Spec.Name, SpecText: text, ToolVersion: version, BatchSize: batch, Detectors: cfgs.Detectors, BaselineDetectors: cfgs.Baseline})
			if err != nil {
				return fmt.Errorf("verify-run: %w", err)
			}
			tmp, err := os.MkdirTemp("", "tapetest-verify-run-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			if err := results.WriteFileAtomic(filepath.Join(tmp, m.Spec.File), text); err != nil {
				return err
			}
			if err := results.WriteDir(tmp, out.Contents); err != nil {
				return fmt.Errorf("verify-run: %w", err)
			}
			again, err := results.ReadManifest(tmp)
			if err != nil {
				return err
			}
			// Compare what is in DIR now (not just what its manifest claims) with the re-run.
			have, err := results.HashDir(dir)
			if err != nil {
				return usageError(err)
			}
			diffs := results.CompareFiles(have, again.Files)
			if c.String("format") == "json" {
				if err := writeJSON(gs.stdout, map[string]any{"files": len(have), "differences": diffs}); err != nil {
					return err
				}
			} else {
				for _, d := range diffs {
					fmt.Fprintf(gs.stdout, "%-8s %s\n", d.Reason, d.Path)
				}
				fmt.Fprintf(gs.stdout, "files=%d differing=%d\n", len(have), len(diffs))
			}
			if len(diffs) > 0 {
				return checkFailed(fmt.Errorf("verify-run: %d of %d result files differ", len(diffs), len(have)))
			}
			return nil
		},
	}
}
