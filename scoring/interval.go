package scoring

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/tapetest/tapetest/detectors"
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

// rateBlock is the block the alert-rate bootstrap resamples: an hour of one
// instrument's covered stretch (the last block of a stretch is shorter).
const rateBlock = int64(time.Hour)

// bootstrapRate is a 95% block-bootstrap interval of the false alerts per
// instrument-day: the covered stretches are cut into instrument-hours, each
// bringing its background alerts (those not matched, by matched[i]), and
// the blocks are resampled with replacement (Künsch 1989) — alerts come in
// bursts, so a Poisson interval would be too narrow. A fixed seed makes it
// reproducible. NaN without segments or covered time.
func bootstrapRate(alerts []detectors.Alert, matched []bool, segs []Segment) [2]float64 {
	nan := [2]float64{math.NaN(), math.NaN()}
	if len(segs) == 0 {
		return nan
	}
	var dur []int64 // per block
	first := make([]int, len(segs))
	for i, s := range segs {
		first[i] = len(dur)
		for t := s.Start; ; t += rateBlock {
			dur = append(dur, min(rateBlock, s.End-t))
			if t+rateBlock >= s.End {
				break
			}
		}
	}
	bySym := map[string][]int{}
	for i, s := range segs {
		bySym[s.Symbol] = append(bySym[s.Symbol], i)
	}
	for _, idx := range bySym {
		sort.SliceStable(idx, func(a, b int) bool { return segs[idx[a]].Start < segs[idx[b]].Start })
	}
	count := make([]int, len(dur))
	for i, a := range alerts {
		if matched[i] {
			continue
		}
		si := segmentAt(bySym, segs, a.Symbol, a.RaisedAt)
		if si < 0 {
			continue
		}
		last := len(dur) - 1
		if si+1 < len(segs) {
			last = first[si+1] - 1
		}
		b := first[si] + int(max(0, a.RaisedAt-segs[si].Start)/rateBlock)
		count[min(b, last)]++
	}
	var total int64
	for _, d := range dur {
		total += d
	}
	if total <= 0 {
		return nan
	}
	const day = float64(24 * time.Hour)
	n := len(dur)
	r := rand.New(rand.NewPCG(0x5eed, uint64(n)))
	rates := make([]float64, 0, bootstrapResamples)
	for range bootstrapResamples {
		var c, d int64
		for range n {
			k := r.IntN(n)
			c += int64(count[k])
			d += dur[k]
		}
		if d > 0 {
			rates = append(rates, float64(c)/(float64(d)/day))
		}
	}
	sort.Float64s(rates)
	return [2]float64{quantile(rates, 0.025), quantile(rates, 0.975)}
}
