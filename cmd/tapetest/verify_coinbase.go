package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tapetest/tapetest/replay/coinbase"
	"github.com/urfave/cli/v3"
)

func newVerifyCoinbaseCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "coinbase",
		Usage:     "rebuild Coinbase's L2 books from a level2 capture and compare them with the ticker's best bid and ask",
		ArgsUsage: "FILE...",
		Description: "FILE... (Coinbase websocket level2, matches and ticker channels, one received message a line) are\n" +
			"chained in order. Each ticker's best bid and ask prices are compared with the rebuilt book as of the\n" +
			"ticker's exchange time (exact), or with a state stamped within a second of it (the level2 channel\n" +
			"stamps batched changes). The last line is\n" +
			"  aligned=<N> mismatched=<M>\n" +
			"and a mismatch makes the command exit 1; a malformed message is an input error (exit 2).",
		Flags: []cli.Flag{&cli.StringFlag{Name: "format", Value: "text", Usage: "text or json"}},
		Action: func(ctx context.Context, c *cli.Command) error {
			format := c.String("format")
			if format != "text" && format != "json" {
				return usageError(fmt.Errorf("verify coinbase: --format %q: want text or json", format))
			}
			if c.Args().Len() == 0 {
				return usageError(errors.New("verify coinbase: no input files"))
			}
			rep, err := coinbase.Verify(ctx, c.Args().Slice())
			if err != nil {
				return usageError(fmt.Errorf("verify coinbase: %w", err))
			}
			if format == "json" {
				if err := writeJSON(gs.stdout, rep); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(gs.stdout, "l2updates=%d tickers=%d exact=%d before a snapshot=%d too old=%d\n", rep.Updates, rep.Tickers, rep.Exact, rep.BeforeBook, rep.TooOld)
				for _, p := range rep.Products {
					fmt.Fprintf(gs.stdout, "  %-9s price decimals %d: aligned=%d mismatched=%d\n", p.Product, p.PriceExp, p.Aligned, p.Mismatched)
				}
				for _, e := range rep.Examples {
					fmt.Fprintln(gs.stdout, "mismatch:", e)
				}
				fmt.Fprintln(gs.stdout, rep.Summary())
			}
			if rep.Mismatched > 0 {
				return checkFailed(errors.New("verify coinbase: " + rep.Summary()))
			}
			return nil
		},
	}
}
