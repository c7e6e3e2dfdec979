package scenarios

import (
	"time"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() { registerInjector(replay.FlashCrash, newFlash) }

// flashDefaults by intensity: how deep below the best bid the fat-finger
// sweep takes out every bid (bps), in how many slices, and the pause between slices.
var flashDefaults = map[string]map[string]float64{
	"blatant":  {"depth_bps": 300, "slices": 1, "pause_ms": 0},
	"standard": {"depth_bps": 150, "slices": 1, "pause_ms": 0},
	"subtle":   {"depth_bps": 80, "slices": 2, "pause_ms": 800},
	"evasive":  {"depth_bps": 50, "slices": 3, "pause_ms": 2000},
}

// flash is a fat-finger sweep: a sell order far larger than the bids near the
// touch, sent at market, takes out several price levels at once.
type flash struct {
	attack
	slice int
	qty   int64
}

func newFlash(p InjectionParams) (Injection, error) {
	k, err := resolve(p, flashDefaults)
	if err != nil {
		return nil, err
	}
	return &flash{attack: attack{p: p, k: k}}, nil
}

// Prepare draws the fat-fingered account.
func (f *flash) Prepare(v Venue) { f.accounts = v.AttackAccounts(1, false) }

func (f *flash) Act(v Venue) int64 {
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
