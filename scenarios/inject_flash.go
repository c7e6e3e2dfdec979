package scenarios

import (
	"math"
	"time"

	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	registerInjector(replay.FlashCrash, newFlash, flashDefaults, InjectorDoc{
		Summary: "Flash crash: a fat-finger sweep through the bids, or (withdraw 1) a liquidity withdrawal — linked accounts provide depth at the touch, pull it at once while the makers stand aside, and a linked seller hits the thin book.",
		Params: map[string]string{
			"withdraw":  "0: a fat-finger sweep; 1: a liquidity withdrawal",
			"depth_bps": "fat finger: how deep below the best bid the sweep takes every bid",
			"slices":    "fat finger: orders the sweep is split into",
			"pause_ms":  "fat finger: milliseconds between the slices",
			"touch_x":   "withdrawal: typical sizes the linked accounts quote at the touch",
			"provide_s": "withdrawal: seconds they provide before pulling",
			"pull_s":    "withdrawal: seconds the market makers stand aside",
			"sell_x":    "withdrawal: typical sizes the linked seller sends into the thin book",
		},
	})
}

// flashDefaults by intensity. Two styles (withdraw selects):
//   - withdraw 0, a fat finger: depth_bps, how deep below the best bid the
//     sweep takes out every bid, in slices orders with pause_ms between them;
//   - withdraw 1, a liquidity withdrawal: linked accounts quote touch_x typical
//     sizes at the touch for provide_s seconds, then pull every quote at once
//     while the market makers pull theirs for pull_s seconds, and a linked
//     seller sends sell_x typical sizes into the thin book in slices.
var flashDefaults = map[labels.Intensity]map[string]float64{
	"blatant":  {"withdraw": 0, "depth_bps": 300, "slices": 1, "pause_ms": 0, "touch_x": 8, "provide_s": 300, "pull_s": 30, "sell_x": 400},
	"standard": {"withdraw": 0, "depth_bps": 150, "slices": 1, "pause_ms": 0, "touch_x": 6, "provide_s": 300, "pull_s": 20, "sell_x": 250},
	"subtle":   {"withdraw": 0, "depth_bps": 80, "slices": 2, "pause_ms": 800, "touch_x": 4, "provide_s": 600, "pull_s": 10, "sell_x": 60},
	"evasive":  {"withdraw": 0, "depth_bps": 50, "slices": 3, "pause_ms": 2000, "touch_x": 3, "provide_s": 900, "pull_s": 6, "sell_x": 30},
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

func newFlash(p InjectionParams) (Injection, error) {
	k, err := resolve(p, flashDefaults)
	if err != nil {
		return nil, err
	}
	return &flash{attack: attack{p: p, k: k}}, nil
}

// Prepare draws the fat-fingered account, or the linked makers and seller of a withdrawal.
func (f *flash) Prepare(v Venue) {
	if f.k.f("withdraw") != 0 {
		f.accounts = v.AttackAccounts(3, true)
		return
	}
	f.accounts = v.AttackAccounts(1, false)
}

// Label of a withdrawal starts when the quotes are pulled.
func (f *flash) Label() labels.Label {
	l := f.attack.Label()
	if f.k.f("withdraw") != 0 && f.t0 > 0 {
		l.Start = f.t0
	}
	return l
}

func (f *flash) Act(v Venue) int64 {
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
	q := lots(float64(f.qty)/float64(n), v.Instrument(f.p.Symbol).Lot)
	v.Submit(f.p.Symbol, f.accounts[0], OrderRequest{Side: orderbook.Sell, Type: orderbook.Market, Qty: q})
	f.mark(v.Now())
	f.slice++
	return v.Now() + int64(f.k.f("pause_ms")*float64(time.Millisecond)) + 1
}

// withdraw runs the liquidity-withdrawal style: provide, pull, sell.
func (f *flash) withdraw(v Venue) int64 {
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
				q := lots(size*f.k.f("touch_x")*math.Exp(f.p.Rand.NormFloat64()*0.5), in.Lot)
				if id, _, err := v.Submit(sym, m, OrderRequest{Side: orderbook.Buy, Price: t.BidPrice, Qty: q}); err == nil {
					f.quotes = append(f.quotes, id)
				}
				q = lots(size*f.k.f("touch_x")*math.Exp(f.p.Rand.NormFloat64()*0.5), in.Lot)
				if id, _, err := v.Submit(sym, m, OrderRequest{Side: orderbook.Sell, Price: t.AskPrice, Qty: q}); err == nil {
					f.quotes = append(f.quotes, id)
				}
			}
		}
		return now + int64(2*time.Second)
	case 1: // pull: every quote at once, and the market makers stand aside
		cancelQuotes()
		if p, ok := v.(interface{ PauseMakers(sym uint32, until int64) }); ok {
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
		v.Submit(sym, seller, OrderRequest{Side: orderbook.Sell, Type: orderbook.Market, Qty: lots(size*f.k.f("sell_x")/3*(0.8+0.4*f.p.Rand.Float64()), in.Lot)})
		f.mark(now)
		f.slice++
		return now + int64(time.Second)
	}
}
