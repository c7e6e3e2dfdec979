package orderbook

// DepthBook is an L2 book of price levels for feeds that publish level totals
// (no order ids): set or delete a level, apply a snapshot then increments. It
// shares the Book's depth API. It is not safe for concurrent use.
type DepthBook struct {
	cfg  Config
	qty  []int64 // level slot -> quantity
	free []int32
	bids ladder
	asks ladder
}

// NewDepth returns an empty L2 book. Only cfg.Tick and cfg.Lot are used.
func NewDepth(cfg Config) (*DepthBook, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &DepthBook{cfg: cfg, qty: make([]int64, 0, 256), bids: ladder{desc: true}}, nil
}

func (d *DepthBook) side(s Side) *ladder {
	if s == Buy {
		return &d.bids
	}
	return &d.asks
}

// Set makes the total quantity at (side, price) qty; qty 0 deletes the level
// (deleting an absent level is not an error: feeds send such deletes). A
// negative quantity, an off-grid price or quantity, or a bad side is rejected and
// the book is unchanged. Set does not uncross the book: feeds are trusted to
// send the deletes that go with a new crossing level.
func (d *DepthBook) Set(side Side, price, qty int64) error {
	fail := func(err error) error {
		return &OpError{Op: "set", Side: side, Price: price, Qty: qty, Err: err}
	}
	switch {
	case side != Buy && side != Sell:
		return fail(ErrBadSide)
	case price <= 0:
		return fail(ErrBadPrice)
	case price%d.cfg.Tick != 0:
		return fail(ErrOffTick)
	case qty < 0 || qty%d.cfg.Lot != 0:
		return fail(ErrBadQty)
	}
	lad := d.side(side)
	t := price / d.cfg.Tick
	li := lad.find(t)
	switch {
	case qty == 0 && li >= 0:
		lad.remove(t)
		d.free = append(d.free, li)
	case qty == 0:
	case li >= 0:
		d.qty[li] = qty
	default:
		if n := len(d.free); n > 0 {
			li = d.free[n-1]
			d.free = d.free[:n-1]
			d.qty[li] = qty
		} else {
			d.qty = append(d.qty, qty)
			li = int32(len(d.qty) - 1)
		}
		lad.insert(t, li)
	}
	return nil
}

// Qty is the quantity at (side, price), 0 if the level is absent.
func (d *DepthBook) Qty(side Side, price int64) int64 {
	if li := d.side(side).find(price / d.cfg.Tick); li >= 0 && price%d.cfg.Tick == 0 {
		return d.qty[li]
	}
	return 0
}

// Clear empties the book (before a snapshot), keeping its memory.
func (d *DepthBook) Clear() {
	d.qty = d.qty[:0]
	d.free = d.free[:0]
	d.bids.reset()
	d.asks.reset()
}

// Top returns the best bid and ask.
func (d *DepthBook) Top() Top {
	var t Top
	if d.bids.n > 0 {
		t.BidPrice, t.BidQty = d.bids.best*d.cfg.Tick, d.qty[d.bids.bestLvl]
	}
	if d.asks.n > 0 {
		t.AskPrice, t.AskQty = d.asks.best*d.cfg.Tick, d.qty[d.asks.bestLvl]
	}
	return t
}

// Depth writes up to cap(dst) levels of side, best first, into dst[:0]
// (Orders is 0: an L2 book does not know it). It does not allocate.
func (d *DepthBook) Depth(side Side, dst []Level) []Level {
	dst = dst[:0]
	lad := d.side(side)
	if lad.n == 0 {
		return dst
	}
	t, ok := lad.best, true
	for ok && len(dst) < cap(dst) {
		dst = append(dst, Level{Price: t * d.cfg.Tick, Qty: d.qty[lad.find(t)]})
		t, ok = lad.next(t)
	}
	return dst
}

// Levels is the number of non-empty price levels on a side.
func (d *DepthBook) Levels(side Side) int { return d.side(side).n }
