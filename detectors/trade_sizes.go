package detectors

import "math"

// tradeSizes keeps, per instrument, the sizes of its last 64 trades (fills),
// for a typical trade size in that instrument's own units: instruments'
// quantities are not comparable, so one ring over all of them would make a
// score depend on which market traded last.
type tradeSizes struct {
	rings [][64]int64
	n     []int
}

func newTradeSizes(instruments int) tradeSizes {
	return tradeSizes{rings: make([][64]int64, instruments), n: make([]int, instruments)}
}

// add records a trade of qty in instrument sym.
func (t *tradeSizes) add(sym uint32, qty int64) {
	t.rings[sym][t.n[sym]%64] = qty
	t.n[sym]++
}

// median is the median of sym's recent trade sizes, at least 1 (1 before
// its first trade).
func (t *tradeSizes) median(sym uint32) float64 {
	n := min(t.n[sym], 64)
	if n == 0 {
		return 1
	}
	var s [64]int64
	copy(s[:n], t.rings[sym][:n])
	for i := 1; i < n; i++ { // insertion sort of at most 64 values
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return math.Max(float64(s[n/2]), 1)
}
