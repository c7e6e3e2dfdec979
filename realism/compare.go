package realism

import (
	"math"
	"math/rand/v2"
)

// Sampling error. A stylized fact computed on one day of one market is one
// draw: the same market on another day gives another value. For facts of
// heavy-tailed returns the spread is wide — a handful of large moves carry
// most of a kurtosis or an autocorrelation — so MeasureFacts estimates each
// return fact's standard error with a moving-block bootstrap: blocks of five
// minutes of returns (which keep the volatility clustering inside them) are
// drawn with replacement into series as long as the original, and the
// fact's standard deviation over those series is its standard error.

// bootstrapReps is the number of resampled series; with it the standard
// error itself is known to about 5%.
const bootstrapReps = 200

// blockBootstrapSE is the moving-block bootstrap standard error of stat over
// x, with blocks of block values. The resampling is seeded: the same input
// gives the same error.
func blockBootstrapSE(x []float64, block int, stat func([]float64) float64) float64 {
	n := len(x)
	if block < 1 {
		block = 1
	}
	if n < 2*block || n < 8 {
		return math.NaN()
	}
	r := rand.New(rand.NewPCG(0x5eed, uint64(n)))
	y := make([]float64, n)
	var sum, sum2 float64
	k := 0
	for rep := 0; rep < bootstrapReps; rep++ {
		for i := 0; i < n; i += block {
			start := r.IntN(n - block + 1)
			copy(y[i:], x[start:start+block])
		}
		v := stat(y)
		if math.IsNaN(v) {
			continue
		}
		sum += v
		sum2 += v * v
		k++
	}
	if k < 2 {
		return math.NaN()
	}
	mean := sum / float64(k)
	return math.Sqrt(math.Max(sum2/float64(k)-mean*mean, 0) * float64(k) / float64(k-1))
}

// absValues returns |x| element-wise.
func absValues(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = math.Abs(v)
	}
	return out
}

// Verdict is how a synthetic fact compares with the real one.
type Verdict int

// Verdicts.
const (
	// NotComparable: the real or the synthetic value is missing (NaN); or
	// the real one is zero and has no standard error; or the real one is
	// zero within its error and the synthetic one has none.
	NotComparable Verdict = iota
	// Within2x: synthetic/real is between 0.5 and 2.
	Within2x
	// WithinError: the real value is zero within two of its standard errors
	// — a ratio to it means nothing — and the synthetic value differs from
	// it by less than two standard errors of the difference.
	WithinError
	// Outside: neither.
	Outside
)

// Compare compares one fact (a key of FactNames) of a synthetic market with
// a real one: the ratio synthetic/real and its verdict. A ratio to a value
// that its own sampling error cannot tell from zero is no measure of
// likeness (the real autocorrelation of 1 s returns, +0.004 ± 0.013 on the
// GOOG day, would ask for a synthetic one between 0.002 and 0.008); such a
// fact is compared by its difference in standard errors instead.
func Compare(real, syn *Facts, key string) (ratio float64, v Verdict) {
	r, s := real.Value(key), syn.Value(key)
	if math.IsNaN(r) || math.IsNaN(s) {
		return math.NaN(), NotComparable
	}
	ratio = s / r
	if r != 0 && ratio >= 0.5 && ratio <= 2 {
		return ratio, Within2x
	}
	seR, seS := real.SE[key], syn.SE[key]
	if seR > 0 && math.Abs(r) < 2*seR {
		switch {
		case !(seS > 0):
			return ratio, NotComparable // the synthetic series was too short to tell its error
		case math.Abs(s-r) < 2*math.Hypot(seR, seS):
			return ratio, WithinError
		}
		return ratio, Outside
	}
	if r == 0 {
		return math.NaN(), NotComparable
	}
	return ratio, Outside
}
