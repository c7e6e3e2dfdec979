package extending

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/backtest"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/formats"
	"github.com/tapetest/tapetest/scoring"
)

func TestMain(m *testing.M) {
	for _, register := range []func() error{RegisterBigOrders, RegisterFatPrint, RegisterTSVTrades, RegisterMaxOrderQty} {
		if err := register(); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

// TestRegisteringTwiceFails: a name is registered once.
func TestRegisteringTwiceFails(t *testing.T) {
	for _, register := range []func() error{RegisterBigOrders, RegisterFatPrint, RegisterTSVTrades, RegisterMaxOrderQty} {
		if err := register(); err == nil || !strings.Contains(err.Error(), "already registered") {
			t.Errorf("second registration: %v", err)
		}
	}
}

// TestFormat: the tsv-trades format reads through the same entry point as
// the built-in ones, with its own parameter and the ones every format has.
func TestFormat(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.tsv")
	os.WriteFile(p, []byte("1767571200000\tbuy\t1000050\t3\n1767571201000\tsell\t1000040\t5\n"), 0o644)
	src, err := formats.Open("tsv-trades", []string{p}, map[string]any{"symbol": "ABC", "price_exp": 4})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := replay.ReadAll(src)
	if err != nil || len(evs) != 2 || evs[1].Qty != 5 || src.Instruments()[0].Symbol != "ABC" || src.Instruments()[0].PriceExp != 4 {
		t.Fatalf("%v %+v %+v", err, evs, src.Instruments())
	}
	if _, err := formats.Open("tsv-trades", []string{p}, map[string]any{"price_exp": 2.5}); err == nil || !strings.Contains(err.Error(), "format tsv-trades: parameter price_exp") {
		t.Fatalf("bad parameter: %v", err)
	}
	os.WriteFile(p, []byte("1767571200000\tbuy\t-1\t3\n"), 0o644)
	if _, err := formats.Open("tsv-trades", []string{p}, nil); err == nil || !strings.Contains(err.Error(), "t.tsv:1:") {
		t.Fatalf("bad row: %v", err)
	}
}

// TestBacktestWithAllFour: a scenario injects fat prints into a market whose
// venue refuses orders above 1,500 lots; big_orders catches the standard
// prints (1,000 lots) and never sees the blatant one (2,000 lots), which the
// venue refused and counted.
func TestBacktestWithAllFour(t *testing.T) {
	spec, err := backtest.Parse("extending.yaml", []byte(`name: extending
seed: 3
start: 2026-01-05T00:00:00Z
duration: 1h
instruments:
  - {symbol: X, price_exp: 2, qty_exp: 0, tick: 1, lot: 1, price: 1000000, size: 10, volatility: 0.01,
     rules: [{name: max_order_qty, params: {max_lots: 1500}}]}
background: {accounts: 100, market_makers: 3, noise_traders: 20, noise_rate: 2, depth_providers: 2}
injections:
  - {typology: fat_print, symbol: X, intensity: standard, count: 2}
  - {typology: fat_print, symbol: X, intensity: blatant, at: [50m]}
detectors:
  - {name: big_orders, params: {min_qty: 500}}
scoring: {tolerance: 5s}
`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := backtest.Run(context.Background(), spec, backtest.Options{SpecName: "extending", SpecText: []byte("x"), ToolVersion: "test", BatchSize: 512})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Contents
	ev := scoring.Evaluate(c.Alerts, c.Labels, c.Options, c.Ran...)
	if len(ev.Instances) != 1 {
		t.Fatalf("instances %+v", ev.Instances)
	}
	r := ev.Instances[0].Best
	var std, blatant scoring.IntensityRecall
	for _, x := range r.ByIntensity {
		switch x.Intensity {
		case "standard":
			std = x
		case "blatant":
			blatant = x
		}
	}
	if std.Labels != 2 || std.Detected != 2 || blatant.Labels != 1 || blatant.Detected != 0 {
		t.Fatalf("by intensity %+v", r.ByIntensity)
	}
	refused := int64(0)
	for _, k := range c.Counts {
		if k.Kind == "max_order_qty_rejected" {
			refused = k.N
		}
	}
	if refused == 0 {
		t.Fatalf("the venue refused nothing: %v", c.Counts)
	}
}
