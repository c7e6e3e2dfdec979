package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scoring"
	"github.com/urfave/cli/v3"
)

func newGateCommand(gs *globalState) *cli.Command {
	return &cli.Command{
		Name:  "gate",
		Usage: "CI gate: compare a candidate's results with a baseline's under a policy",
		Description: "A and B are results directories or summary.json files. Without --policy, no detector may lose\n" +
			"more than 5 points of recall or 10 of precision, and no baseline instance may disappear.\n" +
			"When GITHUB_STEP_SUMMARY is set, the Markdown table is appended to it.\n" +
			"Each results directory is checked against its manifest first: a file edited, missing or added since\n" +
			"the run, or no manifest (a run that did not finish), fails the gate. Two runs of different scenarios\n" +
			"(spec, seed, inputs or scoring) are refused unless --allow-different-scenarios.\n" +
			"Exit codes: 0 every rule passed, 1 a rule failed or a directory does not match its manifest,\n" +
			"2 usage or configuration error, two different scenarios.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "baseline", Usage: "baseline results directory or summary.json"},
			&cli.StringFlag{Name: "candidate", Usage: "candidate results directory or summary.json"},
			&cli.StringFlag{Name: "run", Usage: "one results directory from run --baseline-detector: its baseline/ instances are the baseline, the others the candidate"},
			&cli.StringFlag{Name: "policy", Usage: "gate policy YAML (default rules when omitted)"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text, json, markdown or junit"},
			&cli.StringFlag{Name: "by", Value: "instance", Usage: "pair detectors by instance id, or compare the best instance per typology (typology)"},
			&cli.BoolFlag{Name: "allow-different-scenarios", Usage: "compare runs that replayed different scenarios or scored them differently (refused without it)"},
		},
		Action: func(_ context.Context, c *cli.Command) error { return gateAction(gs, c) },
	}
}

func gateAction(gs *globalState, c *cli.Command) error {
	format := c.String("format")
	switch format {
	case "text", "json", "markdown", "junit":
	default:
		return usageError(fmt.Errorf("gate: --format %q: want text, json, markdown or junit", format))
	}
	var base, cand *results.Summary
	var err error
	// Results are evidence: each directory is checked against its manifest
	// before its summary is read (an edited or half-written directory fails).
	read := func(role, path string) (*backtest.Evidence, error) {
		ev, err := backtest.ReadEvidence(path)
		var ie *results.IntegrityError
		switch {
		case errors.As(err, &ie):
			return nil, checkFailed(fmt.Errorf("gate: %s: %w", role, err))
		case err != nil:
			return nil, usageError(fmt.Errorf("gate: %s: %w", role, err))
		}
		return ev, nil
	}
	switch {
	case c.String("run") != "" && c.String("baseline") == "" && c.String("candidate") == "":
		one, err := read("run", c.String("run"))
		if err != nil {
			return err
		}
		if base, cand, err = backtest.SplitBaseline(one.Summary); err != nil {
			return usageError(fmt.Errorf("gate: %s: %w", c.String("run"), err))
		}
	case c.String("run") == "" && c.String("baseline") != "" && c.String("candidate") != "":
		b, err := read("baseline", c.String("baseline"))
		if err != nil {
			return err
		}
		k, err := read("candidate", c.String("candidate"))
		if err != nil {
			return err
		}
		if b.Scenario != k.Scenario && !c.Bool("allow-different-scenarios") {
			return usageError(fmt.Errorf("gate: %w (baseline %s, candidate %s): compare runs of one spec, seed, inputs and scoring, or give --allow-different-scenarios", backtest.ErrDifferentScenarios, b.Dir, k.Dir))
		}
		base, cand = b.Summary, k.Summary
	default:
		return usageError(errors.New("gate: give --baseline and --candidate, or --run"))
	}
	policy := scoring.DefaultPolicy()
	if p := c.String("policy"); p != "" {
		if policy, err = scoring.LoadPolicy(p); err != nil {
			return usageError(fmt.Errorf("gate: %w", err))
		}
	}
	bi, ci := base.Instances, cand.Instances
	switch c.String("by") {
	case "instance":
	case "typology":
		bi, ci = scoring.BestPerTypology(bi), scoring.BestPerTypology(ci)
	default:
		return usageError(fmt.Errorf("gate: --by %q: want instance or typology", c.String("by")))
	}
	res := scoring.Gate(policy, bi, ci)
	switch format {
	case "json":
		if err := writeJSON(gs.stdout, res); err != nil {
			return err
		}
	case "markdown":
		fmt.Fprint(gs.stdout, gateMarkdown(res))
	case "junit":
		var cases []results.JUnitCase
		for _, r := range res.Rules {
			jc := results.JUnitCase{Name: fmt.Sprintf("%s/%s/%s", r.Instance, r.Typology, r.Rule), Classname: "tapetest.gate." + string(r.Typology)}
			if !r.Pass {
				jc.Message = r.Rule + " failed"
				jc.Failure = fmt.Sprintf("%s: baseline %.4f, candidate %.4f, limit %.4f: %s", r.Rule, r.Baseline, r.Candidate, r.Limit, r.Message)
			}
			cases = append(cases, jc)
		}
		if err := results.WriteJUnit(gs.stdout, "tapetest gate", time.Now().UTC().Format("2006-01-02T15:04:05"), cases); err != nil {
			return err
		}
	default:
		w := len("detector instance")
		for _, r := range res.Rules {
			w = max(w, len(r.Instance))
		}
		fmt.Fprintf(gs.stdout, "%-*s %-18s %-20s %10s %10s %10s  %s\n", w, "detector instance", "typology", "rule", "baseline", "candidate", "limit", "result")
		for _, r := range res.Rules {
			verdict := "pass"
			if !r.Pass {
				verdict = "FAIL  " + r.Message
			}
			fmt.Fprintf(gs.stdout, "%-*s %-18s %-20s %10.4f %10.4f %10.4f  %s\n", w, r.Instance, r.Typology, r.Rule, r.Baseline, r.Candidate, r.Limit, verdict)
		}
	}
	if path := gs.getenv("GITHUB_STEP_SUMMARY"); path != "" {
		if err := appendFile(path, gateMarkdown(res)); err != nil {
			return usageError(fmt.Errorf("gate: GITHUB_STEP_SUMMARY: %w", err))
		}
	}
	if !res.Pass {
		failed := 0
		for _, r := range res.Rules {
			if !r.Pass {
				failed++
			}
		}
		return checkFailed(fmt.Errorf("gate: %d of %d rules failed", failed, len(res.Rules)))
	}
	if len(res.Rules) == 0 {
		return usageError(errors.New("gate: no rule was checked (empty summaries?)"))
	}
	return nil
}

func gateMarkdown(res scoring.GateResult) string {
	var b strings.Builder
	verdict := "passed"
	if !res.Pass {
		verdict = "**failed**"
	}
	fmt.Fprintf(&b, "### tapetest gate %s\n\n| detector instance | typology | rule | baseline | candidate | limit | result |\n|---|---|---|---|---|---|---|\n", verdict)
	for _, r := range res.Rules {
		v := "✅"
		if !r.Pass {
			v = "❌ " + r.Message
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %.4f | %.4f | %.4f | %s |\n", r.Instance, r.Typology, r.Rule, r.Baseline, r.Candidate, r.Limit, v)
	}
	return b.String()
}

func appendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = io.WriteString(f, s+"\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
