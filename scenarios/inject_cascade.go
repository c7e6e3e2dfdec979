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
	slice  int
	down   bool
	ref    int64
	pusher bookPusher
}

func newCascade(p InjectionParams) (Injection, error) {
	a, err := newPerpAttack(p, cascadeDefaults)
	if err != nil {
		return nil, err
	}
	return &cascade{perpAttack: a, down: p.Rand.IntN(3) != 0}, nil
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
	c.pusher.account = c.accounts[0]
	c.pusher.cancel(v, sym)
	if c.slice >= c.k.i("slices") {
		return -1
	}
	if c.ref == 0 {
		c.ref = refPrice(pv, sym)
	}
	side := orderbook.Sell
	if !c.down {
		side = orderbook.Buy
	}
	reach := c.k.f("reach_bps") * float64(c.slice+1) / float64(c.k.i("slices")) / 1e4
	limit := roundTick(float64(c.ref)*(1-reach), in.Tick)
	if !c.down {
		limit = roundTick(float64(c.ref)*(1+reach), in.Tick)
	}
	// A fat finger at the reach: it sweeps the book to there and its
	// remainder (five typical orders) rests.
	extra := lots(float64(c.p.Instrument.Size)*5, in.Lot)
	c.pusher.push(v, pv, sym, side, limit, extra)
	c.mark(now)
	c.slice++
	if c.slice >= c.k.i("slices") {
		return now + int64(15*time.Second)
	}
	return now + int64(c.k.f("spread_s")*float64(time.Second)) + 1
}
