package scoring

import "math"

// wilsonZ is the normal quantile of a two-sided 95% interval.
const wilsonZ = 1.959963984540054

// Wilson is the 95% Wilson score interval of a proportion of k successes in
// n trials (Wilson 1927): unlike k/n ± z·se it stays inside [0, 1] and says
// something honest about one label detected of one (0.21–1) or none of three
// (0–0.56). NaN bounds when n is 0: nothing to estimate.
func Wilson(k, n int) (lo, hi float64) {
	if n <= 0 {
		return math.NaN(), math.NaN()
	}
	p, fn := float64(k)/float64(n), float64(n)
	z2 := wilsonZ * wilsonZ
	centre := (p + z2/(2*fn)) / (1 + z2/fn)
	half := wilsonZ / (1 + z2/fn) * math.Sqrt(p*(1-p)/fn+z2/(4*fn*fn))
	return max(0, centre-half), min(1, centre+half)
}
