package scoring

import (
	"fmt"
	"sort"
)

// Bias is the positional bias δ of range-based precision and recall.
type Bias string

// Positional biases (Tatbul et al., NeurIPS 2018).
const (
	Flat   Bias = "flat"   // every instant of a range counts the same
	Front  Bias = "front"  // early instants count more (δ falls linearly from the start): rewards early detection
	Back   Bias = "back"   // late instants count more
	Middle Bias = "middle" // the middle counts most
)

// ParseBias accepts "", flat, front, back or middle.
func ParseBias(s string) (Bias, error) {
	switch Bias(s) {
	case "", Flat:
		return Flat, nil
	case Front, Back, Middle:
		return Bias(s), nil
	}
	return "", fmt.Errorf("unknown positional bias %q (want flat, front, back or middle)", s)
}

// Window is a closed time range [Start, End] (ns) on one symbol.
type Window struct {
	Symbol     string
	Start, End int64
}

// cumDelta is ∫_0^x δ(u) du for a range of length 1 (x in [0,1]).
func cumDelta(b Bias, x float64) float64 {
	switch b {
	case Front:
		return x - x*x/2
	case Back:
		return x * x / 2
	case Middle:
		// δ(u) = u on [0, ½], 1−u on [½, 1].
		if x <= 0.5 {
			return x * x / 2
		}
		return 0.25 - (1-x)*(1-x)/2
	}
	return x
}

// omega is the bias-weighted fraction of range r covered by [a, b] ∩ r.
func omega(b Bias, r Window, a, e int64) float64 {
	lo, hi := max(a, r.Start), min(e, r.End)
	if lo > hi {
		return 0
	}
	if r.End == r.Start {
		return 1 // a point range is covered or not
	}
	L := float64(r.End - r.Start)
	x0, x1 := float64(lo-r.Start)/L, float64(hi-r.Start)/L
	total := cumDelta(b, 1)
	return (cumDelta(b, x1) - cumDelta(b, x0)) / total
}

func intersects(a, b Window) bool {
	return a.Symbol == b.Symbol && a.Start <= b.End && b.Start <= a.End
}

// rangeScore is Σ over ranges r of one side of: alpha·existence(r) +
// (1−alpha)·cardinality(r)·Σ_other ω(r, r∩o), averaged over that side.
func rangeScore(own, other []Window, alpha float64, b Bias) float64 {
	if len(own) == 0 {
		return 0
	}
	sorted := append([]Window(nil), other...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Symbol != sorted[j].Symbol {
			return sorted[i].Symbol < sorted[j].Symbol
		}
		return sorted[i].Start < sorted[j].Start
	})
	var sum float64
	for _, r := range own {
		// Candidates: same symbol, start <= r.End; scan (other sides are small per symbol).
		lo := sort.Search(len(sorted), func(i int) bool {
			return sorted[i].Symbol > r.Symbol || (sorted[i].Symbol == r.Symbol && sorted[i].Start > r.End)
		})
		var w float64
		n := 0
		for j := lo - 1; j >= 0 && sorted[j].Symbol == r.Symbol; j-- {
			o := sorted[j]
			if !intersects(r, o) {
				continue
			}
			n++
			w += omega(b, r, o.Start, o.End)
		}
		if n == 0 {
			continue
		}
		card := 1.0
		if n > 1 {
			card = 1 / float64(n)
		}
		sum += alpha + (1-alpha)*card*min(w, 1)
	}
	return sum / float64(len(own))
}

// RangePR returns range-based precision and recall of predicted windows
// against real ones: recall with existence weight alpha, precision with none.
func RangePR(pred, real []Window, alpha float64, b Bias) (precision, recall float64) {
	return rangeScore(pred, real, 0, b), rangeScore(real, pred, alpha, b)
}
