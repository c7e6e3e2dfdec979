package scoring

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
)

// TestRulesPickFromTheSweep: each select: rule's choice on a known sweep.
func TestRulesPickFromTheSweep(t *testing.T) {
	sw := Sweep{Labels: 10, Points: []SweepPoint{ // highest threshold first
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
	if got := pick("capacity 10", Sweep{Points: sw.Points, BestF1: sw.BestF1}); !math.IsInf(got, 1) {
		t.Errorf("no labels to choose by: %v, want +Inf (keep nothing)", got)
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
	opts := Options{Days: 1, InstrumentDays: 1, Split: Split{By: "time", Fraction: 0.5}, Start: 0, End: 10000 * s}
	ev := Evaluate(alerts, lbls, opts, Ref{Instance: "d", Typology: replay.PumpAndDump, Selection: Selection{Rule: "best_f1"}})
	r := ev.Instances[0]
	if r.OperatingPoint == nil || r.OperatingPoint.Threshold != 5 || r.OperatingPoint.InSample {
		t.Fatalf("operating point %+v", r.OperatingPoint)
	}
	// Calibrated at 5 on the early half, the later half's true alerts (3) fall below it.
	if m := r.Test; m.Labels != 5 || m.Detected != 0 || m.Alerts != 0 {
		t.Fatalf("shipped %+v", m)
	}
	opts.Split = Split{}
	r = Evaluate(alerts, lbls, opts, Ref{Instance: "d", Typology: replay.PumpAndDump, Selection: Selection{Rule: "best_f1"}}).Instances[0]
	if !r.OperatingPoint.InSample || r.Test.Labels != 10 {
		t.Fatalf("without a split: %+v %+v", r.OperatingPoint, r.Test)
	}
	five := 5.0
	r = Evaluate(alerts, lbls, opts, Ref{Instance: "d", Typology: replay.PumpAndDump, Selection: Selection{Threshold: &five}}).Instances[0]
	if r.OperatingPoint.SelectedBy != "fixed" || r.OperatingPoint.InSample || r.Test.Detected != 5 {
		t.Fatalf("a fixed threshold: %+v %+v", r.OperatingPoint, r.Test)
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

// TestFoldsMeasureEachPartAtTheOthersThreshold: with two time folds, the
// first half (true alerts score 5) is measured at the threshold the second
// half chooses (3: its true alerts score 3, its false ones 4) and the second
// at the first half's (5): every label and alert is measured once, by a
// threshold chosen without it.
func TestFoldsMeasureEachPartAtTheOthersThreshold(t *testing.T) {
	const s = int64(1e9)
	var lbls []labels.Label
	var alerts []detectors.Alert
	for i := int64(0); i < 10; i++ {
		at := i * 1000 * s
		lbls = append(lbls, labels.Label{ID: string(rune('a' + i)), Typology: replay.PumpAndDump, Symbol: "X", Start: at, End: at + 60*s})
		score := 5.0
		if i >= 5 {
			score = 3
		}
		alerts = append(alerts, detectors.Alert{Instance: "d", Typology: replay.PumpAndDump, Symbol: "X", RaisedAt: at + s, Start: at, End: at + s, Score: score},
			detectors.Alert{Instance: "d", Typology: replay.PumpAndDump, Symbol: "X", RaisedAt: at + 500*s, Start: at, End: at + 500*s, Score: 4})
	}
	opts := Options{Days: 1, InstrumentDays: 1, Split: Split{By: "time", Folds: 2}, Start: 0, End: 10000 * s}
	r := Evaluate(alerts, lbls, opts, Ref{Instance: "d", Typology: replay.PumpAndDump, Selection: Selection{Rule: "best_f1"}}).Instances[0]
	op, m := r.OperatingPoint, r.Test
	if !op.CrossValidated || op.InSample || len(op.FoldThresholds) != 2 || op.FoldThresholds[0] != 3 || op.FoldThresholds[1] != 5 {
		t.Fatalf("operating point %+v", op)
	}
	if m.Labels != 10 || m.Detected != 5 || m.Alerts != 10 || m.MatchedAlerts != 5 {
		t.Fatalf("cross-validated %+v", m)
	}
	// A fixed threshold is measured on everything, folds or not.
	five := 5.0
	r = Evaluate(alerts, lbls, opts, Ref{Instance: "d", Typology: replay.PumpAndDump, Selection: Selection{Threshold: &five}}).Instances[0]
	if r.OperatingPoint.CrossValidated || r.Test.Labels != 10 || r.Test.Detected != 5 {
		t.Fatalf("fixed threshold with folds: %+v %+v", r.OperatingPoint, r.Test)
	}
}

// TestEpisodeSplitsKeepEpisodesWhole: grouped by episode, an episode's
// labels and alerts land in one part, each part's exposure is its
// episodes' exact time, and the parts add up to the run.
func TestEpisodeSplitsKeepEpisodesWhole(t *testing.T) {
	const h = int64(time.Hour)
	// A's first two stretches, 2h apart, are one episode; its third, two
	// days on, another.
	segs := []Segment{{"A", 0, 10 * h}, {"B", 5 * h, 9 * h}, {"A", 12 * h, 14 * h}, {"A", 60 * h, 66 * h}, {"C", 70 * h, 72 * h}}
	var lbls []labels.Label
	var alerts []detectors.Alert
	for i, sg := range segs {
		lbls = append(lbls, labels.Label{ID: fmt.Sprint(i), Typology: replay.PumpAndDump, Symbol: sg.Symbol, Start: sg.Start + h, End: sg.Start + 2*h})
		alerts = append(alerts, detectors.Alert{Symbol: sg.Symbol, RaisedAt: sg.End}, detectors.Alert{Symbol: sg.Symbol, RaisedAt: sg.Start})
	}
	sum, union := Covered(segs)
	opts := Options{Days: float64(union) / float64(24*h), InstrumentDays: float64(sum) / float64(24*h), Segments: segs}
	for _, tc := range []struct {
		split string
		parts []int // each episode's part
	}{
		{"folds 2 by episode", []int{0, 1, 0, 0, 1}},
		{"folds 3", []int{0, 1, 0, 2, 0}},
		{"folds 2 by instrument", []int{0, 1, 0, 0, 0}},
		{"episode 0.5", []int{0, 0, 0, 1, 1}},
		{"instrument 0.5", []int{0, 0, 0, 0, 1}}, // A, B calibrate (of 3, round(1.5) = 2), C measures
	} {
		sp, err := ParseSplit(tc.split)
		if err != nil {
			t.Fatal(err)
		}
		p := newPartition(sp, alerts, lbls, opts)
		var inst float64
		for k := 0; k < p.parts; k++ {
			var want int64
			for i, sg := range segs {
				if tc.parts[i] == k {
					want += sg.End - sg.Start
				}
			}
			o := p.options(opts, func(j int) bool { return j == k })
			if got := o.InstrumentDays * float64(24*h); math.Abs(got-float64(want)) > 1 {
				t.Errorf("%s: part %d covers %v ns, want %d", tc.split, k, got, want)
			}
			inst += o.InstrumentDays
		}
		if math.Abs(inst-opts.InstrumentDays) > 1e-9 {
			t.Errorf("%s: parts cover %v instrument-days of %v", tc.split, inst, opts.InstrumentDays)
		}
		for i := range segs {
			if p.labelOf[i] != tc.parts[i] || p.alertOf[2*i] != tc.parts[i] || p.alertOf[2*i+1] != tc.parts[i] {
				t.Errorf("%s: episode %d: label in %d, alerts in %d and %d, want %d", tc.split, i, p.labelOf[i], p.alertOf[2*i], p.alertOf[2*i+1], tc.parts[i])
			}
		}
	}
}

func TestParseSplit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Split
		bad  bool
	}{
		{"", Split{}, false},
		{"time 0.5", Split{By: "time", Fraction: 0.5}, false},
		{"episode 0.3", Split{By: "episode", Fraction: 0.3}, false},
		{"instrument 0.7", Split{By: "instrument", Fraction: 0.7}, false},
		{"folds 5", Split{By: "episode", Folds: 5}, false},
		{"folds 4 by time", Split{By: "time", Folds: 4}, false},
		{"folds 3 by instrument", Split{By: "instrument", Folds: 3}, false},
		{"time 1", Split{}, true},
		{"time", Split{}, true},
		{"folds 1", Split{}, true},
		{"folds 5 by seed", Split{}, true},
		{"folds 5 episode", Split{}, true},
		{"random 0.5", Split{}, true},
	} {
		got, err := ParseSplit(tc.in)
		if (err != nil) != tc.bad || (!tc.bad && got != tc.want) {
			t.Errorf("ParseSplit(%q) = %+v, %v", tc.in, got, err)
		}
		if !tc.bad {
			if back, _ := ParseSplit(got.String()); got.Set() && back != got {
				t.Errorf("%q: String %q does not parse back", tc.in, got.String())
			}
		}
	}
}

// TestBootstrapRate: the interval holds the rate; bursts widen it against
// the same number of alerts spread evenly; no segments, no interval.
func TestBootstrapRate(t *testing.T) {
	const h = int64(time.Hour)
	segs := []Segment{{"A", 0, 48 * h}, {"B", 0, 48 * h}}
	spread, burst := make([]detectors.Alert, 0, 96), make([]detectors.Alert, 0, 96)
	for i := int64(0); i < 48; i++ {
		spread = append(spread, detectors.Alert{Symbol: "A", RaisedAt: i*h + 1}, detectors.Alert{Symbol: "B", RaisedAt: i*h + 1})
		burst = append(burst, detectors.Alert{Symbol: "A", RaisedAt: 3*h + i}, detectors.Alert{Symbol: "B", RaisedAt: 7*h + i})
	}
	none := make([]bool, 96)
	s := bootstrapRate(spread, none, segs)
	b := bootstrapRate(burst, none, segs)
	const rate = 96.0 / 4 // alerts per instrument-day
	if s[0] > rate || s[1] < rate || b[0] > rate || b[1] < rate {
		t.Fatalf("intervals %v and %v miss %v", s, b, rate)
	}
	if s[1]-s[0] >= b[1]-b[0] {
		t.Fatalf("evenly spread %v is not narrower than bursts %v", s, b)
	}
	if r := bootstrapRate(spread, none, nil); !math.IsNaN(r[0]) {
		t.Fatalf("no segments: %v", r)
	}
	matched := make([]bool, 96)
	for i := range matched {
		matched[i] = true
	}
	if r := bootstrapRate(spread, matched, segs); r != [2]float64{0, 0} {
		t.Fatalf("no background alerts: %v", r)
	}
}

// TestDefaultSplitGroupsByEpisodeWhenThereAreEnough: the automatic split is
// by episode with AutoEpisodes episodes or more, else by time, and says it
// was the default.
func TestDefaultSplitGroupsByEpisodeWhenThereAreEnough(t *testing.T) {
	const day = int64(24 * time.Hour)
	var segs []Segment
	for i := int64(0); i < AutoEpisodes; i++ {
		segs = append(segs, Segment{"X", 3 * i * day, 3*i*day + day}) // two days apart: one episode each
	}
	if sp := resolveSplit(DefaultSplit, nil, nil, Options{Segments: segs}); sp.By != "episode" || sp.Folds != 5 {
		t.Fatalf("%d episodes: %+v", AutoEpisodes, sp)
	}
	if sp := resolveSplit(DefaultSplit, nil, nil, Options{Segments: segs[:AutoEpisodes-1]}); sp.By != "time" {
		t.Fatalf("%d episodes: %+v", AutoEpisodes-1, sp)
	}
	var lbls []labels.Label
	var alerts []detectors.Alert
	for i, sg := range segs {
		lbls = append(lbls, labels.Label{ID: fmt.Sprint(i), Typology: replay.PumpAndDump, Symbol: "X", Start: sg.Start + 10, End: sg.Start + 20})
		alerts = append(alerts, detectors.Alert{Instance: "d", Typology: replay.PumpAndDump, Symbol: "X", RaisedAt: sg.Start + 15, Score: 1})
	}
	r := Evaluate(alerts, lbls, Options{Days: 10, InstrumentDays: 10, Segments: segs, Split: DefaultSplit},
		Ref{Instance: "d", Typology: replay.PumpAndDump, Selection: Selection{}.OrDefault()}).Instances[0]
	op := r.OperatingPoint
	if op.Split != "folds 5 by episode" || !op.CrossValidated || op.SelectedBy != "best_f1 (default)" || !strings.HasPrefix(op.SplitDetail, "the default split") || r.Test.Detected != AutoEpisodes {
		t.Fatalf("%+v %+v", op, r.Test)
	}
}
