// Package training fits the models of learned detectors (tapetest train):
// it replays a spec's labelled episodes, computes the pump features on
// every trade that extends a rush buy order, labels each sample by its
// distance to a pump's start, and fits a logistic regression — once on every
// episode and once per fold of episodes, so that the learned detector can
// score each training episode with a model that did not see it.
package training

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"time"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scenarios"
)

// Options configure a training.
type Options struct {
	// PositiveWindow: a sample within this long after a label's start (or
	// the scoring's lead before it) is a positive.
	PositiveWindow time.Duration
	// Exclusion: other samples this close to a label's start are left out
	// (the pump's later minutes, its dump: neither a start nor a quiet
	// market).
	Exclusion time.Duration
	L2        float64 // penalty on the standardised weights
	Folds     int     // folds of episodes for cross-fitting
	Command   string  // the command that reproduces the model, recorded in it
	SpecName  string  // the spec's file name, recorded in it
}

// DefaultOptions are train's defaults.
func DefaultOptions() Options {
	return Options{PositiveWindow: time.Minute, Exclusion: time.Hour, L2: 1, Folds: 5}
}

// sample is the features at one trade.
type sample struct {
	sym   uint32
	ts    int64
	f     [detectors.PumpNumFeatures]float64
	group int // episode
	y     bool
	skip  bool // excluded from fitting
}

// collector is the replay consumer that records the pump features.
type collector struct {
	feats   *detectors.PumpFeatures
	f       []float64
	samples []sample
}

func (c *collector) Name() string { return "training" }
func (c *collector) Start(_ context.Context, info *replay.RunInfo) error {
	c.feats = detectors.NewPumpFeatures(info.Instruments)
	c.f = make([]float64, len(detectors.PumpFeatureNames))
	return nil
}
func (c *collector) Finish(context.Context) error { return nil }
func (c *collector) Consume(_ context.Context, b *replay.Batch) error {
	for i := range b.Records {
		fills := b.FillsOf(i)
		if len(fills) == 0 {
			continue
		}
		ev := &b.Records[i].Event
		if c.feats.Add(ev.Symbol, ev.TS, fills) && c.feats.Features(ev.Symbol, ev.TS, c.f) {
			s := sample{sym: ev.Symbol, ts: ev.TS}
			copy(s.f[:], c.f)
			c.samples = append(c.samples, s)
		}
	}
	return nil
}

// Train replays spec, labels its samples and fits the model. Labels of the
// pump-and-dump typology are the episodes; the scoring's lead widens the
// positive window backwards.
func Train(ctx context.Context, spec *backtest.Spec, opts Options) (*detectors.Model, error) {
	if opts.Folds < 2 {
		return nil, fmt.Errorf("train: %d folds: give 2 or more", opts.Folds)
	}
	gen, err := scenarios.NewGenerator(spec.Scenario)
	if err != nil {
		return nil, err
	}
	defer gen.Close()
	col := &collector{}
	if _, err := replay.Run(ctx, gen, []replay.Consumer{col}, replay.RunOptions{Engine: replay.EngineOptions{STP: backtest.STPModes(spec.Scenario)}}); err != nil {
		return nil, fmt.Errorf("train: replay: %w", err)
	}
	insts := gen.Instruments()
	var lbls []labels.Label
	for _, l := range gen.Labels() {
		if l.Typology == replay.PumpAndDump {
			lbls = append(lbls, l)
		}
	}
	if len(lbls) == 0 {
		return nil, fmt.Errorf("train: the spec has no %s labels to learn from", replay.PumpAndDump)
	}
	sort.SliceStable(lbls, func(i, j int) bool { return lbls[i].Start < lbls[j].Start })
	lead := int64(spec.Config.Scoring.Lead)
	eps := assign(col.samples, insts, lbls, lead, int64(opts.PositiveWindow), int64(opts.Exclusion))
	m := &detectors.Model{Format: detectors.ModelFormat, Typology: replay.PumpAndDump, FeatureSet: detectors.PumpFeatureSet,
		Features: detectors.PumpFeatureNames, Transform: "asinh"}
	// Episodes in the order they start, dealt to folds in turn.
	for i := range eps {
		eps[i].Fold = i % opts.Folds
	}
	m.Episodes = eps
	var pos int
	for _, s := range col.samples {
		if s.y {
			pos++
		}
	}
	fitOn := func(in func(s *sample) bool) (detectors.LogisticFit, error) {
		var x [][]float64
		var y []bool
		for i := range col.samples {
			s := &col.samples[i]
			if s.skip || !in(s) {
				continue
			}
			x = append(x, s.f[:])
			y = append(y, s.y)
		}
		return fitLogistic(x, y, opts.L2)
	}
	if m.Full, err = fitOn(func(*sample) bool { return true }); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	for k := 0; k < opts.Folds; k++ {
		fit, err := fitOn(func(s *sample) bool { return s.group < 0 || eps[s.group].Fold != k })
		if err != nil {
			return nil, fmt.Errorf("train: fold %d: %w", k, err)
		}
		m.Folds = append(m.Folds, fit)
	}
	_, paths := gen.Inputs()
	hashes, err := results.HashInputs(paths)
	if err != nil {
		return nil, err
	}
	var used int
	for _, s := range col.samples {
		if !s.skip {
			used++
		}
	}
	m.Training = detectors.ModelTraining{Command: opts.Command, Spec: opts.SpecName, Samples: used, Positives: pos,
		PositiveWindowS: opts.PositiveWindow.Seconds(), LeadS: time.Duration(lead).Seconds(), ExclusionS: opts.Exclusion.Seconds(), L2: opts.L2, Folds: opts.Folds}
	for _, h := range hashes {
		m.Training.Inputs = append(m.Training.Inputs, detectors.ModelInput{Name: filepath.Base(h.Path), SHA256: h.SHA256})
	}
	return m, nil
}

// assign labels every sample — positive within [start − lead, start +
// window] of a label on its instrument, left out when otherwise within the
// exclusion of one, negative elsewhere — and groups the samples into
// episodes: one per label (a sample goes with its instrument's nearest
// label), one per instrument without labels. It returns the episodes in the
// order they start.
func assign(samples []sample, insts []replay.Instrument, lbls []labels.Label, lead, window, exclusion int64) []detectors.ModelEpisode {
	bySym := map[string][]int{}
	for i, l := range lbls {
		bySym[l.Symbol] = append(bySym[l.Symbol], i)
	}
	group := map[[2]int]int{} // (symbol, label or -1) → episode
	var eps []detectors.ModelEpisode
	for i := range samples {
		s := &samples[i]
		sym := insts[s.sym].Symbol
		li := -1
		best := int64(math.MaxInt64)
		for _, j := range bySym[sym] {
			d := s.ts - lbls[j].Start
			if d < 0 {
				d = -d
			}
			if d < best {
				best, li = d, j
			}
		}
		key := [2]int{int(s.sym), li}
		g, ok := group[key]
		if !ok {
			g = len(eps)
			group[key] = g
			e := detectors.ModelEpisode{Symbol: sym, Start: s.ts, End: s.ts}
			if li >= 0 {
				e.Label = lbls[li].ID
			}
			eps = append(eps, e)
		}
		eps[g].Start, eps[g].End = min(eps[g].Start, s.ts), max(eps[g].End, s.ts)
		s.group = g
		if li >= 0 {
			d := s.ts - lbls[li].Start
			s.y = d >= -lead && d <= window
			s.skip = !s.y && d >= -exclusion && d <= exclusion
		}
	}
	// Number the episodes in the order they start.
	order := make([]int, len(eps))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ea, eb := eps[order[a]], eps[order[b]]
		if ea.Start != eb.Start {
			return ea.Start < eb.Start
		}
		return ea.Symbol < eb.Symbol
	})
	rank := make([]int, len(eps))
	sorted := make([]detectors.ModelEpisode, len(eps))
	for r, g := range order {
		rank[g] = r
		sorted[r] = eps[g]
	}
	for i := range samples {
		samples[i].group = rank[samples[i].group]
	}
	return sorted
}
