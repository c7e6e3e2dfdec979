package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scaleout"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/tapetest/tapetest/scoring"
	"github.com/urfave/cli/v3"
)

// maxBatch bounds --batch: a batch is allocated whole, for every slot of the
// fan-out's ring (--batch 1e12 died out of memory).
const maxBatch = 1 << 20

func runFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "out", Usage: "results directory, or an object store URL (gs://, s3://, azblob://, file://) it is uploaded to"},
		&cli.IntFlag{Name: "batch", Value: 4096, Usage: "records per batch handed to detectors"},
		&cli.StringFlag{Name: "format", Value: "text", Usage: "summary on stdout: text, json or markdown"},
		&cli.StringSliceFlag{Name: "detector", Usage: "run this detector instead of the spec's (repeatable): NAME[:param=value,...]; value1|value2 is a grid"},
		&cli.StringSliceFlag{Name: "baseline-detector", Usage: "also run this baseline detector on the same replay (repeatable, same syntax); its ids get the prefix baseline/ and 'tapetest gate --run DIR' compares the two"},
	}, shardFlags()...)
}

func newSweepCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "sweep",
		Usage:     "detector parameter grids over one replay: rank every instance and threshold",
		ArgsUsage: "[SPEC]",
		Description: "Like run (same results directory), but prints, per typology, every grid instance ranked by\n" +
			"its best F1, with its best-F1 threshold and the threshold that maximises recall within the spec's\n" +
			"analyst budget. Grids come from list-valued parameters in the spec or in --detector (a|b|c).",
		Flags:                     runFlags(),
		DisableSliceFlagSeparator: true, // --detector values contain commas
		Action: func(ctx context.Context, c *cli.Command) error {
			switch {
			case c.IsSet("shard"):
				return shardAction(ctx, gs, c)
			case c.IsSet("shards"):
				return localAction(ctx, gs, c, func(gs *globalState, dir, format string) error { return printSweep(gs.stdout, dir, format) })
			}
			return backtestAction(ctx, gs, c, printSweep)
		},
	}
}

func newRunCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "scenario -> replay -> detectors -> scoring -> results, in one streaming pass",
		ArgsUsage: "[SPEC]",
		Description: "Runs SPEC (the embedded default suite when omitted) and writes the results directory:\n" +
			"alerts, labels, metrics and sweep tables, summary.json, summary.md, plots and report.html.\n" +
			"Exit status 3 when a detector instance failed (the others' results are still written).",
		Flags: append(runFlags(),
			&cli.StringFlag{Name: "seeds", Usage: "run the spec once per seed (LIST: 1-8, 1,3,5 or 2-4,9) into DIR/seed-N and aggregate: pooled counts with intervals over the seeds, and thresholds chosen on some seeds and measured on the others (seeds.json, seeds.md)"},
			&cli.IntFlag{Name: "calibration-seeds", HideDefault: true, Usage: "with --seeds: how many of the first seeds choose the by-seed thresholds (default: half)"},
		),
		DisableSliceFlagSeparator: true, // --detector values contain commas
		Action: func(ctx context.Context, c *cli.Command) error {
			switch {
			case c.IsSet("shard"):
				return shardAction(ctx, gs, c)
			case c.IsSet("shards"):
				return localAction(ctx, gs, c, nil)
			case c.IsSet("seeds"):
				return seedsAction(ctx, gs, c)
			}
			return backtestAction(ctx, gs, c, printSummary)
		},
	}
}

// loadSpec reads SPEC or the embedded default suite.
func loadSpec(c *cli.Command) (*backtest.Spec, []byte, string, error) {
	if c.Args().Len() > 1 {
		return nil, nil, "", usageError(fmt.Errorf("%s: give at most one spec", c.Name))
	}
	if c.Args().Len() == 0 {
		s, err := backtest.Default()
		return s, scenarios.DefaultSpecText(), "default", err
	}
	p := c.Args().First()
	s, b, err := backtest.Load(p)
	if err != nil {
		return nil, nil, "", usageError(err)
	}
	return s, b, filepath.Base(p), nil
}

// backtestRequest is what run and sweep read from their flags.
type backtestRequest struct {
	format, dir, name string
	spec              *backtest.Spec
	text              []byte
	opts              backtest.Options
	t0                time.Time
}

// readBacktestFlags checks run's and sweep's flags, loads the spec and
// makes sure the output directory can be written.
func readBacktestFlags(ctx context.Context, gs *globalState, c *cli.Command) (*backtestRequest, error) {
	r := &backtestRequest{format: c.String("format"), dir: c.String("out"), t0: time.Now()}
	if r.format != "text" && r.format != "json" && r.format != "markdown" {
		return nil, usageError(fmt.Errorf("run: --format %q: want text, json or markdown", r.format))
	}
	if b := c.Int("batch"); b < 1 || b > maxBatch {
		return nil, usageErrorf("%s: --batch %d: give 1 to %d records", c.Name, b, maxBatch)
	}
	var err error
	r.spec, r.text, r.name, err = loadSpec(c)
	if err != nil {
		return nil, usageError(err)
	}
	// Inputs named by URL are fetched before anything runs; the copies go
	// when the process does.
	cleanup, err := scaleout.FetchInputs(ctx, r.spec.Scenario)
	if err != nil {
		return nil, usageError(fmt.Errorf("%s: %w", c.Name, err))
	}
	gs.atExit(cleanup)
	switch {
	case c.IsSet("shard") || scaleout.IsURL(r.dir): // a store, not a results directory
	default:
		if err := results.Replaceable(r.dir); errors.Is(err, results.ErrNotReplaceable) {
			return nil, usageError(fmt.Errorf("%s: -o %w", c.Name, err))
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Clean(r.dir)), 0o755); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err) // before the replay, not after it
		}
	}
	progress := progressPrinter(gs, r.t0)
	var cfgs, base []detectors.Config
	for _, d := range c.StringSlice("detector") {
		cfg, err := backtest.ParseDetectorFlag(d)
		if err != nil {
			return nil, usageError(fmt.Errorf("run: --detector %q: %w", d, err))
		}
		cfgs = append(cfgs, cfg)
	}
	for _, d := range c.StringSlice("baseline-detector") {
		cfg, err := backtest.ParseDetectorFlag(d)
		if err != nil {
			return nil, usageError(fmt.Errorf("run: --baseline-detector %q: %w", d, err))
		}
		base = append(base, cfg)
	}
	if in := backtest.InheritScopes(cfgs, r.spec.Config.Detectors); len(in) > 0 {
		gs.logger.Info("--detector entries take the spec's scope for the same detector (give symbols=A+B to choose another)", "entries", strings.Join(in, ", "))
	}
	r.opts = backtest.Options{SpecName: r.name, SpecText: r.text, ToolVersion: version, BatchSize: int(c.Int("batch")), Progress: progress, Detectors: cfgs, BaselineDetectors: base}
	return r, nil
}

// backtestAction runs the pipeline for run and sweep; show prints the result.
func backtestAction(ctx context.Context, gs *globalState, c *cli.Command, show func(w io.Writer, dir, format string) error) error {
	req, err := readBacktestFlags(ctx, gs, c)
	if err != nil {
		return err
	}
	spec, text, dir, format, t0 := req.spec, req.text, req.dir, req.format, req.t0
	dir, upload, err := stageOutput(ctx, gs, dir)
	if err != nil {
		return usageError(fmt.Errorf("%s: %w", c.Name, err))
	}
	out, err := backtest.Run(ctx, spec, req.opts)
	if gs.stderrTerminal {
		fmt.Fprintln(gs.stderr)
	}
	if err != nil {
		return usageError(fmt.Errorf("%s: %w", c.Name, err))
	}
	defer out.Close()
	// The directory is replaced whole: either the previous complete run or
	// this one, never a mixture.
	if err := results.CommitDir(dir, func(tmp string) error {
		if err := results.WriteFileAtomic(filepath.Join(tmp, "spec.yaml"), text); err != nil {
			return err
		}
		return results.WriteDir(tmp, out.Contents)
	}); err != nil {
		return fmt.Errorf("%s: %w", c.Name, err)
	}
	if err := upload(); err != nil {
		return fmt.Errorf("%s: %w", c.Name, err)
	}
	gs.logger.Info("run done", "events", out.Stats.Events, "alerts", len(out.Contents.Alerts), "labels", len(out.Contents.Labels), "seconds", time.Since(t0).Round(time.Millisecond).Seconds(), "out", req.dir)
	if err := show(gs.stdout, dir, format); err != nil {
		return err
	}
	if len(out.Contents.Failures) > 0 {
		return detectorFailed(fmt.Errorf("run: %d detector instance(s) failed; see %s", len(out.Contents.Failures), filepath.Join(dir, results.ReportFile)))
	}
	return nil
}

// printSweep ranks the instances of each typology by best F1.
func printSweep(w io.Writer, dir, format string) error {
	s, err := results.ReadSummary(dir)
	if err != nil {
		return err
	}
	in := backtest.RankByTypology(s.Instances)
	if format == "json" {
		return writeJSON(w, in)
	}
	md := format == "markdown"
	if md {
		fmt.Fprintln(w, "| typology | rank | instance | threshold | measured | precision | recall | F1 | in-sample best F1 | background alerts/day | recall at capacity (in-sample) |\n|---|---|---|---|---|---|---|---|---|---|---|")
	}
	rank := 0
	var table [][]string // the current typology's rows, text format
	flush := func() {
		if len(table) > 1 {
			printColumns(w, table, 2)
		}
		table = [][]string{{"#", "instance", "threshold", "measured", "precision", "recall", "F1", "in-sample best F1", "bg alerts/day", "recall at capacity (in-sample)"}}
	}
	for i, r := range in {
		if i == 0 || in[i-1].Typology != r.Typology {
			rank = 0
			if !md {
				flush()
				fmt.Fprintf(w, "\n%s\n", r.Typology)
			}
		}
		rank++
		m, thr, how := r.Best, r.Best.Threshold, "in-sample"
		if r.Test != nil {
			m, thr, how = *r.Test, r.OperatingPoint.Threshold, r.OperatingPoint.Measured()
		}
		atCap := "–"
		if c := r.AtCapacity; c != nil {
			atCap = fmt.Sprintf("%.1f%% (%d/%d) at %.4g, %s/day", 100*c.Recall, c.Detected, r.Best.Labels, c.Threshold, results.PerDayText(c.AlertsPerDay))
		}
		if md {
			fmt.Fprintf(w, "| %s | %d | `%s` | %.4g | %s | %.1f%% | %.1f%% | %.3f | %.3f | %s | %s |\n", r.Typology, rank, r.Instance, thr, how, 100*m.Precision, 100*m.Recall, m.F1, r.Best.F1, results.PerDayText(m.AlertsPerDay), atCap)
			continue
		}
		table = append(table, []string{fmt.Sprintf("%d.", rank), r.Instance, strconv.FormatFloat(thr, 'g', 4, 64), how, countedShare(m.MatchedAlerts, m.Alerts, "no alerts"),
			countedShare(m.Detected, m.Labels, "no labels"), fmt.Sprintf("%.3f", m.F1), fmt.Sprintf("%.3f", r.Best.F1), results.PerDayText(m.AlertsPerDay), atCap})
	}
	if !md {
		flush()
	}
	if !md {
		fmt.Fprintln(w, "\nranked by the measured F1 (cross-validated unless the scoring says otherwise); the top of a grid is still chosen on this run — confirm it on other data or seeds (run --seeds)")
	}
	if !md {
		fmt.Fprintf(w, "\nreport: %s\n", filepath.Join(dir, results.ReportFile))
	}
	return nil
}

// printSummary prints the compact summary table of a results directory.
func printSummary(w io.Writer, dir, format string) error {
	s, err := results.ReadSummary(dir)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		return writeJSON(w, s)
	case "markdown":
		b, err := os.ReadFile(filepath.Join(dir, results.MarkdownFile))
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	for _, f := range s.Failures { // failures first: a table of the others must not hide them
		fmt.Fprintf(w, "FAILED %s: %s\n", f.Instance, f.Error)
	}
	if len(s.Failures) > 0 {
		fmt.Fprintln(w)
	}
	rows := [][]string{{"detector instance", "typology", "threshold", "precision (matched/alerts) [95%]", "recall (detected/labels) [95%]", "F1 [95%]", "TTD p50", "detected ≤1m ≤5m", "bg alerts/d (count) [95%]", "recall at capacity"}}
	over := 0
	var shipped, inSample, defaulted int
	for _, r := range s.Instances {
		m, thr := r.Best, fmt.Sprintf("%.4g (best F1) in-sample", r.Best.Threshold)
		if r.Best.Labels == 0 { // nothing to choose a threshold by: every alert is a false one
			m, thr = r.All, "every alert (no labels)"
		}
		if r.Test != nil {
			op := r.OperatingPoint
			m = *r.Test
			shipped++
			by := op.SelectedBy
			if r.Selection != nil && r.Selection.Default {
				by, defaulted = r.Selection.Rule+"*", defaulted+1
			}
			thr = fmt.Sprintf("%.4g (%s)", op.Threshold, by)
			if how := op.Measured(); how != "fixed" {
				thr += " " + how
			}
		}
		if (r.Test == nil && r.Best.Labels > 0) || (r.Test != nil && r.OperatingPoint.InSample) {
			inSample++
		}
		f1, ttd := fmt.Sprintf("%.3f [%.2f–%.2f]", m.F1, m.F1CI[0], m.F1CI[1]), "–"
		if m.Labels == 0 {
			f1 = "–"
		}
		if m.Detected > 0 {
			ttd = time.Duration(m.TTDP50 * float64(time.Second)).Round(time.Second).String()
		}
		perDay := "–"
		if _, no := s.NotEvaluable[r.Instance]; no {
			perDay = "not evaluable"
		} else if s.Days > 0 {
			perDay = results.RateWithCI(m.AlertsPerDay, m.BackgroundAlert, m.AlertsPerDayCI)
		}
		early := "–"
		if len(m.RecallWithin) == 2 && m.Labels > 0 {
			early = fmt.Sprintf("%d %d", m.RecallWithin[0].Detected, m.RecallWithin[1].Detected)
		}
		atCap := "–"
		if p := r.AtCapacity; p != nil {
			atCap = fmt.Sprintf("%.1f%% %d/%d at %.4g", 100*p.Recall, p.Detected, r.Best.Labels, p.Threshold)
		}
		if _, no := s.NotEvaluable[r.Instance]; !no && s.BudgetPerDay > 0 && m.AlertsPerDay > s.BudgetPerDay {
			perDay += " over"
			over++
		}
		rows = append(rows, []string{r.Instance, string(r.Typology), thr, countedShare(m.MatchedAlerts, m.Alerts, "no alerts"),
			countedShare(m.Detected, m.Labels, "no labels"), f1, ttd, early, perDay, atCap})
	}
	printColumns(w, rows, 2)
	split := ""
	for _, r := range s.Instances {
		if r.OperatingPoint != nil && r.OperatingPoint.Split != "none" && r.OperatingPoint.Measured() != "fixed" {
			split = r.OperatingPoint.Split
			break
		}
	}
	switch {
	case strings.HasPrefix(split, "folds"):
		fmt.Fprintf(w, "measured by %s: cross-validated — each fold at the threshold the other folds choose; the threshold shown is the rule's choice on the whole run (what ships)\n", split)
	case split != "":
		fmt.Fprintf(w, "measured by %s: the rule chose on the first part, the figures are the rest's\n", split)
	}
	if s.BudgetPerDay > 0 {
		fmt.Fprintf(w, "capacity: %g background alerts a day (scoring.budget_per_day); recall at capacity is the highest recall within it, in-sample; %d instance(s) ship over it (\"over\")\n", s.BudgetPerDay, over)
	}
	if defaulted > 0 {
		fmt.Fprintf(w, "* the entry states no threshold: or select:, so %s chose its threshold (select: or threshold: in the spec says what ships)\n", scoring.DefaultRule)
	}
	if inSample > 0 {
		fmt.Fprintf(w, "%d of %d figures are in-sample: the threshold was chosen on the labels they are measured on (a threshold tuned on other data does worse)\n", inSample, len(s.Instances))
	}
	ids := make([]string, 0, len(s.NotEvaluable))
	for id := range s.NotEvaluable {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Fprintf(w, "%s: %s\n", id, s.NotEvaluable[id])
	}
	fmt.Fprintf(w, "report: %s\n", filepath.Join(dir, results.ReportFile))
	return nil
}

// printColumns prints rows as aligned columns: the first left columns
// (names) left-aligned, the rest (numbers) right-aligned.
func printColumns(w io.Writer, rows [][]string, left int) {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range rows {
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i < left {
				fmt.Fprint(w, c, pad)
			} else {
				fmt.Fprint(w, pad, c)
			}
			if i < len(row)-1 {
				fmt.Fprint(w, "  ")
			}
		}
		fmt.Fprintln(w)
	}
}

// progressInterval is how often a run on a non-terminal prints a progress
// line (CI logs would otherwise show nothing for a minute).
var progressInterval = 10 * time.Second

// progressPrinter shows a run's progress on stderr: a bar redrawn in place on
// a terminal, a line every progressInterval elsewhere. The share is of the
// replayed time range, so it reaches 100% when the replay does.
func progressPrinter(gs *globalState, t0 time.Time) func(int64, float64) {
	if gs.stderrTerminal {
		return func(n int64, done float64) {
			bar := strings.Repeat("█", int(done*30)) + strings.Repeat("░", 30-int(done*30))
			fmt.Fprintf(gs.stderr, "\r%s %3.0f%%  %d events  %s", bar, 100*done, n, time.Since(t0).Round(time.Second))
		}
	}
	next := t0.Add(progressInterval)
	return func(n int64, done float64) {
		if now := time.Now(); now.After(next) {
			next = now.Add(progressInterval)
			fmt.Fprintf(gs.stderr, "progress: %3.0f%% of the replayed time, %d events, %s\n", 100*done, n, time.Since(t0).Round(time.Second))
		}
	}
}

// countedShare is k of n as a percentage with its count and 95% Wilson
// interval ("12.5% 1/8 [2–47]"), or none when n is 0.
func countedShare(k, n int, none string) string {
	if n == 0 {
		return none
	}
	lo, hi := scoring.Wilson(k, n)
	return fmt.Sprintf("%.1f%% %d/%d [%.0f–%.0f]", 100*float64(k)/float64(n), k, n, 100*lo, 100*hi)
}
