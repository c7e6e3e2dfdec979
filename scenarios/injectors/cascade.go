package injectors

import (
	"math"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios/venue"
)

func init() {
	mustRegister(component.Spec{
		Name:    string(replay.LiquidationCascade),
		Summary: "Liquidation cascade on a perpetual swap: a hunter reads the venue's liquidation heatmap, waits for a calm book with leveraged positions within reach, sells through the book to set their liquidations off, and buys them back cheaper with resting catch orders.",
		Params: []component.Param{
			{Name: "catch", Type: component.Float, Meaning: "typical sizes the hunter bids one tick beyond its final reach, to buy the liquidations back", ByIntensity: component.PerIntensity(6.0, 5.0, 4.0, 3.0)},
			{Name: "catch_by_link", Type: component.Int, Meaning: "1: a linked account places the catch orders", ByIntensity: component.PerIntensity(int64(0), int64(0), int64(0), int64(1))},
			{Name: "patience_s", Type: component.Float, Meaning: "seconds before the hunter settles for one target fewer", ByIntensity: component.PerIntensity(900.0, 900.0, 900.0, 900.0)},
			{Name: "reach_bps", Type: component.Float, Meaning: "farthest the selling reaches into the book (it takes all visible liquidity that far from the touch)", ByIntensity: component.PerIntensity(400.0, 300.0, 220.0, 160.0)},
			{Name: "slices", Type: component.Int, Meaning: "orders the selling is split into", ByIntensity: component.PerIntensity(int64(1), int64(2), int64(3), int64(5))},
			{Name: "spread_s", Type: component.Float, Meaning: "seconds between the slices", ByIntensity: component.PerIntensity(0.0, 3.0, 10.0, 30.0)},
			{Name: "targets", Type: component.Int, Meaning: "leveraged positions the hunter waits for within reach before it strikes (fewer after patience_s, strikes anyway after twice that)", ByIntensity: component.PerIntensity(int64(4), int64(3), int64(2), int64(1))},
		},
	}, newCascade)
}

// cascade is a liquidation cascade triggered by a flash crash on a perpetual
// swap: one account sells (or buys) through the book far enough that the mark
// moves and leveraged positions on the other side are liquidated, whose
// liquidation orders push the price further. Like a liquidation hunter, it
// first waits until enough positions' liquidation prices lie within its reach
// and the mark band, and it bids just beyond its reach for the liquidation
// orders to sell into. The label names the initiator (and the linked
// catcher); its insurance fund loss is every liquidation's within a minute of
// the end. Each slice is a limit order at the reach whose remainder rests (a
// fat finger); the last remainder and the catching order are cancelled 15 s
// after the last slice.
type cascade struct {
	perpAttack
	slice   int
	down    bool
	ref     int64
	reach   float64 // fraction of the reference price
	waiting int64   // when the hunter started waiting for targets (0: not yet)
	pusher  bookPusher
	catch   uint64 // the catching order (0: none live)
}

func newCascade(p Params) (venue.Injection, error) {
	a, err := newPerpAttack(p)
	if err != nil {
		return nil, err
	}
	return &cascade{perpAttack: a, down: p.Rand.IntN(3) != 0}, nil
}

// Prepare draws the initiating account (and a linked catcher).
func (c *cascade) Prepare(v venue.Venue) {
	n := 1 + min(c.k.i("catch_by_link"), 1)
	c.prepare(v, n, n > 1)
	c.lossWindow = int64(time.Minute)
}

func (c *cascade) Act(v venue.Venue) int64 {
	if c.pv == nil {
		return -1
	}
	sym, pv := c.p.Symbol, c.pv
	in := v.Instrument(sym)
	now := v.Now()
	c.pusher.account = c.accounts[0]
	c.pusher.cancel(v, sym)
	if c.slice >= c.k.i("slices") {
		if c.catch != 0 {
			if _, live := v.Remaining(sym, c.catch); live {
				v.Cancel(sym, c.catch)
			}
		}
		return -1
	}
	if c.ref == 0 {
		if wait := c.hunt(now); wait > 0 {
			return wait
		}
		c.ref = refPrice(pv, sym)
	}
	side := orderbook.Sell
	if !c.down {
		side = orderbook.Buy
	}
	reach := c.reach * float64(c.slice+1) / float64(c.k.i("slices"))
	limit := venue.RoundTick(float64(c.ref)*(1-reach), in.Tick)
	if !c.down {
		limit = venue.RoundTick(float64(c.ref)*(1+reach), in.Tick)
	}
	if c.slice == 0 {
		c.placeCatch(v, side.Opposite())
	}
	// A fat finger at the reach: it sweeps the book to there and its
	// remainder (five typical orders) rests.
	extra := venue.Lots(float64(c.p.Instrument.Size)*5, in.Lot)
	c.pusher.push(v, pv, sym, side, limit, extra)
	c.mark(now)
	c.slice++
	if c.slice >= c.k.i("slices") {
		return now + int64(15*time.Second)
	}
	return now + int64(c.k.f("spread_s")*float64(time.Second)) + 1
}

// hunt chooses how deep to push and waits for a calm book (the mark within
// 50 bps of the index: not in the middle of another push) with targets
// positions on the other side whose liquidation prices lie within that push
// (20 bps to spare), looking again every 15 s; it settles for fewer targets
// as it waits (one after patience_s) and strikes anyway after twice that. It
// returns when to look again (0: strike now).
func (c *cascade) hunt(now int64) int64 {
	band := c.p.Instrument.MarkBandBps/1e4 - 0.002
	mark := float64(refPrice(c.pv, c.p.Symbol))
	// How far it can move the mark. The mark is a median of the index, the
	// mid and the last trade, within the mark band of the index: a push that
	// stops short of the deepest resting order on the side it sells into
	// moves the mark all the way; one that empties that side leaves no mid,
	// and the mark moves only halfway to the last trade. It takes whichever
	// moves the mark further within reach_bps.
	maxReach := c.k.f("reach_bps") / 1e4
	c.reach = maxReach
	move := maxReach / 2 // emptying the side
	idx := float64(c.pv.Index(c.p.Symbol))
	if idx > 0 && mark > 0 {
		move = math.Abs(mark-(idx+mark*(1-maxReach))/2) / mark
		if !c.down {
			move = math.Abs((idx+mark*(1+maxReach))/2-mark) / mark
		}
	}
	book := orderbook.Buy
	if !c.down {
		book = orderbook.Sell
	}
	if c.pusher.depth = c.pv.Depth(c.p.Symbol, book, c.pusher.depth[:0]); len(c.pusher.depth) > 0 && mark > 0 {
		deepest := float64(c.pusher.depth[len(c.pusher.depth)-1].Price)
		if short := min(math.Abs(mark-deepest)/mark-0.001, maxReach); short > move {
			c.reach, move = short, short
		}
	}
	move = min(move, band)
	if c.waiting == 0 {
		c.waiting = now
	}
	patience := int64(c.k.f("patience_s") * float64(time.Second))
	if idx > 0 && math.Abs(mark-idx)/idx > 0.005 && now-c.waiting < 2*patience {
		return now + int64(15*time.Second) // the book is already away from the index: let it settle
	}
	found := 0
	for _, p := range c.pv.LiquidationPrices(c.p.Symbol, c.down) {
		d := (mark - float64(p)) / mark // how far the mark must fall
		if !c.down {
			d = -d
		}
		if d <= 0 {
			continue // already due: the venue liquidates it on its own
		}
		if d+0.002 > move {
			break
		}
		// The longer it has waited, the fewer it settles for: all its
		// targets at first, one after patience_s.
		want := max(1, int(math.Ceil(float64(c.k.i("targets"))*(1-float64(now-c.waiting)/float64(patience)))))
		if found++; found >= want {
			return 0
		}
	}
	if now-c.waiting < 2*patience {
		return now + int64(15*time.Second)
	}
	return 0
}

// placeCatch rests the catching order one tick beyond the final reach, where
// the liquidation orders (limited far beyond the mark) sell (buy) first once
// the push has taken the book above it.
func (c *cascade) placeCatch(v venue.Venue, side orderbook.Side) {
	q := venue.Lots(float64(c.p.Instrument.Size)*c.k.f("catch"), c.p.Instrument.Lot)
	if q <= 0 {
		return
	}
	in := v.Instrument(c.p.Symbol)
	p := venue.RoundTick(float64(c.ref)*(1-c.reach), in.Tick) - in.Tick
	if side == orderbook.Sell {
		p = venue.RoundTick(float64(c.ref)*(1+c.reach), in.Tick) + in.Tick
	}
	if p <= 0 {
		return
	}
	who := c.accounts[len(c.accounts)-1]
	fund(c.pv, c.p.Symbol, who, q, p, 4)
	if id, _, err := v.Submit(c.p.Symbol, who, venue.OrderRequest{Side: side, Price: p, Qty: q}); err == nil {
		if _, live := v.Remaining(c.p.Symbol, id); live {
			c.catch = id
		}
	}
}
