package orderbook

// idIndex is an open-addressed (linear probing, backward-shift deletion) hash
// map from order id to slab slot. Key 0 marks an empty bucket (id 0 is invalid).
// Keys and values share a bucket so that a lookup touches one cache line.
type idIndex struct {
	b     []bucket
	mask  uint64
	shift uint
	n     int
}

type bucket struct {
	key uint64
	val int32
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
	ix.b = make([]bucket, c)
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
		e := &ix.b[i]
		if e.key == k {
			return e.val, true
		}
		if e.key == 0 {
			return 0, false
		}
		i = (i + 1) & ix.mask
	}
}

// put inserts k (which must be absent).
func (ix *idIndex) put(k uint64, v int32) {
	if (ix.n+1)*2 > len(ix.b) {
		ix.grow()
	}
	i := ix.slot(k)
	for ix.b[i].key != 0 {
		i = (i + 1) & ix.mask
	}
	ix.b[i] = bucket{key: k, val: v}
	ix.n++
}

func (ix *idIndex) grow() {
	old := ix.b
	ix.alloc(len(old) * 2)
	for _, e := range old {
		if e.key != 0 {
			j := ix.slot(e.key)
			for ix.b[j].key != 0 {
				j = (j + 1) & ix.mask
			}
			ix.b[j] = e
			ix.n++
		}
	}
}

// del removes k (which must be present), shifting later entries of its probe run back.
func (ix *idIndex) del(k uint64) {
	i := ix.slot(k)
	for ix.b[i].key != k {
		i = (i + 1) & ix.mask
	}
	for {
		j := i
		for {
			j = (j + 1) & ix.mask
			kj := ix.b[j].key
			if kj == 0 {
				ix.b[i] = bucket{}
				ix.n--
				return
			}
			h := ix.slot(kj)
			// Move kj into the hole at i unless its home h lies cyclically in (i, j].
			if (j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j)) {
				ix.b[i] = ix.b[j]
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
