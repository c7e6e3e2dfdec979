package scenarios

import (
	"time"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() { registerInjector(replay.LiquidationCascade, newCascade) }

// cascadeDefaults by intensity:
//   - reach_bps: how deep the selling reaches into the book (it takes all the
//     visible liquidity that far from the touch);
//   - slices: orders the selling is split into; spread_s: seconds between them.
var cascadeDefaults = map[string]map[string]float64{
	"blatant":  {"reach_bps": 400, "slices": 1, "spread_s": 0},
	"standard": {"reach_bps": 300, "slices": 2, "spread_s": 3},
	"subtle":   {"reach_bps": 220, "slices": 3, "spread_s": 10},
	"evasive":  {"reach_bps": 160, "slices": 5, "spread_s": 30},
}

// cascade is a liquidation cascade triggered by a flash crash on a perpetual
// swap: one account sells (or buys) through the book far enough that the mark
// moves and leveraged positions on the other side are liquidated, whose
// liquidation orders push the price further. The label names the initiator;
// its insurance fund loss is every liquidation's within a minute of the end.
// Each slice is a limit order at the reach whose remainder rests (a fat
// finger); the last remainder is cancelled 15 s after it was placed.
type cascade struct {
	perpAttack
	slice int
	down  bool
	depth []orderbook.Level
	ref   int64
	rest  uint64 // the resting remainder of the last slice
}

func newCascade(p InjectionParams) (Injection, error) {
	a, err := newPerpAttack(p, cascadeDefaults)
	if err != nil {
		return nil, err
	}
	return &cascade{perpAttack: a, down: p.Rand.IntN(3) != 0, depth: make([]orderbook.Level, 0, 1024)}, nil
}

// Prepare draws the initiating account.
func (c *cascade) Prepare(v Venue) {
	c.prepare(v, 1, false)
	c.lossWindow = int64(time.Minute)
}

func (c *cascade) Act(v Venue) int64 {
	if c.pv == nil {
		return -1
	}
	sym, pv := c.p.Symbol, c.pv
	in := v.Instrument(sym)
	now := v.Now()
	if c.rest != 0 {
		if _, live := v.Remaining(sym, c.rest); live {
			v.Cancel(sym, c.rest)
		}
		c.rest = 0
	}
	if c.slice >= c.k.i("slices") {
		return -1
	}
	if c.ref == 0 {
		c.ref = refPrice(pv, sym)
	}
	side, book := orderbook.Sell, orderbook.Buy
	if !c.down {
		side, book = orderbook.Buy, orderbook.Sell
	}
	reach := c.k.f("reach_bps") * float64(c.slice+1) / float64(c.k.i("slices")) / 1e4
	limit := roundTick(float64(c.ref)*(1-reach), in.Tick)
	if !c.down {
		limit = roundTick(float64(c.ref)*(1+reach), in.Tick)
	}
	c.depth = v.Depth(sym, book, c.depth[:0])
	var q int64
	for _, l := range c.depth {
		if (c.down && l.Price < limit) || (!c.down && l.Price > limit) {
			break
		}
		q += l.Qty
	}
	// A limit order at the reach: it sweeps the book down (or up) to there and
	// its remainder rests, so the mid follows the last trade and the mark moves.
	q += q/5 + in.Lot
	pv.Deposit(sym, c.accounts[0], int64(float64(q)*float64(c.ref)/3))
	if id, _, err := v.Submit(sym, c.accounts[0], OrderRequest{Side: side, Price: limit, Qty: q}); err == nil {
		if _, live := v.Remaining(sym, id); live {
			c.rest = id
		}
	}
	c.mark(now)
	c.slice++
	if c.slice >= c.k.i("slices") {
		return now + int64(15*time.Second)
	}
	return now + int64(c.k.f("spread_s")*float64(time.Second)) + 1
}
