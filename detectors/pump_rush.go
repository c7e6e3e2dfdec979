package detectors

import (
	"fmt"
	"math"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Typology: replay.PumpAndDump,
		Spec: component.Spec{Name: "pump_rush",
			Summary: "Pump-and-dump from rush orders (La Morgia et al., 2020 and 2023): trades of one instrument with the same taker side in the same " +
				"millisecond are one aggressive order; a pump is a burst of rush buy orders that lifts the price. On every trade, the rush buy orders " +
				"of the last 30 s are compared with the last hour's rate (signed root Poisson deviance, expected count floored at 0.5, nothing before " +
				"10 min of data); an alert is a candidate when the 30 s price rise reaches min_rise_bps and min_ticks ticks. Score = that deviance. " +
				"Candidates are raised when the score first reaches min_score and again each time it rises by step within a burst (a burst ends " +
				"after cooldown below min_score), so that every threshold's first alert is the one a live detector would raise. " +
				"Works on trades-only public data: alerts carry no accounts.",
			Params: []component.Param{
				{Name: "min_rise_bps", Type: component.Float, Default: 100.0, Unit: "bps", Meaning: "30 s price rise needed (a pump moves the price; heavy buying alone is not one)"},
				{Name: "min_ticks", Type: component.Int, Default: int64(2), Unit: "ticks", Meaning: "30 s price rise needed in ticks (no threshold below the instrument's price step)"},
				{Name: "min_score", Type: component.Float, Default: 3.0, Meaning: "lowest score raised as a candidate"},
				{Name: "step", Type: component.Float, Default: 1.0, Meaning: "rise of the score within a burst that raises another candidate"},
				{Name: "cooldown", Type: component.Duration, Default: 5 * time.Minute, Unit: "s", Meaning: "time below min_score that ends a burst"},
			}},
		New: func(p Params) (Detector, error) {
			minRise, minTicks := p.Float("min_rise_bps"), float64(p.Int("min_ticks"))
			return &pumpDetector{
				score: func(_ string, _ int64, f *[PumpNumFeatures]float64) (float64, bool) {
					return f[1], f[7] >= minRise && f[9] >= minTicks // rush buys in 30 s, when the price rose
				},
				evidence: func(_ float64, f *[PumpNumFeatures]float64) string { return pumpEvidence(f) },
				burst:    burstRule{floor: p.Float("min_score"), step: p.Float("step"), cooldown: int64(p.Duration("cooldown"))}}, nil
		},
	})
}

// burstRule raises candidates over a score that moves trade by trade: when
// it first reaches floor, and again each time it passes the burst's
// highest by step; a burst ends after cooldown without reaching floor. At
// any threshold, the first candidate kept in a burst is raised when a live
// detector at that threshold would alert (to within step).
type burstRule struct {
	floor, step float64
	cooldown    int64
}

// burstState is one instrument's burst.
type burstState struct {
	active    bool
	top       float64
	lastAbove int64
}

// offer reports whether score at ts raises a candidate.
func (r burstRule) offer(b *burstState, ts int64, score float64) bool {
	if b.active && ts-b.lastAbove > r.cooldown {
		b.active = false
	}
	if score < r.floor {
		return false
	}
	b.lastAbove = ts
	if !b.active {
		b.active, b.top = true, score
		return true
	}
	if score >= b.top+r.step {
		b.top = score
		return true
	}
	return false
}

// pumpEvidence says what the features saw.
func pumpEvidence(f *[PumpNumFeatures]float64) string {
	return fmt.Sprintf("last 30 s: rush buy orders z=%.1f (5 s z=%.1f, 2 min z=%.1f), trades z=%.1f, buy volume %.1f× the hour's rate, price %+.1f%% (%.0f ticks), buy share %.0f%%",
		f[1], f[0], f[2], f[3], expClamp(f[5]), f[7]/100, f[9], 100*f[10])
}

func expClamp(x float64) float64 {
	if x > 50 {
		x = 50
	}
	return math.Exp(x)
}
