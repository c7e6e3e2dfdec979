package orderbook

// idIndex finds a live order's slab slot from its id. Venues and feeds
// number orders upwards, so the live ids often fall in a dense window, and
// the slab's first slots are a ring indexed by the id itself: the order with
// id k in the window [lo, lo+len(ring)) lives at slot k&mask, and finding it
// is reading it. A new id just above the window (at most slideMax ids)
// slides it up; the live orders the window leaves behind move to the slab's
// overflow slots, found through an open-addressed hash, as do the ids below
// the window and further above it from the start. Adding an order writes
// the ring just past the last one, and a cancel reads the order it cancels
// and nothing else; only the old and the scattered ids pay a hash probe.
//
// Where a book's ids are sparse — an exchange numbering every instrument's
// orders in one sequence, as NASDAQ's ITCH feed does (the LOBSTER GOOG day's
// new ids are 3,800 apart on average) — the window would hold a handful of
// orders and move the rest to the hash one by one. The index watches the
// gaps between new ids and switches the ring off while the live orders'
// ids would span more than twice the ring, on again when they would span
// less than half of it (adapt).
type idIndex struct {
	lo       uint64 // the ring holds the ids [lo, lo+mask]
	mask     uint64 // len(ring)-1, a power of two less one
	ringLive int    // live orders in the ring
	off      bool   // the ring is not in use: every id is in the hash

	lastID uint64 // the largest id that rested
	gap16  uint64 // the gap between new ids, a running mean with weight 1/16, times 16
	adds   uint32 // new ids since the last adapt
	wait   uint32 // decisions to sit out after switching the ring off

	scanned uint64 // ring slots looked at by slides and switches (the tests bound it)

	hash    idHash
	hashMax uint64 // no id above it is in the hash (not lowered as ids leave it)
}

// slideMax is the furthest, in ids, the window slides for one new order:
// further, and the order goes to the hash. A slide looks at every slot it
// passes, so a feed whose ids jump (or a hostile one) would otherwise cost
// a ring's length of work per order; a dense feed slides an id or a few at
// a time.
const slideMax = 256

// adaptEvery is how many new ids the index sees between two decisions to
// switch its ring on or off (a variable for the tests, which decide more
// often).
var adaptEvery uint32 = 1024

// maxSizeHint is the largest SizeHint a book sizes itself for: the ring's
// slot numbers, like the slab's, are int32, and a hint a caller got wrong
// must not cost gigabytes up front.
const maxSizeHint = 1 << 22

// bookHint is the number of live orders a book with Config.SizeHint
// sizeHint sizes itself for.
func bookHint(sizeHint int) int { return min(max(sizeHint, 64), maxSizeHint) }

// ringSize is the ring's length for a book expecting hint live orders.
func ringSize(hint int) int {
	w := 64
	for w < hint {
		w <<= 1
	}
	return w
}

func newIDIndex(hint int) idIndex {
	return idIndex{mask: uint64(ringSize(hint) - 1), hash: newIDHash(hint)}
}

// get returns the slot of id k; orders is the slab. The hash's probe is
// written here rather than called: Get, Cancel and the executions each
// look an id up, and a call more on each was 4–8% of a LOBSTER day's
// replay, whose ids all live in the hash.
func (ix *idIndex) get(k uint64, orders []order) (int32, bool) {
	if k-ix.lo <= ix.mask && !ix.off && k != 0 {
		if s := int32(k & ix.mask); orders[s].id == k {
			return s, true
		}
	}
	if k > ix.hashMax {
		return 0, false
	}
	h := &ix.hash
	fp := fingerprint(k)
	for i := h.home(fp); ; i = (i + 1) & h.mask {
		e := h.b[i]
		if e.fp == 0 {
			return 0, false
		}
		if e.fp == fp && orders[e.slot].id == k {
			return e.slot, true
		}
	}
}

// allocOrder returns the slot for a new order of id k (absent from the
// book) and indexes it: its ring slot when k is in the window or slides it,
// else an overflow slot.
func (b *Book) allocOrder(k uint64) int32 {
	ix := &b.ids
	if k > ix.lastID {
		// A new id above the last: its gap (at most twice the ring's
		// length) goes into the running mean, and every adaptEvery of them adapt
		// decides whether the ring is of use. An id at or below the last —
		// an amended order resting again, a feed numbering downwards or at
		// random — adds nothing: those that go downwards never slide the
		// window, and at random half of them go up, by gaps the window
		// cannot reach.
		ix.gap16 += min(k-ix.lastID, 2*ix.mask) - ix.gap16>>4
		ix.lastID = k
		if ix.adds++; ix.adds >= adaptEvery {
			b.adapt()
		}
	}
	if !ix.off {
		if k-ix.lo > ix.mask {
			switch {
			case ix.ringLive == 0: // nothing to move: start the window below k
				ix.lo = k - min(k, ix.mask)
			case k >= ix.lo && k-ix.lo-ix.mask <= slideMax:
				b.slide(k - ix.mask)
			}
		}
		if k-ix.lo <= ix.mask {
			ix.ringLive++
			return int32(k & ix.mask)
		}
	}
	s := b.allocOverflow()
	ix.hash.put(k, s)
	ix.hashMax = max(ix.hashMax, k)
	return s
}

// adapt switches the ring off when the live orders' ids span more than
// twice it, and on when they span less than half: they span about their
// count times the mean gap between new ids.
func (b *Book) adapt() {
	ix := &b.ids
	ix.adds = 0
	span := uint64(b.live) * ix.gap16 >> 4
	switch {
	case !ix.off && span > 2*(ix.mask+1):
		for s := range int32(ix.mask + 1) {
			if b.orders[s].id != 0 {
				b.evict(s)
			}
		}
		ix.scanned += ix.mask + 1
		ix.off = true
		// Switching off looks at every slot: stay off for at least a
		// quarter of the ring's length in new ids, so that a feed
		// alternating dense and sparse ids pays at most four slots an id.
		ix.wait = uint32((ix.mask + 1) / (4 * uint64(adaptEvery)))
	case ix.off && ix.wait > 0:
		ix.wait--
	case ix.off && span < (ix.mask+1)/2:
		ix.off = false // the window starts at the next id (ringLive is 0)
	}
}

// allocOverflow returns a free overflow slot (small enough to be inlined:
// allocOrder takes one for every order while the ring is off).
func (b *Book) allocOverflow() int32 {
	if i := b.freeOrd; i >= 0 {
		b.freeOrd = b.orders[i].next
		return i
	}
	return b.growOverflow()
}

// growOverflow adds an overflow slot to the slab.
func (b *Book) growOverflow() int32 {
	b.orders = append(b.orders, order{})
	b.cold = append(b.cold, orderCold{})
	return int32(len(b.orders) - 1)
}

// slide moves the window up to start at lo, moving the live orders it
// leaves behind to overflow slots.
func (b *Book) slide(lo uint64) {
	ix := &b.ids
	k := max(ix.lo, 1) // no order has id 0: a free slot's
	for ; k < lo && ix.ringLive > 0; k++ {
		if s := int32(k & ix.mask); b.orders[s].id == k {
			b.evict(s)
		}
	}
	ix.scanned += k - max(ix.lo, 1)
	ix.lo = lo
}

// evict moves the live order in ring slot s to an overflow slot, relinking
// its level's queue.
func (b *Book) evict(s int32) {
	ns := b.allocOverflow()
	b.orders[ns], b.cold[ns] = b.orders[s], b.cold[s]
	o := &b.orders[ns]
	lv := &b.levels[o.level]
	if o.prev >= 0 {
		b.orders[o.prev].next = ns
	} else {
		lv.head = ns
	}
	if o.next >= 0 {
		b.orders[o.next].prev = ns
	} else {
		lv.tail = ns
	}
	b.ids.hash.put(o.id, ns)
	b.ids.hashMax = max(b.ids.hashMax, o.id)
	b.orders[s] = order{}
	b.ids.ringLive--
}

func (ix *idIndex) reset() {
	ix.lo, ix.ringLive, ix.off = 0, 0, false
	ix.lastID, ix.gap16, ix.adds, ix.wait = 0, 0, 0, 0
	ix.hash.reset()
	ix.hashMax = 0
}

// idHash is an open-addressed hash map from order id to slab slot (linear
// probing, backward-shift deletion). A bucket holds only the top 32 bits of
// the id's hash and the slot — 8 bytes — and the id itself is checked against
// the order slab, which a lookup touches anyway: the table is half the size
// it would be with full keys, so more of it stays in cache.
type idHash struct {
	b    []bucket
	mask uint64
	bits uint // log2(len(b))
	n    int
}

type bucket struct {
	fp   uint32 // top 32 bits of the hash; 0 marks an empty bucket
	slot int32
}

func newIDHash(hint int) idHash {
	c, bits := 16, uint(4)
	for c < hint*2 {
		c <<= 1
		bits++
	}
	var ix idHash
	ix.alloc(c, bits)
	return ix
}

func (ix *idHash) alloc(c int, bits uint) {
	ix.b = make([]bucket, c)
	ix.mask = uint64(c - 1)
	ix.bits = bits
	ix.n = 0
}

// fingerprint hashes k to its 32 high bits (never 0, which marks empty).
func fingerprint(k uint64) uint32 {
	fp := uint32((k * 0x9E3779B97F4A7C15) >> 32)
	if fp == 0 {
		fp = 1
	}
	return fp
}

func (ix *idHash) home(fp uint32) uint64 { return uint64(fp) >> (32 - ix.bits) }

// put inserts k (which must be absent) at slot v.
func (ix *idHash) put(k uint64, v int32) {
	if (ix.n+1)*2 > len(ix.b) {
		ix.grow()
	}
	fp := fingerprint(k)
	i := ix.home(fp)
	for ix.b[i].fp != 0 {
		i = (i + 1) & ix.mask
	}
	ix.b[i] = bucket{fp: fp, slot: v}
	ix.n++
}

func (ix *idHash) grow() {
	old := ix.b
	ix.alloc(len(old)*2, ix.bits+1)
	for _, e := range old {
		if e.fp != 0 {
			j := ix.home(e.fp)
			for ix.b[j].fp != 0 {
				j = (j + 1) & ix.mask
			}
			ix.b[j] = e
			ix.n++
		}
	}
}

// del removes the entry of id k at slot v, shifting later entries of its probe run back.
func (ix *idHash) del(k uint64, v int32) {
	fp := fingerprint(k)
	i := ix.home(fp)
	for ix.b[i].slot != v || ix.b[i].fp != fp {
		i = (i + 1) & ix.mask
	}
	for {
		j := i
		for {
			j = (j + 1) & ix.mask
			e := ix.b[j]
			if e.fp == 0 {
				ix.b[i] = bucket{}
				ix.n--
				return
			}
			h := ix.home(e.fp)
			// Move e into the hole at i unless its home h lies cyclically in (i, j].
			if (j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j)) {
				ix.b[i] = e
				i = j
				break
			}
		}
	}
}

func (ix *idHash) reset() {
	clear(ix.b)
	ix.n = 0
}
