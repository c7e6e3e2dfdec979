package main

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
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
			raw, err := os.ReadFile(file)
			if err != nil {
				return usageError(fmt.Errorf("review log: %w", err))
			}
			alerts, err := readAlertLog(strings.NewReader(string(raw)), file)
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
			fmt.Fprintf(gs.stdout, "review queue: %d alerts above the line, %d drawn below it (of %d): %s\n", above, sampled, below, filepath.Join(dir, results.ReviewQueueFile))
			return nil
		},
	}
}

// readAlertLog reads a production alert log (see the command's
// description); errors name the file, line and field.
func readAlertLog(r io.Reader, name string) ([]detectors.Alert, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: no header row: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	if _, ok := col["instance"]; !ok {
		if i, ok := col["detector"]; ok {
			col["instance"] = i
		}
	}
	for _, need := range []string{"instance", "typology", "symbol", "raised_at", "score"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s:1: %s: missing column (instance, typology, symbol, raised_at and score are required)", name, need)
		}
	}
	known := map[string]bool{}
	var names []string
	for _, t := range replay.Typologies {
		known[string(t)] = true
		names = append(names, string(t))
	}
	var out []detectors.Alert
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		get := func(f string) string {
			if i, ok := col[f]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(f string, e error) error { return fmt.Errorf("%s:%d: %s: %w", name, line, f, e) }
		a := detectors.Alert{Instance: get("instance"), Typology: replay.Typology(get("typology")), Symbol: get("symbol"), Evidence: get("evidence")}
		for f, v := range map[string]string{"instance": a.Instance, "symbol": a.Symbol} {
			if v == "" {
				return nil, bad(f, errors.New("empty"))
			}
		}
		if !known[string(a.Typology)] {
			return nil, bad("typology", fmt.Errorf("%q: want one of %s", a.Typology, strings.Join(names, ", ")))
		}
		if a.RaisedAt, err = logTime(get("raised_at")); err != nil {
			return nil, bad("raised_at", err)
		}
		a.Start, a.End = a.RaisedAt, a.RaisedAt
		if v := get("start"); v != "" {
			if a.Start, err = logTime(v); err != nil {
				return nil, bad("start", err)
			}
		}
		if v := get("end"); v != "" {
			if a.End, err = logTime(v); err != nil {
				return nil, bad("end", err)
			}
		}
		if a.End < a.Start {
			return nil, bad("end", errors.New("before start"))
		}
		if a.Score, err = strconv.ParseFloat(get("score"), 64); err != nil || math.IsNaN(a.Score) || math.IsInf(a.Score, 0) {
			return nil, bad("score", fmt.Errorf("%q: want a finite number", get("score")))
		}
		for _, f := range strings.FieldsFunc(get("accounts"), func(r rune) bool { return r == ' ' || r == ';' || r == ',' }) {
			id, err := strconv.ParseUint(f, 10, 64)
			if err != nil {
				return nil, bad("accounts", fmt.Errorf("%q: want account ids (unsigned integers)", f))
			}
			a.Accounts = append(a.Accounts, id)
		}
		slices.Sort(a.Accounts)
		a.Accounts = slices.Compact(a.Accounts)
		if id := get("id"); id != "" {
			a.Evidence = strings.TrimSpace("production id " + id + ". " + a.Evidence)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no alerts", name)
	}
	return out, nil
}

// logTime reads RFC 3339 or Unix nanoseconds.
func logTime(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("%q: want RFC 3339 or Unix nanoseconds", s)
	}
	return t.UnixNano(), nil
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
