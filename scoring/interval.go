package scoring

import (
	"math"
	"math/rand/v2"
	"sort"
)

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

// bootstrapResamples is how many resamples bootstrapF1 draws.
const bootstrapResamples = 1000

// bootstrapF1 is a 95% percentile bootstrap interval of F1 over the labels
// (episodes): the labels are resampled with replacement, each bringing
// whether it was detected and the alerts that matched it (an alert matching
// several labels goes with the first), while the background alerts stay as
// they are — their rate is what the Wilson interval of precision and the
// exposure describe. A fixed seed makes it reproducible. NaN without labels.
func bootstrapF1(detected []bool, matchedBy []int, background int) (lo, hi float64) {
	n := len(detected)
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	// The labels as a multiset, whatever order they came in.
	type unit struct {
		det bool
		m   int
	}
	units := make([]unit, n)
	for i := range units {
		units[i] = unit{detected[i], matchedBy[i]}
	}
	sort.Slice(units, func(i, j int) bool {
		if units[i].det != units[j].det {
			return !units[i].det
		}
		return units[i].m < units[j].m
	})
	r := rand.New(rand.NewPCG(0x5eed, uint64(n)))
	f1s := make([]float64, bootstrapResamples)
	for b := range f1s {
		d, m := 0, 0
		for range n {
			u := units[r.IntN(n)]
			if u.det {
				d++
			}
			m += u.m
		}
		f1s[b] = f1(ratio(m, m+background), ratio(d, n))
	}
	sort.Float64s(f1s)
	return quantile(f1s, 0.025), quantile(f1s, 0.975)
}
