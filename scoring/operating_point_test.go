package scoring

import (
	"math"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
)

// TestRulesPickFromTheSweep: each select: rule's choice on a known sweep.
func TestRulesPickFromTheSweep(t *testing.T) {
	sw := Sweep{Points: []SweepPoint{ // highest threshold first
		{Threshold: 9, Recall: 0.2, Precision: 1, F1: 0.33, AlertsPerDay: 0},
		{Threshold: 7, Recall: 0.5, Precision: 0.8, F1: 0.62, AlertsPerDay: 2},
		{Threshold: 5, Recall: 0.7, Precision: 0.5, F1: 0.58, AlertsPerDay: 10},
		{Threshold: 1, Recall: 0.9, Precision: 0.1, F1: 0.18, AlertsPerDay: 90},
	}}
	sw.BestF1 = sw.Points[1]
	for _, c := range []struct {
		rule string
		want float64
	}{
		{"best_f1", 7}, {"capacity 10", 5}, {"capacity 1", 9}, {"min_recall 0.6", 5}, {"min_recall 0.95", math.Inf(1)},
		{"min_precision 0.5", 5}, {"min_precision 0.9", 9}, {"min_precision 1.0", 9},
	} {
		if got := pick(c.rule, sw); got != c.want {
			t.Errorf("%s: %v, want %v", c.rule, got, c.want)
		}
	}
	for _, bad := range []string{"best", "capacity", "capacity -1", "min_recall 2", "best_f1 3", "min_precision x"} {
		if _, err := ParseSelection(nil, bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
	two := 2.0
	if _, err := ParseSelection(&two, "best_f1"); err == nil {
		t.Error("threshold and select together were accepted")
	}
}

// TestSplitChoosesBeforeAndMeasuresAfter: with a time split the rule sees
// only the earlier labels and alerts, and the shipped metrics count only the
// later ones; without one the same rule is marked in-sample.
func TestSplitChoosesBeforeAndMeasuresAfter(t *testing.T) {
	const s = int64(1e9)
	var lbls []labels.Label
	var alerts []detectors.Alert
	for i := int64(0); i < 10; i++ {
		at := i * 1000 * s
		lbls = append(lbls, labels.Label{ID: string(rune('a' + i)), Typology: replay.PumpAndDump, Symbol: "X", Start: at, End: at + 60*s})
		score := 5.0 // early half: true alerts score 5; later half: 3
		if i >= 5 {
			score = 3
		}
		alerts = append(alerts, detectors.Alert{Instance: "d", Typology: replay.PumpAndDump, Symbol: "X", RaisedAt: at + s, Start: at, End: at + s, Score: score},
			detectors.Alert{Instance: "d", Typology: replay.PumpAndDump, Symbol: "X", RaisedAt: at + 500*s, Start: at, End: at + 500*s, Score: 4}) // a false alert between
	}
	opts := Options{Days: 1, InstrumentDays: 1, SplitAt: 5000 * s, SplitFraction: 0.5}
	ev := Evaluate(alerts, lbls, opts, Ref{Instance: "d", Typology: replay.PumpAndDump, Selection: Selection{Rule: "best_f1"}})
	r := ev.Instances[0]
	if r.OperatingPoint == nil || r.OperatingPoint.Threshold != 5 || r.OperatingPoint.InSample {
		t.Fatalf("operating point %+v", r.OperatingPoint)
	}
	// Calibrated at 5 on the early half, the later half's true alerts (3) fall below it.
	if m := r.Shipped; m.Labels != 5 || m.Detected != 0 || m.Alerts != 0 {
		t.Fatalf("shipped %+v", m)
	}
	opts.SplitAt = 0
	r = Evaluate(alerts, lbls, opts, Ref{Instance: "d", Typology: replay.PumpAndDump, Selection: Selection{Rule: "best_f1"}}).Instances[0]
	if !r.OperatingPoint.InSample || r.Shipped.Labels != 10 {
		t.Fatalf("without a split: %+v %+v", r.OperatingPoint, r.Shipped)
	}
	five := 5.0
	r = Evaluate(alerts, lbls, opts, Ref{Instance: "d", Typology: replay.PumpAndDump, Selection: Selection{Threshold: &five}}).Instances[0]
	if r.OperatingPoint.SelectedBy != "fixed" || r.OperatingPoint.InSample || r.Shipped.Detected != 5 {
		t.Fatalf("a fixed threshold: %+v %+v", r.OperatingPoint, r.Shipped)
	}
}

// TestBootstrapF1: the interval holds the point estimate, narrows with more
// labels, and is a point when every label is caught and nothing else alerts.
func TestBootstrapF1(t *testing.T) {
	half := func(n int) (lo, hi float64) {
		det, by := make([]bool, n), make([]int, n)
		for i := range det {
			det[i] = i%2 == 0
			if det[i] {
				by[i] = 1
			}
		}
		return bootstrapF1(det, by, n/4)
	}
	lo10, hi10 := half(10)
	lo100, hi100 := half(100)
	f := f1(ratio(50, 75), 0.5) // precision 50/(50+25), recall 0.5
	if !(lo100 <= f && f <= hi100) || hi10-lo10 <= hi100-lo100 {
		t.Fatalf("10 labels: %.3f–%.3f; 100 labels: %.3f–%.3f around %.3f", lo10, hi10, lo100, hi100, f)
	}
	if lo, hi := bootstrapF1([]bool{true, true, true}, []int{1, 2, 1}, 0); lo != 1 || hi != 1 {
		t.Fatalf("all caught, nothing else: %v–%v", lo, hi)
	}
	if lo, _ := bootstrapF1(nil, nil, 3); !math.IsNaN(lo) {
		t.Fatal("no labels is not NaN")
	}
}
