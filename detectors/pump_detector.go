package detectors

import "github.com/tapetest/tapetest/replay"

// pumpDetector raises burst candidates over a score of the pump features,
// computed on every trade that extends a rush buy order: pump_rush's rule
// and the learned model are its two scores.
type pumpDetector struct {
	// score is the candidate score of symbol's features at ts; false when
	// the features do not make a candidate (pump_rush's rise gates).
	score func(symbol string, ts int64, f *[PumpNumFeatures]float64) (float64, bool)
	// evidence says what the features saw, for an alert of this score.
	evidence func(score float64, f *[PumpNumFeatures]float64) string
	burst    burstRule
	insts    []replay.Instrument
	feats    *PumpFeatures
	bursts   []burstState
	f        [PumpNumFeatures]float64
}

func (d *pumpDetector) Start(info *replay.RunInfo) error {
	d.insts = info.Instruments
	d.feats = NewPumpFeatures(info.Instruments)
	d.bursts = make([]burstState, len(info.Instruments))
	return nil
}

func (d *pumpDetector) Consume(bt *replay.Batch, emit func(Alert)) error {
	for _, i := range bt.Traded {
		fills := bt.FillsOf(int(i))
		ev := &bt.Records[i].Event
		if !d.feats.Add(ev.Symbol, ev.TS, fills) || !d.feats.Features(ev.Symbol, ev.TS, d.f[:]) {
			continue
		}
		sym := d.insts[ev.Symbol].Symbol
		score, ok := d.score(sym, ev.TS, &d.f)
		if ok && d.burst.offer(&d.bursts[ev.Symbol], ev.TS, score) {
			emit(Alert{Symbol: sym, RaisedAt: ev.TS, Start: ev.TS - pumpWindows[1], End: ev.TS, Score: score, Evidence: d.evidence(score, &d.f)})
		}
	}
	return nil
}

func (d *pumpDetector) Finish(func(Alert)) error { return nil }
