package scoring

import (
	"sort"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
)

// Options configure matching and metrics.
type Options struct {
	Tolerance int64 // ns after label.End during which an alert still counts
	// Lead is how long before label.Start an alert still counts (ns): a
	// historical label given to the minute, a pump whose organisers buy
	// seconds before the announcement. Such a detection's time to detect
	// is negative.
	Lead        int64
	AnyTypology bool    // match alerts to labels of any typology
	Days        float64 // days the replay's data covers (for alerts per day); NaN per-day figures when 0
	// InstrumentDays is the covered time summed over instruments (for false
	// alerts per instrument-day); NaN figures when 0.
	InstrumentDays float64
	RangeAlpha     float64 // existence weight of range-based recall (Tatbul et al.), 0..1
	RangeBias      Bias    // positional bias of range-based scores; "" = flat
	// Split, when set, keeps a select: rule's calibration apart from the
	// data its metrics are measured on (split.go).
	Split Split
	// Start and End are the replayed time range (ns): time splits cut it.
	Start, End int64
	// Segments are the stretches of each instrument's data (the exposure's
	// stretches): the episodes splits group by and the blocks the bootstrap
	// of alert rates resamples. Without them each symbol is one segment
	// spanning what was scored, and no rate interval is given.
	Segments []Segment
	// BudgetPerDay is the analyst capacity K: the sweep reports the threshold
	// that maximises recall with at most K background alerts per day (0: none).
	BudgetPerDay float64
}

// Pair is one alert–label match (indexes into the slices given to Match).
type Pair struct {
	Alert, Label int
}

// Match returns every alert–label pair that matches under the package rules,
// sorted by alert then label. It runs in O((A + L) log L + pairs) for labels
// of bounded duration. Account lists may come in any order: they are
// compared as sets (a detector that lists an alert's accounts unsorted used to
// lose the alert's matched labels in alerts.parquet).
func Match(alerts []detectors.Alert, lbls []labels.Label, opts Options) []Pair {
	alerts, lbls = normalize(alerts, lbls)
	type entry struct {
		start, end int64
		idx        int
	}
	bySym := map[string][]entry{}
	maxDur := map[string]int64{}
	for i, l := range lbls {
		bySym[l.Symbol] = append(bySym[l.Symbol], entry{l.Start - opts.Lead, l.End + opts.Tolerance, i})
		if d := l.End + opts.Tolerance - (l.Start - opts.Lead); d > maxDur[l.Symbol] {
			maxDur[l.Symbol] = d
		}
	}
	for _, es := range bySym {
		sort.Slice(es, func(i, j int) bool {
			if es[i].start != es[j].start {
				return es[i].start < es[j].start
			}
			return es[i].idx < es[j].idx
		})
	}
	var pairs []Pair
	var hit []int
	for ai := range alerts {
		a := &alerts[ai]
		es := bySym[a.Symbol]
		if len(es) == 0 {
			continue
		}
		// Labels with start <= RaisedAt, walking back while a label could still cover it.
		k := sort.Search(len(es), func(i int) bool { return es[i].start > a.RaisedAt })
		hit = hit[:0]
		for j := k - 1; j >= 0 && es[j].start >= a.RaisedAt-maxDur[a.Symbol]; j-- {
			e := es[j]
			if a.RaisedAt > e.end {
				continue
			}
			l := &lbls[e.idx]
			if !opts.AnyTypology && l.Typology != a.Typology {
				continue
			}
			if len(a.Accounts) > 0 && len(l.Accounts) > 0 && !overlap(a.Accounts, l.Accounts) {
				continue
			}
			hit = append(hit, e.idx)
		}
		sort.Ints(hit)
		for _, li := range hit {
			pairs = append(pairs, Pair{ai, li})
		}
	}
	return pairs
}

// overlap reports whether two ascending account lists share an account.
func overlap(a, b []uint64) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}

// intersect counts the accounts two ascending lists share.
func intersect(a, b []uint64) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}

// labelsOf returns the labels of typology t (all labels when t is "").
func labelsOf(lbls []labels.Label, t replay.Typology) []labels.Label {
	if t == "" {
		return lbls
	}
	var out []labels.Label
	for _, l := range lbls {
		if l.Typology == t {
			out = append(out, l)
		}
	}
	return out
}
