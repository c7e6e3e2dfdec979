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
		Name:    string(replay.OffsettingPositions),
		Summary: "Offsetting positions on a perpetual swap: two linked accounts trade with each other into opposite positions far larger than the book can absorb, then push the book until the losing side is liquidated into the insurance fund.",
		Params: []component.Param{
			{Name: "build_s", Type: component.Float, Meaning: "seconds over which the two sides trade with each other", ByIntensity: component.PerIntensity(60.0, 180.0, 420.0, 900.0)},
			{Name: "leverage", Type: component.Float, Meaning: "the losing side's leverage", ByIntensity: component.PerIntensity(19.0, 18.0, 17.0, 16.0)},
			{Name: "size_x", Type: component.Float, Meaning: "each side's position in typical order sizes", ByIntensity: component.PerIntensity(120.0, 90.0, 70.0, 50.0)},
			{Name: "step_bps", Type: component.Float, Meaning: "each push of the book reaches this much further (up to 15%)", ByIntensity: component.PerIntensity(150.0, 120.0, 100.0, 80.0)},
			{Name: "step_s", Type: component.Float, Meaning: "seconds between pushes", ByIntensity: component.PerIntensity(2.0, 4.0, 6.0, 8.0)},
		},
	}, newOffsetting)
}

// offsetting is the offsetting-positions attack of the 2025 JELLY case on
// Hyperliquid: two linked accounts trade with each other until one is long
// and the other short a position far larger than the book can absorb; a
// third linked account then pushes the thin book up (in the JELLY case the
// spot price was pumped) until the thinly margined short is liquidated. Its
// liquidation cannot be executed on the book within the band: the venue's
// insurance fund absorbs the fills beyond the bankruptcy price and the rest
// is auto-deleveraged, largely into the linked winning side.
type offsetting struct {
	perpAttack
	phase  int
	qty    int64
	built  int64
	t0     int64
	base   int64
	pushes int
	pusher bookPusher
}

func newOffsetting(p Params) (venue.Injection, error) {
	a, err := newPerpAttack(p)
	if err != nil {
		return nil, err
	}
	return &offsetting{perpAttack: a}, nil
}

// Prepare draws the linked accounts: accounts[0] goes long, accounts[1]
// short, accounts[2] pushes.
func (o *offsetting) Prepare(v venue.Venue) {
	o.prepare(v, 3, true)
	o.lossOf = o.accounts[1:2]
	o.lossWindow = int64(2 * time.Minute)
}

func (o *offsetting) Act(v venue.Venue) int64 {
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
			o.qty = venue.Lots(size*o.k.f("size_x"), in.Lot)
			fund(pv, sym, long, o.qty, ref, 3)
			fund(pv, sym, short, o.qty, ref, o.k.f("leverage"))
		}
		if o.built >= o.qty {
			o.phase, o.t0 = 1, now
			return now + int64(10*time.Second)
		}
		q := min(venue.Lots(size*(4+4*o.p.Rand.Float64()), in.Lot), o.qty-o.built)
		t := v.Top(sym)
		if t.BidQty == 0 || t.AskQty == 0 || t.AskPrice-t.BidPrice < 2*in.Tick {
			return now + int64(200*time.Millisecond) // wait for a gap inside the spread to trade in
		}
		// The long bids inside the spread, where nobody else is, and the short
		// sells into that bid at once.
		p := t.BidPrice + in.Tick
		id, _, err := v.Submit(sym, long, venue.OrderRequest{Side: orderbook.Buy, Price: p, Qty: q})
		if err == nil {
			if rest, live := v.Remaining(sym, id); live {
				v.Submit(sym, short, venue.OrderRequest{Side: orderbook.Sell, Price: p, TIF: orderbook.IOC, Qty: rest})
				if _, still := v.Remaining(sym, id); still {
					v.Cancel(sym, id)
				}
			}
		}
		o.built = abs64(v.Position(sym, short))
		o.mark(now)
		slices := float64(o.qty) / (6 * size)
		return now + int64(o.k.f("build_s")/slices*float64(time.Second)*(0.5+o.p.Rand.Float64()))
	case 1: // push the book up against the short side until it is liquidated
		if v.Position(sym, short) == 0 || o.pushes >= 60 {
			o.pusher.cancel(v, sym)
			o.phase, o.t0 = 2, now
			return now + int64(5*time.Second)
		}
		o.pusher.account = o.accounts[2]
		if o.base == 0 {
			o.base = refPrice(pv, sym)
		}
		// Each push reaches step_bps further above the price the pushing began at.
		target := venue.RoundTick(float64(o.base)*(1+min(o.k.f("step_bps")*float64(o.pushes+1), 1500)/1e4), in.Tick)
		o.pusher.push(v, pv, sym, orderbook.Buy, target, venue.Lots(size*2, in.Lot))
		o.pushes++
		o.mark(now)
		return now + int64(o.k.f("step_s")*float64(time.Second))
	default: // everyone closes what is left
		flat := closeAll(v, sym, o.accounts, venue.Lots(size*3, in.Lot))
		o.mark(now)
		if flat || now-o.t0 > int64(10*time.Minute) {
			return -1
		}
		return now + int64(3*time.Second)
	}
}
