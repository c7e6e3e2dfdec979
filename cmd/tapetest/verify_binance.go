package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tapetest/tapetest/replay/binance"
	"github.com/urfave/cli/v3"
)

func newVerifyBinanceCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "binance",
		Usage:     "rebuild the L2 book from a raw Binance depth feed and compare it with bookTicker",
		ArgsUsage: "FILE...",
		Description: "FILE... are chained in order (e.g. two consecutive days). The best bid and ask are compared\n" +
			"with every bookTicker whose update id equals the last applied diff's; the last line is\n" +
			"  aligned=<N> mismatched=<M>\n" +
			"and any mismatch makes the command exit 1. A gap in the update ids is an input error (exit 2).",
		Flags: []cli.Flag{&cli.StringFlag{Name: "format", Value: "text", Usage: "text or json"}},
		Action: func(ctx context.Context, c *cli.Command) error {
			format := c.String("format")
			if format != "text" && format != "json" {
				return usageError(fmt.Errorf("verify binance: --format %q: want text or json", format))
			}
			if c.Args().Len() == 0 {
				return usageError(errors.New("verify binance: no input files"))
			}
			rep, err := binance.Verify(ctx, c.Args().Slice())
			if err != nil {
				return usageError(fmt.Errorf("verify binance: %w", err))
			}
			if format == "json" {
				if err := writeJSON(gs.stdout, rep); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(gs.stdout, "diffs applied=%d dropped before snapshot=%d book tickers=%d\n", rep.Diffs, rep.Dropped, rep.Tickers)
				for _, e := range rep.Examples {
					fmt.Fprintln(gs.stdout, "mismatch:", e)
				}
				fmt.Fprintln(gs.stdout, rep.Summary())
			}
			if rep.Mismatched > 0 {
				return checkFailed(errors.New("verify binance: " + rep.Summary()))
			}
			return nil
		},
	}
}
