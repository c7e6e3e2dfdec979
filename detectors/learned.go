package detectors

import (
	"fmt"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Typology: replay.PumpAndDump,
		Spec: component.Spec{Name: "learned",
			Summary: "A learned pump-and-dump detector: a logistic regression (tapetest train) over the pump features of pump_rush — rush buy orders " +
				"over 5 s, 30 s and 2 min, trades, buy volume, returns, the rise in ticks and the buy share, each against the instrument's last hour — " +
				"scores every trade that extends a rush buy order; the score is the model's log-odds that a pump began within its positive window. " +
				"The default model (builtin:pump) was trained on the 27 shared pump episodes; on a training episode the fold model that did not see " +
				"it scores (cross-fitting), so a run over its own training data is still out of sample for the fit. Candidates as pump_rush: on " +
				"each new high of a burst. Works on trades-only public data: alerts carry no accounts.",
			Params: []component.Param{
				{Name: "model", Type: component.String, Default: BuiltinPumpModel, Meaning: "model file written by tapetest train, or builtin:pump"},
				{Name: "min_score", Type: component.Float, Default: 0.0, Unit: "log-odds", Meaning: "lowest score raised as a candidate"},
				{Name: "step", Type: component.Float, Default: 0.5, Unit: "log-odds", Meaning: "rise of the score within a burst that raises another candidate"},
				{Name: "cooldown", Type: component.Duration, Default: 5 * time.Minute, Unit: "s", Meaning: "time below min_score that ends a burst"},
			}},
		New: func(p Params) (Detector, error) {
			m, err := LoadModel(p.String("model"))
			if err != nil {
				return nil, err
			}
			return &learned{model: m, burst: burstRule{floor: p.Float("min_score"), step: p.Float("step"), cooldown: int64(p.Duration("cooldown"))}}, nil
		},
	})
}

type learned struct {
	model  *Model
	burst  burstRule
	insts  []replay.Instrument
	feats  *PumpFeatures
	bursts []burstState
	f      [PumpNumFeatures]float64
}

func (d *learned) Start(info *replay.RunInfo) error {
	d.insts = info.Instruments
	d.feats = NewPumpFeatures(info.Instruments)
	d.bursts = make([]burstState, len(info.Instruments))
	return nil
}

func (d *learned) Consume(bt *replay.Batch, emit func(Alert)) error {
	for i := range bt.Records {
		fills := bt.FillsOf(i)
		if len(fills) == 0 {
			continue
		}
		ev := &bt.Records[i].Event
		if !d.feats.Add(ev.Symbol, ev.TS, fills) || !d.feats.Features(ev.Symbol, ev.TS, d.f[:]) {
			continue
		}
		sym := d.insts[ev.Symbol].Symbol
		score := d.model.fitAt(sym, ev.TS).Score(d.f[:])
		if d.burst.offer(&d.bursts[ev.Symbol], ev.TS, score) {
			emit(Alert{Symbol: sym, RaisedAt: ev.TS, Start: ev.TS - pumpWindows[1], End: ev.TS, Score: score,
				Evidence: fmt.Sprintf("log-odds %.2f; %s", score, pumpEvidence(&d.f))})
		}
	}
	return nil
}

func (d *learned) Finish(func(Alert)) error { return nil }
