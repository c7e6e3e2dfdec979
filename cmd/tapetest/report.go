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
			"and rewrites the tables, plots, report and manifest. A run's directory re-renders to the same bytes.",
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Args().Len() != 1 {
				return usageError(errors.New("report: give one results directory"))
			}
			dir := c.Args().First()
			contents, err := results.ReadDir(dir)
			if err != nil {
				return usageError(fmt.Errorf("report: %w", err))
			}
			if err := results.WriteDir(dir, contents); err != nil {
				return fmt.Errorf("report: %w", err)
			}
			fmt.Fprintf(gs.stdout, "report: %s/%s\n", dir, results.ReportFile)
			return nil
		},
	}
}
