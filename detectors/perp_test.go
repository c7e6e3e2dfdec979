package detectors_test

import (
	"context"
	"slices"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/detectors/detectortest"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios"
)

// perpSpec is a short thin perpetual swap with one attack of each perpetual
// typology at a known time.
const perpSpec = `
name: perp-conformance
seed: 5
start: 2026-01-05T00:00:00Z
duration: 40m
instruments:
  - symbol: ALTUSDT-PERP
    kind: perp
    price_exp: 4
    qty_exp: 0
    tick: 1
    lot: 1
    price: 12345
    size: 2000
    stp: "off"
    volatility: 0.02
    perp: {funding_interval: 10m, leveraged_traders: 30, max_leverage: 75, capital: 1500}
background: {accounts: 300, market_makers: 3, noise_traders: 30, momentum_traders: 2, depth_providers: 2, noise_rate: 1.5}
injections:
  - {typology: liquidation_suicide, symbol: ALTUSDT-PERP, at: [2m], intensity: blatant}
  - {typology: offsetting_positions, symbol: ALTUSDT-PERP, at: [9m], intensity: blatant}
  - {typology: index_manipulation, symbol: ALTUSDT-PERP, at: [22m], intensity: blatant}
  - {typology: liquidation_cascade, symbol: ALTUSDT-PERP, at: [31m], intensity: blatant, params: {patience_s: 120}}
`

func perpEvents(t *testing.T) (*scenarios.Generator, []replay.Event) {
	t.Helper()
	spec, err := scenarios.Parse("perp-conformance", []byte(perpSpec))
	if err != nil {
		t.Fatal(err)
	}
	gen, evs := generated(t, spec)
	return gen, evs
}

// TestPerpDetectorsConform runs the perpetual-swap detectors through the
// conformance suite on a market with liquidations, ADL and fund events.
func TestPerpDetectorsConform(t *testing.T) {
	if testing.Short() {
		t.Skip("batch size 1 over a perpetual market")
	}
	gen, evs := perpEvents(t)
	var liqs int
	for _, e := range evs {
		if e.Action == replay.ActionLiquidation {
			liqs++
		}
	}
	if liqs == 0 {
		t.Fatal("the scenario liquidated nobody: the conformance run would not exercise the detectors")
	}
	for _, name := range []string{"liquidation_abuse", "index_manipulation"} {
		insts, err := detectors.Expand([]detectors.Config{{Name: name}})
		if err != nil {
			t.Fatal(err)
		}
		in := insts[0]
		t.Run(name, func(t *testing.T) {
			detectortest.RunWithAccounts(t, in.ID, in.Typology, in.New, gen.Instruments(), gen.Accounts(), evs)
		})
	}
}

// TestPerpDetectorsFindTheirAttacks: on the same market, each perpetual
// attack's top-scored alert of its typology names at least one of its accounts.
func TestPerpDetectorsFindTheirAttacks(t *testing.T) {
	gen, evs := perpEvents(t)
	insts, err := detectors.Expand([]detectors.Config{{Name: "liquidation_abuse"}, {Name: "index_manipulation"}})
	if err != nil {
		t.Fatal(err)
	}
	var cs []replay.Consumer
	var runs []*detectors.Consumer
	for _, in := range insts {
		d, err := in.New()
		if err != nil {
			t.Fatal(err)
		}
		c := detectors.NewConsumer(in.ID, in.Typology, d)
		cs, runs = append(cs, c), append(runs, c)
	}
	if _, err := replay.Run(context.Background(), replay.NewMemSource(gen.Instruments(), evs), cs,
		replay.RunOptions{Info: replay.RunInfo{Accounts: gen.Accounts()}}); err != nil {
		t.Fatal(err)
	}
	var alerts []detectors.Alert
	for _, c := range runs {
		alerts = append(alerts, c.Alerts()...)
	}
	for _, l := range gen.Labels() {
		var best *detectors.Alert
		for i, a := range alerts {
			if a.Typology == l.Typology && a.RaisedAt >= l.Start && a.RaisedAt <= l.End+120e9 && (best == nil || a.Score > best.Score) {
				best = &alerts[i]
			}
		}
		if best == nil {
			t.Errorf("%s: no %s alert during the attack", l.ID, l.Typology)
			continue
		}
		if !slices.ContainsFunc(best.Accounts, func(a uint64) bool { return slices.Contains(l.Accounts, a) }) {
			t.Errorf("%s: the top %s alert (score %.2f) names %v, none of the attackers %v: %s", l.ID, l.Typology, best.Score, best.Accounts, l.Accounts, best.Evidence)
		}
	}
	// The index manipulation's liquidations are a cascade the index set off:
	// they score below the book-driven cascade of the hunter.
	top := map[replay.Typology]float64{}
	for _, l := range gen.Labels() {
		for _, a := range alerts {
			if a.Typology == replay.LiquidationCascade && a.RaisedAt >= l.Start && a.RaisedAt <= l.End+120e9 {
				top[l.Typology] = max(top[l.Typology], a.Score)
			}
		}
	}
	if top[replay.IndexManipulation] >= top[replay.LiquidationCascade] {
		t.Errorf("cascade scores: %.2f during the index manipulation, %.2f during the cascade attack", top[replay.IndexManipulation], top[replay.LiquidationCascade])
	}
	t.Logf("top cascade scores by attack: %v", top)
}

// TestCascadeScoreReadsWhoDroveAndWhoGained: the same liquidation after the
// same sell order, once with the mark pushed away from an unmoved index (the
// book drove the move), once with the index moved with it (manipulated
// constituents, news: not a book-driven cascade), and once with the seller's
// own bid taking the liquidation order (the hunter buying back cheaper).
func TestCascadeScoreReadsWhoDroveAndWhoGained(t *testing.T) {
	const s = int64(1e9)
	run := func(index2 int64, catcher uint64) float64 {
		evs := []replay.Event{
			{TS: 1 * s, Action: replay.ActionIndex, Price: 10000},
			{TS: 1 * s, Action: replay.ActionMark, Price: 10000},
			{TS: 2 * s, Action: replay.ActionAdd, OrderID: 1, Account: 1, Side: orderbook.Buy, Price: 9990, Qty: 100},
			{TS: 2 * s, Action: replay.ActionAdd, OrderID: 2, Account: 2, Side: orderbook.Buy, Price: 9800, Qty: 100},
			{TS: 2 * s, Action: replay.ActionAdd, OrderID: 3, Account: catcher, Side: orderbook.Buy, Price: 9690, Qty: 100},
			{TS: 3 * s, Action: replay.ActionMarket, OrderID: 4, Account: 7, Side: orderbook.Sell, Qty: 200},
			{TS: 4 * s, Action: replay.ActionIndex, Price: index2},
			{TS: 4 * s, Action: replay.ActionMark, Price: 9750},
			{TS: 4 * s, Action: replay.ActionLiquidation, Account: 9, Side: orderbook.Sell, Price: 9700, Qty: 50},
			{TS: 4 * s, Action: replay.ActionAdd, OrderID: 5, Account: 9, Side: orderbook.Sell, Price: 9600, Qty: 50, Flags: replay.FlagIOC | replay.FlagLiquidation},
			{TS: 60 * s, Action: replay.ActionMark, Price: 9750},
		}
		alerts := runDetector(t, "liquidation_abuse", replay.Instrument{Symbol: "X-PERP", Kind: replay.Perpetual, Tick: 1, Lot: 1}, evs, nil)
		score := -1.0
		for _, a := range alerts {
			if a.Typology == replay.LiquidationCascade {
				if !slices.Contains(a.Accounts, 7) {
					t.Errorf("the cascade alert names %v, not the seller 7: %s", a.Accounts, a.Evidence)
				}
				score = max(score, a.Score)
			}
		}
		return score
	}
	book, index, caught := run(10000, 3), run(9750, 3), run(10000, 7)
	if book <= 0 || index < 0 || index > book/10 || caught < 2*book {
		t.Fatalf("cascade score %.3f when the book drove it, %.3f when the index did, %.3f when the seller caught the liquidation", book, index, caught)
	}
}
