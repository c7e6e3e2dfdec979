package scoring_test

import (
	"fmt"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scoring"
)

// ExampleSweepOf sweeps every distinct score of a detector's alerts against
// two labelled wash-trading episodes, in the spirit of gonum's stat.ROC.
func ExampleSweepOf() {
	const s = int64(1e9)
	lbls := []labels.Label{
		{Symbol: "BTCUSDT", Typology: replay.WashTrading, Start: 100 * s, End: 200 * s},
		{Symbol: "BTCUSDT", Typology: replay.WashTrading, Start: 900 * s, End: 1000 * s},
	}
	alert := func(at int64, score float64) detectors.Alert {
		return detectors.Alert{Instance: "wash_self", Typology: replay.WashTrading, Symbol: "BTCUSDT", RaisedAt: at * s, Start: at * s, End: at * s, Score: score}
	}
	alerts := []detectors.Alert{alert(150, 0.9), alert(500, 0.7), alert(950, 0.4), alert(2000, 0.2)}
	sw := scoring.SweepOf("wash_self", replay.WashTrading, alerts, lbls, scoring.Options{Days: 1, BudgetPerDay: 1})
	for _, p := range sw.Points {
		fmt.Printf("t=%.1f precision=%.2f recall=%.2f background/day=%.0f\n", p.Threshold, p.Precision, p.Recall, p.AlertsPerDay)
	}
	fmt.Printf("best F1 %.2f at t=%.1f; recall at 1 alert/day: %.2f at t=%.1f\n", sw.BestF1.F1, sw.BestF1.Threshold, sw.AtCapacity.Recall, sw.AtCapacity.Threshold)
	// Output:
	// t=0.9 precision=1.00 recall=0.50 background/day=0
	// t=0.7 precision=0.50 recall=0.50 background/day=1
	// t=0.4 precision=0.67 recall=1.00 background/day=1
	// t=0.2 precision=0.50 recall=1.00 background/day=2
	// best F1 0.80 at t=0.4; recall at 1 alert/day: 1.00 at t=0.4
}
