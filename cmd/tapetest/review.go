package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scoring"
	"github.com/urfave/cli/v3"
)

// newReviewCommand groups the analysts' loop: a review queue out, their
// dispositions back in (docs/review.md).
func newReviewCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:  "review",
		Usage: "the analysts' loop: export a review queue (above and below the line), import their dispositions",
		Description: "review export DIR draws the queue: every alert at or above its instance's operating threshold (ATL)\n" +
			"and a random sample below it (BTL) with sampling weights; review import DIR FILE takes the analysts'\n" +
			"dispositions back (true_positive, false_positive, escalated, by alert id) and re-renders the report\n" +
			"with reviewed precision and the true positives the threshold misses, with intervals (docs/review.md).",
		Commands: []*cli.Command{newReviewExportCommand(gs), newReviewImportCommand(gs), newReviewLogCommand(gs)},
	}
}

func newReviewExportCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "write the review queue of a results directory (DIR/review/queue.csv, and --out)",
		ArgsUsage: "DIR",
		Description: "Every alert at or above its instance's operating threshold (ATL), and per instance and typology\n" +
			"--below-sample alerts drawn at random below it (BTL), each row with its sampling weight (the alerts\n" +
			"below the line it stands for), its case file and empty disposition, reviewer and notes columns.\n" +
			"The plan is kept in DIR (hashed in its manifest); exporting again keeps the dispositions imported\n" +
			"unless the plan changes, which --replace must confirm.",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "below-sample", Value: results.DefaultBelowSample, Usage: "alerts drawn below the line per instance and typology"},
			&cli.Uint64Flag{Name: "seed", Usage: "seed of the below-the-line draw (default: the run's seed)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "also write the queue to this file"},
			&cli.BoolFlag{Name: "replace", Usage: "start a new review: drop the dispositions imported under another plan"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Args().Len() != 1 {
				return usageError(errors.New("review export: give one results directory"))
			}
			if c.Int("below-sample") < 0 {
				return usageErrorf("review export: --below-sample %d: want 0 or more", c.Int("below-sample"))
			}
			dir := c.Args().First()
			m, contents, err := readCheckedDir("review export", dir)
			if err != nil {
				return err
			}
			plan := results.ReviewPlan{BelowSample: c.Int("below-sample"), Seed: m.Seed}
			if c.IsSet("seed") {
				plan.Seed = c.Uint64("seed")
			}
			if old := contents.Review; old != nil && old.Plan != plan && len(old.Dispositions) > 0 && !c.Bool("replace") {
				return usageErrorf("review export: %s holds %d dispositions under another plan (below-sample %d, seed %d); export with that plan, or --replace to start over",
					dir, len(old.Dispositions), old.Plan.BelowSample, old.Plan.Seed)
			}
			rv := &results.Review{Plan: plan}
			if old := contents.Review; old != nil && old.Plan == plan {
				rv.Dispositions = old.Dispositions
			}
			contents.Review = rv
			if err := results.RewriteDir(dir, m, contents); err != nil {
				return fmt.Errorf("review export: %w", err)
			}
			queue := filepath.Join(dir, results.ReviewQueueFile)
			if out := c.String("out"); out != "" {
				b, err := os.ReadFile(queue)
				if err != nil {
					return err
				}
				if err := results.WriteFileAtomic(out, b); err != nil {
					return fmt.Errorf("review export: %w", err)
				}
				queue = out
			}
			return printQueueCounts(gs, dir, queue)
		},
	}
}

func newReviewImportCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "take analysts' dispositions back into a results directory and re-render its report",
		ArgsUsage: "DIR FILE",
		Description: "FILE is a CSV with a header naming alert_id and disposition (true_positive, false_positive, escalated;\n" +
			"TP, FP, ESC), and optionally reviewer and notes — the queue from review export, filled in, is one.\n" +
			"Every id must be in DIR's review queue; a row with no disposition stays pending. A disposition for\n" +
			"an alert already decided replaces the earlier one (counted). Exit 2 naming the line and field of\n" +
			"a row that cannot be taken; nothing is imported then.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "what is printed: text, json or markdown"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Args().Len() != 2 {
				return usageError(errors.New("review import: give a results directory and a dispositions file"))
			}
			format := c.String("format")
			if format != "text" && format != "json" && format != "markdown" {
				return usageErrorf("review import: --format %q: want text, json or markdown", format)
			}
			dir, file := c.Args().Get(0), c.Args().Get(1)
			m, contents, err := readCheckedDir("review import", dir)
			if err != nil {
				return err
			}
			if contents.Review == nil {
				return usageErrorf("review import: %s has no review queue: run tapetest review export %s first", dir, dir)
			}
			f, err := os.Open(file)
			if err != nil {
				return usageError(fmt.Errorf("review import: %w", err))
			}
			ds, pending, err := results.ReadDispositions(f, file, results.QueueIDs(contents))
			f.Close()
			if err != nil {
				return usageError(fmt.Errorf("review import: %w", err))
			}
			var replaced int
			contents.Review.Dispositions, replaced = results.MergeDispositions(contents.Review.Dispositions, ds)
			if err := results.RewriteDir(dir, m, contents); err != nil {
				return fmt.Errorf("review import: %w", err)
			}
			fmt.Fprintf(gs.stderr, "review import: %d dispositions taken (%d replaced earlier ones), %d rows pending; %d in %s\n",
				len(ds), replaced, pending, len(contents.Review.Dispositions), dir)
			s, err := results.ReadSummary(dir)
			if err != nil {
				return err
			}
			return printReviewed(gs, format, s)
		},
	}
}

// readCheckedDir reads a results directory that matches its manifest (exit
// 1 naming what does not; exit 2 when it is not a results directory).
func readCheckedDir(cmd, dir string) (*results.Manifest, *results.Contents, error) {
	m, err := results.CheckDir(dir)
	var ie *results.IntegrityError
	switch {
	case errors.As(err, &ie) && ie.Err == nil:
		return nil, nil, checkFailed(fmt.Errorf("%s: %w", cmd, err))
	case err != nil:
		return nil, nil, usageError(fmt.Errorf("%s: %w", cmd, err))
	}
	contents, err := results.ReadDir(dir)
	if err != nil {
		return nil, nil, usageError(fmt.Errorf("%s: %w", cmd, err))
	}
	return m, contents, nil
}

// reviewedRow is one instance's reviewed figures as printed.
type reviewedRow struct {
	Instance string            `json:"instance"`
	Typology string            `json:"typology"`
	Reviewed *scoring.Reviewed `json:"reviewed"`
}

func printReviewed(gs *globalState, format string, s *results.Summary) error {
	var rows []reviewedRow
	for _, in := range s.Instances {
		if in.Reviewed != nil {
			rows = append(rows, reviewedRow{Instance: in.Instance, Typology: string(in.Typology), Reviewed: in.Reviewed})
		}
	}
	if format == "json" {
		return writeJSON(gs.stdout, rows)
	}
	head := []string{"detector instance", "typology", "above line", "reviewed", "TP", "FP", "escalated", "reviewed precision [95%]", "below line", "sampled", "reviewed", "true alerts below the line (est.) [95%]"}
	var table [][]string
	for _, r := range rows {
		rv := r.Reviewed
		table = append(table, []string{r.Instance, r.Typology, fmt.Sprint(rv.AboveLine), fmt.Sprint(rv.ReviewedAbove), fmt.Sprint(rv.TruePositives), fmt.Sprint(rv.FalsePositives),
			fmt.Sprint(rv.Escalated), results.ReviewedText(rv), fmt.Sprint(rv.BelowLine), fmt.Sprint(rv.Sampled), fmt.Sprint(rv.SampledReviewed), results.MissedText(rv)})
	}
	if format == "markdown" {
		fmt.Fprintf(gs.stdout, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
		for _, r := range table {
			fmt.Fprintf(gs.stdout, "| %s |\n", strings.Join(r, " | "))
		}
		return nil
	}
	printColumns(gs.stdout, append([][]string{head}, table...), 2)
	return nil
}

// printQueueCounts prints how many alerts a directory's review queue holds
// above the line and drawn below it.
func printQueueCounts(gs *globalState, dir, queue string) error {
	s, err := results.ReadSummary(dir)
	if err != nil {
		return err
	}
	var above, sampled, below int
	for _, in := range s.Instances {
		if r := in.Reviewed; r != nil {
			above, sampled, below = above+r.AboveLine, sampled+r.Sampled, below+r.BelowLine
		}
	}
	fmt.Fprintf(gs.stdout, "review queue: %d alerts above the line, %d drawn below it (of %d): %s\n", above, sampled, below, queue)
	return nil
}
