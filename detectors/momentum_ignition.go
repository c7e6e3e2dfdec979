package detectors

import (
	"fmt"
	"math"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Typology: replay.MomentumIgnition,
		Spec: component.Spec{Name: "momentum_ignition",
			Summary: "Momentum ignition: per account, a burst of at least min_orders same-side market (or IOC/FOK) orders within burst, then, within " +
				"unwind, an opposite-side trade by the same account. Alerts at the unwinding trade; " +
				"score = burst volume in typical trades × max(0.05, 1 + the move in the burst's favour in bps / 5) / 10. " +
				"On anonymous data (trades without accounts) the burst is the market's: at least min_orders aggressive orders on one side (trades " +
				"sharing a taker side and a millisecond are one order) within burst, anon_ratio times the instrument's rate over the last hour, moving " +
				"the price at least two ticks; the unwind is the price giving back half that move within unwind — the igniter cannot be tied to it, " +
				"and the evidence says so.",
			Params: []component.Param{
				{Name: "burst", Type: component.Duration, Default: 30 * time.Second, Unit: "s", Meaning: "window of the aggressive burst"},
				{Name: "min_orders", Type: component.Int, Default: int64(4), Meaning: "aggressive same-side orders that make a burst"},
				{Name: "unwind", Type: component.Duration, Default: 2 * time.Minute, Unit: "s", Meaning: "how soon after the burst the unwinding trade must come"},
				{Name: "anon_ratio", Type: component.Float, Default: 8.0, Meaning: "anonymous data: aggressive orders in the burst needed, as a multiple of the instrument's rate over the last hour"},
			}},
		New: func(p Params) (Detector, error) {
			return &ignitionDet{burst: int64(p.Duration("burst")), minOrders: int(p.Int("min_orders")), unwind: int64(p.Duration("unwind")), anonRatio: p.Float("anon_ratio")}, nil
		},
	})
}

type ignAcct struct {
	side              orderbook.Side
	orders            []int64 // aggressive order times in the current burst
	vol               int64
	firstPx, burstEnd int64
	lastOrder         uint64
	armed             bool
}

type ignitionDet struct {
	burst, unwind int64
	minOrders     int
	anonRatio     float64
	anon          []anonIgnition // per instrument: the market's burst on anonymous data
	insts         []replay.Instrument
	accts         []accountTable[ignAcct] // per instrument, by account
	// volSum, volN: fill volume and fills per instrument, for its typical
	// fill size (instruments' quantities are in their own units).
	volSum, volN []float64
}

func (d *ignitionDet) Start(info *replay.RunInfo) error {
	d.insts = info.Instruments
	d.accts = make([]accountTable[ignAcct], len(info.Instruments))
	d.volSum, d.volN = make([]float64, len(info.Instruments)), make([]float64, len(info.Instruments))
	d.anon = make([]anonIgnition, len(info.Instruments))
	return nil
}

// anonIgnition is an instrument's anonymous aggressive flow: its current
// one-sided burst and the hour's rate of aggressive orders.
type anonIgnition struct {
	rate             hourlyRate
	side, curSide    orderbook.Side
	curMS            int64
	orders           []int64
	vol              int64
	firstPx, peakPx  int64
	burstEnd, movePx int64
	armed            bool
}

// anonymous follows an anonymous taker's fill: the market's burst, armed
// when unusual and moving the price, raised when the price gives back half
// the move within unwind.
func (d *ignitionDet) anonymous(sym uint32, now int64, f orderbook.Fill, emit func(Alert)) {
	a := &d.anon[sym]
	tick := max(d.insts[sym].Tick, 1)
	if a.armed && now-a.burstEnd > d.unwind {
		a.armed = false
	}
	if a.armed && ((a.side == orderbook.Buy && f.Price <= a.peakPx-a.movePx/2) || (a.side == orderbook.Sell && f.Price >= a.peakPx+a.movePx/2)) {
		typical := math.Max(d.volSum[sym]/math.Max(d.volN[sym], 1), 1)
		moveBps := float64(a.movePx) / float64(a.firstPx) * 1e4
		emit(Alert{Symbol: d.insts[sym].Symbol, RaisedAt: now, Start: a.orders[0], End: now,
			Score: float64(a.vol) / typical * math.Max(0.05, 1+moveBps/5) / 10,
			Evidence: fmt.Sprintf("anonymous data (no accounts): %d aggressive %s orders (volume %d, %.0f× the hour's rate) moved the price %.1f bps, then it gave back half of that %v later — who unwound cannot be known",
				len(a.orders), a.side, a.vol, float64(len(a.orders))/a.rate.perWindow(d.burst), moveBps, time.Duration(now-a.burstEnd))})
		a.armed, a.orders, a.vol = false, a.orders[:0], 0
		return
	}
	ms := now / 1e6
	newOrder := ms != a.curMS || f.Aggressor != a.curSide
	a.curMS, a.curSide = ms, f.Aggressor
	if newOrder {
		a.rate.add(now)
	}
	if a.armed {
		return // waiting for the unwind
	}
	if f.Aggressor != a.side || (len(a.orders) > 0 && now-a.orders[0] > d.burst) {
		a.side, a.orders, a.vol, a.firstPx, a.peakPx = f.Aggressor, a.orders[:0], 0, f.Price, f.Price
	}
	if newOrder {
		a.orders = append(a.orders, now)
	}
	a.vol += f.Qty
	if (a.side == orderbook.Buy && f.Price > a.peakPx) || (a.side == orderbook.Sell && f.Price < a.peakPx) {
		a.peakPx = f.Price
	}
	move := a.peakPx - a.firstPx
	if a.side == orderbook.Sell {
		move = -move
	}
	if len(a.orders) >= d.minOrders && move >= 2*tick && float64(len(a.orders)) >= d.anonRatio*a.rate.perWindow(d.burst) {
		a.armed, a.burstEnd, a.movePx = true, now, move
	}
}

func (d *ignitionDet) Consume(b *replay.Batch, emit func(Alert)) error {
	for _, i := range b.Traded {
		r := &b.Records[i]
		now := r.Event.TS
		for _, f := range b.FillsOf(int(i)) {
			sym := r.Event.Symbol
			d.volSum[sym] += float64(f.Qty)
			d.volN[sym]++
			if f.TakerAccount == 0 {
				d.anonymous(sym, now, f, emit)
			}
			for _, x := range []struct {
				acct  uint64
				side  orderbook.Side
				taker bool
				order uint64
			}{{f.TakerAccount, f.Aggressor, true, f.TakerOrder}, {f.MakerAccount, f.Aggressor.Opposite(), false, f.MakerOrder}} {
				if x.acct == 0 {
					continue
				}
				accts := &d.accts[r.Event.Symbol]
				a := accts.lookup(x.acct)
				aggressive := x.taker && (r.Event.Action == replay.ActionMarket || r.Event.Flags&(replay.FlagIOC|replay.FlagFOK) != 0)
				if a == nil {
					if !aggressive {
						continue
					}
					a = accts.get(x.acct, func() *ignAcct { return &ignAcct{} })
				}
				// Unwinding: the opposite side at a favourable price after an armed burst.
				if a.armed && x.side != a.side && now-a.burstEnd <= d.unwind {
					move := float64(f.Price-a.firstPx) / float64(a.firstPx)
					if a.side == orderbook.Sell {
						move = -move
					}
					// A favourable unwind is the point of the scheme; in a deep book
					// that reverts the attacker may still be caught unwinding at a
					// loss, so the move weighs the score instead of gating it.
					typical := math.Max(d.volSum[sym]/math.Max(d.volN[sym], 1), 1)
					emit(Alert{Symbol: d.insts[r.Event.Symbol].Symbol, RaisedAt: now, Start: a.orders[0], End: now, Accounts: []uint64{x.acct},
						Score: float64(a.vol) / typical * math.Max(0.05, 1+move*1e4/5) / 10,
						Evidence: fmt.Sprintf("%d aggressive %s orders (volume %d), then traded the other side %v later %.1f bps from where the burst began",
							len(a.orders), a.side, a.vol, time.Duration(now-a.burstEnd), move*1e4)})
					a.armed = false
					a.orders, a.vol = a.orders[:0], 0
					continue
				}
				if !aggressive {
					continue // bursts are market or IOC/FOK orders; resting quotes that cross on arrival are not
				}
				if x.side != a.side || (len(a.orders) > 0 && now-a.orders[0] > d.burst) {
					a.side, a.orders, a.vol, a.firstPx = x.side, a.orders[:0], 0, f.Price
				}
				if x.order != a.lastOrder { // count orders, not their fills
					a.orders = append(a.orders, now)
					a.lastOrder = x.order
				}
				a.vol += f.Qty
				if len(a.orders) >= d.minOrders {
					a.armed, a.burstEnd = true, now
				}
			}
		}
	}
	return nil
}

func (d *ignitionDet) Finish(func(Alert)) error { return nil }
