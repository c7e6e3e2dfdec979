package scenarios

import (
	"time"

	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	registerInjector(replay.MomentumIgnition, newIgnition, ignitionDefaults, InjectorDoc{
		Summary: "Momentum ignition: a burst of aggressive orders walks the price to set off momentum traders, then the attacker trades back into the followers.",
		Params: map[string]string{
			"orders":         "aggressive orders in the burst, each taking the book a step further",
			"move_bps":       "how far the burst walks the price",
			"burst_s":        "the burst's length in seconds",
			"unwind_after_s": "seconds the attacker waits before trading back",
			"unwind_slices":  "resting orders at the touch it unwinds through (one every 3 s) before bounded IOC orders",
		},
	})
}

// ignitionDefaults by intensity:
//   - orders: aggressive orders in the burst, each taking the book a step further;
//   - move_bps: how far the burst walks the price (momentum traders follow moves of 5 bps or more);
//   - burst_s: the burst's length;
//   - unwind_after_s: how long the attacker waits before selling (or buying) back into the followers;
//   - unwind_slices: resting orders at the touch it unwinds through, one every 3 s, before it
//     sends what is left as marketable IOC orders no further through the touch than the burst
//     walked, every 3 s for as many rounds again (then it holds the rest).
var ignitionDefaults = map[labels.Intensity]map[string]float64{
	"blatant":  {"orders": 10, "move_bps": 20, "burst_s": 3, "unwind_after_s": 4, "unwind_slices": 3},
	"standard": {"orders": 8, "move_bps": 12, "burst_s": 5, "unwind_after_s": 8, "unwind_slices": 4},
	"subtle":   {"orders": 6, "move_bps": 7, "burst_s": 10, "unwind_after_s": 40, "unwind_slices": 6},
	"evasive":  {"orders": 4, "move_bps": 4, "burst_s": 20, "unwind_after_s": 90, "unwind_slices": 8},
}

// ignition fires a burst of aggressive orders that walks the book move_bps,
// starting a move momentum traders follow, then unwinds the position into
// that move through resting orders at the touch.
type ignition struct {
	attack
	sent    int
	slices  int
	start   int64
	side    orderbook.Side
	pusher  bookPusher
	resting uint64
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
	acct := g.accounts[0]
	n := g.k.i("orders")
	if g.sent < n {
		t := v.Top(sym)
		if g.start == 0 {
			g.start = t.AskPrice
			if g.side == orderbook.Sell {
				g.start = t.BidPrice
			}
			if g.start == 0 {
				g.start = v.LastPrice(sym)
			}
		}
		// Each order takes the book to its step of the walk (at least one typical order).
		step := g.k.f("move_bps") * float64(g.sent+1) / float64(n) / 1e4
		target := roundTick(float64(g.start)*(1+step), in.Tick)
		if g.side == orderbook.Sell {
			target = roundTick(float64(g.start)*(1-step), in.Tick)
		}
		g.pusher.account, g.pusher.tif = acct, orderbook.IOC // a burst takes liquidity; it leaves nothing resting
		if g.pusher.push(v, nil, sym, g.side, target, 0) == 0 {
			v.Submit(sym, acct, OrderRequest{Side: g.side, Type: orderbook.Market, Qty: lots(float64(g.p.Instrument.Size), in.Lot)})
		}
		g.mark(now)
		g.sent++
		if g.sent == n {
			return now + int64(g.k.f("unwind_after_s")*float64(time.Second))
		}
		return now + int64(g.k.f("burst_s")*float64(time.Second))/int64(n)
	}
	if g.resting != 0 {
		if _, live := v.Remaining(sym, g.resting); live {
			v.Cancel(sym, g.resting)
		}
		g.resting = 0
	}
	q := v.Position(sym, acct)
	if q == 0 {
		return -1
	}
	side := orderbook.Sell
	if q < 0 {
		side, q = orderbook.Buy, -q
	}
	g.mark(now)
	if g.slices >= g.k.i("unwind_slices") {
		// What the followers did not take goes as marketable IOC orders,
		// never further through the touch than the burst walked, every 3 s
		// for as many rounds again; then the attacker holds what is left
		// (it does not crash the book to get out).
		if g.slices >= 2*g.k.i("unwind_slices") {
			return -1
		}
		t := v.Top(sym)
		px, through := t.BidPrice, 1-g.k.f("move_bps")/1e4
		if side == orderbook.Buy {
			px, through = t.AskPrice, 1+g.k.f("move_bps")/1e4
		}
		if px > 0 {
			v.Submit(sym, acct, OrderRequest{Side: side, TIF: orderbook.IOC, Price: roundTick(float64(px)*through, in.Tick), Qty: q})
		}
		g.slices++
		return now + int64(3*time.Second)
	}
	// Rest a slice at the touch on the unwinding side: the followers take it.
	t := v.Top(sym)
	px := t.AskPrice
	if side == orderbook.Buy {
		px = t.BidPrice
	}
	if px > 0 {
		slice := max(lots(float64(q)/float64(g.k.i("unwind_slices")-g.slices), in.Lot), in.Lot)
		if id, _, err := v.Submit(sym, acct, OrderRequest{Side: side, Price: px, Qty: min(slice, q)}); err == nil {
			if _, live := v.Remaining(sym, id); live {
				g.resting = id
			}
		}
	}
	g.slices++
	return now + int64(3*time.Second)
}
