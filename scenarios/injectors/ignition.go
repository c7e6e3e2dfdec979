package injectors

import (
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios/venue"
)

func init() {
	mustRegister(component.Spec{
		Name:    string(replay.MomentumIgnition),
		Summary: "Momentum ignition: a burst of aggressive orders walks the price to set off momentum traders, then the attacker trades back into the followers.",
		Params: []component.Param{
			{Name: "burst_s", Type: component.Float, Meaning: "the burst's length in seconds", ByIntensity: component.PerIntensity(3.0, 5.0, 10.0, 20.0)},
			{Name: "move_bps", Type: component.Float, Meaning: "how far the burst walks the price", ByIntensity: component.PerIntensity(20.0, 12.0, 7.0, 4.0)},
			{Name: "orders", Type: component.Int, Meaning: "aggressive orders in the burst, each taking the book a step further", ByIntensity: component.PerIntensity(int64(10), int64(8), int64(6), int64(4))},
			{Name: "unwind_after_s", Type: component.Float, Meaning: "seconds the attacker waits before trading back", ByIntensity: component.PerIntensity(4.0, 8.0, 40.0, 90.0)},
			{Name: "unwind_slices", Type: component.Int, Meaning: "resting orders at the touch it unwinds through (one every 3 s) before bounded IOC orders", ByIntensity: component.PerIntensity(int64(3), int64(4), int64(6), int64(8))},
		},
	}, newIgnition)
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

func newIgnition(p Params) (venue.Injection, error) {
	k, err := resolve(p)
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
func (g *ignition) Prepare(v venue.Venue) { g.accounts = v.AttackAccounts(1, false) }

func (g *ignition) Act(v venue.Venue) int64 {
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
		target := venue.RoundTick(float64(g.start)*(1+step), in.Tick)
		if g.side == orderbook.Sell {
			target = venue.RoundTick(float64(g.start)*(1-step), in.Tick)
		}
		g.pusher.account, g.pusher.tif = acct, orderbook.IOC // a burst takes liquidity; it leaves nothing resting
		if g.pusher.push(v, nil, sym, g.side, target, 0) == 0 {
			v.Submit(sym, acct, venue.OrderRequest{Side: g.side, Type: orderbook.Market, Qty: venue.Lots(float64(g.p.Instrument.Size), in.Lot)})
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
			v.Submit(sym, acct, venue.OrderRequest{Side: side, TIF: orderbook.IOC, Price: venue.RoundTick(float64(px)*through, in.Tick), Qty: q})
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
		slice := max(venue.Lots(float64(q)/float64(g.k.i("unwind_slices")-g.slices), in.Lot), in.Lot)
		if id, _, err := v.Submit(sym, acct, venue.OrderRequest{Side: side, Price: px, Qty: min(slice, q)}); err == nil {
			if _, live := v.Remaining(sym, id); live {
				g.resting = id
			}
		}
	}
	g.slices++
	return now + int64(3*time.Second)
}
