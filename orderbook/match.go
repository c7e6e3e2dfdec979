package orderbook

import "math"

// Self-trade prevention, by mode, when an incoming order meets a resting order
// of the same owner (see STPMode for "same owner"):
//
//   - off: they trade like any two orders (wash trades are possible).
//   - expire_taker: matching stops; the incoming order's remainder is cancelled
//     (fills made before stand).
//   - expire_maker: the resting order is cancelled (listed in Expired) and
//     matching continues with the next resting order.
//   - expire_both: the resting order and the incoming remainder are cancelled.
//   - decrement: min(remainder, resting qty) is cancelled from both; a resting
//     order decremented to zero is removed (listed in Expired); matching goes on
//     while the incoming order has quantity left.
//
// A fill-or-kill order is unfillable if self-trade prevention would cancel any
// part of it before it fills completely (expire_maker skips the resting order
// instead and does not count it).

func sameOwner(o *Order, m *orderCold) bool {
	if o.Group != 0 && m.group != 0 {
		return o.Group == m.group
	}
	return o.Account != 0 && o.Account == m.account
}

func (b *Book) checkOrder(o *Order) error {
	fail := func(err error) error {
		return &OpError{Op: "submit", OrderID: o.ID, Side: o.Side, Price: o.Price, Qty: o.Qty, Err: err}
	}
	switch {
	case o.ID == 0:
		return fail(ErrBadOrderID)
	case o.Side != Buy && o.Side != Sell:
		return fail(ErrBadSide)
	case o.Type > Market || o.TIF > PostOnly:
		return fail(ErrBadType)
	case o.Qty <= 0 || o.Qty%b.cfg.Lot != 0:
		return fail(ErrBadQty)
	}
	if o.Type == Limit {
		if o.Price <= 0 {
			return fail(ErrBadPrice)
		}
		if o.Price%b.tickSize != 0 {
			return fail(ErrOffTick)
		}
	}
	if o.ID <= b.maxID { // above every id the book has held, it holds none: no probe (feeds and venues number orders upwards)
		if _, ok := b.ids.get(o.ID, b.orders); ok {
			return fail(ErrDuplicateOrder)
		}
	}
	return nil
}

// limitTick is the worst tick o may trade at.
func (b *Book) limitTick(o *Order) int64 {
	if o.Type == Market {
		if o.Side == Buy {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return o.Price / b.tickSize
}

func crossesTick(side Side, t, lim int64) bool {
	if side == Buy {
		return t <= lim
	}
	return t >= lim
}

// Submit adds a limit or market order. It first matches against the opposite
// side in price-time priority (appending fills to fills), then rests a GTC or
// post-only remainder; IOC, FOK and market remainders are cancelled. A rejected
// order leaves the book unchanged.
func (b *Book) Submit(o Order, fills []Fill) ([]Fill, Result, error) {
	return b.SubmitOrder(&o, fills)
}

// SubmitOrder is Submit with the order passed by pointer; it reads *o and
// neither changes nor keeps it. A caller that writes an Order field by field
// and submits it at once (replay's engine, an order a record) saves the
// copy of it into the call's arguments: that copy reads the order back 16
// bytes at a time from the 8-byte stores just made, which the processor
// cannot forward, and stalled the engine's every add (the engine took 12%
// less time once it called SubmitOrder: BENCHMARKS.md).
func (b *Book) SubmitOrder(o *Order, fills []Fill) ([]Fill, Result, error) {
	b.makers = b.makers[:0]
	b.expired = b.expired[:0]
	if err := b.checkOrder(o); err != nil {
		return fills, Result{}, err
	}
	lim := b.limitTick(o)
	opp := b.side(o.Side.Opposite())
	if o.TIF == PostOnly && opp.n > 0 && crossesTick(o.Side, opp.best, lim) {
		return fills, Result{}, &OpError{Op: "submit", OrderID: o.ID, Side: o.Side, Price: o.Price, Qty: o.Qty, Err: ErrWouldCross}
	}
	if o.TIF == FOK && !b.fillable(o, lim) {
		return fills, Result{}, &OpError{Op: "submit", OrderID: o.ID, Side: o.Side, Price: o.Price, Qty: o.Qty, Err: ErrFOKUnfillable}
	}
	var res Result
	rem, expired := o.Qty, false
	fills, rem, expired = b.match(o, lim, rem, fills, &res)
	if rem > 0 {
		if expired || o.Type == Market || o.TIF == IOC || o.TIF == FOK {
			res.Cancelled += rem
		} else {
			b.restNew(o, rem, Placed{o.Time, o.Qty})
			res.Rested = rem
		}
	}
	return fills, res, nil
}

// restNew rests qty of o in a new slot; placed is when and how big the
// order was placed (kept with Config.KeepPlaced: a modified order's first).
func (b *Book) restNew(o *Order, qty int64, placed Placed) int32 {
	oi := b.allocOrder(o.ID)
	b.orders[oi] = order{id: o.ID, qty: qty, side: o.Side}
	b.cold[oi] = orderCold{account: o.Account, group: o.Group, price: o.Price}
	if b.placed != nil {
		b.placed[oi] = placed
	}
	b.rest(oi)
	return oi
}

// match trades o against the opposite side down to lim. It returns the
// remainder and whether self-trade prevention expired the taker.
func (b *Book) match(o *Order, lim, rem int64, fills []Fill, res *Result) ([]Fill, int64, bool) {
	opp := b.side(o.Side.Opposite())
	stp := b.cfg.STP
	for rem > 0 && opp.n > 0 {
		t := opp.best
		if !crossesTick(o.Side, t, lim) {
			break
		}
		li := opp.bestLvl
		oi := b.levels[li].head
		for rem > 0 && oi >= 0 {
			m := &b.orders[oi]
			next := m.next
			if stp != STPOff && sameOwner(o, &b.cold[oi]) {
				switch stp {
				case STPExpireTaker:
					res.Cancelled += rem
					return fills, 0, true
				case STPExpireMaker:
					b.expire(oi, res)
				case STPExpireBoth:
					b.expire(oi, res)
					res.Cancelled += rem
					return fills, 0, true
				case STPDecrement:
					d := min(rem, m.qty)
					rem -= d
					res.Cancelled += d
					if d == m.qty {
						b.expire(oi, res)
					} else {
						m.qty -= d
						b.levels[li].qty -= d
					}
				}
				oi = next
				continue
			}
			q := min(rem, m.qty)
			fills = appendFill(fills, m.id, o.ID, b.cold[oi].account, o.Account, t*b.tickSize, q, o.Side)
			if b.placed != nil {
				b.makers = append(b.makers, b.placed[oi])
			}
			rem -= q
			res.Filled += q
			if q == m.qty {
				b.unlink(oi)
			} else {
				m.qty -= q
				b.levels[li].qty -= q
			}
			oi = next
		}
	}
	return fills, rem, false
}

func (b *Book) expire(oi int32, res *Result) {
	b.expired = append(b.expired, b.orders[oi].id)
	res.ExpiredMakers++
	b.unlink(oi)
}

// fillable reports whether o can fill completely now, without changing the book.
func (b *Book) fillable(o *Order, lim int64) bool {
	opp := b.side(o.Side.Opposite())
	need := o.Qty
	t, ok := opp.best, opp.n > 0
	for ok && need > 0 && crossesTick(o.Side, t, lim) {
		for oi := b.levels[opp.find(t)].head; oi >= 0; oi = b.orders[oi].next {
			m := &b.orders[oi]
			if b.cfg.STP != STPOff && sameOwner(o, &b.cold[oi]) {
				if b.cfg.STP == STPExpireMaker {
					continue
				}
				return false
			}
			need -= m.qty
			if need <= 0 {
				return true
			}
		}
		t, ok = opp.next(t)
	}
	return need <= 0
}

// Modify changes a live order's price and quantity. Shrinking the quantity at
// the same price keeps time priority; any other change moves the order to the
// back of its (new) level, and a new price that crosses trades first as a GTC
// limit order would (fills are appended). An invalid modify leaves the book unchanged.
func (b *Book) Modify(id uint64, price, qty int64, fills []Fill) ([]Fill, error) {
	b.makers = b.makers[:0]
	b.expired = b.expired[:0]
	oi, err := b.lookup("modify", id)
	if err != nil {
		return fills, err
	}
	fills, _, err = b.modify(oi, id, price, qty, fills)
	return fills, err
}

// Move gives a live order a new price and keeps its open quantity — what
// Modify(id, price, open quantity) does — with one lookup where Get and
// Modify take two, and tells what an owner tracking the order needs: the
// order as it stood before, and whether it rests after (false when it
// traded away in full or self-trade prevention expired it). An unknown
// order is an *OpError with ErrUnknownOrder and live false; an invalid
// price leaves the book unchanged, the order live.
func (b *Book) Move(id uint64, price int64, fills []Fill) (before OrderInfo, after []Fill, live bool, err error) {
	b.makers = b.makers[:0]
	b.expired = b.expired[:0]
	oi, err := b.lookup("modify", id)
	if err != nil {
		return OrderInfo{}, fills, false, err
	}
	b.infoTo(oi, &before)
	after, live, err = b.modify(oi, id, price, before.Qty, fills)
	return before, after, live || err != nil, err
}

// modify is Modify of the order in slot oi; live tells whether it rests
// after.
func (b *Book) modify(oi int32, id uint64, price, qty int64, fills []Fill) ([]Fill, bool, error) {
	m, mc := &b.orders[oi], &b.cold[oi]
	fail := func(e error) error {
		return &OpError{Op: "modify", OrderID: id, Side: m.side, Price: price, Qty: qty, Err: e}
	}
	switch {
	case qty <= 0 || qty%b.cfg.Lot != 0:
		return fills, false, fail(ErrBadQty)
	case price <= 0:
		return fills, false, fail(ErrBadPrice)
	case price%b.tickSize != 0:
		return fills, false, fail(ErrOffTick)
	}
	if price == mc.price && qty <= m.qty {
		b.levels[m.level].qty -= m.qty - qty
		m.qty = qty
		return fills, true, nil
	}
	// Field by field, not a literal: one was built aside and copied 16 bytes
	// at a time from its fields' 8-byte stores, which stalls (SubmitOrder).
	var o Order
	o.ID, o.Account, o.Group, o.Side, o.Type, o.TIF = id, mc.account, mc.group, m.side, Limit, GTC
	o.Price, o.Qty = price, qty
	var was Placed // a modified order keeps when and how big it was placed
	if b.placed != nil {
		was = b.placed[oi]
	}
	watched := m.watch
	b.unlink(oi)
	var res Result
	rem := qty
	var expired bool
	fills, rem, expired = b.match(&o, b.limitTick(&o), rem, fills, &res)
	if rem > 0 && !expired {
		ni := b.restNew(&o, rem, was)
		if watched != 0 { // amended, not gone
			b.orders[ni].watch = watched
			b.watchers[watched].back(id)
		}
		return fills, true, nil
	}
	return fills, false, nil
}

// appendFill appends a visible fill, written field by field in its place: a
// Fill literal appended was built aside and copied 16 bytes at a time from
// its fields' 8-byte stores just made, which the processor cannot forward
// (SubmitOrder).
func appendFill(fills []Fill, maker, taker, makerAccount, takerAccount uint64, price, qty int64, aggressor Side) []Fill {
	n := len(fills)
	if n < cap(fills) {
		fills = fills[:n+1]
	} else {
		fills = append(fills, Fill{})
	}
	f := &fills[n]
	f.MakerOrder, f.TakerOrder, f.MakerAccount, f.TakerAccount = maker, taker, makerAccount, takerAccount
	f.Price, f.Qty, f.Aggressor, f.Hidden = price, qty, aggressor, false
	return fills
}
