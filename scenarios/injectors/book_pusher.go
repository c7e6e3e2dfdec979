package injectors

import (
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// bookPusher moves a thin book: one limit order at a target price sweeps
// every order better than it and rests its remainder there, so the last
// trade and the mid — and with them the mark — land on the target.
type bookPusher struct {
	account uint64
	order   uint64
	depth   []orderbook.Level
	tif     orderbook.TIF // GTC (the remainder rests) unless set
}

// push sends side's order at target with extra quantity left to rest,
// replacing the previous push's remainder; on a perpetual swap (pv not nil)
// it funds the account for it. It returns the quantity it sent.
func (b *bookPusher) push(v venue.Venue, pv venue.PerpVenue, sym uint32, side orderbook.Side, target, extra int64) int64 {
	b.cancel(v, sym)
	if b.depth == nil {
		b.depth = make([]orderbook.Level, 0, 1024)
	}
	book := side.Opposite()
	b.depth = v.Depth(sym, book, b.depth[:0])
	q := extra
	for _, l := range b.depth {
		if (book == orderbook.Buy && l.Price <= target) || (book == orderbook.Sell && l.Price >= target) {
			break
		}
		q += l.Qty
	}
	if q <= 0 {
		return 0
	}
	if pv != nil {
		pv.Deposit(sym, b.account, int64(float64(q)*float64(target)/4))
	}
	if id, _, err := v.Submit(sym, b.account, venue.OrderRequest{Side: side, Price: target, Qty: q, TIF: b.tif}); err == nil {
		if _, live := v.Remaining(sym, id); live {
			b.order = id
		}
	}
	return q
}

// cancel withdraws what is left of the last push.
func (b *bookPusher) cancel(v venue.Venue, sym uint32) {
	if b.order != 0 {
		if _, live := v.Remaining(sym, b.order); live {
			v.Cancel(sym, b.order)
		}
		b.order = 0
	}
}
