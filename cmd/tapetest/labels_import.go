package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/results"
	"github.com/urfave/cli/v3"
)

// newLabelsCommand groups the commands on label files (docs/labels.md).
func newLabelsCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:     "labels",
		Usage:    "label files: turn published lists of pump-and-dump announcements into labels",
		Commands: []*cli.Command{newLabelsImportCommand(gs)},
	}
}

func newLabelsImportCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "read a published pump-and-dump list (" + strings.Join(labels.PumpLists, ", ") + ") as a label file",
		ArgsUsage: "FILE",
		Description: "Writes the list's announcements as pump_and_dump labels (docs/labels.md), so that a run over the\n" +
			"tick trades of those coins scores against them. Only one exchange's pumps are kept (--exchange;\n" +
			"\"\" keeps all), announcements of one coin within --merge of each other become one label, and the\n" +
			"ardia list's failed pumps are left out unless --include-failed. What was skipped, and why, goes\n" +
			"to stderr.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "list", Required: true, Usage: "the list's layout: " + strings.Join(labels.PumpLists, ", ")},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Required: true, Usage: "the label file to write (CSV)"},
			&cli.StringFlag{Name: "exchange", Value: "binance", Usage: "keep this exchange's pumps (\"\" for all)"},
			&cli.StringFlag{Name: "symbol", Value: "{coin}/{quote}", Usage: "the labels' symbol, as the trade files name it: a template over {coin} and {quote}"},
			&cli.DurationFlag{Name: "merge", Value: 60 * 60e9, Usage: "one label for a coin's announcements within this long of each other (0: one per announcement)"},
			&cli.DurationFlag{Name: "length", Usage: "each label's length (0: no end; the spec's label_length applies)"},
			&cli.BoolFlag{Name: "include-failed", Usage: "keep the pumps the ardia list marks as failed"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Args().Len() != 1 {
				return usageError(errors.New("labels import: give one list file"))
			}
			res, err := labels.ImportPumpList(c.String("list"), c.Args().First(), labels.PumpListOptions{
				Exchange: c.String("exchange"), Symbol: c.String("symbol"), Merge: c.Duration("merge"), Length: c.Duration("length"), IncludeFailed: c.Bool("include-failed")})
			if err != nil {
				return usageError(fmt.Errorf("labels import: %w", err))
			}
			if len(res.Labels) == 0 {
				return usageError(fmt.Errorf("labels import: none of the list's %d announcements was kept (skipped: %v)", res.Read, res.Skipped))
			}
			var buf bytes.Buffer
			if err := labels.WriteFile(&buf, res.Labels); err != nil {
				return err
			}
			if err := results.WriteFileAtomic(c.String("out"), buf.Bytes()); err != nil {
				return err
			}
			var reasons []string
			for k, n := range res.Skipped {
				reasons = append(reasons, fmt.Sprintf("%s %d", k, n))
			}
			sort.Strings(reasons)
			if len(reasons) == 0 {
				reasons = []string{"none"}
			}
			fmt.Fprintf(gs.stderr, "labels import: %d announcements, %d labels written to %s; skipped: %s\n", res.Read, len(res.Labels), c.String("out"), strings.Join(reasons, ", "))
			return nil
		},
	}
}
