package orderbook

// idIndex finds a live order's slab slot from its id. The slab's first
// slots are a ring indexed by the id itself: an order whose id k finds slot
// k&mask free when it arrives lives there, so finding it is reading it; one
// whose slot is taken (by an order len(ring) ids older, or more, still
// resting) lives in an overflow slot found through an open-addressed hash.
// Venues and feeds number orders upwards, so the orders live together are
// mostly fewer ids apart than the ring is long: an add writes the ring just
// past the last one, and a cancel reads the order it cancels and nothing
// else. Ids far apart — NASDAQ numbers every instrument's orders in one
// sequence, so the LOBSTER GOOG day's new ids are 3,800 apart — land in the
// ring's slots as a hash would place them, and ids at random too: the ring
// is a direct-mapped table of the orders, and only those whose slot was
// taken pay a hash probe. Nothing moves once placed, and no sequence of ids
// costs more than the hash alone.
type idIndex struct {
	mask    uint64 // len(ring)-1, a power of two less one
	hash    idHash // the live orders not in the ring (Book.live less hash.n are in it)
	hashMax uint64 // no id above it is in the hash (not lowered as ids leave it)
}

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

// newIDIndex sizes the ring for hint live orders and the hash for an
// eighth of them: the hash holds only the orders whose ring slot was taken
// (on BenchmarkSynthetic's 100k stream 8.2% of the adds, at most 9,801
// orders at once; none on its 1M stream, whose ids do not wrap the ring),
// and a table sized for all of them spreads those few over more cache lines
// (100k +7.6% against a hash sized for hint, on the stream before it held
// its live count). It grows when a feed's ids collide more.
func newIDIndex(hint int) idIndex {
	return idIndex{mask: uint64(ringSize(hint) - 1), hash: newIDHash(hint / 8)}
}

// get returns the slot of id k; orders is the slab. The hash's probe is
// written here rather than called: Get, Cancel and the executions each
// look an id up.
func (ix *idIndex) get(k uint64, orders []order) (int32, bool) {
	if s := int32(k & ix.mask); orders[s].id == k && k != 0 {
		return s, true
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
// book) and indexes it: its ring slot when that is free (a free ring slot
// holds id 0, which no order has), else an overflow slot.
func (b *Book) allocOrder(k uint64) int32 {
	ix := &b.ids
	if s := int32(k & ix.mask); b.orders[s].id == 0 {
		return s
	}
	s := b.allocOverflow()
	ix.hash.put(k, s)
	ix.hashMax = max(ix.hashMax, k)
	return s
}

// allocOverflow returns a free overflow slot.
func (b *Book) allocOverflow() int32 {
	if i := b.freeOrd; i >= 0 {
		b.freeOrd = b.orders[i].next
		return i
	}
	b.orders = append(b.orders, order{})
	b.cold = append(b.cold, orderCold{})
	if b.placed != nil {
		b.placed = append(b.placed, Placed{})
	}
	return int32(len(b.orders) - 1)
}

func (ix *idIndex) reset() {
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
