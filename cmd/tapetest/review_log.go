package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scoring"
	"github.com/urfave/cli/v3"
)

// alertLogFile is the production alert log as copied into its review
// directory (the directory's "spec": what defines it).
const alertLogFile = "alert-log.csv"

func newReviewLogCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:      "log",
		Usage:     "start a review of a production alert log: a review directory with its queue (no replay, no labels)",
		ArgsUsage: "FILE",
		Description: "FILE is a CSV of production alerts with a header: instance (or detector), typology, symbol,\n" +
			"raised_at, score are required; start, end (default: raised_at), accounts (ids separated by spaces\n" +
			"or semicolons), evidence and id (the production system's own, kept in the evidence) are optional.\n" +
			"Times are RFC 3339 or Unix nanoseconds. Each instance's line is its --threshold (INSTANCE=SCORE,\n" +
			"repeatable), else its lowest score in the log: every alert was sent. The directory holds the\n" +
			"alerts, the queue and a report; review import then works on it as on a run's (docs/review.md).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Required: true, Usage: "the review directory to write"},
			&cli.StringSliceFlag{Name: "threshold", Usage: "INSTANCE=SCORE: the instance's line (repeatable; default: its lowest score in the log)"},
			&cli.IntFlag{Name: "below-sample", Value: results.DefaultBelowSample, Usage: "alerts drawn below the line per instance and typology"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the below-the-line draw"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Args().Len() != 1 {
				return usageError(errors.New("review log: give one alert log (CSV)"))
			}
			file, dir := c.Args().First(), c.String("out")
			if st, err := os.Stat(file); err == nil && st.Size() > results.MaxAlertLogBytes {
				return usageErrorf("review log: %s: %d bytes, more than the %d MiB an alert log may have", file, st.Size(), results.MaxAlertLogBytes>>20)
			}
			raw, err := os.ReadFile(file)
			if err != nil {
				return usageError(fmt.Errorf("review log: %w", err))
			}
			alerts, err := results.ReadAlertLog(strings.NewReader(string(raw)), file)
			if err != nil {
				return usageError(fmt.Errorf("review log: %w", err))
			}
			thr := map[string]float64{}
			for _, t := range c.StringSlice("threshold") {
				name, v, ok := strings.Cut(t, "=")
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if !ok || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
					return usageErrorf("review log: --threshold %q: want INSTANCE=SCORE with a finite score", t)
				}
				thr[strings.TrimSpace(name)] = f
			}
			contents, err := alertLogContents(alerts, thr, c.Int("below-sample"), c.Uint64("seed"), filepath.Base(file), raw)
			if err != nil {
				return usageError(fmt.Errorf("review log: %w", err))
			}
			if err := results.Replaceable(dir); err != nil {
				return usageError(fmt.Errorf("review log: %w", err))
			}
			if err := results.CommitDir(dir, func(tmp string) error {
				if err := results.WriteFileAtomic(filepath.Join(tmp, alertLogFile), raw); err != nil {
					return err
				}
				return results.WriteDir(tmp, contents)
			}); err != nil {
				return fmt.Errorf("review log: %w", err)
			}
			return printQueueCounts(gs, dir, filepath.Join(dir, results.ReviewQueueFile))
		},
	}
}

// alertLogContents is the review directory of a production alert log: its
// alerts, no labels, each instance at its line, and the review plan.
func alertLogContents(alerts []detectors.Alert, thr map[string]float64, sample int, seed uint64, name string, raw []byte) (*results.Contents, error) {
	if sample < 0 {
		return nil, fmt.Errorf("--below-sample %d: want 0 or more", sample)
	}
	lowest := map[string]float64{}
	type ref struct {
		inst string
		typ  replay.Typology
	}
	var refs []ref
	seen := map[ref]bool{}
	start, end := alerts[0].RaisedAt, alerts[0].RaisedAt
	for _, a := range alerts {
		if v, ok := lowest[a.Instance]; !ok || a.Score < v {
			lowest[a.Instance] = a.Score
		}
		if k := (ref{a.Instance, a.Typology}); !seen[k] {
			seen[k] = true
			refs = append(refs, k)
		}
		start, end = min(start, a.Start, a.RaisedAt), max(end, a.End, a.RaisedAt)
	}
	for inst := range thr {
		if _, ok := lowest[inst]; !ok {
			return nil, fmt.Errorf("--threshold %s: no alert of that instance in the log", inst)
		}
	}
	c := &results.Contents{Alerts: alerts, Start: start, End: end, Review: &results.Review{Plan: results.ReviewPlan{BelowSample: sample, Seed: seed}}}
	for _, r := range refs {
		t, ok := thr[r.inst]
		if !ok {
			t = lowest[r.inst]
		}
		c.Ran = append(c.Ran, scoring.Ref{Instance: r.inst, Typology: r.typ, Selection: scoring.Selection{Threshold: &t}})
	}
	days := float64(end-start) / float64(24*time.Hour)
	c.Options = scoring.Options{Days: days, Start: start, End: end}
	c.Exposure = results.Exposure{CoveredDays: days}
	sc, err := json.Marshal(c.Options)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	c.Manifest = &results.Manifest{ResultsVersion: results.ResultsVersion, Tool: "tapetest", ToolVersion: version, Command: "review log",
		CreatedAt: time.Now().UTC().Format(time.RFC3339), Spec: results.SpecRef{Name: name, SHA256: hex.EncodeToString(sum[:]), File: alertLogFile},
		Seed: seed, Scoring: sc, Start: start, End: end, Detectors: json.RawMessage("[]")}
	return c, nil
}
