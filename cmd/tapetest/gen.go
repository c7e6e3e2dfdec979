package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/results"
	"github.com/urfave/cli/v3"
)

func newGenCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "gen",
		Usage:     "write a scenario's events, labels and accounts without running detectors",
		ArgsUsage: "[SPEC]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output directory (required unless --schema)"},
			&cli.BoolFlag{Name: "schema", Usage: "print the JSON Schema of scenario specs and exit"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Bool("schema") {
				b, err := backtest.Schema()
				if err != nil {
					return err
				}
				fmt.Fprintln(gs.stdout, string(b))
				return nil
			}
			if c.String("out") == "" {
				return usageError(fmt.Errorf("gen: -o/--out is required"))
			}
			spec, text, name, err := loadSpec(c)
			if err != nil {
				return usageError(err)
			}
			dir := c.String("out")
			if err := results.Replaceable(dir); errors.Is(err, results.ErrNotReplaceable) {
				return usageError(fmt.Errorf("gen: -o %w", err))
			}
			var out *backtest.Generated
			err = results.CommitDir(dir, func(tmp string) error {
				var err error
				out, err = backtest.Generate(ctx, spec, backtest.Options{SpecName: name, SpecText: text, ToolVersion: version}, tmp)
				return err
			})
			var se *replay.SourceError
			switch {
			case errors.As(err, &se):
				return usageError(fmt.Errorf("gen: %w", err))
			case err != nil:
				return fmt.Errorf("gen: %w", err)
			}
			fmt.Fprintf(gs.stdout, "events=%d labels=%d accounts=%d out=%s\n", out.Events, out.Labels, out.Accounts, dir)
			return nil
		},
	}
}
