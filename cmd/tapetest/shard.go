package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scaleout"
	"github.com/urfave/cli/v3"
)

// shardFlags are run's and sweep's scale-out flags (docs/scale-out.md).
func shardFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "shard", Usage: "run one shard of the plan: I/N, or N with I from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets it); -o is then the store the shards and the merge share (a URL or a folder)"},
		&cli.IntFlag{Name: "shards", HideDefault: true, Usage: "with --local: run the plan's N shards as processes on this machine and merge them into -o"},
		&cli.BoolFlag{Name: "local", Usage: "with --shards N: the shards are local processes"},
	}
}

// parseShard reads --shard: I/N, or N with I from JOB_COMPLETION_INDEX.
func parseShard(gs *globalState, s string) (int, int, error) {
	is, ns, ok := strings.Cut(s, "/")
	if !ok {
		is, ns = gs.getenv("JOB_COMPLETION_INDEX"), s
		if is == "" {
			return 0, 0, fmt.Errorf("--shard %q: give I/N, or N with JOB_COMPLETION_INDEX set", s)
		}
	}
	i, err1 := strconv.Atoi(strings.TrimSpace(is))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	if err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard %q (index %q): want I/N with 0 ≤ I < N", s, is)
	}
	return i, n, nil
}

// planFor builds the plan of a run's flags.
func planFor(gs *globalState, c *cli.Command, req *backtestRequest, shards int) (*scaleout.Plan, error) {
	var seeds []uint64
	if c.IsSet("seeds") {
		var err error
		if seeds, err = parseSeeds(c.String("seeds")); err != nil {
			return nil, usageError(fmt.Errorf("%s: %w", c.Name, err))
		}
	}
	p, err := scaleout.NewPlan(planCommand(c), req.spec, req.text, req.name, version, req.opts, seeds, c.String("seeds"), int(c.Int("calibration-seeds")), shards)
	if err != nil {
		return nil, usageError(fmt.Errorf("%s: %w", c.Name, err))
	}
	return p, nil
}

// planCommand is the command a plan's shards run: plan plans a run.
func planCommand(c *cli.Command) string {
	if c.Name == "sweep" {
		return "sweep"
	}
	return "run"
}

// shardAction runs one shard of a run into the store -o names.
func shardAction(ctx context.Context, gs *globalState, c *cli.Command) error {
	i, n, err := parseShard(gs, c.String("shard"))
	if err != nil {
		return usageError(fmt.Errorf("%s: %w", c.Name, err))
	}
	req, err := readBacktestFlags(ctx, gs, c)
	if err != nil {
		return err
	}
	p, err := planFor(gs, c, req, n)
	if err != nil {
		return err
	}
	store, err := scaleout.OpenStore(ctx, req.dir)
	if err != nil {
		return usageError(fmt.Errorf("%s: %w", c.Name, err))
	}
	defer store.Close()
	res, err := scaleout.RunShard(ctx, store, scaleout.ShardRequest{Plan: p, Index: i, Spec: req.spec, SpecText: req.text, Options: req.opts})
	if err != nil {
		return fmt.Errorf("%s: %w", c.Name, err)
	}
	gs.logger.Info("shard done", "shard", fmt.Sprintf("%d/%d", i, n), "units", res.Units, "attempt", res.Attempt, "failed_instances", res.Failures,
		"seconds", time.Since(req.t0).Round(time.Millisecond).Seconds(), "store", store.String())
	fmt.Fprintf(gs.stdout, "shard %d/%d: %d unit(s) committed to %s (attempt %s); merge with: tapetest merge %s -o DIR\n", i, n, res.Units, store, res.Attempt, store)
	return nil // a failed detector is the merge's exit 3: retrying this pod would fail it again
}

// localAction runs the plan's shards as processes of this executable and
// merges them into -o.
func localAction(ctx context.Context, gs *globalState, c *cli.Command, show func(gs *globalState, dir, format string) error) error {
	n := int(c.Int("shards"))
	if !c.Bool("local") {
		return usageErrorf("%s: --shards %d needs --local (or run --shard I/%d in each of %d processes or pods)", c.Name, n, n, n)
	}
	if n < 1 {
		return usageErrorf("%s: --shards %d: want 1 or more", c.Name, n)
	}
	req, err := readBacktestFlags(ctx, gs, c)
	if err != nil {
		return err
	}
	if scaleout.IsURL(req.dir) {
		return usageErrorf("%s: --local merges into a local folder: give -o a path", c.Name)
	}
	p, err := planFor(gs, c, req, n)
	if err != nil {
		return err
	}
	self := gs.getenv("TAPETEST_EXECUTABLE") // tests run the built binary
	if self == "" {
		if self, err = os.Executable(); err != nil {
			return err
		}
	}
	storeDir, err := os.MkdirTemp("", "tapetest-local-shards-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(storeDir)
	args := []string{c.Name}
	if c.Args().Len() > 0 {
		args = append(args, c.Args().First())
	}
	args = append(args, "--batch", strconv.Itoa(req.opts.BatchSize))
	for _, d := range c.StringSlice("detector") {
		args = append(args, "--detector", d)
	}
	for _, d := range c.StringSlice("baseline-detector") {
		args = append(args, "--baseline-detector", d)
	}
	if c.IsSet("seeds") {
		args = append(args, "--seeds", c.String("seeds"))
	}
	if c.IsSet("calibration-seeds") {
		args = append(args, "--calibration-seeds", strconv.Itoa(int(c.Int("calibration-seeds"))))
	}
	gs.logger.Info("local shards", "shards", n, "axes", strings.Join(p.Axes, "+"), "units", len(p.Units), "why", p.Why)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, self, append(slices.Clone(args), "--shard", fmt.Sprintf("%d/%d", i, n), "-o", storeDir)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				errs[i] = fmt.Errorf("shard %d/%d: %w\n%s", i, n, err, strings.TrimSpace(stderr.String()))
			}
		}(i)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%s: %w", c.Name, err)
	}
	store, err := scaleout.OpenStore(ctx, storeDir)
	if err != nil {
		return err
	}
	defer store.Close()
	return mergeInto(ctx, gs, store, req.dir, req.format, show)
}

// mergeInto merges a store into dir and prints the merged run as run would.
func mergeInto(ctx context.Context, gs *globalState, store *scaleout.Store, dir, format string, show func(gs *globalState, dir, format string) error) error {
	res, err := scaleout.Merge(ctx, store, dir)
	var me *scaleout.MergeError
	switch {
	case errors.As(err, &me):
		return checkFailed(err)
	case err != nil:
		return err
	}
	gs.logger.Info("merged", "shards", res.Plan.Shards, "units", len(res.Plan.Units), "out", dir)
	if show == nil {
		show = func(gs *globalState, dir, format string) error {
			switch {
			case len(res.Plan.Seeds) > 0:
				return printSeeds(gs.stdout, dir, format)
			case res.Plan.Command == "sweep":
				return printSweep(gs.stdout, dir, format)
			}
			return printSummary(gs.stdout, dir, format)
		}
	}
	if err := show(gs, dir, format); err != nil {
		return err
	}
	if res.Failures > 0 {
		return detectorFailed(fmt.Errorf("merge: %d detector instance(s) failed; see %s", res.Failures, filepath.Join(dir, results.ReportFile)))
	}
	return nil
}

func newPlanCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "plan",
		Usage:     "print how a run splits into shards (JSON): the units, the axes used and why",
		ArgsUsage: "[SPEC]",
		Description: "The plan every shard of 'run --shard I/N' computes for itself: each unit is a seed, a part of a\n" +
			"historical run's instruments and a group of detector instances; it says which axes it used and why the\n" +
			"others are left alone (docs/scale-out.md).",
		Flags: append(runFlags(),
			&cli.StringFlag{Name: "seeds", Usage: "a multi-seed run (LIST as run --seeds)"},
			&cli.IntFlag{Name: "calibration-seeds", HideDefault: true, Usage: "as run --calibration-seeds"},
		),
		DisableSliceFlagSeparator: true,
		Action: func(ctx context.Context, c *cli.Command) error {
			if !c.IsSet("shards") {
				return usageErrorf("plan: give --shards N")
			}
			req, err := readBacktestFlags(ctx, gs, c)
			if err != nil {
				return err
			}
			p, err := planFor(gs, c, req, int(c.Int("shards")))
			if err != nil {
				return err
			}
			b, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(gs.stdout, "%s\n", b)
			return err
		},
	}
}

func newMergeCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "merge a sharded run's store into one results directory, identical to the single process's",
		ArgsUsage: "STORE",
		Description: "STORE is the URL or folder the shards wrote to (-o of run --shard). Every shard of the plan must have\n" +
			"committed once, from the same spec, tapetest and inputs: exit 1 listing what is missing or mismatched.\n" +
			"Exit 3 when a detector instance failed in a shard (the others' results are written).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "out", Usage: "results directory, or an object store URL it is uploaded to"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "summary on stdout: text, json or markdown"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Args().Len() != 1 {
				return usageError(errors.New("merge: give the store the shards wrote to"))
			}
			format := c.String("format")
			if format != "text" && format != "json" && format != "markdown" {
				return usageErrorf("merge: --format %q: want text, json or markdown", format)
			}
			out := c.String("out")
			if !scaleout.IsURL(out) {
				if err := results.Replaceable(out); err != nil {
					return usageError(fmt.Errorf("merge: -o %w", err))
				}
			}
			out, upload, err := stageOutput(ctx, gs, out)
			if err != nil {
				return usageError(fmt.Errorf("merge: -o: %w", err))
			}
			store, err := scaleout.OpenStore(ctx, c.Args().First())
			if err != nil {
				return usageError(fmt.Errorf("merge: %w", err))
			}
			defer store.Close()
			err = mergeInto(ctx, gs, store, out, format, nil)
			if err == nil || exitCode(err, false) == exitDetector { // a merged directory, failed instances and all
				if uerr := upload(); uerr != nil {
					return fmt.Errorf("merge: %w", uerr)
				}
			}
			return err
		},
	}
}

// stageOutput is where a command writes its results directory: out itself,
// or, when out is an object store URL, a local folder whose contents upload
// puts there (upload does nothing for a local out). The folder goes when the
// command returns.
func stageOutput(ctx context.Context, gs *globalState, out string) (dir string, upload func() error, err error) {
	if !scaleout.IsURL(out) {
		return out, func() error { return nil }, nil
	}
	store, err := scaleout.OpenStore(ctx, out)
	if err != nil {
		return "", nil, err
	}
	local, err := os.MkdirTemp("", "tapetest-out-")
	if err != nil {
		store.Close()
		return "", nil, err
	}
	gs.atExit(func() { store.Close(); os.RemoveAll(local) })
	dir = filepath.Join(local, "out")
	return dir, func() error { return store.PutDir(ctx, dir, "") }, nil
}
