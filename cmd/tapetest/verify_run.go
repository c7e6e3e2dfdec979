package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/scaleout"
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
			"Exit 1 when any file differs (each is listed) or the spec was edited, 2 when DIR is not a\n" +
			"results directory of a run. It never runs a program the manifest names (an external\n" +
			"detector's command) unless --allow-exec is given: a results directory is data.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text or json"},
			&cli.BoolFlag{Name: "allow-exec", Usage: "run the programs of external detectors the manifest names (refused without it: a results directory is data)"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Args().Len() != 1 {
				return usageError(errors.New("verify-run: give one results directory"))
			}
			format := c.String("format")
			if format != "text" && format != "json" {
				return usageErrorf("verify-run: --format %q: want text or json", format)
			}
			v, err := backtest.Verify(ctx, c.Args().First(), backtest.VerifyOptions{ToolVersion: version, AllowExec: c.Bool("allow-exec"), Prepare: scaleout.FetchInputs})
			var digest *backtest.SpecDigestError
			var specErr *scenarios.SpecError
			var refused *backtest.ExecRefusedError
			switch {
			case errors.As(err, &refused):
				return usageError(fmt.Errorf("verify-run: %w", err))
			case errors.As(err, &digest):
				return checkFailed(fmt.Errorf("verify-run: %w", err))
			case errors.Is(err, backtest.ErrNotRunResults), errors.As(err, &specErr):
				return usageError(fmt.Errorf("verify-run: %w", err))
			case err != nil:
				return fmt.Errorf("verify-run: %w", err)
			}
			if format == "json" {
				if err := writeJSON(gs.stdout, v); err != nil {
					return err
				}
			} else {
				for _, d := range v.Differences {
					fmt.Fprintf(gs.stdout, "%-8s %s\n", d.Reason, d.Path)
				}
				fmt.Fprintf(gs.stdout, "files=%d differing=%d\n", v.Files, len(v.Differences))
			}
			if len(v.Differences) > 0 {
				return checkFailed(fmt.Errorf("verify-run: %d of %d result files differ", len(v.Differences), v.Files))
			}
			return nil
		},
	}
}
