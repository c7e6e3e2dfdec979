package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tapetest/tapetest/results"
	"github.com/urfave/cli/v3"
)

func newReportCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "re-render plots, report.html and summary.md from a results directory",
		ArgsUsage: "DIR",
		Description: "Reads the alerts, labels, timelines and manifest of DIR, recomputes every metric and sweep,\n" +
			"and rewrites the tables, plots, report and manifest. A run's directory re-renders to the same bytes.\n" +
			"DIR must match its manifest (exit 1 naming the file that does not; exit 2 when it has none); it is replaced whole.",
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Args().Len() != 1 {
				return usageError(errors.New("report: give one results directory"))
			}
			dir := c.Args().First()
			// Results are evidence: a directory that does not match its
			// manifest is refused, never re-rendered into one that does.
			m, err := results.CheckDir(dir)
			var ie *results.IntegrityError
			switch {
			case errors.As(err, &ie) && ie.Err == nil:
				return checkFailed(fmt.Errorf("report: %w", err))
			case err != nil:
				return usageError(fmt.Errorf("report: %w", err))
			}
			contents, err := results.ReadDir(dir)
			if err != nil {
				return usageError(fmt.Errorf("report: %w", err))
			}
			// Replaced whole, as a run writes it: never half re-rendered.
			if err := results.RewriteDir(dir, m, contents); err != nil {
				return fmt.Errorf("report: %w", err)
			}
			fmt.Fprintf(gs.stdout, "report: %s/%s\n", dir, results.ReportFile)
			return nil
		},
	}
}
