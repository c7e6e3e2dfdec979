package scoring

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/tapetest/tapetest/replay"
)

// TestPolicyFileExtendsTheDefaults: a policy file that names one typology
// used to drop the default rules for every other, so a spoofing recall of
// 1.00 → 0.57 passed; the file now extends the defaults, and
// replace_defaults: true is how they are dropped.
func TestPolicyFileExtendsTheDefaults(t *testing.T) {
	inst := func(recall float64) []InstanceResult {
		return []InstanceResult{
			{Instance: "spoof_cancels", Typology: replay.Spoofing, Best: Metrics{Labels: 7, Detected: int(recall * 7), Recall: recall, Precision: 1}},
			{Instance: "wash_pairs", Typology: replay.WashTrading, Best: Metrics{Labels: 10, Detected: 10, Recall: 1, Precision: 1}},
		}
	}
	for _, c := range []struct {
		name, text string
		pass       bool
	}{
		{"only a typology block", "typologies:\n  wash_trading:\n    min_recall: 0.8\n", false},
		{"a default block naming one field", "default:\n  max_alerts_per_day: 100\n", false},
		{"a looser recall drop for spoofing", "typologies:\n  spoofing:\n    max_recall_drop: 0.5\n", true},
		{"the defaults dropped explicitly", "replace_defaults: true\ntypologies:\n  wash_trading:\n    min_recall: 0.8\n", true},
	} {
		p := filepath.Join(t.TempDir(), "gate.yaml")
		os.WriteFile(p, []byte(c.text), 0o644)
		pol, err := LoadPolicy(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := Gate(pol, inst(1.0), inst(4.0/7)).Pass; got != c.pass {
			t.Errorf("%s: pass=%v, want %v", c.name, got, c.pass)
		}
	}
}

// TestGatePairsChangedParameters: a candidate whose only change is a
// weakening parameter of one detector (so another instance id) used to fail
// only as "baseline instance missing"; it is paired with the baseline's
// instance and fails on its recall drop, naming both thresholds and the
// baseline instance, before every passing rule.
func TestGatePairsChangedParameters(t *testing.T) {
	base := []InstanceResult{
		{Instance: "spoof_cancels", Typology: replay.Spoofing, Best: Metrics{Recall: 1, Precision: 1, Threshold: 3}},
		{Instance: "wash_pairs", Typology: replay.WashTrading, Best: Metrics{Recall: 1, Precision: 1, Threshold: 2}},
	}
	cand := []InstanceResult{
		{Instance: "spoof_cancels", Typology: replay.Spoofing, Best: Metrics{Recall: 1, Precision: 1, Threshold: 3}},
		{Instance: "wash_pairs{min_trades=1000}", Typology: replay.WashTrading, Best: Metrics{Recall: 0.4, Precision: 1, Threshold: 5}},
	}
	g := Gate(DefaultPolicy(), base, cand)
	if g.Pass || len(g.Rules) == 0 {
		t.Fatalf("a weakened parameter passed: %+v", g)
	}
	first := g.Rules[0]
	if first.Pass || first.Rule != "max_recall_drop" || first.BaselineInstance != "wash_pairs" || first.BaselineThreshold != 2 || first.CandidateThreshold != 5 {
		t.Fatalf("first rule %+v", first)
	}
	for _, r := range g.Rules {
		if r.Rule == "present" {
			t.Fatalf("reported as missing: %+v", r)
		}
	}
	// Two candidates of the same detector: no guess, the baseline's is missing.
	cand = append(cand, InstanceResult{Instance: "wash_pairs{window=5m}", Typology: replay.WashTrading, Best: Metrics{Recall: 1, Precision: 1}})
	g = Gate(DefaultPolicy(), base, cand)
	if g.Pass || g.Rules[0].Rule != "present" {
		t.Fatalf("an ambiguous pairing: %+v", g.Rules[0])
	}
}

// TestWilson: the interval against published values (Newcombe 1998, table
// I: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605; 0/20 → 0–0.1611;
// 1/29 → 0.0061–0.1718) and at the edges.
func TestWilson(t *testing.T) {
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{{81, 263, 0.2553, 0.3662}, {15, 148, 0.0624, 0.1605}, {0, 20, 0, 0.1611}, {1, 29, 0.0061, 0.1718}, {1, 1, 0.2065, 1}, {0, 3, 0, 0.5615}} {
		lo, hi := Wilson(c.k, c.n)
		if math.Abs(lo-c.lo) > 5e-5 || math.Abs(hi-c.hi) > 5e-5 {
			t.Errorf("%d/%d: %.4f–%.4f, want %.4f–%.4f", c.k, c.n, lo, hi, c.lo, c.hi)
		}
	}
	if lo, hi := Wilson(0, 0); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Error("0/0 is not NaN")
	}
}
