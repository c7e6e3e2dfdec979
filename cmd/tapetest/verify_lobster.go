package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tapetest/tapetest/replay/lobster"
	"github.com/urfave/cli/v3"
)

func newVerifyLobsterCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:  "lobster",
		Usage: "replay a LOBSTER message file and compare the book after every message with its orderbook file",
		Description: "Prints reconciliation counts, then as the last line\n" +
			"  rows=<N> mismatched=<M> unexplained=<U> resynced=<R>\n" +
			"Mismatches caused by LOBSTER's level-N window (orders beyond level N that re-enter\n" +
			"the book file with no message) are resynchronised from the reference and counted;\n" +
			"any other mismatch is unexplained and makes the command exit 1.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "messages", Aliases: []string{"m"}, Required: true, Usage: "LOBSTER message file (.csv or .csv.gz)"},
			&cli.StringFlag{Name: "book", Aliases: []string{"b"}, Required: true, Usage: "matching LOBSTER orderbook file"},
			&cli.IntFlag{Name: "tick", Value: 100, Usage: "price tick in USD×10000"},
			&cli.IntFlag{Name: "examples", Value: 10, Usage: "unexplained mismatches to describe"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text or json"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			format := c.String("format")
			if format != "text" && format != "json" {
				return usageError(fmt.Errorf("verify lobster: --format %q: want text or json", format))
			}
			rep, err := lobster.Verify(ctx, c.String("messages"), c.String("book"), lobster.VerifyOptions{Tick: int64(c.Int("tick")), MaxExamples: int(c.Int("examples"))})
			if err != nil {
				return usageError(fmt.Errorf("verify lobster: %w", err))
			}
			if format == "json" {
				if err := writeJSON(gs.stdout, rep); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(gs.stdout, "levels=%d\n", rep.Levels)
				for _, k := range rep.Counts {
					fmt.Fprintf(gs.stdout, "  %-45s %d\n", k.Kind, k.N)
				}
				for _, e := range rep.Examples {
					fmt.Fprintln(gs.stdout, "unexplained:", e)
				}
				fmt.Fprintln(gs.stdout, rep.Summary())
			}
			if rep.Unexplained > 0 {
				return checkFailed(errors.New("verify lobster: " + rep.Summary()))
			}
			return nil
		},
	}
}
