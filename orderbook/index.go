package orderbook

// idIndex is an open-addressed (linear probing, backward-shift deletion) hash
// map from order id to slab slot. Key 0 marks an empty bucket (id 0 is invalid).
type idIndex struct {
	keys  []uint64
	vals  []int32
	mask  uint64
	shift uint
	n     int
}

func newIDIndex(hint int) idIndex {
	c := 16
	for c < hint*2 {
		c <<= 1
	}
	var ix idIndex
	ix.alloc(c)
	return ix
}

func (ix *idIndex) alloc(c int) {
	ix.keys = make([]uint64, c)
	ix.vals = make([]int32, c)
	ix.mask = uint64(c - 1)
	s := uint(64)
	for x := c; x > 1; x >>= 1 {
		s--
	}
	ix.shift = s
	ix.n = 0
}

func (ix *idIndex) slot(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> ix.shift }

func (ix *idIndex) get(k uint64) (int32, bool) {
	i := ix.slot(k)
	for {
		kk := ix.keys[i]
		if kk == k {
			return ix.vals[i], true
		}
		if kk == 0 {
			return 0, false
		}
		i = (i + 1) & ix.mask
	}
}

// put inserts k (which must be absent).
func (ix *idIndex) put(k uint64, v int32) {
	if (ix.n+1)*2 > len(ix.keys) {
		ix.grow()
	}
	i := ix.slot(k)
	for ix.keys[i] != 0 {
		i = (i + 1) & ix.mask
	}
	ix.keys[i] = k
	ix.vals[i] = v
	ix.n++
}

func (ix *idIndex) grow() {
	keys, vals := ix.keys, ix.vals
	ix.alloc(len(keys) * 2)
	for i, k := range keys {
		if k != 0 {
			j := ix.slot(k)
			for ix.keys[j] != 0 {
				j = (j + 1) & ix.mask
			}
			ix.keys[j] = k
			ix.vals[j] = vals[i]
			ix.n++
		}
	}
}

// del removes k (which must be present), shifting later entries of its probe run back.
func (ix *idIndex) del(k uint64) {
	i := ix.slot(k)
	for ix.keys[i] != k {
		i = (i + 1) & ix.mask
	}
	for {
		j := i
		for {
			j = (j + 1) & ix.mask
			kj := ix.keys[j]
			if kj == 0 {
				ix.keys[i] = 0
				ix.n--
				return
			}
			h := ix.slot(kj)
			// Move kj into the hole at i unless its home h lies cyclically in (i, j].
			if (j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j)) {
				ix.keys[i] = kj
				ix.vals[i] = ix.vals[j]
				i = j
				break
			}
		}
	}
}

func (ix *idIndex) reset() {
	clear(ix.keys)
	ix.n = 0
}
