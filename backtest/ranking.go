package backtest

import (
	"math"
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
		return rankF1(out[i]) > rankF1(out[j])
	})
	return out
}

// rankF1 is the F1 an instance is ranked by: its shipped operating point's
// (cross-validated under the default split), else its in-sample best F1;
// -1 when undefined, so that it ranks last.
func rankF1(r scoring.InstanceResult) float64 {
	f := r.Best.F1
	if r.Test != nil {
		f = r.Test.F1
	}
	if math.IsNaN(f) {
		return -1
	}
	return f
}
