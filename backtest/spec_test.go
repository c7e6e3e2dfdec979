package backtest

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/scenarios"
	"github.com/tapetest/tapetest/scoring"
)

// TestScopeToHistoricalInstrument: a detector entry scoped with symbols: to an
// instrument that only the historical files define is accepted and scoped
// (it was refused: the check read the spec's instruments, not the replay's);
// a symbol nothing replays is refused, naming what the run replays.
func TestScopeToHistoricalInstrument(t *testing.T) {
	msgs, err := filepath.Abs("../replay/lobster/testdata/SYN_2012-06-21_34200000_57600000_message_3.csv")
	if err != nil {
		t.Fatal(err)
	}
	spec := func(sym string) *Spec {
		text := "name: hist\nseed: 9\nbackground:\n  format: lobster\n  accounts: 50\n  files: [" + msgs + "]\n" +
			"detectors:\n  - {name: spoof_cancels, symbols: [" + sym + "]}\n  - {name: wash_pairs}\n"
		s, err := Parse("hist.yaml", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	out, err := Run(context.Background(), spec("SYN"), Options{SpecName: "hist", SpecText: []byte("hist"), ToolVersion: "test", BatchSize: 64})
	if err != nil {
		t.Fatalf("a detector scoped to the historical instrument: %v", err)
	}
	if len(out.Contents.Ran) != 2 || out.Contents.Ran[0].Instance != "spoof_cancels@SYN" {
		t.Fatalf("instances %+v", out.Contents.Ran)
	}
	_, err = Run(context.Background(), spec("NOPE"), Options{SpecName: "hist", SpecText: []byte("hist"), ToolVersion: "test", BatchSize: 64})
	if err == nil || !strings.Contains(err.Error(), `"NOPE" is not an instrument the run replays (it replays SYN)`) {
		t.Fatalf("unknown symbol: %v", err)
	}
}

// TestScoringConfig: range-based scoring's alpha and bias are reachable from a
// spec (they were hard-wired), default to front bias and alpha 0, and bad
// values are refused naming the field.
func TestScoringConfig(t *testing.T) {
	base := "name: s\nseed: 1\nstart: 2026-01-05T00:00:00Z\nduration: 1h\ninstruments:\n  - {symbol: X, price_exp: 2, qty_exp: 0, tick: 1, lot: 1, price: 10000, size: 10}\nbackground: {accounts: 10, market_makers: 1}\n"
	for _, c := range []struct {
		scoring string
		want    scoring.Options
		err     string
	}{
		{"", scoring.Options{Days: 1, InstrumentDays: 2, RangeBias: scoring.Front, Split: scoring.DefaultSplit}, ""},
		{"scoring: {split: none}\n", scoring.Options{Days: 1, InstrumentDays: 2, RangeBias: scoring.Front}, ""},
		{"scoring: {tolerance: 90s, budget_per_day: 12, range: {alpha: 0.5, bias: back}}\n", scoring.Options{Days: 1, InstrumentDays: 2, Tolerance: 90e9, BudgetPerDay: 12, RangeAlpha: 0.5, RangeBias: scoring.Back, Split: scoring.DefaultSplit}, ""},
		{"scoring: {split: folds 5 by episode}\n", scoring.Options{Days: 1, InstrumentDays: 2, RangeBias: scoring.Front, Split: scoring.Split{By: "episode", Folds: 5}}, ""},
		{"scoring: {split: instrument 0.25}\n", scoring.Options{Days: 1, InstrumentDays: 2, RangeBias: scoring.Front, Split: scoring.Split{By: "instrument", Fraction: 0.25}}, ""},
		{"scoring: {split: folds 1}\n", scoring.Options{}, `split "folds 1"`},
		{"scoring: {range: {bias: sideways}}\n", scoring.Options{}, `bias "sideways"`},
		{"scoring: {range: {alpha: 1.5}}\n", scoring.Options{}, "alpha 1.5"},
		{"scoring: {tolerance: -1s}\n", scoring.Options{}, "scoring.tolerance: -1s: a duration cannot be negative"},
		{"scoring: {budget_per_day: .nan}\n", scoring.Options{}, "scoring.budget_per_day: NaN is not a finite number"},
		{"scoring: {rnage: {}}\n", scoring.Options{}, `unknown field "rnage"`},
		{"detectors: [{name: wash_pairs, symbols: [Y]}]\n", scoring.Options{}, `unknown instrument "Y"`},
	} {
		s, err := Parse("s.yaml", []byte(base+c.scoring))
		if c.err != "" {
			var se *scenarios.SpecError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want a SpecError with %q", c.scoring, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", c.scoring, err)
		}
		if got := s.Config.Scoring.Options(1, 2); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: options %+v, want %+v", c.scoring, got, c.want)
		}
	}
}

// TestSpecRefusesValuesThatChangeResultsSilently: values that used to change
// a run without an error — a NaN volatility or noise rate (a market of prices
// 0 to 5 ticks), an attack at an offset past the end (a label outside the
// replay, counted as a miss), a price of int64's maximum (makers quoting at 1)
// — are refused, naming the field.
func TestSpecRefusesValuesThatChangeResultsSilently(t *testing.T) {
	base := "name: s\nseed: 1\nstart: 2026-01-05T00:00:00Z\nduration: 1h\n"
	inst := func(extra string) string {
		return "instruments:\n  - {symbol: X, price_exp: 2, qty_exp: 0, tick: 1, lot: 1, price: 10000, size: 10" + extra + "}\n"
	}
	bg := "background: {accounts: 10, market_makers: 1}\n"
	for _, c := range []struct{ text, want string }{
		{base + inst(", volatility: .nan") + bg, "instruments[0].volatility: NaN is not a finite number"},
		{base + inst(", jump_prob: .inf") + bg, "instruments[0].jump_prob: +Inf is not a finite number"},
		{base + inst("") + "background: {accounts: 10, market_makers: 1, noise_traders: 1, noise_rate: .nan}\n", "background.noise_rate: NaN is not a finite number"},
		{base + inst("") + bg + "injections: [{typology: spoofing, symbol: X, intensity: blatant, at: [2h]}]\n", "at[0] 2h0m0s: must be inside the run"},
		{base + inst("") + bg + "injections: [{typology: spoofing, symbol: X, intensity: blatant, at: [-1m]}]\n", "injections[0].at[0]: -1m0s: a duration cannot be negative"},
		{strings.Replace(base+inst("")+bg, "price: 10000", "price: 9223372036854775807", 1), "at most 2^53"},
		{base + inst("") + bg + "scoring: {tolerance: -5s}\n", "scoring.tolerance: -5s: a duration cannot be negative"},
	} {
		_, err := Parse("s.yaml", []byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.want, err, c.want)
		}
	}
}

// TestInheritScopes: a --detector entry without symbols takes the spec's
// scope for the same detector; one with symbols, a detector the spec scopes
// two ways, or one it does not scope, stays as it is.
func TestInheritScopes(t *testing.T) {
	spec := []detectors.Config{
		{Name: "flash_crash", Symbols: []string{"A", "B"}},
		{Name: "wash_pairs", Symbols: []string{"A"}}, {Name: "wash_pairs", Symbols: []string{"B"}},
		{Name: "spoof_cancels"},
	}
	flags := []detectors.Config{{Name: "flash_crash"}, {Name: "flash_crash", Symbols: []string{"C"}}, {Name: "wash_pairs"}, {Name: "spoof_cancels"}, {Name: "quote_stuffing"}}
	got := InheritScopes(flags, spec)
	if !reflect.DeepEqual(got, []string{"flash_crash@A+B"}) || !reflect.DeepEqual(flags[0].Symbols, []string{"A", "B"}) ||
		!reflect.DeepEqual(flags[1].Symbols, []string{"C"}) || flags[2].Symbols != nil || flags[3].Symbols != nil || flags[4].Symbols != nil {
		t.Fatalf("inherited %v: %+v", got, flags)
	}
	cfg, err := ParseDetectorFlag("flash_crash:window=10s,symbols=X+Y")
	if err != nil || !reflect.DeepEqual(cfg.Symbols, []string{"X", "Y"}) {
		t.Fatalf("symbols=X+Y: %+v %v", cfg, err)
	}
}
