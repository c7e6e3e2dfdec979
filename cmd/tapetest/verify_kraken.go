package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tapetest/tapetest/replay/kraken"
	"github.com/urfave/cli/v3"
)

func newVerifyKrakenCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "kraken",
		Usage:     "rebuild Kraken's L2 books from a websocket capture and check Kraken's CRC32 checksum after every update",
		ArgsUsage: "FILE...",
		Description: "FILE... (Kraken v1 book channel, one received message a line: \"<epoch seconds>: <json>\" as\n" +
			"cryptofeed records it, or \"<receive_ns> <json>\") are chained in order; every pair is its own book,\n" +
			"truncated to its subscribed depth after each update. The last line is\n" +
			"  checked=<N> mismatched=<M>\n" +
			"and any mismatch makes the command exit 1; a malformed message is an input error (exit 2).",
		Flags: []cli.Flag{&cli.StringFlag{Name: "format", Value: "text", Usage: "text or json"}},
		Action: func(ctx context.Context, c *cli.Command) error {
			format := c.String("format")
			if format != "text" && format != "json" {
				return usageError(fmt.Errorf("verify kraken: --format %q: want text or json", format))
			}
			if c.Args().Len() == 0 {
				return usageError(errors.New("verify kraken: no input files"))
			}
			rep, err := kraken.Verify(ctx, c.Args().Slice())
			if err != nil {
				return usageError(fmt.Errorf("verify kraken: %w", err))
			}
			if format == "json" {
				if err := writeJSON(gs.stdout, rep); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(gs.stdout, "book messages=%d pairs=%d\n", rep.Messages, len(rep.Pairs))
				for _, p := range rep.Pairs {
					fmt.Fprintf(gs.stdout, "  %-12s depth %d, price decimals %d: checked=%d mismatched=%d\n", p.Pair, p.Depth, p.PriceExp, p.Checked, p.Mismatched)
				}
				for _, e := range rep.Examples {
					fmt.Fprintln(gs.stdout, "mismatch:", e)
				}
				fmt.Fprintln(gs.stdout, rep.Summary())
			}
			if rep.Mismatched > 0 {
				return checkFailed(errors.New("verify kraken: " + rep.Summary()))
			}
			return nil
		},
	}
}
