package scenarios

import (
	"testing"

	"github.com/tapetest/tapetest/replay"
)

// TestWashTradesInAOneTickBook: where the spread leaves no room inside it,
// the wash ring trades at the touch through the queue ahead, so its
// self-trades happen (with collateral fills) instead of never.
func TestWashTradesInAOneTickBook(t *testing.T) {
	spec, err := Parse("wash.yaml", []byte(`
name: wash-one-tick
seed: 4
start: 2026-01-05T00:00:00Z
duration: 8m
instruments:
  - {symbol: BTCUSDT, price_exp: 2, qty_exp: 5, tick: 1, lot: 1, price: 6000000, size: 5000, stp: "off", volatility: 0.006,
     jump_prob: 0.35, vol_of_vol: 0.3, touch: 8, size_dispersion: 2.9, size_median: 0.008}
background: {accounts: 400, market_makers: 6, noise_traders: 60, momentum_traders: 4, depth_providers: 4, noise_rate: 3}
injections:
  - {typology: wash_trading, symbol: BTCUSDT, at: [1m], intensity: blatant}
`))
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGenerator(spec)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := replay.ReadAll(g)
	if err != nil {
		t.Fatal(err)
	}
	self := 0
	attacker := g.Labels()[0].Accounts[0]
	eng, _ := replay.NewEngine(g.Instruments(), replay.EngineOptions{})
	var b replay.Batch
	for i := range evs {
		b.Records, b.Fills = b.Records[:0], b.Fills[:0]
		eng.Apply(&evs[i], &b)
		for _, f := range b.FillsOf(0) {
			if f.TakerAccount == attacker && f.MakerAccount == attacker {
				self++
			}
		}
	}
	if self < 10 {
		t.Fatalf("%d self-trades by the wash account in a one-tick book, want the attack's 30 or so", self)
	}
}
