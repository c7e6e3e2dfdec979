package results

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"

	"github.com/tapetest/tapetest/detectors"
)

// AlertIDs are the alerts' stable ids, for case-management tools and
// analysts' dispositions: "A" and 16 hex digits of a SHA-256 over what the
// alert is (instance, typology, symbol, times, score), so the same alert
// keeps its id across re-runs and in any order; identical alerts get -2, -3
// in the order they come.
func AlertIDs(alerts []detectors.Alert) []string {
	ids := make([]string, len(alerts))
	seen := map[string]int{}
	var buf [8]byte
	for i, a := range alerts {
		h := sha256.New()
		for _, s := range []string{a.Instance, string(a.Typology), a.Symbol} {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
		for _, v := range []uint64{uint64(a.RaisedAt), uint64(a.Start), uint64(a.End), math.Float64bits(a.Score)} {
			binary.BigEndian.PutUint64(buf[:], v)
			h.Write(buf[:])
		}
		id := "A" + hex.EncodeToString(h.Sum(nil)[:8])
		seen[id]++
		if n := seen[id]; n > 1 {
			id = fmt.Sprintf("%s-%d", id, n)
		}
		ids[i] = id
	}
	return ids
}
