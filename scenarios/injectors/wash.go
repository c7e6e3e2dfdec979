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
		Name:    string(replay.WashTrading),
		Summary: "Wash trading: self-trades (ring 1, only where self-trade prevention is off) or rings of linked accounts trading in a cycle whose net positions return to about zero.",
		Params: []component.Param{
			{Name: "interval_s", Type: component.Float, Meaning: "seconds between trades", ByIntensity: component.PerIntensity(2.0, 5.0, 15.0, 40.0)},
			{Name: "ring", Type: component.Int, Meaning: "accounts in the ring (1: self-trades)", ByIntensity: component.PerIntensity(int64(1), int64(2), int64(3), int64(4))},
			{Name: "size", Type: component.Float, Meaning: "trade size in typical sizes", ByIntensity: component.PerIntensity(3.0, 1.5, 1.0, 0.6)},
			{Name: "trades", Type: component.Int, Meaning: "round-trip trades", ByIntensity: component.PerIntensity(int64(30), int64(20), int64(12), int64(8))},
		},
	}, newWash)
}

// wash trades with itself or around a ring of linked accounts: one member
// posts a limit order alone inside the spread and the next takes it with an
// IOC order at the same price, alternating direction so that every member's
// net position returns to about zero.
type wash struct {
	attack
	done    int
	waiting int64 // since when there has been no room inside the spread (0: not waiting)
}

func newWash(p Params) (venue.Injection, error) {
	k, err := resolve(p)
	if err != nil {
		return nil, err
	}
	return &wash{attack: attack{p: p, k: k}}, nil
}

// Prepare draws the ring's accounts before the run, so that detectors see
// their shared attributes from the start.
func (w *wash) Prepare(v venue.Venue) { w.accounts = v.AttackAccounts(max(w.k.i("ring"), 1), true) }

func (w *wash) Act(v venue.Venue) int64 {
	if w.done >= w.k.i("trades") {
		return -1
	}
	in := v.Instrument(w.p.Symbol)
	t := v.Top(w.p.Symbol)
	next := v.Now() + int64(w.k.f("interval_s")*float64(time.Second)*(0.7+0.6*w.p.Rand.Float64()))
	if t.BidQty == 0 || t.AskQty == 0 {
		return v.Now() + int64(200*time.Millisecond)
	}
	touch := false // trade at the touch, through the queue ahead (collateral fills with others)
	if t.AskPrice-t.BidPrice < 2*in.Tick {
		if w.waiting == 0 {
			w.waiting = v.Now()
		}
		if v.Now()-w.waiting < int64(30*time.Second) {
			return v.Now() + int64(200*time.Millisecond) // no room inside the spread: wait a while
		}
		touch = true // a one-tick book: wash at the touch instead
	}
	w.waiting = 0
	// The quantity travels around the ring: each member sells to the next, so
	// after a full turn every member's position is back where it started. A
	// lone account (self-trades) alternates sides.
	n := len(w.accounts)
	maker, taker := w.accounts[w.done%n], w.accounts[(w.done+1)%n]
	side := orderbook.Sell
	price := t.BidPrice + in.Tick
	if n == 1 && w.done%2 == 1 {
		side, price = orderbook.Buy, t.AskPrice-in.Tick
	}
	ahead := int64(0)
	if touch {
		// Join the touch and take the whole queue ahead with it: the last
		// fill is the wash, the others are collateral.
		price, ahead = t.AskPrice, t.AskQty
		if side == orderbook.Buy {
			price, ahead = t.BidPrice, t.BidQty
		}
	}
	q := venue.Lots(float64(w.p.Instrument.Size)*w.k.f("size")*(0.8+0.4*w.p.Rand.Float64()), in.Lot)
	id, _, err := v.Submit(w.p.Symbol, maker, venue.OrderRequest{Side: side, Price: price, Qty: q})
	if err != nil {
		return next
	}
	v.Submit(w.p.Symbol, taker, venue.OrderRequest{Side: side.Opposite(), TIF: orderbook.IOC, Price: price, Qty: q + ahead})
	if _, live := v.Remaining(w.p.Symbol, id); live {
		v.Cancel(w.p.Symbol, id)
	}
	w.mark(v.Now())
	w.done++
	return next
}
