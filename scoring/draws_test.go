package scoring

import (
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
)

// TestAggregateDraws: pooled counts are the seeds' sums; the by-seed
// threshold is chosen on the calibration seeds only and measured on the
// others; one seed's alert never matches another seed's label, though both
// sit on the same symbol at the same time.
func TestAggregateDraws(t *testing.T) {
	const s = int64(1e9)
	mk := func(seed uint64, trueScore float64, withLabel bool) Draw {
		var lbls []labels.Label
		if withLabel {
			lbls = []labels.Label{{ID: "l", Typology: replay.PumpAndDump, Symbol: "X", Start: 100 * s, End: 200 * s}}
		}
		alerts := []detectors.Alert{
			{Instance: "d", Typology: replay.PumpAndDump, Symbol: "X", RaisedAt: 150 * s, Score: trueScore},
			{Instance: "d", Typology: replay.PumpAndDump, Symbol: "X", RaisedAt: 900 * s, Score: 4},
		}
		opts := Options{Days: 1, InstrumentDays: 1, Segments: []Segment{{"X", 0, 1000 * s}}}
		ref := Ref{Instance: "d", Typology: replay.PumpAndDump, Selection: Selection{Rule: "best_f1"}}
		return Draw{Seed: seed, Alerts: alerts, Labels: lbls, Options: opts, Eval: Evaluate(alerts, lbls, opts, ref)}
	}
	// Seeds 1 and 2 calibrate (true alerts score 5: threshold 5); seeds 3
	// and 4 measure (true alerts score 3, below it). Seed 4 has no label:
	// its alert at 150 s must not match seed 3's label.
	draws := []Draw{mk(1, 5, true), mk(2, 5, true), mk(3, 3, true), mk(4, 3, false)}
	d := AggregateDraws(draws, map[string]Selection{"d": {Rule: "best_f1"}}, 0)
	if len(d.Instances) != 1 || len(d.CalibrationSeeds) != 2 || d.TestSeeds[0] != 3 {
		t.Fatalf("%+v", d)
	}
	in := d.Instances[0]
	if len(in.PerSeed) != 4 || in.PerSeed[0].Measured != "in-sample" {
		t.Fatalf("per seed %+v", in.PerSeed)
	}
	p := in.Pooled
	if p.Labels != 3 || p.Days != 4 || !p.InSample {
		t.Fatalf("pooled %+v", p)
	}
	if !(p.F1CI[0] <= p.F1 && p.F1 <= p.F1CI[1]) || !(p.AlertsPerDayCI[0] <= p.AlertsPerDay && p.AlertsPerDay <= p.AlertsPerDayCI[1]) {
		t.Fatalf("intervals miss their estimates: %+v", p)
	}
	bs := in.BySeed
	if bs == nil || bs.Threshold != 5 || bs.SelectedBy != "best_f1" {
		t.Fatalf("by seed %+v", bs)
	}
	if m := bs.Test; m.Labels != 1 || m.Detected != 0 || m.Alerts != 0 || m.ExposureDays != 2 {
		t.Fatalf("measured on seeds 3 and 4: %+v", m)
	}
	// Kept everything, seed 4's alert at 150 s is a false alert of its own.
	zero := 0.0
	d = AggregateDraws(draws, map[string]Selection{"d": {Threshold: &zero}}, 2)
	if m := d.Instances[0].BySeed.Test; m.Alerts != 4 || m.MatchedAlerts != 1 || m.Detected != 1 {
		t.Fatalf("seeds kept apart: %+v", m)
	}
	if one := AggregateDraws(draws[:1], nil, 0); one.Instances[0].BySeed != nil || len(one.TestSeeds) != 0 {
		t.Fatalf("one seed cannot be split: %+v", one)
	}
}
