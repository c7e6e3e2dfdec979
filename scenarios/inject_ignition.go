package scenarios

import (
	"time"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() { registerInjector(replay.MomentumIgnition, newIgnition) }

// ignitionDefaults by intensity: aggressive orders in the burst, their size in
// typical sizes, the burst's length, and how long the attacker waits before
// unwinding into the move.
var ignitionDefaults = map[string]map[string]float64{
	"blatant":  {"orders": 12, "size": 3, "burst_s": 3, "unwind_after_s": 10},
	"standard": {"orders": 8, "size": 2, "burst_s": 5, "unwind_after_s": 20},
	"subtle":   {"orders": 6, "size": 1.2, "burst_s": 10, "unwind_after_s": 40},
	"evasive":  {"orders": 4, "size": 0.8, "burst_s": 20, "unwind_after_s": 90},
}

// ignition fires a burst of aggressive orders to start a move that momentum
// traders follow, then unwinds the position into that move.
type ignition struct {
	attack
	sent    int
	unwound bool
	side    orderbook.Side
}

func newIgnition(p InjectionParams) (Injection, error) {
	k, err := resolve(p, ignitionDefaults)
	if err != nil {
		return nil, err
	}
	side := orderbook.Buy
	if p.Rand.IntN(2) == 0 {
		side = orderbook.Sell
	}
	return &ignition{attack: attack{p: p, k: k}, side: side}, nil
}

// Prepare draws the attacker's account.
func (g *ignition) Prepare(v Venue) { g.accounts = v.AttackAccounts(1, false) }

func (g *ignition) Act(v Venue) int64 {
	sym, now := g.p.Symbol, v.Now()
	in := v.Instrument(sym)
	n := g.k.i("orders")
	if g.sent < n {
		v.Submit(sym, g.accounts[0], OrderRequest{Side: g.side, Type: orderbook.Market, Qty: lots(float64(g.p.Instrument.Size)*g.k.f("size"), in.Lot)})
		g.mark(now)
		g.sent++
		if g.sent == n {
			return now + int64(g.k.f("unwind_after_s")*float64(time.Second))
		}
		return now + int64(g.k.f("burst_s")*float64(time.Second))/int64(n)
	}
	if !g.unwound {
		if q := v.Position(sym, g.accounts[0]); q != 0 {
			side := orderbook.Sell
			if q < 0 {
				side, q = orderbook.Buy, -q
			}
			v.Submit(sym, g.accounts[0], OrderRequest{Side: side, Type: orderbook.Market, Qty: q})
			g.mark(now)
		}
		g.unwound = true
	}
	return -1
}
