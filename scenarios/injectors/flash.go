package injectors

import (
	"math"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/scenarios/venue"
)

func init() {
	mustRegister(component.Spec{
		Name:    string(replay.FlashCrash),
		Summary: "Flash crash: a fat-finger sweep through the bids, or (withdraw 1) a liquidity withdrawal — linked accounts provide depth at the touch, pull it at once while the makers stand aside, and a linked seller hits the thin book.",
		Params: []component.Param{
			{Name: "depth_bps", Type: component.Float, Meaning: "fat finger: how deep below the best bid the sweep takes every bid", ByIntensity: component.PerIntensity(300.0, 150.0, 80.0, 50.0)},
			{Name: "pause_ms", Type: component.Float, Meaning: "fat finger: milliseconds between the slices", ByIntensity: component.PerIntensity(0.0, 0.0, 800.0, 2000.0)},
			{Name: "recovery_s", Type: component.Float, Meaning: "seconds after the last order the label still covers: a flash crash is the fall and its recovery, which a detector must watch before it can tell one from a dump (the label used to end at the sweep, a zero-length window no alert could match without a tolerance)", ByIntensity: component.PerIntensity(60.0, 60.0, 60.0, 60.0)},
			{Name: "provide_s", Type: component.Float, Meaning: "withdrawal: seconds they provide before pulling", ByIntensity: component.PerIntensity(300.0, 300.0, 600.0, 900.0)},
			{Name: "pull_s", Type: component.Float, Meaning: "withdrawal: seconds the market makers stand aside", ByIntensity: component.PerIntensity(30.0, 20.0, 10.0, 6.0)},
			{Name: "sell_x", Type: component.Float, Meaning: "withdrawal: typical sizes the linked seller sends into the thin book", ByIntensity: component.PerIntensity(400.0, 250.0, 60.0, 30.0)},
			{Name: "slices", Type: component.Int, Meaning: "fat finger: orders the sweep is split into", ByIntensity: component.PerIntensity(int64(1), int64(1), int64(2), int64(3))},
			{Name: "touch_x", Type: component.Float, Meaning: "withdrawal: typical sizes the linked accounts quote at the touch", ByIntensity: component.PerIntensity(8.0, 6.0, 4.0, 3.0)},
			{Name: "withdraw", Type: component.Float, Meaning: "0: a fat-finger sweep; 1: a liquidity withdrawal", ByIntensity: component.PerIntensity(0.0, 0.0, 0.0, 0.0)},
		},
	}, newFlash)
}

// flash is a flash crash: a fat-finger sweep — a sell order far larger than
// the bids near the touch, sent at market, takes out several price levels at
// once — or a liquidity withdrawal, where the liquidity at the touch vanishes
// at once and a modest sale walks the thin book down.
type flash struct {
	attack
	slice  int
	qty    int64
	phase  int
	t0     int64
	quotes []uint64
}

func newFlash(p Params) (venue.Injection, error) {
	k, err := resolve(p)
	if err != nil {
		return nil, err
	}
	return &flash{attack: attack{p: p, k: k}}, nil
}

// Prepare draws the fat-fingered account, or the linked makers and seller of a withdrawal.
func (f *flash) Prepare(v venue.Venue) {
	if f.k.f("withdraw") != 0 {
		f.accounts = v.AttackAccounts(3, true)
		return
	}
	f.accounts = v.AttackAccounts(1, false)
}

// Label covers the crash and its recovery: from the sweep (a withdrawal: from
// when the quotes are pulled) to recovery_s after the last order.
func (f *flash) Label() labels.Label {
	l := f.attack.Label()
	if f.k.f("withdraw") != 0 && f.t0 > 0 {
		l.Start = f.t0
	}
	l.End = max(l.End, l.Start) + int64(f.k.f("recovery_s")*float64(time.Second))
	return l
}

func (f *flash) Act(v venue.Venue) int64 {
	if f.k.f("withdraw") != 0 {
		return f.withdraw(v)
	}
	if f.qty == 0 {
		lv := v.Depth(f.p.Symbol, orderbook.Buy, make([]orderbook.Level, 0, 4096))
		if len(lv) > 0 {
			floor := float64(lv[0].Price) * (1 - f.k.f("depth_bps")/1e4)
			for _, l := range lv {
				if float64(l.Price) < floor {
					break
				}
				f.qty += l.Qty
			}
		}
		f.qty = max(f.qty, v.Instrument(f.p.Symbol).Lot)
	}
	if f.slice >= f.k.i("slices") {
		return -1
	}
	n := int64(f.k.i("slices"))
	q := venue.Lots(float64(f.qty)/float64(n), v.Instrument(f.p.Symbol).Lot)
	v.Submit(f.p.Symbol, f.accounts[0], venue.OrderRequest{Side: orderbook.Sell, Type: orderbook.Market, Qty: q})
	f.mark(v.Now())
	f.slice++
	return v.Now() + int64(f.k.f("pause_ms")*float64(time.Millisecond)) + 1
}

// withdraw runs the liquidity-withdrawal style: provide, pull, sell.
func (f *flash) withdraw(v venue.Venue) int64 {
	sym, now := f.p.Symbol, v.Now()
	in := v.Instrument(sym)
	size := float64(f.p.Instrument.Size)
	makers, seller := f.accounts[:2], f.accounts[2]
	cancelQuotes := func() {
		for _, id := range f.quotes {
			if _, live := v.Remaining(sym, id); live {
				v.Cancel(sym, id)
			}
		}
		f.quotes = f.quotes[:0]
	}
	switch f.phase {
	case 0: // provide: join the touch on both sides, refreshed every 2 s
		if f.t0 == 0 {
			f.t0 = now + int64(f.k.f("provide_s")*float64(time.Second))
		}
		cancelQuotes()
		if now >= f.t0 {
			f.phase = 1
			return now
		}
		t := v.Top(sym)
		if t.BidQty > 0 && t.AskQty > 0 {
			for _, m := range makers {
				// Sizes vary like any maker's; plain limit orders at the touch (they do not cross).
				q := venue.Lots(size*f.k.f("touch_x")*math.Exp(f.p.Rand.NormFloat64()*0.5), in.Lot)
				if id, _, err := v.Submit(sym, m, venue.OrderRequest{Side: orderbook.Buy, Price: t.BidPrice, Qty: q}); err == nil {
					f.quotes = append(f.quotes, id)
				}
				q = venue.Lots(size*f.k.f("touch_x")*math.Exp(f.p.Rand.NormFloat64()*0.5), in.Lot)
				if id, _, err := v.Submit(sym, m, venue.OrderRequest{Side: orderbook.Sell, Price: t.AskPrice, Qty: q}); err == nil {
					f.quotes = append(f.quotes, id)
				}
			}
		}
		return now + int64(2*time.Second)
	case 1: // pull: every quote at once, and the market makers stand aside
		cancelQuotes()
		if p, ok := v.(venue.MakerPauser); ok {
			p.PauseMakers(sym, now+int64(f.k.f("pull_s")*float64(time.Second)))
		}
		f.t0 = now
		f.mark(now)
		f.phase = 2
		return now + int64(200*time.Millisecond)
	default: // sell into the thin book in three slices
		if f.slice >= 3 {
			return -1
		}
		v.Submit(sym, seller, venue.OrderRequest{Side: orderbook.Sell, Type: orderbook.Market, Qty: venue.Lots(size*f.k.f("sell_x")/3*(0.8+0.4*f.p.Rand.Float64()), in.Lot)})
		f.mark(now)
		f.slice++
		return now + int64(time.Second)
	}
}
