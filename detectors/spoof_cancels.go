package detectors

import (
	"fmt"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Needs:    []Need{NeedOrderIDs},
		Typology: replay.Spoofing,
		Spec: component.Spec{Name: "spoof_cancels",
			Summary: "Spoofing and layering: per account, orders at or near the touch that are large relative to the visible quantity there, " +
				"cancelled within max_lifetime, while the same account traded on the opposite side after placing them (strictly later: a quote that " +
				"crosses on arrival is not a genuine trade made under cover of the layers) and before cancelling them, " +
				"and kept little resting on that opposite side (market makers quote both sides; layering is one-sided). " +
				"Alerts at the cancel that completes such a cycle; score = Σ over the cycle's cancelled large orders of size/touch quantity, " +
				"times the number of price levels they were placed on. " +
				"On anonymous order-by-order data (no accounts: a LOBSTER day) the orders of one side of an instrument are one actor: a cycle is " +
				"its large orders cancelled within max_lifetime while the market traded aggressively on the other side in between (the genuine " +
				"trade cannot be tied to the layers' owner, and the one-sided test cannot be made); the evidence says so.",
			Params: []component.Param{
				{Name: "max_lifetime", Type: component.Duration, Default: 15 * time.Second, Unit: "s", Meaning: "a large order cancelled sooner than this is suspicious"},
				{Name: "min_size_x_touch", Type: component.Float, Default: 1.2, Meaning: "an order is large when its size is at least this multiple of the touch quantity before it"},
				{Name: "near_ticks", Type: component.Int, Default: int64(5), Meaning: "how many ticks from the touch an order may be placed and still count"},
				{Name: "taker_only", Type: component.Int, Default: int64(1), Meaning: "1: only the account's aggressive (taker) trades count as its genuine opposite-side trade, which separates it from a market maker whose passive quotes fill; 0: any trade"},
			}},
		New: func(p Params) (Detector, error) {
			return &spoofCancels{life: int64(p.Duration("max_lifetime")), minX: p.Float("min_size_x_touch"), near: p.Int("near_ticks"), takerOnly: p.Int("taker_only") != 0}, nil
		},
	})
}

type largeOrder struct {
	account uint64
	sym     uint32
	side    orderbook.Side
	price   int64
	ratio   float64
	placed  int64
}

type spoofAccount struct {
	lastBuy, lastSell int64    // last time the account traded on each side
	resting           [3]int64 // resting quantity by side (index orderbook.Side)
	cycleStart        int64
	oneSided          bool
	ratioSum          float64
	levels            map[int64]bool
	cancels           int
}

type liveOrder struct {
	account uint64
	side    orderbook.Side
	qty     int64
}

// rest adjusts an order's resting quantity (and its account's per-side total).
func (s *spoofCancels) rest(id uint64, delta int64) {
	o := s.live.Ptr(id)
	if o == nil {
		return
	}
	delta = max(delta, -o.qty)
	o.qty += delta
	s.account(o.account).resting[o.side] += delta
	if o.qty <= 0 {
		s.live.Delete(id)
	}
}

type spoofCancels struct {
	// anonTrade is, per instrument and aggressor side, when the market last
	// traded aggressively on anonymous data.
	anonTrade [][3]int64
	info      *replay.RunInfo
	takerOnly bool
	life      int64
	minX      float64
	near      int64
	insts     []replay.Instrument
	large     idTable[largeOrder]
	live      idTable[liveOrder] // every resting order: account, side, quantity
	accts     accountTable[spoofAccount]
	prev      []orderbook.Top // top before the current record, per symbol
}

func (s *spoofCancels) Start(info *replay.RunInfo) error {
	s.insts = info.Instruments
	s.large = idTable[largeOrder]{}
	s.live = idTable[liveOrder]{}
	s.accts = accountTable[spoofAccount]{}
	s.prev = make([]orderbook.Top, len(info.Instruments))
	s.anonTrade = make([][3]int64, len(info.Instruments))
	s.info = info
	return nil
}

// spoofAnonBit marks the pseudo-account of one side of an instrument's
// anonymous orders.
const spoofAnonBit = 1 << 63

// spoofAnonKey is the pseudo-account of an instrument's anonymous orders on
// one side.
func spoofAnonKey(sym uint32, side orderbook.Side) uint64 {
	return spoofAnonBit | uint64(sym)<<2 | uint64(side)
}

func (s *spoofCancels) account(id uint64) *spoofAccount {
	return s.accts.get(id, func() *spoofAccount { return &spoofAccount{levels: map[int64]bool{}} })
}

func (s *spoofCancels) Consume(b *replay.Batch, emit func(Alert)) error {
	for i := range b.Records {
		r := &b.Records[i]
		ev := &r.Event
		before := s.prev[ev.Symbol]
		now := ev.TS
		for _, f := range b.FillsOf(i) {
			s.rest(f.MakerOrder, -f.Qty)
			if f.TakerAccount == 0 {
				s.anonTrade[ev.Symbol][f.Aggressor] = now
			}
			for _, x := range []struct {
				acct uint64
				side orderbook.Side
			}{{f.TakerAccount, f.Aggressor}, {f.MakerAccount, f.Aggressor.Opposite()}} {
				if x.acct == 0 || (s.takerOnly && x.acct != f.TakerAccount) {
					continue
				}
				a := s.account(x.acct)
				if x.side == orderbook.Buy {
					a.lastBuy = now
				} else {
					a.lastSell = now
				}
			}
		}
		switch ev.Action {
		case replay.ActionAdd:
			if r.Outcome != replay.Applied {
				break
			}
			key := ev.Account
			anon := key == 0
			if anon && !s.info.OrderLevel(ev.Symbol) {
				break // its orders stand for L2 levels: no order behaviour to read
			}
			if anon {
				key = spoofAnonKey(ev.Symbol, ev.Side)
			}
			acct := s.account(key)
			ownBefore := acct.resting[ev.Side]
			if anon {
				ownBefore = 0 // the side's other anonymous orders are others
			}
			var filled int64
			for _, f := range b.FillsOf(i) {
				filled += f.Qty
			}
			if rem := ev.Qty - filled; rem > 0 && ev.Flags&(replay.FlagIOC|replay.FlagFOK) == 0 {
				s.live.Put(ev.OrderID, liveOrder{account: key, side: ev.Side, qty: rem})
				acct.resting[ev.Side] += rem
			}
			touchPx, touchQty := before.BidPrice, before.BidQty
			if ev.Side == orderbook.Sell {
				touchPx, touchQty = before.AskPrice, before.AskQty
			}
			tick := s.insts[ev.Symbol].Tick
			dist := touchPx - ev.Price
			if ev.Side == orderbook.Sell {
				dist = ev.Price - touchPx
			}
			// Compare with what others show at the touch: the account's own
			// resting orders on that side (earlier layers) do not count.
			others := touchQty - ownBefore
			if touchQty == 0 || others <= 0 || dist < -tick || dist > s.near*tick {
				break
			}
			if ratio := float64(ev.Qty) / float64(others); ratio >= s.minX {
				s.large.Put(ev.OrderID, largeOrder{account: key, sym: ev.Symbol, side: ev.Side, price: ev.Price, ratio: ratio, placed: now})
			}
		case replay.ActionCancel:
			lo, ok := s.large.Take(ev.OrderID)
			var sameRest, otherRest int64
			if ok {
				a := s.account(lo.account)
				sameRest, otherRest = a.resting[lo.side], a.resting[lo.side.Opposite()]
			}
			s.rest(ev.OrderID, -1<<62)
			if !ok {
				break
			}
			if now-lo.placed > s.life {
				break
			}
			a := s.account(lo.account)
			anon := lo.account&spoofAnonBit != 0
			opposite := a.lastSell
			if lo.side == orderbook.Sell {
				opposite = a.lastBuy
			}
			if anon { // the market's last aggressive trade on the other side
				opposite = s.anonTrade[lo.sym][lo.side.Opposite()]
			}
			if a.cancels == 0 || now-a.cycleStart > 2*s.life {
				a.cycleStart, a.ratioSum, a.cancels = lo.placed, 0, 0
				clear(a.levels)
				// Layering is one-sided: when the cycle's first cancel comes, a
				// market maker still has its other side resting, a spoofer has not.
				a.oneSided = anon || float64(otherRest) <= 0.25*float64(sameRest)
			}
			a.cancels++
			a.ratioSum += lo.ratio
			a.levels[lo.price] = true
			if opposite <= lo.placed || opposite > now || !a.oneSided {
				break
			}
			al := Alert{Symbol: s.insts[lo.sym].Symbol, RaisedAt: now, Start: a.cycleStart, End: now, Accounts: []uint64{lo.account},
				Score: a.ratioSum * float64(len(a.levels)),
				Evidence: fmt.Sprintf("%d large %s orders (%.1f× the touch on %d levels) cancelled within %v after trading the other side",
					a.cancels, lo.side, a.ratioSum/float64(a.cancels), len(a.levels), time.Duration(now-lo.placed))}
			if anon {
				al.Accounts = nil
				al.Evidence = fmt.Sprintf("anonymous data (no accounts): %d large %s orders (%.1f× the touch on %d levels) cancelled within %v, the market having traded aggressively on the other side meanwhile — whether their owner made that trade cannot be known",
					a.cancels, lo.side, a.ratioSum/float64(a.cancels), len(a.levels), time.Duration(now-lo.placed))
			}
			emit(al)
			a.cancels = 0
		case replay.ActionReduce:
			s.rest(ev.OrderID, -ev.Qty)
		case replay.ActionExecute, replay.ActionModify:
			s.large.Delete(ev.OrderID)
			if ev.Action == replay.ActionModify {
				s.rest(ev.OrderID, -1<<62)
			}
		}
		s.prev[ev.Symbol] = r.Top
	}
	// Large orders that were filled rather than cancelled: forget them after
	// their lifetime (a cancel checks the age itself, so when this runs
	// changes nothing).
	if len(b.Records) > 0 {
		now := b.Records[len(b.Records)-1].Event.TS
		s.large.SweepWhenGrown(1024, func(_ uint64, lo largeOrder) bool { return now-lo.placed > s.life })
	}
	return nil
}

func (s *spoofCancels) Finish(func(Alert)) error { return nil }
