// Package backtest runs a whole backtest in one streaming pass: a scenario's
// generator feeds the replay engine, whose record batches fan out to every
// detector instance; the alerts are scored against the scenario's labels and
// written as a results directory.
package backtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/tapetest/tapetest/scoring"
)

// BaselinePrefix marks the instance ids of baseline detectors run beside the candidates.
const BaselinePrefix = "baseline/"

// Options configure Run.
type Options struct {
	SpecName    string // "default" or the spec's file name
	SpecText    []byte // the spec as given (hashed into the manifest)
	ToolVersion string
	BatchSize   int
	// Detectors overrides the spec's detector entries when non-empty.
	Detectors []detectors.Config
	// BaselineDetectors run in the same pass as the others, on exactly the
	// same records; their instance ids get BaselinePrefix, so that a gate can
	// compare a candidate with its baseline inside one results directory.
	BaselineDetectors []detectors.Config
	// Progress, if set, is called after each batch with events replayed so far.
	Progress func(events int64)
}

// Outcome is a finished run.
type Outcome struct {
	Contents *results.Contents
	Stats    replay.RunStats
}

// Run generates the scenario, replays it through the engine with every
// detector instance in parallel, and returns what a results directory holds.
// A detector that fails is reported in Contents.Failures (the others finish);
// the caller decides the exit status.
func Run(ctx context.Context, spec *scenarios.Spec, opts Options) (*Outcome, error) {
	cfgs := opts.Detectors
	if len(cfgs) == 0 {
		for _, d := range spec.Detectors {
			cfgs = append(cfgs, detectors.Config{Name: d.Name, Params: d.Params, Symbols: d.Symbols})
		}
	}
	if len(cfgs) == 0 {
		for _, d := range detectors.All() {
			if d.Name != "external" { // needs a command
				cfgs = append(cfgs, detectors.Config{Name: d.Name})
			}
		}
	}
	insts, err := detectors.Expand(cfgs)
	if err != nil {
		return nil, err
	}
	if len(opts.BaselineDetectors) > 0 {
		base, err := detectors.Expand(opts.BaselineDetectors)
		if err != nil {
			return nil, fmt.Errorf("baseline: %w", err)
		}
		for _, b := range base {
			b.ID = BaselinePrefix + b.ID
			insts = append(insts, b)
		}
	}
	gen, err := scenarios.NewGenerator(spec)
	if err != nil {
		return nil, err
	}
	start, end := gen.Span()
	var consumers []replay.Consumer
	var runners []*detectors.Consumer
	for _, in := range insts {
		d, err := in.New()
		if err != nil {
			return nil, fmt.Errorf("detector %s: %w", in.ID, err)
		}
		c := detectors.NewConsumer(in.ID, in.Typology, d)
		for _, s := range in.Symbols {
			if !slices.ContainsFunc(spec.Instruments, func(i scenarios.InstrumentSpec) bool { return i.Symbol == s }) {
				return nil, fmt.Errorf("detector %s: symbols: %q is not an instrument of the scenario", in.ID, s)
			}
		}
		c.Only(in.Symbols)
		runners = append(runners, c)
		consumers = append(consumers, c)
	}
	tl := newTimeline(len(gen.Instruments()), (end-start)/2000)
	consumers = append(consumers, tl)
	stp := make([]orderbook.STPMode, len(spec.Instruments))
	for i, in := range spec.Instruments {
		stp[i], _ = scenarios.ParseSTP(in.STP)
	}
	stats, runErr := replay.Run(ctx, gen, consumers, replay.RunOptions{
		BatchSize: opts.BatchSize,
		Engine:    replay.EngineOptions{STP: stp},
		Info:      replay.RunInfo{Accounts: gen.Accounts(), Start: start, End: end},
		Progress:  opts.Progress,
	})
	var failures []results.Failure
	var ce replay.ConsumerErrors
	switch {
	case errors.As(runErr, &ce):
		for _, e := range ce {
			failures = append(failures, results.Failure{Instance: e.Consumer, Error: e.Err.Error()})
		}
	case runErr != nil:
		return nil, runErr
	}
	failed := map[string]bool{}
	for _, f := range failures {
		failed[f.Instance] = true
	}
	var alerts []detectors.Alert
	var ran []scoring.Ref
	for i, c := range runners {
		if !failed[c.Name()] {
			alerts = append(alerts, c.Alerts()...)
			ran = append(ran, scoring.Ref{Instance: insts[i].ID, Typology: insts[i].Typology})
		}
	}
	sopts := scoring.Options{Tolerance: int64(spec.Scoring.Tolerance), AnyTypology: spec.Scoring.AnyTypology,
		Days: float64(end-start) / float64(24*time.Hour), BudgetPerDay: spec.Scoring.BudgetPerDay, RangeAlpha: 0, RangeBias: scoring.Front}
	sj, _ := json.Marshal(sopts)
	dj, _ := json.Marshal(struct {
		Detectors []detectors.Config `json:"detectors"`
		Baseline  []detectors.Config `json:"baseline,omitempty"`
	}{cfgs, opts.BaselineDetectors})
	m := &results.Manifest{ResultsVersion: results.ResultsVersion, Tool: "tapetest", ToolVersion: opts.ToolVersion, Command: "run",
		CreatedAt: time.Now().UTC().Format(time.RFC3339), Spec: results.SpecRef{Name: opts.SpecName, SHA256: results.HashBytes(opts.SpecText), File: "spec.yaml"},
		Seed: spec.Seed, Detectors: dj, Options: map[string]string{"batch_size": fmt.Sprint(opts.BatchSize)}, Scoring: sj, Start: start, End: end}
	if err := SetInputs(m, spec, gen); err != nil {
		return nil, err
	}
	counts := append(stats.Counts, gen.Counts()...)
	for _, c := range runners {
		if n := c.Outside(); n > 0 {
			counts = append(counts, replay.Count{Kind: "alerts_outside_scope:" + c.Name(), N: n})
		}
	}
	counts = replay.SumCounts(counts)
	return &Outcome{Stats: stats, Contents: &results.Contents{
		Manifest: m, Alerts: alerts, Labels: gen.Labels(), Options: sopts, Timelines: tl.timelines(gen.Instruments()),
		Counts: counts, Failures: failures, Ran: ran, Events: stats.Events, Start: start, End: end,
	}}, nil
}

// timeline samples each symbol's mid (or last) price at a fixed interval for the timeline plot.
type timeline struct {
	every int64
	next  []int64
	ts    [][]int64
	px    [][]int64
	exp   []int8
}

func newTimeline(n int, every int64) *timeline {
	return &timeline{every: max(every, 1), next: make([]int64, n), ts: make([][]int64, n), px: make([][]int64, n)}
}

func (t *timeline) Name() string { return "timeline" }
func (t *timeline) Start(_ context.Context, info *replay.RunInfo) error {
	for _, in := range info.Instruments {
		t.exp = append(t.exp, in.PriceExp)
	}
	return nil
}
func (t *timeline) Finish(context.Context) error { return nil }
func (t *timeline) Consume(_ context.Context, b *replay.Batch) error {
	for i := range b.Records {
		r := &b.Records[i]
		s := r.Event.Symbol
		if r.Event.TS < t.next[s] || r.Top.BidQty == 0 || r.Top.AskQty == 0 {
			continue
		}
		t.next[s] = r.Event.TS + t.every
		t.ts[s] = append(t.ts[s], r.Event.TS)
		t.px[s] = append(t.px[s], (r.Top.BidPrice+r.Top.AskPrice)/2)
	}
	return nil
}

func (t *timeline) timelines(insts []replay.Instrument) []results.Timeline {
	var out []results.Timeline
	for s, in := range insts {
		tl := results.Timeline{Symbol: in.Symbol, TS: t.ts[s]}
		scale := 1.0
		for k := int8(0); k < in.PriceExp; k++ {
			scale /= 10
		}
		for _, p := range t.px[s] {
			tl.Price = append(tl.Price, float64(p)*scale)
		}
		out = append(out, tl)
	}
	return out
}

// SetInputs records in m the historical files and label list the scenario
// read, with their hashes, and the spec's folder they resolve from.
func SetInputs(m *results.Manifest, spec *scenarios.Spec, gen *scenarios.Generator) error {
	_, paths := gen.Inputs()
	if len(paths) == 0 {
		return nil
	}
	var err error
	if m.Inputs, err = results.HashInputs(paths); err != nil {
		return err
	}
	m.Spec.Dir, err = filepath.Abs(spec.Dir())
	return err
}
