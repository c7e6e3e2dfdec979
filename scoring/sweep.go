package scoring

import (
	"math"
	"sort"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
)

// SweepPoint is the operating point of one threshold: alerts with
// score >= Threshold are kept.
type SweepPoint struct {
	Threshold     float64 `json:"threshold"`
	Alerts        int     `json:"alerts"`
	MatchedAlerts int     `json:"matched_alerts"`
	Detected      int     `json:"detected"`
	Precision     float64 `json:"precision"`
	Recall        float64 `json:"recall"`
	F1            float64 `json:"f1"`
	AlertsPerDay  float64 `json:"background_alerts_per_day"`
	TTDP50        float64 `json:"ttd_p50_s"`
}

// Sweep is an exact threshold sweep of one instance on one typology.
type Sweep struct {
	Instance string          `json:"instance"`
	Typology replay.Typology `json:"typology"`
	Labels   int             `json:"labels"`
	Points   []SweepPoint    `json:"points"` // one per distinct score, highest threshold first
	// BestF1 is the point with the highest F1 (ties: the higher threshold).
	BestF1 SweepPoint `json:"best_f1"`
	// AtCapacity is the point with the highest recall whose background alerts
	// per day stay within Options.BudgetPerDay (ties: the higher threshold);
	// nil when no budget was set or no point fits.
	AtCapacity *SweepPoint `json:"at_capacity,omitempty"`
}

// fenwick counts values by rank, for order statistics of detection times.
type fenwick []int

func (f fenwick) add(i, d int) {
	for i++; i < len(f); i += i & -i {
		f[i] += d
	}
}

// kth returns the rank of the k-th smallest value (k >= 1).
func (f fenwick) kth(k int) int {
	pos := 0
	for step := 1 << 30; step > 0; step >>= 1 {
		if pos+step < len(f) && f[pos+step] < k {
			pos += step
			k -= f[pos]
		}
	}
	return pos
}

// sweepPoints evaluates every distinct score threshold, highest first. Alerts
// are added in score order; each label keeps the earliest raise time of the
// alerts kept so far, and a Fenwick tree over all candidate detection times
// gives the median at every point.
func sweepPoints(alerts []detectors.Alert, lbls []labels.Label, pairs []Pair, opts Options) []SweepPoint {
	order := make([]int, len(alerts))
	score := make([]float64, len(alerts)) // the sort reads these, not the alerts' structs
	for i := range order {
		order[i], score[i] = i, alerts[i].Score
	}
	sort.SliceStable(order, func(i, j int) bool { return score[order[i]] > score[order[j]] })
	// Pairs by alert (pairs are sorted by alert).
	start := make([]int, len(alerts)+1)
	for _, p := range pairs {
		start[p.Alert+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	// Every candidate detection time, ranked.
	ttds := make([]int64, len(pairs))
	for i, p := range pairs {
		ttds[i] = alerts[p.Alert].RaisedAt - lbls[p.Label].Start
	}
	ranks := append([]int64(nil), ttds...)
	sort.Slice(ranks, func(i, j int) bool { return ranks[i] < ranks[j] })
	rankOf := func(v int64) int { return sort.Search(len(ranks), func(i int) bool { return ranks[i] >= v }) }
	fw := make(fenwick, len(ranks)+1)
	first := make([]int64, len(lbls))
	for i := range first {
		first[i] = math.MaxInt64
	}
	var pts []SweepPoint
	kept, matched, detected := 0, 0, 0
	for i := 0; i < len(order); {
		score := alerts[order[i]].Score
		for ; i < len(order) && alerts[order[i]].Score == score; i++ {
			ai := order[i]
			kept++
			if start[ai] < start[ai+1] {
				matched++
			}
			for pi := start[ai]; pi < start[ai+1]; pi++ {
				li := pairs[pi].Label
				t := alerts[ai].RaisedAt
				if t >= first[li] {
					continue
				}
				if first[li] == math.MaxInt64 {
					detected++
				} else {
					fw.add(rankOf(first[li]-lbls[li].Start), -1)
				}
				first[li] = t
				fw.add(rankOf(t-lbls[li].Start), 1)
			}
		}
		p := SweepPoint{Threshold: score, Alerts: kept, MatchedAlerts: matched, Detected: detected,
			Precision: ratio(matched, kept), Recall: ratio(detected, len(lbls)), AlertsPerDay: perDay(kept-matched, opts.Days), TTDP50: math.NaN()}
		p.F1 = f1(p.Precision, p.Recall)
		if detected > 0 {
			k := int(math.Ceil(0.5 * float64(detected)))
			p.TTDP50 = float64(ranks[fw.kth(k)]) / 1e9
		}
		pts = append(pts, p)
	}
	return pts
}

// averagePrecision computes alert-level AP (relevant = matches a label) and
// event-level AP (recall = event recall) from the sweep, without interpolation.
func averagePrecision(pts []SweepPoint, relevant int) (ap, eventAP float64) {
	if len(pts) == 0 {
		return math.NaN(), math.NaN()
	}
	prevR, prevE := 0.0, 0.0
	for _, p := range pts {
		r := ratio(p.MatchedAlerts, relevant)
		if relevant == 0 {
			r = 0
		}
		ap += (r - prevR) * p.Precision
		e := p.Recall
		if math.IsNaN(e) {
			e = 0
		}
		eventAP += (e - prevE) * p.Precision
		prevR, prevE = r, e
	}
	if relevant == 0 {
		ap = math.NaN()
	}
	if math.IsNaN(pts[0].Recall) {
		eventAP = math.NaN()
	}
	return ap, eventAP
}

// SweepOf runs the exact threshold sweep of one instance's alerts against the
// labels of the typology being scored.
func SweepOf(instance string, typology replay.Typology, alerts []detectors.Alert, lbls []labels.Label, opts Options) Sweep {
	alerts, lbls = normalize(alerts, lbls)
	pairs := Match(alerts, lbls, opts)
	s := Sweep{Instance: instance, Typology: typology, Labels: len(lbls), Points: sweepPoints(alerts, lbls, pairs, opts)}
	for i, p := range s.Points {
		if i == 0 || p.F1 > s.BestF1.F1 {
			s.BestF1 = p
		}
		if opts.BudgetPerDay > 0 && !math.IsNaN(p.AlertsPerDay) && p.AlertsPerDay <= opts.BudgetPerDay {
			if s.AtCapacity == nil || p.Recall > s.AtCapacity.Recall {
				pp := p
				s.AtCapacity = &pp
			}
		}
	}
	return s
}
