package orderbook

// idIndex is an open-addressed hash map from order id to slab slot (linear
// probing, backward-shift deletion). A bucket holds only the top 32 bits of
// the id's hash and the slot — 8 bytes — and the id itself is checked against
// the order slab, which a lookup touches anyway: the table is half the size
// it would be with full keys, so more of it stays in cache.
type idIndex struct {
	b    []bucket
	mask uint64
	bits uint // log2(len(b))
	n    int
}

type bucket struct {
	fp   uint32 // top 32 bits of the hash; 0 marks an empty bucket
	slot int32
}

func newIDIndex(hint int) idIndex {
	c, bits := 16, uint(4)
	for c < hint*2 {
		c <<= 1
		bits++
	}
	var ix idIndex
	ix.alloc(c, bits)
	return ix
}

func (ix *idIndex) alloc(c int, bits uint) {
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

func (ix *idIndex) home(fp uint32) uint64 { return uint64(fp) >> (32 - ix.bits) }

// get returns the slot of id k; ids maps a slot to its order id.
func (ix *idIndex) get(k uint64, orders []order) (int32, bool) {
	fp := fingerprint(k)
	i := ix.home(fp)
	for {
		e := ix.b[i]
		if e.fp == 0 {
			return 0, false
		}
		if e.fp == fp && orders[e.slot].id == k {
			return e.slot, true
		}
		i = (i + 1) & ix.mask
	}
}

// put inserts k (which must be absent) at slot v.
func (ix *idIndex) put(k uint64, v int32) {
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

func (ix *idIndex) grow() {
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
func (ix *idIndex) del(k uint64, v int32) {
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

func (ix *idIndex) reset() {
	clear(ix.b)
	ix.n = 0
}
