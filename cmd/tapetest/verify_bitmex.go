package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tapetest/tapetest/replay/bitmex"
	"github.com/urfave/cli/v3"
)

func newVerifyBitmexCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "bitmex",
		Usage:     "rebuild BitMEX's L2 books from an orderBookL2 capture and find every quote among the books' tops",
		ArgsUsage: "FILE...",
		Description: "FILE... (BitMEX websocket orderBookL2, trade and quote tables, one received message a line) are\n" +
			"chained in order. The quote table is throttled and has no update ids, so each quote — best bid and\n" +
			"ask, price and size — is looked for among the latest 1024 tops the rebuilt book had. The last line is\n" +
			"  quotes=<N> matched=<M> unmatched=<U>\n" +
			"and an unmatched quote makes the command exit 1; a malformed message is an input error (exit 2).",
		Flags: []cli.Flag{&cli.StringFlag{Name: "format", Value: "text", Usage: "text or json"}},
		Action: func(ctx context.Context, c *cli.Command) error {
			format := c.String("format")
			if format != "text" && format != "json" {
				return usageError(fmt.Errorf("verify bitmex: --format %q: want text or json", format))
			}
			if c.Args().Len() == 0 {
				return usageError(errors.New("verify bitmex: no input files"))
			}
			rep, err := bitmex.Verify(ctx, c.Args().Slice())
			if err != nil {
				return usageError(fmt.Errorf("verify bitmex: %w", err))
			}
			if format == "json" {
				if err := writeJSON(gs.stdout, rep); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(gs.stdout, "book messages=%d quotes at receipt=%d before a book=%d\n", rep.BookMessages, rep.AtReceipt, rep.BeforeBook)
				for _, in := range rep.Instruments {
					fmt.Fprintf(gs.stdout, "  %-10s price decimals %d: quotes=%d matched=%d unmatched=%d\n", in.Symbol, in.PriceExp, in.Quotes, in.Matched, in.Unmatched)
				}
				for _, e := range rep.Examples {
					fmt.Fprintln(gs.stdout, "unmatched:", e)
				}
				fmt.Fprintln(gs.stdout, rep.Summary())
			}
			if rep.Unmatched > 0 {
				return checkFailed(errors.New("verify bitmex: " + rep.Summary()))
			}
			return nil
		},
	}
}
