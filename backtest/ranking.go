package backtest

import (
	"sort"

	"github.com/tapetest/tapetest/scoring"
)

// RankByTypology orders a sweep's instances by typology, and within each by
// best F1, highest first (ties keep the summary's order).
func RankByTypology(in []scoring.InstanceResult) []scoring.InstanceResult {
	out := append([]scoring.InstanceResult(nil), in...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Typology != out[j].Typology {
			return out[i].Typology < out[j].Typology
		}
		return out[i].Best.F1 > out[j].Best.F1
	})
	return out
}
