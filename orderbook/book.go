package orderbook

import (
	"fmt"
	"math"
	"math/bits"
)

// Config configures a Book or a DepthBook.
type Config struct {
	Tick int64   // price increment in price units (>= 1)
	Lot  int64   // quantity increment in quantity units (>= 1)
	STP  STPMode // self-trade prevention (Book only)
	// SizeHint is the expected number of live orders (Book only): the id
	// ring and the slab are sized for it, about 56 bytes an order (the
	// ring's slots are SizeHint rounded up to a power of two, at least 64).
	// A hint above 4,194,304 is taken as that; the slab and the index
	// still grow past it.
	SizeHint int
	// KeepPlaced keeps each live order's Placed (Book only), in a slab of
	// its own beside the orders — 16 bytes an order, written when it rests
	// and read when it trades — and Makers tells it for every fill. A
	// reader of the fills then needs no table of every order it has seen.
	KeepPlaced bool
}

func (c *Config) validate() error {
	if c.Tick <= 0 || c.Lot <= 0 {
		return fmt.Errorf("%w: tick %d and lot %d must be positive", ErrBadConfig, c.Tick, c.Lot)
	}
	if c.STP > STPDecrement {
		return fmt.Errorf("%w: unknown self-trade-prevention mode %d", ErrBadConfig, c.STP)
	}
	return nil
}

// Result summarises what Submit did with an order's quantity:
// Qty = Filled + Rested + Cancelled.
type Result struct {
	Filled        int64 // traded
	Rested        int64 // left resting in the book
	Cancelled     int64 // IOC/market remainder, STP-expired or STP-decremented taker quantity
	ExpiredMakers int   // resting orders that STP removed (their ids: Book.Expired)
}

// OrderInfo describes a live order.
type OrderInfo struct {
	ID      uint64
	Account uint64
	Group   uint64
	Side    Side
	Price   int64
	Qty     int64 // remaining
}

// order is the hot part of a live order: what cancels, executions and
// matching touch. It is 32 bytes, two to a cache line.
type order struct {
	id    uint64
	qty   int64
	next  int32 // slab links within the level, -1 = none
	prev  int32
	level int32
	side  Side
	watch uint16 // the watcher that Watch marked it for (0: none); it fits the padding, the struct stays 32 bytes
}

// orderCold is the rest of a live order, in a slab parallel to the hot one:
// read for fills, self-trade prevention and Get.
type orderCold struct {
	account uint64
	group   uint64
	price   int64
}

// level is one price level: a FIFO of orders.
type level struct {
	tick  int64
	qty   int64
	count int32
	head  int32
	tail  int32
	next  int32 // free-list link
}

// Book is an L3 price-time-priority matching book for one instrument. It is not
// safe for concurrent use.
type Book struct {
	cfg      Config
	orders   []order
	cold     []orderCold
	placed   []Placed // with KeepPlaced: each slot's order's, parallel to orders
	makers   []Placed // with KeepPlaced: the last call's fills' makers (Makers)
	freeOrd  int32
	levels   []level
	freeLvl  int32
	ids      idIndex
	bids     ladder
	asks     ladder
	expired  []uint64
	maxID    uint64 // the largest id the book has held
	live     int
	tickSize int64
	// watchers are the owners' watches of their orders (watch.go); index
	// 0 is unused (no watcher).
	watchers []watcher
	// Prefetch's last pfDepth ids, and where the next goes.
	pfIDs  [pfDepth]uint64
	pfNext uint32
}

// New returns an empty book.
func New(cfg Config) (*Book, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	hint := bookHint(cfg.SizeHint)
	ring := ringSize(hint)
	b := &Book{
		cfg:      cfg,
		orders:   make([]order, ring, ring+hint/4),
		cold:     make([]orderCold, ring, ring+hint/4),
		freeOrd:  -1,
		levels:   make([]level, 0, 256),
		freeLvl:  -1,
		ids:      newIDIndex(hint),
		bids:     ladder{desc: true},
		tickSize: cfg.Tick,
	}
	if cfg.KeepPlaced {
		b.placed = make([]Placed, ring, ring+hint/4)
	}
	return b, nil
}

// Len is the number of live orders.
func (b *Book) Len() int { return b.live }

// Expired lists the resting orders that self-trade prevention removed during
// the last Submit or Modify. The slice is reused by the next call.
func (b *Book) Expired() []uint64 { return b.expired }

func (b *Book) side(s Side) *ladder {
	if s == Buy {
		return &b.bids
	}
	return &b.asks
}

func (b *Book) allocLevel(t int64) int32 {
	var i int32
	if b.freeLvl >= 0 {
		i = b.freeLvl
		b.freeLvl = b.levels[i].next
	} else {
		b.levels = append(b.levels, level{})
		i = int32(len(b.levels) - 1)
	}
	b.levels[i] = level{tick: t, head: -1, tail: -1, next: -1}
	return i
}

// rest appends order slot oi at the back of its price level.
func (b *Book) rest(oi int32) {
	o := &b.orders[oi]
	lad := b.side(o.side)
	t := b.cold[oi].price / b.tickSize
	li := lad.find(t)
	if li < 0 {
		li = b.allocLevel(t)
		lad.insert(t, li)
	}
	lv := &b.levels[li]
	o.level = li
	o.prev = lv.tail
	o.next = -1
	if lv.tail >= 0 {
		b.orders[lv.tail].next = oi
	} else {
		lv.head = oi
	}
	lv.tail = oi
	lv.qty += o.qty
	lv.count++
	b.maxID = max(b.maxID, o.id)
	b.live++
}

// unlink removes order slot oi from its level (removing an emptied level) and
// from the id index, and frees the slot.
func (b *Book) unlink(oi int32) {
	o := &b.orders[oi]
	lv := &b.levels[o.level]
	if o.prev >= 0 {
		b.orders[o.prev].next = o.next
	} else {
		lv.head = o.next
	}
	if o.next >= 0 {
		b.orders[o.next].prev = o.prev
	} else {
		lv.tail = o.prev
	}
	lv.qty -= o.qty
	lv.count--
	if lv.count == 0 {
		b.side(o.side).remove(lv.tick)
		lv.next = b.freeLvl
		b.freeLvl = o.level
	}
	b.live--
	if o.watch != 0 { // Modify takes it back when the order rests again
		b.watchers[o.watch].leave(o.id)
		o.watch = 0
	}
	if uint64(oi) <= b.ids.mask { // a ring slot is free when it holds no id
		o.id = 0
		return
	}
	b.ids.hash.del(o.id, oi)
	o.next = b.freeOrd
	b.freeOrd = oi
}

func (b *Book) lookup(op string, id uint64) (int32, error) {
	oi, ok := b.ids.get(id, b.orders)
	if !ok || id == 0 {
		return 0, &OpError{Op: op, OrderID: id, Err: ErrUnknownOrder}
	}
	return oi, nil
}

// Get returns a live order.
func (b *Book) Get(id uint64) (info OrderInfo, ok bool) {
	ok = b.GetInto(id, &info)
	return info, ok
}

// GetInto is Get writing the order to *info (left as it was when the order
// is not live). The "Into" methods (GetInto, CancelLiveInto, WatchInto)
// are for a caller that hands the order on — a venue's method behind an
// interface: Go copies a returned OrderInfo whole through the stack, 16
// bytes at a time from the 8-byte stores just made, which the processor
// cannot forward (SubmitOrder); written in place, it is read field by
// field.
func (b *Book) GetInto(id uint64, info *OrderInfo) bool {
	oi, ok := b.ids.get(id, b.orders)
	if !ok || id == 0 {
		return false
	}
	b.infoTo(oi, info)
	return true
}

// Has reports whether order id is live: Get without reading the order's
// account, group and price (a line of their own), for a caller that only
// needs to know before it cancels, reduces, modifies or executes it.
func (b *Book) Has(id uint64) bool {
	_, ok := b.ids.get(id, b.orders)
	return ok && id != 0
}

// Prefetch hints that order id will be cancelled, reduced, modified or
// executed soon: a caller that holds the coming events (the engine's
// batch) names the order PrefetchAhead operations ahead, and its line is on its way
// when the operation reads it. In a book too large for the core's cache
// that read is a miss to memory, most of a cancel's time; in a small book
// Prefetch does nothing. In a very large one it also brings in, eight
// calls later, the neighbours in its level's queue of the order it was
// named (what a cancel relinks).
func (b *Book) Prefetch(id uint64) {
	if b.live >= prefetchLive { // a small book's test, here where it inlines
		b.prefetchOrder(id)
	}
}

// prefetchOrder brings order id's line in and, in a book of
// prefetchLinksLive orders or more, notes id and brings in the queue
// neighbours of the order named pfDepth calls ago, which is in the cache
// by now: what a cancel of it relinks.
func (b *Book) prefetchOrder(id uint64) {
	prefetch(&b.orders[id&b.ids.mask])
	if b.live < prefetchLinksLive {
		return
	}
	k := b.pfNext & (pfDepth - 1)
	old := b.pfIDs[k]
	b.pfIDs[k], b.pfNext = id, b.pfNext+1
	if o := &b.orders[old&b.ids.mask]; o.id == old && old != 0 {
		if o.prev >= 0 {
			prefetch(&b.orders[o.prev])
		}
		if o.next >= 0 {
			prefetch(&b.orders[o.next])
		}
	}
}

// PrefetchAhead is how many operations ahead a caller names an order to
// Prefetch: far enough for a line from memory to arrive while the
// operations between are applied, and for the book to bring in the
// order's neighbours pfDepth calls later (for the order alone, 4 to 24
// ahead measured alike on BenchmarkSynthetic's 1M-order book).
const PrefetchAhead = 16

// pfDepth is how many Prefetch calls pass between bringing an order in and
// bringing in its neighbours: half PrefetchAhead.
const pfDepth = PrefetchAhead / 2

// prefetchLive is the live orders from which Prefetch brings orders in:
// 32,768 hot orders are 1 MiB, half a core's L2 here.
// prefetchLinksLive is those from which it brings their neighbours in as
// well: 262,144 hot orders are 8 MiB, where the neighbours are no longer
// near (at 100k live orders this stage cost 3–5%, at 1M it gained 38%:
// BENCHMARKS.md, sixth session).
const (
	prefetchLive      = 1 << 15
	prefetchLinksLive = 1 << 18
)

func (b *Book) info(oi int32) OrderInfo {
	var in OrderInfo
	b.infoTo(oi, &in)
	return in
}

// infoTo writes the order in slot oi to *in field by field. A caller that
// keeps the order across a call (CancelGet's unlink) writes it where it
// keeps it: info's literal, copied there, was read back 16 bytes at a time
// from the 8-byte stores just made, which the processor cannot forward
// (SubmitOrder).
func (b *Book) infoTo(oi int32, in *OrderInfo) {
	o, c := &b.orders[oi], &b.cold[oi]
	in.ID, in.Account, in.Group, in.Side, in.Price, in.Qty = o.id, c.account, c.group, o.side, c.price, o.qty
}

// Cancel removes a live order and returns the quantity it still had.
func (b *Book) Cancel(id uint64) (int64, error) {
	oi, err := b.lookup("cancel", id)
	if err != nil {
		return 0, err
	}
	q := b.orders[oi].qty
	b.unlink(oi)
	return q, nil
}

// CancelGet is Cancel returning the order as it stood: one lookup where
// Get and Cancel take two (a venue writing the cancel's event needs its
// side, account and price).
func (b *Book) CancelGet(id uint64) (info OrderInfo, err error) {
	oi, err := b.lookup("cancel", id)
	if err != nil {
		return OrderInfo{}, err
	}
	b.infoTo(oi, &info)
	b.unlink(oi)
	return info, nil
}

// CancelLive cancels order id if it is live and returns it as it stood:
// CancelGet for an owner that does not know whether its order is still
// there (a maker pulling quotes some of which traded away) — one lookup,
// and no error built for the order that is gone.
func (b *Book) CancelLive(id uint64) (info OrderInfo, ok bool) {
	ok = b.CancelLiveInto(id, &info)
	return info, ok
}

// CancelLiveInto is CancelLive writing the order to *info (GetInto says
// why); *info is left as it was when the order is not live.
func (b *Book) CancelLiveInto(id uint64, info *OrderInfo) bool {
	oi, ok := b.ids.get(id, b.orders)
	if !ok || id == 0 {
		return false
	}
	b.infoTo(oi, info)
	b.unlink(oi)
	return true
}

// Reduce removes qty from a live order (a partial cancel) and returns what
// remains; an order reduced to zero is removed. Reducing by more than remains
// is an error.
func (b *Book) Reduce(id uint64, qty int64) (int64, error) {
	oi, err := b.lookup("reduce", id)
	if err != nil {
		return 0, err
	}
	o := &b.orders[oi]
	if qty <= 0 || qty%b.cfg.Lot != 0 || qty > o.qty {
		return o.qty, &OpError{Op: "reduce", OrderID: id, Side: o.side, Price: b.cold[oi].price, Qty: qty, Err: ErrBadQty}
	}
	if qty == o.qty {
		b.unlink(oi)
		return 0, nil
	}
	o.qty -= qty
	b.levels[o.level].qty -= qty
	return o.qty, nil
}

// Execute records a feed-reported execution of qty against a resting order at
// its price. The fill's taker is unknown (zero ids); its aggressor is the side
// opposite the resting order. Executing more than remains is an error.
func (b *Book) Execute(id uint64, qty int64, fills []Fill) ([]Fill, error) {
	b.makers = b.makers[:0]
	oi, err := b.lookup("execute", id)
	if err != nil {
		return fills, err
	}
	o := &b.orders[oi]
	if qty <= 0 || qty%b.cfg.Lot != 0 || qty > o.qty {
		return fills, &OpError{Op: "execute", OrderID: id, Side: o.side, Price: b.cold[oi].price, Qty: qty, Err: ErrBadQty}
	}
	fills = appendFill(fills, id, 0, b.cold[oi].account, 0, b.cold[oi].price, qty, o.side.Opposite())
	if b.placed != nil {
		b.makers = append(b.makers, b.placed[oi])
	}
	if qty == o.qty {
		b.unlink(oi)
	} else {
		o.qty -= qty
		b.levels[o.level].qty -= qty
	}
	return fills, nil
}

// ExecuteHidden records an execution against hidden liquidity: one fill with
// Hidden set; the visible book is unchanged. side is the hidden order's side.
func (b *Book) ExecuteHidden(side Side, price, qty int64, fills []Fill) []Fill {
	b.makers = b.makers[:0]
	if b.placed != nil {
		b.makers = append(b.makers, Placed{})
	}
	return append(fills, Fill{Price: price, Qty: qty, Aggressor: side.Opposite(), Hidden: true})
}

// Clear empties the book, keeping its memory. The watched orders it
// removes leave in the book's order: the bids best first, then the asks,
// each level's queue front first.
func (b *Book) Clear() {
	if b.live > 0 {
		// Walk the live orders, not the slab: a ring slot is free when it
		// holds no id, and the ring may be far larger than what lives in it.
		for _, lad := range []*ladder{&b.bids, &b.asks} {
			for t, ok := lad.best, lad.n > 0; ok; t, ok = lad.next(t) {
				for oi := b.levels[lad.find(t)].head; oi >= 0; oi = b.orders[oi].next {
					if w := b.orders[oi].watch; w != 0 {
						b.watchers[w].leave(b.orders[oi].id)
						b.orders[oi].watch = 0
					}
					if uint64(oi) <= b.ids.mask {
						b.orders[oi].id = 0
					}
				}
			}
		}
	}
	ring := int(b.ids.mask + 1)
	b.orders = b.orders[:ring]
	b.cold = b.cold[:ring]
	if b.placed != nil {
		b.placed = b.placed[:ring]
	}
	b.freeOrd = -1
	b.levels = b.levels[:0]
	b.freeLvl = -1
	b.ids.reset()
	b.bids.reset()
	b.asks.reset()
	b.expired = b.expired[:0]
	b.live = 0
}

// Top returns the best bid and ask.
func (b *Book) Top() Top {
	var t Top
	if b.bids.n > 0 {
		t.BidPrice, t.BidQty = b.bids.best*b.tickSize, b.levels[b.bids.bestLvl].qty
	}
	if b.asks.n > 0 {
		t.AskPrice, t.AskQty = b.asks.best*b.tickSize, b.levels[b.asks.bestLvl].qty
	}
	return t
}

// Depth writes up to cap(dst) levels of side, best first, into dst[:0] and
// returns it. It does not allocate.
func (b *Book) Depth(side Side, dst []Level) []Level {
	if side == Buy {
		return b.DepthTo(side, math.MinInt64, dst)
	}
	return b.DepthTo(side, math.MaxInt64, dst)
}

// DepthTo is Depth down to price limit: the levels at limit or better (bids
// at or above it, asks at or below it), at most cap(dst). A check against a
// reference window reads only the window this way, not cap(dst) levels.
func (b *Book) DepthTo(side Side, limit int64, dst []Level) []Level {
	dst = dst[:0]
	lad := b.side(side)
	if lad.n == 0 {
		return dst
	}
	if len(lad.over) == 0 {
		return b.windowDepth(lad, limit, dst)
	}
	t, ok := lad.best, true
	for ok && len(dst) < cap(dst) {
		p := t * b.tickSize
		if side == Buy && p < limit || side != Buy && p > limit {
			break
		}
		lv := &b.levels[lad.find(t)]
		dst = append(dst, Level{Price: p, Qty: lv.qty, Orders: lv.count})
		t, ok = lad.next(t)
	}
	return dst
}

// windowDepth is DepthTo for a side whose levels are all in the dense
// window: it walks the bitmap a word at a time, best first, instead of
// asking the ladder for each next level, one loop a direction, the limit
// turned into a tick once.
func (b *Book) windowDepth(lad *ladder, limit int64, dst []Level) []Level {
	out, n := dst[:cap(dst)], len(dst)
	base, tick := lad.base, b.tickSize
	i := int(lad.best - base)
	w := i >> 6
	if lad.desc {
		lo := limit / tick // the lowest tick at or above limit
		if limit%tick != 0 && limit > 0 {
			lo++
		}
		m := lad.bits[w] & (^uint64(0) >> (63 - uint(i&63)))
		for n < len(out) {
			if m == 0 {
				// The word is done: the next non-empty one through the summary.
				j := lad.prevSet(int64(w)<<6 - 1)
				if j < 0 {
					break
				}
				w, m = j>>6, lad.bits[j>>6]
			}
			j := w<<6 + 63 - bits.LeadingZeros64(m)
			t := base + int64(j)
			if t < lo {
				break
			}
			m &^= 1 << uint(j&63)
			lv := &b.levels[lad.slots[j]-1]
			out[n] = Level{Price: t * tick, Qty: lv.qty, Orders: lv.count}
			n++
		}
		return out[:n]
	}
	hi := limit / tick // the highest tick at or below limit
	if limit%tick != 0 && limit < 0 {
		hi--
	}
	m := lad.bits[w] & (^uint64(0) << uint(i&63))
	for n < len(out) {
		if m == 0 {
			j := lad.nextSet(int64(w+1) << 6)
			if j < 0 {
				break
			}
			w, m = j>>6, lad.bits[j>>6]
		}
		j := w<<6 + bits.TrailingZeros64(m)
		t := base + int64(j)
		if t > hi {
			break
		}
		m &= m - 1
		lv := &b.levels[lad.slots[j]-1]
		out[n] = Level{Price: t * tick, Qty: lv.qty, Orders: lv.count}
		n++
	}
	return out[:n]
}

// Levels is the number of non-empty price levels on a side.
func (b *Book) Levels(side Side) int { return b.side(side).n }

// Crossed reports the best price on the side opposite to side when an order
// on side at price would trade with it (false when nothing would).
func (b *Book) Crossed(side Side, price int64) (int64, bool) {
	t := b.Top()
	if side == Buy {
		return t.AskPrice, t.AskQty > 0 && t.AskPrice <= price
	}
	return t.BidPrice, t.BidQty > 0 && t.BidPrice >= price
}

// Orders writes the live orders at (side, price) into dst[:0] in time priority
// (FIFO) order and returns it.
func (b *Book) Orders(side Side, price int64, dst []OrderInfo) []OrderInfo {
	dst = dst[:0]
	if price%b.tickSize != 0 {
		return dst
	}
	li := b.side(side).find(price / b.tickSize)
	if li < 0 {
		return dst
	}
	for oi := b.levels[li].head; oi >= 0; oi = b.orders[oi].next {
		dst = append(dst, b.info(oi))
	}
	return dst
}

// Makers returns, with Config.KeepPlaced, the Placed of the maker of each
// fill the last Submit, Modify, Move, Execute or ExecuteHidden appended, in
// the same order (the zero Placed for a hidden execution, which has no maker
// order); without it, nothing. The slice is the book's: valid until its next
// such call.
func (b *Book) Makers() []Placed { return b.makers }
