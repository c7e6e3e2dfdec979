package backtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/tapetest/tapetest/scoring"
)

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
	// Progress, if set, is called after each batch with the events replayed
	// so far and the share of the replayed time range done (exact: events
	// come in time order).
	Progress func(events int64, done float64)
	// NoCases leaves out the case tape (the market around alerts that a
	// results directory's case files show): for a caller that writes no
	// results directory.
	NoCases bool
	// Group, when Group.Count > 1, runs only the detector instances of one
	// group: instance k of the expanded list (baselines last) belongs to
	// group k mod Count. The replay is the whole market whatever the group;
	// the groups' results merge into the whole run's (package scaleout).
	Group Group
}

// Group is one of Count groups of a run's detector instances.
type Group struct {
	Index, Count int
}

// Has reports whether instance k of the expanded list is in the group.
func (g Group) Has(k int) bool { return g.Count <= 1 || k%g.Count == g.Index }

// runConfigs are the detector entries a run expands: opts' overrides, else
// the spec's, else every built-in detector but external.
func runConfigs(rs *Spec, opts Options) []detectors.Config {
	cfgs := opts.Detectors
	if len(cfgs) == 0 {
		cfgs = rs.Config.Detectors
	}
	if len(cfgs) == 0 {
		for _, d := range detectors.All() {
			if d.Name != "external" { // needs a command
				cfgs = append(cfgs, detectors.Config{Name: d.Name})
			}
		}
	}
	return cfgs
}

// expandInstances is every detector instance a run makes, baselines last.
func expandInstances(rs *Spec, opts Options) ([]detectors.Instance, error) {
	insts, err := detectors.Expand(runConfigs(rs, opts))
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
	return insts, nil
}

// Instances expands a spec's detector entries (or opts' overrides) into the
// instance ids a run makes, in the run's order (baselines last): what a
// scale-out plan deals into groups.
func Instances(rs *Spec, opts Options) ([]string, error) {
	insts, err := expandInstances(rs, opts)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(insts))
	for i, in := range insts {
		ids[i] = in.ID
	}
	return ids, nil
}

// AcrossInstruments lists the run's detector instances whose detector does
// not read each instrument on its own (detectors.Definition.PerInstrument):
// a run that holds one cannot be dealt out by instrument.
func AcrossInstruments(rs *Spec, opts Options) ([]string, error) {
	insts, err := expandInstances(rs, opts)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, in := range insts {
		if !detectors.PerInstrument(in.Name) {
			out = append(out, in.ID)
		}
	}
	return out, nil
}

// Outcome is a finished run.
type Outcome struct {
	Contents *results.Contents
	Stats    replay.RunStats
	// Part is set for a run of one part of its historical files
	// (scenarios.Spec.Part).
	Part *PartReport
	tape *caseTape
}

// Close releases what the run keeps for its results directory (the case
// tape's file). Write the directory first.
func (o *Outcome) Close() error {
	if o == nil || o.tape == nil {
		return nil
	}
	return o.tape.Close()
}

// progressOf turns the replay's progress (events, the last one's time) into
// events and the share of [start, end] done.
func progressOf(p func(int64, float64), start, end int64) func(int64, int64) {
	if p == nil {
		return nil
	}
	return func(n, ts int64) {
		done := 1.0
		if end > start {
			done = min(max(float64(ts-start)/float64(end-start), 0), 1)
		}
		p(n, done)
	}
}

// noOrderIDs marks the instruments whose orders are not the feed's own (L2
// levels or trades the generator turns into orders), or nil when there is
// none. Known before the replay.
func noOrderIDs(gen *scenarios.Generator) []bool {
	var out []bool
	for i, in := range gen.Instruments() {
		if gen.OrderByOrder(in.Symbol) {
			continue
		}
		if out == nil {
			out = make([]bool, len(gen.Instruments()))
		}
		out[i] = true
	}
	return out
}

// STPModes are the self-trade prevention modes of a scenario's instruments,
// for the replay engine.
func STPModes(spec *scenarios.Spec) []orderbook.STPMode {
	stp := make([]orderbook.STPMode, len(spec.Instruments))
	for i, in := range spec.Instruments {
		stp[i], _ = scenarios.ParseSTP(in.STP) // checked with the spec
	}
	return stp
}

// Run generates the scenario, replays it through the engine with every
// detector instance in parallel, and returns what a results directory holds.
// A detector that fails is reported in Contents.Failures (the others finish);
// the caller decides the exit status.
func Run(ctx context.Context, rs *Spec, opts Options) (*Outcome, error) {
	spec := rs.Scenario
	cfgs := runConfigs(rs, opts)
	all, err := expandInstances(rs, opts)
	if err != nil {
		return nil, err
	}
	var insts []detectors.Instance
	for k, in := range all {
		if opts.Group.Has(k) {
			insts = append(insts, in)
		}
	}
	gen, err := scenarios.NewGenerator(spec)
	if err != nil {
		return nil, err
	}
	defer gen.Close() // its lanes' goroutines, its historical files: also when the run stops early
	start, end := gen.Span()
	replayed := map[string]bool{}
	for _, in := range gen.Instruments() {
		replayed[in.Symbol] = true
	}
	var consumers []replay.Consumer
	var runners []*detectors.Consumer
	for _, in := range insts {
		d, err := in.New()
		if err != nil {
			return nil, fmt.Errorf("detector %s: %w", in.ID, err)
		}
		c := detectors.NewConsumer(in.ID, in.Typology, d)
		for _, s := range in.Symbols {
			if !replayed[s] { // the spec's instruments and every historical file's
				return nil, fmt.Errorf("detector %s: symbols: %q is not an instrument the run replays (it replays %s)", in.ID, s, strings.Join(slices.Sorted(maps.Keys(replayed)), ", "))
			}
		}
		c.Only(in.Symbols)
		runners = append(runners, c)
		consumers = append(consumers, c)
	}
	tl := newTimeline(len(gen.Instruments()), (end-start)/2000)
	cov := newCoverage(len(gen.Instruments()))
	consumers = append(consumers, tl, cov)
	engOpts := replay.EngineOptions{STP: STPModes(spec)}
	var tape *caseTape
	if !opts.NoCases {
		tape = newCaseTape()
		engOpts.Ladders = caseLadders // the tape's depth, from the run's own books
		consumers = append(consumers, tape)
	}
	stats, runErr := replay.Run(ctx, gen, consumers, replay.RunOptions{
		BatchSize: opts.BatchSize,
		Engine:    engOpts,
		Info:      replay.RunInfo{Accounts: gen.Accounts(), Start: start, End: end, NoOrderIDs: noOrderIDs(gen)},
		Progress:  progressOf(opts.Progress, start, end),
	})
	var failures []results.Failure
	var ce replay.ConsumerErrors
	switch {
	case errors.As(runErr, &ce):
		for _, e := range ce {
			failures = append(failures, results.Failure{Instance: e.Consumer, Error: e.Err.Error()})
		}
	case runErr != nil:
		if tape != nil {
			tape.Close()
		}
		return nil, runErr
	}
	failed := map[string]bool{}
	for _, f := range failures {
		failed[f.Instance] = true
		if tape != nil && f.Instance == tape.Name() { // not a detector: the case files cannot be written
			tape.Close()
			return nil, fmt.Errorf("%s: %s", f.Instance, f.Error)
		}
	}
	total := 0
	for _, c := range runners {
		if !failed[c.Name()] {
			total += len(c.Alerts())
		}
	}
	alerts := make([]detectors.Alert, 0, total) // the run's one copy of its alerts, at its size
	var ran []scoring.Ref
	symIndex := map[string]int{}
	for i, in := range gen.Instruments() {
		symIndex[in.Symbol] = i
	}
	for i, c := range runners {
		if !failed[c.Name()] {
			alerts = append(alerts, RaisedOrder(c.Alerts(), symIndex)...)
			sel, _ := scoring.ParseSelection(insts[i].Threshold, insts[i].Select) // checked with the spec
			ran = append(ran, scoring.Ref{Instance: insts[i].ID, Typology: insts[i].Typology, Selection: sel.OrDefault()})
		}
	}
	synthetic := map[string]bool{}
	for _, in := range spec.Instruments {
		synthetic[in.Symbol] = true
	}
	exposure, segments := cov.exposure(gen.Instruments(), synthetic, start, end)
	var symbols []string // every instrument of the run, in its order (a part's: the whole run's)
	for _, in := range gen.Instruments() {
		symbols = append(symbols, in.Symbol)
	}
	if p := spec.Part; p != nil {
		symbols = p.Symbols
	}
	notEvaluable := evaluability(insts, gen, symbols)
	sopts := rs.Config.Scoring.Options(exposure.CoveredDays, exposure.InstrumentDays)
	sopts.Start, sopts.End, sopts.Segments = start, end, segments
	m, err := newManifest(spec, gen, opts, cfgs, sopts)
	if err != nil {
		if tape != nil {
			tape.Close()
		}
		return nil, err
	}
	counts := append(stats.Counts, gen.Counts()...)
	for _, c := range runners {
		if n := c.Outside(); n > 0 {
			counts = append(counts, replay.Count{Kind: "alerts_outside_scope:" + c.Name(), N: n})
		}
	}
	counts = replay.SumCounts(counts)
	out := &Outcome{Stats: stats, tape: tape, Contents: &results.Contents{
		Manifest: m, Alerts: alerts, Labels: gen.Labels(), Options: sopts, Timelines: tl.timelines(gen.Instruments()), Exposure: exposure, NotEvaluable: notEvaluable,
		Counts: counts, Failures: failures, Ran: ran, Events: stats.Events, Start: start, End: end, Accounts: gen.Accounts(),
	}}
	if tape != nil {
		out.Contents.Tape = tape
	}
	if spec.Part != nil {
		out.Part = &PartReport{Accounts: gen.Accounts()}
		for _, in := range gen.Instruments() {
			acc, ids := gen.BackgroundHas(in.Symbol)
			out.Part.Instruments = append(out.Part.Instruments, InstrumentBackground{Symbol: in.Symbol, Accounts: acc, OrderIDs: ids})
		}
		for _, in := range insts {
			out.Part.Instances = append(out.Part.Instances, InstanceNeeds{ID: in.ID, Needs: in.Needs(), Symbols: in.Symbols})
		}
	}
	return out, nil
}

// RaisedOrder puts one instance's alerts in the order a run writes them: by
// the time each was raised, then by instrument (index, the run's
// instrument order), and else as the detector raised them — an order that
// does not depend on which other instruments shared the replay, so that a
// run dealt out by instrument merges into the same alerts. It sorts alerts
// in place and returns it.
func RaisedOrder(alerts []detectors.Alert, index map[string]int) []detectors.Alert {
	slices.SortStableFunc(alerts, func(a, b detectors.Alert) int {
		if c := cmp.Compare(a.RaisedAt, b.RaisedAt); c != 0 {
			return c
		}
		ia, oka := index[a.Symbol]
		ib, okb := index[b.Symbol]
		if !oka {
			ia = -1
		}
		if !okb {
			ib = -1
		}
		return cmp.Compare(ia, ib)
	})
	return alerts
}

// WithPart is s restricted to one part of its historical files (a shard of
// a run dealt by instrument).
func WithPart(s *Spec, p scenarios.Part) *Spec {
	sc := *s.Scenario
	sc.Part = &p
	return &Spec{Scenario: &sc, Config: s.Config}
}

// PartReport is what the merge of a run dealt by instrument needs from one
// part beyond its results directory: what each of its instruments'
// background carried, and what each detector instance needs, to decide
// the whole run's evaluability.
type PartReport struct {
	Instruments []InstrumentBackground `json:"instruments"`
	Instances   []InstanceNeeds        `json:"instances"`
	// Accounts are the run's account attributes (the same in every part),
	// which case files show and a results directory does not hold.
	Accounts []replay.AccountAttrs `json:"accounts,omitempty"`
}
