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
			return &pumpDetector{
				score: func(sym string, ts int64, f *[PumpNumFeatures]float64) (float64, bool) {
					return m.fitAt(sym, ts).Score(f[:]), true
				},
				evidence: func(score float64, f *[PumpNumFeatures]float64) string {
					return fmt.Sprintf("log-odds %.2f; %s", score, pumpEvidence(f))
				},
				burst: burstRule{floor: p.Float("min_score"), step: p.Float("step"), cooldown: int64(p.Duration("cooldown"))}}, nil
		},
	})
}
