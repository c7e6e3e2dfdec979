package scoring

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
)

const sec = int64(1e9)

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) < 1e-9
}

func lab(sym string, typ replay.Typology, start, end int64, accts ...uint64) labels.Label {
	return labels.Label{Symbol: sym, Typology: typ, Start: start * sec, End: end * sec, Accounts: accts, Intensity: "standard"}
}

func al(sym string, typ replay.Typology, raised int64, score float64, accts ...uint64) detectors.Alert {
	return detectors.Alert{Instance: "d", Symbol: sym, Typology: typ, RaisedAt: raised * sec, Start: raised * sec, End: raised * sec, Score: score, Accounts: accts}
}

func TestMatchRules(t *testing.T) {
	lbls := []labels.Label{lab("X", replay.WashTrading, 100, 200, 1, 2)}
	cases := []struct {
		name string
		a    detectors.Alert
		opts Options
		want bool
	}{
		{"inside", al("X", replay.WashTrading, 150, 1, 2), Options{}, true},
		{"at start", al("X", replay.WashTrading, 100, 1), Options{}, true},
		{"at end", al("X", replay.WashTrading, 200, 1), Options{}, true},
		{"before start", al("X", replay.WashTrading, 99, 1), Options{}, false},
		{"after end", al("X", replay.WashTrading, 201, 1), Options{}, false},
		{"after end within tolerance", al("X", replay.WashTrading, 205, 1), Options{Tolerance: 5 * sec}, true},
		{"other symbol", al("Y", replay.WashTrading, 150, 1), Options{}, false},
		{"other typology", al("X", replay.Spoofing, 150, 1), Options{}, false},
		{"other typology, any allowed", al("X", replay.Spoofing, 150, 1), Options{AnyTypology: true}, true},
		{"disjoint accounts", al("X", replay.WashTrading, 150, 1, 3, 4), Options{}, false},
		{"alert without accounts", al("X", replay.WashTrading, 150, 1), Options{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := len(Match([]detectors.Alert{c.a}, lbls, c.opts)) == 1
			if got != c.want {
				t.Fatalf("matched = %v, want %v", got, c.want)
			}
		})
	}
}

// TestComputeGolden is worked by hand:
// labels L0 [100,200] accounts {1,2}; L1 [1000,1100] {5}; L2 [5000,5100] {9} (blatant, standard, subtle).
// alerts: a0 t=130 s=0.9 {1}     -> L0 (ttd 30s)
//
//	a1 t=110 s=0.5 {2,3}   -> L0 (ttd 10s, earlier)
//	a2 t=1050 s=0.7 {5}    -> L1 (ttd 50s)
//	a3 t=3000 s=0.8 {7}    -> none (background)
//	a4 t=5200 s=0.6 {9}    -> none (after L2's end)
//
// detected 2/3 -> recall 2/3; matched alerts 3/5 -> precision 0.6; F1 = 2·0.6·(2/3)/(0.6+2/3) = 0.631578...
// ttd sorted {10, 50}: p50 = ceil(1)=1st = 10, p90 = ceil(1.8)=2nd = 50.
// alerts per detected event 3/2; background 2 over 0.5 days -> 4/day.
// accounts: pairs (a0,L0): |{1}∩{1,2}|=1 of 1; (a1,L0): 1 of 2; (a2,L1): 1 of 1 -> precision 3/4.
// recall: L0 detected accounts {1,2,3}∩{1,2}=2 of 2; L1 {5} 1 of 1 -> 3/3 = 1.
// AP (alert-level, relevant = a0,a1,a2): ranking 0.9(r) 0.8(n) 0.7(r) 0.6(n) 0.5(r):
// P@1=1, P@3=2/3, P@5=3/5 -> (1 + 2/3 + 3/5)/3 = 0.755555...
// Event AP: recall steps at 0.9 (1/3, P=1) and 0.7 (2/3, P=2/3); 0.5 adds no new event -> 1/3·1 + 1/3·2/3 = 0.555...
func TestComputeGolden(t *testing.T) {
	lbls := []labels.Label{lab("X", replay.WashTrading, 100, 200, 1, 2), lab("X", replay.WashTrading, 1000, 1100, 5), lab("X", replay.WashTrading, 5000, 5100, 9)}
	lbls[0].Intensity, lbls[2].Intensity = "blatant", "subtle"
	alerts := []detectors.Alert{
		al("X", replay.WashTrading, 130, 0.9, 1), al("X", replay.WashTrading, 110, 0.5, 2, 3), al("X", replay.WashTrading, 1050, 0.7, 5),
		al("X", replay.WashTrading, 3000, 0.8, 7), al("X", replay.WashTrading, 5200, 0.6, 9),
	}
	m := Compute("d", replay.WashTrading, math.Inf(-1), alerts, lbls, Options{Days: 0.5})
	checks := []struct {
		name      string
		got, want float64
	}{
		{"recall", m.Recall, 2.0 / 3}, {"precision", m.Precision, 0.6}, {"f1", m.F1, 2 * 0.6 * (2.0 / 3) / (0.6 + 2.0/3)},
		{"ttd p50", m.TTDP50, 10}, {"ttd p90", m.TTDP90, 50}, {"alerts per event", m.AlertsPerEvent, 1.5},
		{"alerts per day", m.AlertsPerDay, 4}, {"account precision", m.AccountPrec, 0.75}, {"account recall", m.AccountRecall, 1},
		{"ap", m.AP, (1 + 2.0/3 + 3.0/5) / 3}, {"event ap", m.EventAP, 1.0/3 + (1.0/3)*(2.0/3)},
	}
	for _, c := range checks {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	want := []IntensityRecall{{"blatant", 1, 1, 1, []int{1, 1}}, {"standard", 1, 1, 1, []int{1, 1}}, {"subtle", 1, 0, 0, []int{0, 0}}}
	if !reflect.DeepEqual(m.ByIntensity, want) {
		t.Errorf("by intensity %+v", m.ByIntensity)
	}
	// Both detections (10 s and 50 s) are within a minute.
	if w := m.RecallWithin; len(w) != 2 || w[0].Seconds != 60 || w[0].Detected != 2 || w[1].Detected != 2 || !near(w[0].Recall, 2.0/3) {
		t.Errorf("recall within %+v", w)
	}
}

// TestAveragePrecisionReference: scikit-learn's documented example.
func TestAveragePrecisionReference(t *testing.T) {
	lbls := []labels.Label{lab("X", replay.WashTrading, 100, 100), lab("X", replay.WashTrading, 200, 200)}
	// Relevance by matching: two alerts hit a label, two do not.
	alerts := []detectors.Alert{
		al("X", replay.WashTrading, 50, 0.1), al("X", replay.WashTrading, 60, 0.4),
		al("X", replay.WashTrading, 100, 0.35), al("X", replay.WashTrading, 200, 0.8),
	}
	m := Compute("d", replay.WashTrading, math.Inf(-1), alerts, lbls, Options{})
	if !near(math.Round(m.AP*1e4)/1e4, 0.8333) {
		t.Fatalf("AP = %v, want 0.8333", m.AP)
	}
}

// TestRangeBased is worked by hand on one label [0,100] and alert windows.
func TestRangeBased(t *testing.T) {
	R := []Window{{"X", 0, 100}}
	cases := []struct {
		name   string
		pred   []Window
		alpha  float64
		bias   Bias
		p, rec float64
	}{
		{"half overlap flat", []Window{{"X", 50, 150}}, 0, Flat, 0.5, 0.5},
		{"half overlap, existence", []Window{{"X", 50, 150}}, 0.5, Flat, 0.5, 0.75},
		// Front bias on the real range: δ falls from 1 to 0; the first half holds 3/4 of the weight.
		{"first half, front bias", []Window{{"X", 0, 50}}, 0, Front, 1, 0.75},
		{"second half, front bias", []Window{{"X", 50, 100}}, 0, Front, 1, 0.25},
		{"second half, back bias", []Window{{"X", 50, 100}}, 0, Back, 1, 0.75},
		{"middle quarter-to-three-quarters, middle bias", []Window{{"X", 25, 75}}, 0, Middle, 1, 0.75},
		// Two predictions each covering a quarter: cardinality 1/2 -> recall (0.25+0.25)/2.
		{"fragmented", []Window{{"X", 0, 25}, {"X", 75, 100}}, 0, Flat, 1, 0.25},
		{"miss", []Window{{"X", 200, 300}}, 0.5, Flat, 0, 0},
		{"other symbol", []Window{{"Y", 0, 100}}, 0, Flat, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, r := RangePR(c.pred, R, c.alpha, c.bias)
			if !near(p, c.p) || !near(r, c.rec) {
				t.Fatalf("precision %v recall %v, want %v %v", p, r, c.p, c.rec)
			}
		})
	}
}

func randomCase(r *rand.Rand) ([]detectors.Alert, []labels.Label) {
	typ := []replay.Typology{replay.WashTrading, replay.Spoofing}
	var lbls []labels.Label
	for i := 0; i < 1+r.IntN(12); i++ {
		s := r.Int64N(10_000)
		l := lab("X", typ[r.IntN(2)], s, s+1+r.Int64N(300))
		if r.IntN(2) == 0 {
			l.Accounts = []uint64{uint64(r.IntN(5)), uint64(5 + r.IntN(5))}
		}
		lbls = append(lbls, l)
	}
	var alerts []detectors.Alert
	for i := 0; i < r.IntN(60); i++ {
		a := al("X", typ[r.IntN(2)], r.Int64N(10_500), float64(r.IntN(8))/4)
		if r.IntN(3) == 0 {
			a.Accounts = []uint64{uint64(r.IntN(10))}
		}
		alerts = append(alerts, a)
	}
	return alerts, lbls
}

// TestSweepIsExact: every sweep point equals a from-scratch evaluation of the
// alerts whose score is at least that threshold (random inputs, ties included).
func TestSweepIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var detectedPoints, capacityPoints int
	defer func() {
		if detectedPoints < 100 || capacityPoints < 10 {
			t.Errorf("the random cases exercised too little: %d points with detections, %d capacity points", detectedPoints, capacityPoints)
		}
	}()
	for iter := 0; iter < 300; iter++ {
		alerts, lbls := randomCase(r)
		opts := Options{Days: 1.5, Tolerance: int64(r.IntN(3)) * 30 * sec, BudgetPerDay: 3}
		wl := labelsOf(lbls, replay.WashTrading)
		s := SweepOf("d", replay.WashTrading, alerts, wl, opts)
		if s.AtCapacity != nil {
			capacityPoints++
			if s.AtCapacity.AlertsPerDay > opts.BudgetPerDay {
				t.Fatalf("capacity point over budget: %+v", s.AtCapacity)
			}
		}
		for _, p := range s.Points {
			if p.F1 > s.BestF1.F1 {
				t.Fatalf("best F1 %+v is beaten by %+v", s.BestF1, p)
			}
			if p.Detected > 0 {
				detectedPoints++
			}
			var kept []detectors.Alert
			for _, a := range alerts {
				if a.Score >= p.Threshold {
					kept = append(kept, a)
				}
			}
			m := Compute("d", replay.WashTrading, p.Threshold, kept, wl, opts)
			if m.Alerts != p.Alerts || m.Detected != p.Detected || !near(m.Precision, p.Precision) || !near(m.Recall, p.Recall) ||
				!near(m.F1, p.F1) || !near(m.AlertsPerDay, p.AlertsPerDay) || !near(m.TTDP50, p.TTDP50) {
				t.Fatalf("iter %d threshold %v: sweep %+v, from scratch %+v", iter, p.Threshold, p, m)
			}
		}
		for i := 1; i < len(s.Points); i++ {
			if s.Points[i].Threshold >= s.Points[i-1].Threshold {
				t.Fatal("thresholds not strictly decreasing")
			}
		}
	}
}

// TestOrderDoesNotMatter: shuffling alerts and labels changes no figure.
func TestOrderDoesNotMatter(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 50; iter++ {
		alerts, lbls := randomCase(r)
		opts := Options{Days: 1, InstrumentDays: 3, RangeAlpha: 0.3, RangeBias: Front, Segments: []Segment{{"X", 0, 1 << 44}, {"Y", 0, 1 << 44}}}
		a := Compute("d", replay.WashTrading, 0, alerts, lbls, opts)
		r.Shuffle(len(alerts), func(i, j int) { alerts[i], alerts[j] = alerts[j], alerts[i] })
		r.Shuffle(len(lbls), func(i, j int) { lbls[i], lbls[j] = lbls[j], lbls[i] })
		b := Compute("d", replay.WashTrading, 0, alerts, lbls, opts)
		a.ByIntensity, b.ByIntensity = nil, nil
		if !reflect.DeepEqual(round(a), round(b)) {
			t.Fatalf("order changed the metrics:\n%+v\n%+v", a, b)
		}
	}
}

func round(m Metrics) Metrics {
	for _, f := range []*float64{&m.Recall, &m.Precision, &m.F1, &m.TTDP50, &m.TTDP90, &m.AlertsPerEvent, &m.AlertsPerDay, &m.FalseAlertsPerInstrumentDay, &m.AccountPrec, &m.AccountRecall, &m.RangePrecision, &m.RangeRecall, &m.AP, &m.EventAP, &m.RecallCI[0], &m.RecallCI[1], &m.PrecisionCI[0], &m.PrecisionCI[1], &m.F1CI[0], &m.F1CI[1], &m.AlertsPerDayCI[0], &m.AlertsPerDayCI[1], &m.FalseAlertsPerInstrumentDayCI[0], &m.FalseAlertsPerInstrumentDayCI[1]} {
		if math.IsNaN(*f) {
			*f = -1
		}
		*f = math.Round(*f*1e9) / 1e9
	}
	return m
}

func TestEvaluateGroupsAndCoverage(t *testing.T) {
	lbls := []labels.Label{lab("X", replay.WashTrading, 100, 200), lab("X", replay.Spoofing, 300, 400), lab("X", replay.Spoofing, 900, 950)}
	alerts := []detectors.Alert{
		{Instance: "wash", Typology: replay.WashTrading, Symbol: "X", RaisedAt: 150 * sec, Score: 0.9},
		{Instance: "wash", Typology: replay.WashTrading, Symbol: "X", RaisedAt: 350 * sec, Score: 0.95}, // lands on a spoofing label
		{Instance: "spoof", Typology: replay.Spoofing, Symbol: "X", RaisedAt: 320 * sec, Score: 0.5},
		{Instance: "spoof", Typology: replay.Spoofing, Symbol: "X", RaisedAt: 5000 * sec, Score: 0.1},
	}
	ev := Evaluate(alerts, lbls, Options{Days: 1})
	if len(ev.Instances) != 2 || ev.Instances[0].Instance != "spoof" || ev.Instances[1].Instance != "wash" {
		t.Fatalf("instances %+v", ev.Instances)
	}
	if !reflect.DeepEqual(ev.Typologies, []replay.Typology{replay.WashTrading, replay.Spoofing}) {
		t.Fatalf("typologies %v", ev.Typologies)
	}
	spoof, wash := ev.Instances[0], ev.Instances[1]
	// spoof: best F1 keeps only the 0.5 alert: precision 1, recall 1/2.
	if spoof.Best.Threshold != 0.5 || !near(spoof.Best.Recall, 0.5) || !near(spoof.Best.Precision, 1) || !reflect.DeepEqual(spoof.TTD, []float64{20}) {
		t.Fatalf("spoof best %+v ttd %v", spoof.Best, spoof.TTD)
	}
	// wash: both alerts kept at its best threshold (0.9): own recall 1; coverage also sees the spoofing label.
	if wash.Best.Threshold != 0.9 || !near(wash.Coverage[replay.WashTrading], 1) || !near(wash.Coverage[replay.Spoofing], 0.5) {
		t.Fatalf("wash best %+v coverage %v", wash.Best, wash.Coverage)
	}
}

// TestEvaluateAlikeTogetherOrInterleaved: the same alerts scored as a run
// lists them (instance by instance, each group a part of the slice),
// interleaved (each group copied) and with one group together after the
// others interleaved give the same evaluation, and Evaluate leaves its
// input as it was.
func TestEvaluateAlikeTogetherOrInterleaved(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var lbls []labels.Label
	for range 12 {
		s := r.Int64N(20_000)
		typ := replay.Spoofing
		if r.IntN(2) == 0 {
			typ = replay.WashTrading
		}
		lbls = append(lbls, lab("X", typ, s, s+1+r.Int64N(300)))
	}
	var together []detectors.Alert
	var groups [][]detectors.Alert
	for _, g := range []struct {
		inst string
		typ  replay.Typology
		n    int
	}{{"spoof", replay.Spoofing, 300}, {"wash", replay.WashTrading, 200}, {"wash", replay.Spoofing, 5}, {"both", replay.Spoofing, 50}} {
		var group []detectors.Alert
		for range g.n {
			a := al("X", g.typ, r.Int64N(20_000), float64(r.IntN(40))/4)
			a.Instance = g.inst
			group = append(group, a)
		}
		together = append(together, group...)
		groups = append(groups, group)
	}
	// The groups dealt out in turn: each group's alerts in their order.
	var interleaved []detectors.Alert
	for k := 0; len(interleaved) < len(together); k++ {
		for _, g := range groups {
			if k < len(g) {
				interleaved = append(interleaved, g[k])
			}
		}
	}
	// The last group together, after the others dealt out in turn.
	var mixed []detectors.Alert
	for k := 0; len(mixed) < len(together)-len(groups[3]); k++ {
		for _, g := range groups[:3] {
			if k < len(g) {
				mixed = append(mixed, g[k])
			}
		}
	}
	mixed = append(mixed, groups[3]...)
	kept := slices.Clone(together)
	opts := Options{Days: 0.25, Tolerance: 30 * sec, BudgetPerDay: 24}
	ref := Ref{Instance: "spoof", Typology: replay.Spoofing, Selection: Selection{Rule: "best_f1"}}
	a := Evaluate(together, lbls, opts, ref)
	for name, as := range map[string][]detectors.Alert{"interleaved": interleaved, "mixed": mixed} {
		if b := Evaluate(as, lbls, opts, ref); !equalNaN(reflect.ValueOf(a), reflect.ValueOf(b)) {
			t.Fatalf("together %+v\n%s %+v", a.Instances, name, b.Instances)
		}
	}
	if len(a.Instances) != 4 {
		t.Fatalf("%d instances, want 4", len(a.Instances))
	}
	if !reflect.DeepEqual(together, kept) {
		t.Fatal("Evaluate changed its input")
	}
}

// equalNaN is reflect.DeepEqual with a NaN (a rate with nothing to
// measure) equal to itself.
func equalNaN(x, y reflect.Value) bool {
	if x.Kind() != y.Kind() {
		return false
	}
	switch x.Kind() {
	case reflect.Float32, reflect.Float64:
		return x.Float() == y.Float() || math.IsNaN(x.Float()) && math.IsNaN(y.Float())
	case reflect.Pointer, reflect.Interface:
		if x.IsNil() || y.IsNil() {
			return x.IsNil() == y.IsNil()
		}
		return equalNaN(x.Elem(), y.Elem())
	case reflect.Struct:
		for i := range x.NumField() {
			if !equalNaN(x.Field(i), y.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if x.Len() != y.Len() {
			return false
		}
		for i := range x.Len() {
			if !equalNaN(x.Index(i), y.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if x.Len() != y.Len() {
			return false
		}
		for _, k := range x.MapKeys() {
			if v := y.MapIndex(k); !v.IsValid() || !equalNaN(x.MapIndex(k), v) {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(x.Interface(), y.Interface())
	}
}

// BenchmarkSweepOf sweeps 30,000 alerts (a default-suite run's quote_stuffing
// candidates are of that order) with many tied scores against 40 labels.
func BenchmarkSweepOf(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	var lbls []labels.Label
	for range 40 {
		s := r.Int64N(21_600)
		lbls = append(lbls, lab("X", replay.QuoteStuffing, s, s+1+r.Int64N(300)))
	}
	var alerts []detectors.Alert
	for range 30_000 {
		alerts = append(alerts, al("X", replay.QuoteStuffing, r.Int64N(21_600), float64(r.IntN(400))/4))
	}
	opts := Options{Days: 0.25, Tolerance: 30 * sec, BudgetPerDay: 24}
	b.ReportAllocs()
	for b.Loop() {
		SweepOf("d", replay.QuoteStuffing, alerts, lbls, opts)
	}
}
