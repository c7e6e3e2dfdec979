package detectors

import (
	"math"
	"time"
)

// hourlyRate is an exponentially weighted event rate over an hour of
// observed time: an instrument's usual flow, which a burst on anonymous data
// is measured against.
type hourlyRate struct {
	n, observed float64
	last        int64
}

// add counts an event at now.
func (r *hourlyRate) add(now int64) {
	if r.last != 0 && now > r.last {
		d := math.Exp(-float64(now-r.last) / float64(time.Hour))
		r.n *= d
		r.observed = r.observed*d + float64(time.Hour)*(1-d)
	}
	r.last = now
	r.n++
}

// perWindow is the events expected in a window at the hour's rate: +Inf
// before ten minutes were seen (no burst is unusual yet).
func (r *hourlyRate) perWindow(window int64) float64 {
	if r.observed < float64(10*time.Minute) {
		return math.Inf(1)
	}
	return r.n / r.observed * float64(window)
}
