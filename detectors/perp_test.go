package detectors_test

import (
	"context"
	"slices"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/detectors/detectortest"
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
`

func perpEvents(t *testing.T) (*scenarios.Generator, []replay.Event) {
	t.Helper()
	spec, err := scenarios.Parse("perp-conformance", []byte(perpSpec))
	if err != nil {
		t.Fatal(err)
	}
	gen, err := scenarios.NewGenerator(spec)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := replay.ReadAll(gen)
	if err != nil {
		t.Fatal(err)
	}
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
}
