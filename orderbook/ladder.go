package orderbook

import (
	"math/bits"
	"sort"
)

// Window geometry: the dense window is aligned to blockTicks so that growing it
// moves whole bitmap summary words.
const (
	blockTicks    = 64 * 64 // ticks covered by one summary word
	initialWindow = 16 * blockTicks
	maxWindow     = 1 << 22 // ticks; beyond this span prices go to the overflow list
)

// ladder maps price ticks of one side to level slots and finds the best and the
// next-worse non-empty level. Ticks within the dense window are found through
// slots and a two-level bitmap; ticks outside it (fat-finger prices) are kept in
// a sorted overflow slice.
type ladder struct {
	desc  bool // bids: best is the highest tick
	base  int64
	slots []int32  // window: level slot + 1, 0 = empty
	bits  []uint64 // one bit per window tick
	sum   []uint64 // one bit per non-zero bits word
	over  []overLevel
	n     int // non-empty levels
	best  int64
	// bestLvl is best's level slot: the book's top, read after every
	// event, and a match's first level are one load, not a window lookup
	// first (the engine spent 9 ns a record finding the two tops).
	bestLvl int32
}

type overLevel struct {
	tick int64
	lvl  int32
}

func (l *ladder) reset() {
	clear(l.slots)
	clear(l.bits)
	clear(l.sum)
	l.over = l.over[:0]
	l.n = 0
}

func (l *ladder) inWindow(t int64) bool {
	return l.slots != nil && t >= l.base && t < l.base+int64(len(l.slots))
}

// find returns the level slot at tick t, or -1.
func (l *ladder) find(t int64) int32 {
	if l.inWindow(t) {
		return l.slots[t-l.base] - 1
	}
	if i, ok := l.overIndex(t); ok {
		return l.over[i].lvl
	}
	return -1
}

func (l *ladder) overIndex(t int64) (int, bool) {
	i := sort.Search(len(l.over), func(i int) bool { return l.over[i].tick >= t })
	return i, i < len(l.over) && l.over[i].tick == t
}

func alignDown(t int64) int64 {
	r := t % blockTicks
	if r < 0 {
		r += blockTicks
	}
	return t - r
}

// alignUp rounds a width up to whole blocks.
func alignUp(w int64) int64 { return alignDown(w + blockTicks - 1) }

// fit makes the window cover t if that keeps it within maxWindow.
func (l *ladder) fit(t int64) bool {
	if l.inWindow(t) {
		return true
	}
	if l.slots == nil {
		l.alloc(alignDown(t-initialWindow/2), initialWindow, nil, 0)
		l.migrate()
		return true
	}
	if l.n == len(l.over) {
		// No level in the window: re-centre it on t in place (it is all zero).
		l.base = alignDown(t - int64(len(l.slots))/2)
		l.migrate()
		return true
	}
	lo, hi := l.base, l.base+int64(len(l.slots))
	size := hi - lo
	// The levels in the window and t: when a window twice as wide as they
	// span is no wider than this one, the window moves (and narrows) to
	// centre on them instead of widening. A price that drifts for hours
	// re-centres the window; it used to widen it for good, over every
	// price the run visited.
	spanLo := min(t, lo+int64(l.nextSet(0)))
	spanHi := max(t, lo+int64(l.prevSet(size-1))) + 1
	if w := max(initialWindow, alignUp(2*(spanHi-spanLo))); w <= size {
		base := alignDown(spanLo - (w-(spanHi-spanLo))/2)
		if base+w >= spanHi {
			l.alloc(base, int(w), l.slots, l.base)
			l.migrate()
			return true
		}
	}
	if t < lo {
		lo = alignDown(min(t, lo-size/2))
	} else {
		hi = alignDown(max(t+1, hi+size/2) + blockTicks - 1)
	}
	if hi-lo > maxWindow {
		return false
	}
	l.alloc(lo, int(hi-lo), l.slots, l.base)
	l.migrate()
	return true
}

// alloc replaces the window with [lo, lo+w), copying the levels of old (based at oldBase).
func (l *ladder) alloc(lo int64, w int, old []int32, oldBase int64) {
	l.base = lo
	l.slots = make([]int32, w)
	l.bits = make([]uint64, w/64)
	l.sum = make([]uint64, w/(64*64))
	for i, s := range old {
		if s != 0 {
			l.setBit(int(oldBase + int64(i) - lo))
			l.slots[oldBase+int64(i)-lo] = s
		}
	}
}

// migrate moves overflow levels that now fall inside the window.
func (l *ladder) migrate() {
	k := 0
	for _, o := range l.over {
		if l.inWindow(o.tick) {
			l.slots[o.tick-l.base] = o.lvl + 1
			l.setBit(int(o.tick - l.base))
			continue
		}
		l.over[k] = o
		k++
	}
	l.over = l.over[:k]
}

func (l *ladder) setBit(i int) {
	w := i >> 6
	l.bits[w] |= 1 << uint(i&63)
	l.sum[w>>6] |= 1 << uint(w&63)
}

func (l *ladder) clearBit(i int) {
	w := i >> 6
	l.bits[w] &^= 1 << uint(i&63)
	if l.bits[w] == 0 {
		l.sum[w>>6] &^= 1 << uint(w&63)
	}
}

func (l *ladder) better(a, b int64) bool {
	if l.desc {
		return a > b
	}
	return a < b
}

// insert records level slot lvl at tick t (not present).
func (l *ladder) insert(t int64, lvl int32) {
	if l.fit(t) {
		l.slots[t-l.base] = lvl + 1
		l.setBit(int(t - l.base))
	} else {
		i, _ := l.overIndex(t)
		l.over = append(l.over, overLevel{})
		copy(l.over[i+1:], l.over[i:])
		l.over[i] = overLevel{tick: t, lvl: lvl}
	}
	if l.n == 0 || l.better(t, l.best) {
		l.best, l.bestLvl = t, lvl
	}
	l.n++
}

// remove deletes the level at tick t (present) and updates best.
func (l *ladder) remove(t int64) {
	if l.inWindow(t) && l.slots[t-l.base] != 0 {
		l.slots[t-l.base] = 0
		l.clearBit(int(t - l.base))
	} else {
		i, _ := l.overIndex(t)
		l.over = append(l.over[:i], l.over[i+1:]...)
	}
	l.n--
	if l.n > 0 && t == l.best {
		l.best, _ = l.next(t)
		l.bestLvl = l.find(l.best)
	}
}

// next returns the best non-empty tick strictly worse than t.
func (l *ladder) next(t int64) (int64, bool) {
	var cand int64
	found := false
	if l.slots != nil {
		if l.desc {
			if i := l.prevSet(t - 1 - l.base); i >= 0 {
				cand, found = l.base+int64(i), true
			}
		} else if i := l.nextSet(t + 1 - l.base); i >= 0 {
			cand, found = l.base+int64(i), true
		}
	}
	if len(l.over) > 0 {
		if l.desc {
			i := sort.Search(len(l.over), func(i int) bool { return l.over[i].tick >= t }) - 1
			if i >= 0 && (!found || l.over[i].tick > cand) {
				cand, found = l.over[i].tick, true
			}
		} else {
			i := sort.Search(len(l.over), func(i int) bool { return l.over[i].tick > t })
			if i < len(l.over) && (!found || l.over[i].tick < cand) {
				cand, found = l.over[i].tick, true
			}
		}
	}
	return cand, found
}

// prevSet is the largest set window index <= i, or -1.
func (l *ladder) prevSet(i int64) int {
	if i < 0 {
		return -1
	}
	if i >= int64(len(l.slots)) {
		i = int64(len(l.slots)) - 1
	}
	w := int(i >> 6)
	if m := l.bits[w] & (^uint64(0) >> (63 - uint(i&63))); m != 0 {
		return w<<6 + 63 - bits.LeadingZeros64(m)
	}
	s := w - 1
	if s < 0 {
		return -1
	}
	j := s >> 6
	sm := l.sum[j] & (^uint64(0) >> (63 - uint(s&63)))
	for {
		if sm != 0 {
			ww := j<<6 + 63 - bits.LeadingZeros64(sm)
			return ww<<6 + 63 - bits.LeadingZeros64(l.bits[ww])
		}
		j--
		if j < 0 {
			return -1
		}
		sm = l.sum[j]
	}
}

// nextSet is the smallest set window index >= i, or -1.
func (l *ladder) nextSet(i int64) int {
	if i >= int64(len(l.slots)) {
		return -1
	}
	if i < 0 {
		i = 0
	}
	w := int(i >> 6)
	if m := l.bits[w] & (^uint64(0) << uint(i&63)); m != 0 {
		return w<<6 + bits.TrailingZeros64(m)
	}
	s := w + 1
	j := s >> 6
	if j >= len(l.sum) {
		return -1
	}
	sm := l.sum[j] & (^uint64(0) << uint(s&63))
	for {
		if sm != 0 {
			ww := j<<6 + bits.TrailingZeros64(sm)
			return ww<<6 + bits.TrailingZeros64(l.bits[ww])
		}
		j++
		if j >= len(l.sum) {
			return -1
		}
		sm = l.sum[j]
	}
}
