package scoring

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
)

// Draw is one seed's run in a multi-seed run (tapetest run --seeds): its
// alerts, labels, scoring options and evaluation.
type Draw struct {
	Seed    uint64
	Alerts  []detectors.Alert
	Labels  []labels.Label
	Options Options
	Eval    *Evaluation
}

// Draws aggregates the draws of a multi-seed run: per instance, each seed's
// headline, the pooled counts with intervals over the seeds, and a
// threshold chosen on some seeds and measured on the others.
type Draws struct {
	Seeds []uint64 `json:"seeds"`
	// CalibrationSeeds choose the by-seed thresholds; the other seeds
	// (TestSeeds) measure them.
	CalibrationSeeds []uint64       `json:"calibration_seeds"`
	TestSeeds        []uint64       `json:"test_seeds"`
	Instances        []DrawInstance `json:"instances"`
}

// DrawInstance is one detector instance on one typology over the draws.
type DrawInstance struct {
	Instance string          `json:"instance"`
	Typology replay.Typology `json:"typology"`
	// PerSeed is each seed's headline: its shipped operating point (Test)
	// when the entry states one, else its in-sample best F1.
	PerSeed []SeedMetrics `json:"per_seed"`
	// Pooled sums the seeds' headline counts: recall and precision with
	// Wilson intervals; F1 and the alert rate with 95% percentile bootstrap
	// intervals over the seeds (resampled with replacement).
	Pooled Pooled `json:"pooled"`
	// BySeed is the threshold chosen on the calibration seeds (by the
	// entry's rule, best F1 when it states none; a fixed threshold as it
	// is) and the metrics at it on the test seeds, pooled; nil with one seed.
	BySeed *SeedSplit `json:"by_seed,omitempty"`
}

// Measured is how the seeds' headlines were measured (SeedMetrics.Measured),
// "mixed" when they differ.
func (d *DrawInstance) Measured() string {
	if len(d.PerSeed) == 0 {
		return ""
	}
	m := d.PerSeed[0].Measured
	for _, s := range d.PerSeed[1:] {
		if s.Measured != m {
			return "mixed"
		}
	}
	return m
}

// SeedMetrics is one seed's headline figures for an instance.
type SeedMetrics struct {
	Seed      uint64  `json:"seed"`
	Threshold float64 `json:"threshold"`
	Measured  string  `json:"measured"` // in-sample, held-out, cross-validated, fixed
	Metrics   Metrics `json:"metrics"`
}

// Pooled are counts summed over seeds, with intervals.
type Pooled struct {
	Labels          int        `json:"labels"`
	Detected        int        `json:"detected"`
	Alerts          int        `json:"alerts"`
	MatchedAlerts   int        `json:"matched_alerts"`
	BackgroundAlert int        `json:"background_alerts"`
	Days            float64    `json:"days"`
	Recall          float64    `json:"recall"`
	RecallCI        [2]float64 `json:"recall_ci"`
	Precision       float64    `json:"precision"`
	PrecisionCI     [2]float64 `json:"precision_ci"`
	F1              float64    `json:"f1"`
	F1CI            [2]float64 `json:"f1_ci"` // bootstrap over seeds
	AlertsPerDay    float64    `json:"background_alerts_per_day"`
	AlertsPerDayCI  [2]float64 `json:"background_alerts_per_day_ci"` // bootstrap over seeds
	// InSample is true when any seed's headline is an in-sample best F1.
	InSample bool `json:"in_sample"`
}

// SeedSplit is an operating point chosen on some seeds and measured on
// the others.
type SeedSplit struct {
	Threshold  float64 `json:"threshold"`
	SelectedBy string  `json:"selected_by"`
	Test       Metrics `json:"test"`
}

// AggregateDraws aggregates draws (in seed order) of runs of one spec;
// sels gives each instance's selection (the entry's threshold: or select:).
// The first calibration seeds choose the by-seed thresholds (at least one,
// and one left to measure on; half when calibration is 0).
func AggregateDraws(draws []Draw, sels map[string]Selection, calibration int) *Draws {
	d := &Draws{}
	for _, dr := range draws {
		d.Seeds = append(d.Seeds, dr.Seed)
	}
	if calibration <= 0 {
		calibration = len(draws) / 2
	}
	calibration = min(calibration, len(draws)-1)
	if calibration >= 1 {
		d.CalibrationSeeds, d.TestSeeds = d.Seeds[:calibration], d.Seeds[calibration:]
	}
	type key struct {
		inst string
		typ  replay.Typology
	}
	var keys []key
	per := map[key][]SeedMetrics{}
	for _, dr := range draws {
		for _, r := range dr.Eval.Instances {
			k := key{r.Instance, r.Typology}
			if _, ok := per[k]; !ok {
				keys = append(keys, k)
			}
			sm := SeedMetrics{Seed: dr.Seed, Threshold: r.Best.Threshold, Measured: "in-sample", Metrics: r.Best}
			if r.Test != nil {
				sm.Threshold, sm.Metrics, sm.Measured = r.OperatingPoint.Threshold, *r.Test, r.OperatingPoint.Measured()
			}
			per[k] = append(per[k], sm)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].inst != keys[j].inst {
			return keys[i].inst < keys[j].inst
		}
		return keys[i].typ < keys[j].typ
	})
	for _, k := range keys {
		di := DrawInstance{Instance: k.inst, Typology: k.typ, PerSeed: per[k], Pooled: pool(per[k])}
		if calibration >= 1 {
			sel := sels[k.inst]
			if !sel.Set() {
				sel = Selection{Rule: "best_f1"}
			}
			di.BySeed = splitBySeed(k.inst, k.typ, sel, draws[:calibration], draws[calibration:])
		}
		d.Instances = append(d.Instances, di)
	}
	return d
}

// pool sums seeds' headline counts and bootstraps F1 and the alert rate
// over the seeds.
func pool(seeds []SeedMetrics) Pooled {
	var p Pooled
	for _, s := range seeds {
		m := s.Metrics
		p.Labels += m.Labels
		p.Detected += m.Detected
		p.Alerts += m.Alerts
		p.MatchedAlerts += m.MatchedAlerts
		p.BackgroundAlert += m.BackgroundAlert
		p.Days += m.ExposureDays
		p.InSample = p.InSample || s.Measured == "in-sample"
	}
	p.Recall, p.Precision = ratio(p.Detected, p.Labels), ratio(p.MatchedAlerts, p.Alerts)
	p.RecallCI[0], p.RecallCI[1] = Wilson(p.Detected, p.Labels)
	p.PrecisionCI[0], p.PrecisionCI[1] = Wilson(p.MatchedAlerts, p.Alerts)
	p.F1 = f1(p.Precision, p.Recall)
	p.AlertsPerDay = perDay(p.BackgroundAlert, p.Days)
	n := len(seeds)
	r := rand.New(rand.NewPCG(0x5eed, uint64(n)))
	f1s, rates := make([]float64, 0, bootstrapResamples), make([]float64, 0, bootstrapResamples)
	for range bootstrapResamples {
		var lab, det, al, mat, bg int
		var days float64
		for range n {
			m := seeds[r.IntN(n)].Metrics
			lab, det, al, mat, bg, days = lab+m.Labels, det+m.Detected, al+m.Alerts, mat+m.MatchedAlerts, bg+m.BackgroundAlert, days+m.ExposureDays
		}
		if f := f1(ratio(mat, al), ratio(det, lab)); !math.IsNaN(f) {
			f1s = append(f1s, f)
		}
		if v := perDay(bg, days); !math.IsNaN(v) {
			rates = append(rates, v)
		}
	}
	sort.Float64s(f1s)
	sort.Float64s(rates)
	p.F1CI = [2]float64{quantile(f1s, 0.025), quantile(f1s, 0.975)}
	p.AlertsPerDayCI = [2]float64{quantile(rates, 0.025), quantile(rates, 0.975)}
	return p
}

// splitBySeed chooses inst's threshold on the calibration draws, pooled, and
// measures it on the test draws, pooled.
func splitBySeed(inst string, typ replay.Typology, sel Selection, cal, test []Draw) *SeedSplit {
	ca, cl, co := pooledDraws(inst, typ, cal)
	ta, tl, to := pooledDraws(inst, typ, test)
	s := &SeedSplit{SelectedBy: "fixed"}
	if sel.Threshold != nil {
		s.Threshold = *sel.Threshold
	} else {
		s.SelectedBy = sel.Rule
		s.Threshold = pick(sel.Rule, SweepOf(inst, typ, ca, cl, co))
	}
	s.Test = Compute(inst, typ, s.Threshold, keep(ta, s.Threshold), tl, to)
	return s
}

// pooledDraws is one instance's alerts on one typology and that typology's
// labels over several draws, as one run: each draw's symbols (and
// segments) are prefixed with its seed, so that one draw's alert never
// matches another draw's label; the covered days add up.
func pooledDraws(inst string, typ replay.Typology, draws []Draw) ([]detectors.Alert, []labels.Label, Options) {
	var as []detectors.Alert
	var ls []labels.Label
	var opts Options
	for i, dr := range draws {
		prefix := fmt.Sprintf("seed %d/", dr.Seed)
		for _, a := range dr.Alerts {
			if a.Instance == inst && a.Typology == typ {
				a.Symbol = prefix + a.Symbol
				as = append(as, a)
			}
		}
		for _, l := range labelsOf(dr.Labels, typ) {
			l.Symbol = prefix + l.Symbol
			ls = append(ls, l)
		}
		if i == 0 {
			opts = dr.Options
			opts.Days, opts.InstrumentDays, opts.Segments, opts.Split = 0, 0, nil, Split{}
		}
		opts.Days += dr.Options.Days
		opts.InstrumentDays += dr.Options.InstrumentDays
		for _, s := range dr.Options.Segments {
			s.Symbol = prefix + s.Symbol
			opts.Segments = append(opts.Segments, s)
		}
	}
	return as, ls, opts
}
