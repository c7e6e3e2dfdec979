package scenarios

import (
	"math"
	"testing"
	"time"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios/agents"
)

// agentTrades replays a one-instrument background and returns, for the
// accounts of the agents pick selects, every fill they took part in, with
// the mid before it and the mid a horizon later.
type agentFill struct {
	ts        int64
	buy       bool // the agent bought
	mid       float64
	midBefore float64 // 5 minutes before
	midAfter  float64 // 3 minutes after
}

func agentFills(t *testing.T, spec *Spec, kind agents.Kind) []agentFill {
	t.Helper()
	g := generateWhole(t, spec)
	defer g.Close()
	accts := map[uint64]bool{}
	for _, a := range g.q.agents() {
		if id := agents.Describe(a); id.Kind == kind {
			accts[id.Account] = true
		}
	}
	if len(accts) == 0 {
		t.Fatal("no such agent in the spec")
	}
	evs, err := replay.ReadAll(g)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := replay.NewEngine(g.Instruments(), replay.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var mids []float64 // the mid at each whole second
	var secs []int64
	var out []agentFill
	var b replay.Batch
	for i := range evs {
		b.Records, b.Fills = b.Records[:0], b.Fills[:0]
		eng.Apply(&evs[i], &b)
		top := b.Records[0].Top
		if top.BidQty > 0 && top.AskQty > 0 {
			sec := evs[i].TS / 1e9
			m := float64(top.BidPrice+top.AskPrice) / 2
			if len(secs) == 0 || secs[len(secs)-1] != sec {
				secs, mids = append(secs, sec), append(mids, m)
			} else {
				mids[len(mids)-1] = m
			}
		}
		for _, f := range b.FillsOf(0) {
			buyer, seller := f.TakerAccount, f.MakerAccount
			if f.Aggressor == orderbook.Sell {
				buyer, seller = seller, buyer
			}
			if accts[buyer] || accts[seller] {
				out = append(out, agentFill{ts: evs[i].TS, buy: accts[buyer]})
			}
		}
	}
	at := func(ts int64) float64 { // the mid at the last whole second at or before ts
		sec := ts / 1e9
		lo, hi := 0, len(secs)
		for lo < hi {
			m := (lo + hi) / 2
			if secs[m] <= sec {
				lo = m + 1
			} else {
				hi = m
			}
		}
		return mids[max(lo-1, 0)]
	}
	for i := range out {
		out[i].mid, out[i].midBefore, out[i].midAfter = at(out[i].ts), at(out[i].ts-int64(5*time.Minute)), at(out[i].ts+int64(3*time.Minute))
	}
	return out
}

// oneBookSpec is a liquid one-instrument background with the given agents.
func oneBookSpec(t *testing.T, extra string) *Spec {
	t.Helper()
	spec, err := Parse("x.yaml", []byte(`name: x
seed: 5
start: 2026-01-05T00:00:00Z
duration: 12h
instruments:
  - {symbol: X, price_exp: 2, qty_exp: 4, tick: 1, lot: 1, price: 6000000, size: 10000, stp: "off", volatility: 0.01, jump_prob: 0.2, vol_of_vol: 0.3, touch: 5}
background:
  accounts: 300
  market_makers: 4
  noise_traders: 40
  momentum_traders: 2
  depth_providers: 2
  noise_rate: 2
`+extra))
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// TestMeanReversionTradersFadeMoves: mean-reversion traders sell after the
// price rose and buy after it fell — their trades go against the last five
// minutes' move far more often than with it.
func TestMeanReversionTradersFadeMoves(t *testing.T) {
	fills := agentFills(t, oneBookSpec(t, "  mean_reversion_traders: 6\n"), agents.MeanReversion)
	against := 0
	for _, f := range fills {
		if (f.mid > f.midBefore) != f.buy {
			against++
		}
	}
	t.Logf("%d fills, %d against the last 5 minutes' move", len(fills), against)
	if len(fills) < 50 || float64(against) < 0.8*float64(len(fills)) {
		t.Fatalf("%d of %d fills against the move", against, len(fills))
	}
}

// TestInformedTradersTradeAheadOfTheNews: what informed traders buy goes up
// in the next three minutes, and what they sell goes down: the news they
// traded ahead of came out. (Noise traders' fills are a coin toss.)
func TestInformedTradersTradeAheadOfTheNews(t *testing.T) {
	fills := agentFills(t, oneBookSpec(t, "  informed_traders: 3\n"), agents.Informed)
	right, gain := 0, 0.0
	for _, f := range fills {
		move := math.Log(f.midAfter / f.mid)
		if !f.buy {
			move = -move
		}
		gain += move
		if move > 0 {
			right++
		}
	}
	t.Logf("%d fills, %d followed by a move their way; mean move %.2f bps", len(fills), right, gain/float64(len(fills))*1e4)
	if len(fills) < 20 || float64(right) < 0.8*float64(len(fills)) || gain <= 0 {
		t.Fatalf("%d of %d fills followed by a move their way", right, len(fills))
	}
}
