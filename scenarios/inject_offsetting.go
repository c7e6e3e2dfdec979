package scenarios

import (
	"time"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() { registerInjector(replay.OffsettingPositions, newOffsetting) }

// offsettingDefaults by intensity:
//   - size_x: each side's position in multiples of the typical order size (far
//     more than the book holds within the liquidation band);
//   - leverage: the losing side's leverage;
//   - build_s: seconds over which the two sides trade with each other;
//   - push_bps, ramp_s: how far and how fast the index constituents are pushed
//     against the losing side.
var offsettingDefaults = map[string]map[string]float64{
	"blatant":  {"size_x": 120, "leverage": 20, "build_s": 60, "push_bps": 900, "ramp_s": 30},
	"standard": {"size_x": 90, "leverage": 15, "build_s": 180, "push_bps": 900, "ramp_s": 60},
	"subtle":   {"size_x": 70, "leverage": 12, "build_s": 420, "push_bps": 1100, "ramp_s": 120},
	"evasive":  {"size_x": 50, "leverage": 10, "build_s": 900, "push_bps": 1300, "ramp_s": 180},
}

// offsetting is the offsetting-positions attack of the 2025 JELLY case on
// Hyperliquid: two linked accounts trade with each other until one is long
// and the other short a position far larger than the book can absorb; the
// index is then pushed against the thinly margined side, whose liquidation
// cannot be executed on the book within the band: the venue's insurance fund
// absorbs the fills beyond the bankruptcy price and the rest is
// auto-deleveraged, largely into the linked winning side.
type offsetting struct {
	perpAttack
	phase int
	qty   int64
	built int64
	base  int64
	t0    int64
	bid   uint64
}

func newOffsetting(p InjectionParams) (Injection, error) {
	a, err := newPerpAttack(p, offsettingDefaults)
	if err != nil {
		return nil, err
	}
	return &offsetting{perpAttack: a}, nil
}

// Prepare draws the linked pair: accounts[0] goes long, accounts[1] short.
func (o *offsetting) Prepare(v Venue) {
	o.prepare(v, 2, true)
	o.lossWindow = int64(2 * time.Minute)
}

func (o *offsetting) Act(v Venue) int64 {
	if o.pv == nil {
		return -1
	}
	sym, pv := o.p.Symbol, o.pv
	in := v.Instrument(sym)
	now := v.Now()
	long, short := o.accounts[0], o.accounts[1]
	size := float64(o.p.Instrument.Size)
	switch o.phase {
	case 0: // the pair trades with each other: long bids inside the spread, short sells into it
		ref := refPrice(pv, sym)
		if o.qty == 0 {
			o.qty = lots(size*o.k.f("size_x"), in.Lot)
			fund(pv, sym, long, o.qty, ref, 3)
			fund(pv, sym, short, o.qty, ref, o.k.f("leverage"))
		}
		if o.built >= o.qty {
			o.phase, o.base, o.t0 = 1, pv.Index(sym), now
			return now + int64(10*time.Second)
		}
		q := min(lots(size*(4+4*o.p.Rand.Float64()), in.Lot), o.qty-o.built)
		t := v.Top(sym)
		if t.BidQty == 0 || t.AskQty == 0 || t.AskPrice-t.BidPrice < 2*in.Tick {
			return now + int64(200*time.Millisecond) // wait for a gap inside the spread to trade in
		}
		// The long bids inside the spread, where nobody else is, and the short
		// sells into that bid at once.
		p := t.BidPrice + in.Tick
		id, _, err := v.Submit(sym, long, OrderRequest{Side: orderbook.Buy, Price: p, Qty: q})
		if err == nil {
			if rest, live := v.Remaining(sym, id); live {
				v.Submit(sym, short, OrderRequest{Side: orderbook.Sell, Price: p, TIF: orderbook.IOC, Qty: rest})
				if _, still := v.Remaining(sym, id); still {
					v.Cancel(sym, id)
				}
			}
		}
		o.built = abs64(v.Position(sym, short))
		o.mark(now)
		slices := float64(o.qty) / (6 * size)
		return now + int64(o.k.f("build_s")/slices*float64(time.Second)*(0.5+o.p.Rand.Float64()))
	case 1: // push the index against the short side until it is liquidated
		frac := min(float64(now-o.t0)/(o.k.f("ramp_s")*1e9), 1)
		p := roundTick(float64(o.base)*(1+o.k.f("push_bps")*frac/1e4), in.Tick)
		for k := 0; k < pv.IndexSources(sym)-pv.IndexSources(sym)/3; k++ {
			pv.PushIndex(sym, k, p)
		}
		o.mark(now)
		if v.Position(sym, short) == 0 || frac >= 1 && now-o.t0 > int64(o.k.f("ramp_s")*1e9)+int64(time.Minute) {
			o.phase, o.t0 = 2, now
		}
		return now + int64(time.Second)
	default: // release the index; the long side closes what ADL left it
		for k := 0; k < pv.IndexSources(sym); k++ {
			pv.PushIndex(sym, k, 0)
		}
		flat := closeOut(v, sym, long, lots(size*3, in.Lot))
		closeOut(v, sym, short, lots(size*3, in.Lot))
		o.mark(now)
		if flat || now-o.t0 > int64(10*time.Minute) {
			return -1
		}
		return now + int64(3*time.Second)
	}
}
