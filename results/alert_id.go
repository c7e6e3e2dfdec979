package results

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/tapetest/tapetest/detectors"
)

// AlertIDs are the alerts' stable ids, for case-management tools and
// analysts' dispositions: "A" and 16 hex digits of a SHA-256 over what the
// alert is (instance, typology, symbol, times, score), so the same alert
// keeps its id across re-runs and in any order; identical alerts get -2, -3
// in the order they come.
func AlertIDs(alerts []detectors.Alert) []string {
	ids := newAlertIDs(alerts)
	out := make([]string, len(alerts))
	for i := range out {
		out[i] = ids.at(i)
	}
	return out
}

// alertIDs are AlertIDs kept as the digests' 64 bits — eight bytes an
// alert where a long run's hundreds of thousands of id strings, and the map
// that told identical alerts apart, were tens of megabytes — and each
// repeated alert's place among the identical ones: at writes an id when
// asked.
type alertIDs struct {
	sum []uint64    // the digest's first 8 bytes, big-endian: the id's 16 hex digits
	nth map[int]int // an alert identical to earlier ones: which of them it is (2, 3, ...)
}

func newAlertIDs(alerts []detectors.Alert) *alertIDs {
	ids := &alertIDs{sum: make([]uint64, len(alerts)), nth: map[int]int{}}
	h := sha256.New()
	for i := range alerts {
		ids.sum[i] = alertDigest(h, &alerts[i])
	}
	// Identical alerts are next to each other in the digests' order (and,
	// among themselves, in the alerts' order).
	order := make([]int32, len(alerts))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int {
		if c := cmp.Compare(ids.sum[x], ids.sum[y]); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})
	for k := 1; k < len(order); k++ {
		if ids.sum[order[k]] == ids.sum[order[k-1]] {
			ids.nth[int(order[k])] = max(ids.nth[int(order[k-1])], 1) + 1
		}
	}
	return ids
}

// alertDigest is the first 8 bytes, big-endian, of the SHA-256 (h, reset
// here) over what alert a is: its instance, typology and symbol, its times
// and its score.
func alertDigest(h hash.Hash, a *detectors.Alert) uint64 {
	h.Reset()
	for _, s := range []string{a.Instance, string(a.Typology), a.Symbol} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var buf [8]byte
	for _, v := range []uint64{uint64(a.RaisedAt), uint64(a.Start), uint64(a.End), math.Float64bits(a.Score)} {
		binary.BigEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	var sum [sha256.Size]byte
	return binary.BigEndian.Uint64(h.Sum(sum[:0]))
}

// at is alert i's id.
func (ids *alertIDs) at(i int) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], ids.sum[i])
	id := "A" + hex.EncodeToString(b[:])
	if n, ok := ids.nth[i]; ok {
		id += "-" + strconv.Itoa(n)
	}
	return id
}

// compare orders alerts i and j as their ids' strings order (without
// writing them unless the alerts are identical).
func (ids *alertIDs) compare(i, j int) int {
	if c := cmp.Compare(ids.sum[i], ids.sum[j]); c != 0 {
		return c
	}
	return strings.Compare(ids.at(i), ids.at(j))
}
