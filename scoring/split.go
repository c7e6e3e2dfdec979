package scoring

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/labels"
)

// Segment is a stretch of one instrument's data without a gap longer than
// the coverage limit: a historical file, a pump's window, a synthetic
// instrument's whole run. Segments are the episodes a split groups by and
// the blocks the alert-rate bootstrap resamples.
type Segment struct {
	Symbol string `json:"symbol"`
	Start  int64  `json:"start"` // ns, the first event
	End    int64  `json:"end"`   // ns, the last event
}

// Split says how a select: rule's calibration is kept apart from the data
// its metrics are measured on. A holdout (Folds 0) calibrates on the first
// Fraction of the run by time, or of its episodes or instruments in time
// order, and measures on the rest. A k-fold split (Folds k) puts each group
// — an episode, an instrument, or one of k blocks of time — in one fold,
// chooses each fold's threshold on the other folds, and pools the folds'
// held-out alerts: every label and every alert is measured once, by a
// threshold chosen without it (cross-validation). The zero Split is none.
type Split struct {
	By       string  `json:"by,omitempty"`       // time, episode or instrument; auto: episode or time (DefaultSplit)
	Fraction float64 `json:"fraction,omitempty"` // a holdout's calibration share, 0 < F < 1
	Folds    int     `json:"folds,omitempty"`    // k of a k-fold split; 0 for a holdout
}

// DefaultSplit is the split of a run whose scoring names none: five folds,
// by episode when the run has at least AutoEpisodes episodes, else by time
// (a synthetic suite's few instruments are not enough folds). "none"
// measures in-sample, and says so.
var DefaultSplit = Split{By: "auto", Folds: 5}

// AutoEpisodes is how many episodes an automatic split needs to group its
// folds by episode: two per fold.
const AutoEpisodes = 10

// resolveSplit turns an automatic split into the one it applies to this
// instance's alerts and labels.
func resolveSplit(sp Split, alerts []detectors.Alert, lbls []labels.Label, opts Options) Split {
	if sp.By != "auto" {
		return sp
	}
	segs := segmentsOf(alerts, lbls, opts)
	if episodes(segs, make([]int, len(segs))) >= AutoEpisodes {
		sp.By = "episode"
	} else {
		sp.By = "time"
	}
	return sp
}

// splitSyntax is what ParseSplit accepts, for error messages and docs.
const splitSyntax = "time F, episode F or instrument F (0 < F < 1), folds K [by episode|instrument|time|auto] (K ≥ 2), or none"

// ParseSplit reads a scoring split: "time 0.5", "episode 0.5",
// "instrument 0.5", "folds 5", "folds 5 by instrument". Empty is none.
func ParseSplit(s string) (Split, error) {
	f := strings.Fields(s)
	if len(f) == 0 || (len(f) == 1 && f[0] == "none") {
		return Split{}, nil
	}
	bad := fmt.Errorf("scoring: split %q: want %s", s, splitSyntax)
	switch f[0] {
	case "time", "episode", "instrument":
		if len(f) != 2 {
			return Split{}, bad
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil || !(v > 0 && v < 1) {
			return Split{}, bad
		}
		return Split{By: f[0], Fraction: v}, nil
	case "folds":
		if len(f) != 2 && !(len(f) == 4 && f[2] == "by") {
			return Split{}, bad
		}
		k, err := strconv.Atoi(f[1])
		if err != nil || k < 2 || k > 1000 {
			return Split{}, bad
		}
		sp := Split{By: "episode", Folds: k}
		if len(f) == 4 {
			sp.By = f[3]
		}
		if sp.By != "episode" && sp.By != "instrument" && sp.By != "time" && sp.By != "auto" {
			return Split{}, bad
		}
		return sp, nil
	}
	return Split{}, bad
}

// Set reports whether the split separates anything.
func (s Split) Set() bool { return s.By != "" }

// String is the split as a spec writes it.
func (s Split) String() string {
	switch {
	case !s.Set():
		return "none"
	case s.Folds > 0:
		return fmt.Sprintf("folds %d by %s", s.Folds, s.By)
	}
	return fmt.Sprintf("%s %g", s.By, s.Fraction)
}

// partition is a split applied to a run: the part (fold) of every alert and
// label, and each part's exposure.
type partition struct {
	parts    int
	alertOf  []int
	labelOf  []int
	segments []Segment // the run's segments (given, or one per symbol from what was scored)
	given    bool      // segments came with the options
	// segPart is each segment's part for grouped splits; clip the parts'
	// time ranges for time splits.
	segPart []int
	clip    [][2]int64
	desc    []string // what each part holds, for OperatingPoint.Split
}

// segmentsOf returns the options' segments, or — when the scoring was not
// given them — one per symbol spanning what the alerts and labels touch.
func segmentsOf(alerts []detectors.Alert, lbls []labels.Label, opts Options) []Segment {
	if len(opts.Segments) > 0 {
		segs := append([]Segment(nil), opts.Segments...)
		sortSegments(segs)
		return segs
	}
	span := map[string][2]int64{}
	add := func(sym string, a, b int64) {
		s, ok := span[sym]
		if !ok {
			s = [2]int64{a, b}
		}
		span[sym] = [2]int64{min(s[0], a), max(s[1], b)}
	}
	for _, a := range alerts {
		add(a.Symbol, a.RaisedAt, a.RaisedAt)
	}
	for _, l := range lbls {
		add(l.Symbol, l.Start, l.End)
	}
	var out []Segment
	for sym, s := range span {
		out = append(out, Segment{Symbol: sym, Start: s[0], End: s[1]})
	}
	sortSegments(out)
	return out
}

func sortSegments(segs []Segment) {
	sort.Slice(segs, func(i, j int) bool {
		if segs[i].Start != segs[j].Start {
			return segs[i].Start < segs[j].Start
		}
		return segs[i].Symbol < segs[j].Symbol
	})
}

// EpisodeGap is the longest gap between two stretches of one instrument
// that still belong to one episode: a pump's file with a quiet night in it
// is one episode; the same coin's next pump, months later, is another.
const EpisodeGap = 24 * time.Hour

// episodes numbers the episodes of segs (sorted by start) into group, in
// the order they start, and returns how many there are.
func episodes(segs []Segment, group []int) int {
	last := map[string]int{} // symbol → its latest segment
	var firstOf []int        // episode → its first segment
	ep := make([]int, len(segs))
	for i, s := range segs {
		if j, ok := last[s.Symbol]; ok && s.Start-segs[j].End <= int64(EpisodeGap) {
			ep[i] = ep[j]
		} else {
			ep[i] = len(firstOf)
			firstOf = append(firstOf, i)
		}
		if j, ok := last[s.Symbol]; !ok || s.End >= segs[j].End {
			last[s.Symbol] = i
		}
	}
	copy(group, ep) // segments are sorted by start, so episodes are numbered in start order
	return len(firstOf)
}

// segmentAt is the index of the segment of symbol holding t: the last one
// of the symbol starting at or before t, else its first; -1 for a symbol
// with none.
func segmentAt(bySym map[string][]int, segs []Segment, sym string, t int64) int {
	idx := bySym[sym]
	if len(idx) == 0 {
		return -1
	}
	k := sort.Search(len(idx), func(i int) bool { return segs[idx[i]].Start > t })
	if k == 0 {
		return idx[0]
	}
	return idx[k-1]
}

// newPartition applies the split to alerts and labels. A holdout has two
// parts: 0 calibrates, 1 measures.
func newPartition(sp Split, alerts []detectors.Alert, lbls []labels.Label, opts Options) *partition {
	segs := segmentsOf(alerts, lbls, opts)
	p := &partition{segments: segs, given: len(opts.Segments) > 0, alertOf: make([]int, len(alerts)), labelOf: make([]int, len(lbls))}
	lo, hi := opts.Start, opts.End
	if hi <= lo {
		lo, hi = math.MaxInt64, math.MinInt64
		for _, s := range segs {
			lo, hi = min(lo, s.Start), max(hi, s.End)
		}
	}
	if sp.By == "time" {
		var cuts []int64 // part i is [cuts[i], cuts[i+1])
		if sp.Folds > 0 {
			p.parts = sp.Folds
			for i := 0; i <= sp.Folds; i++ {
				cuts = append(cuts, lo+int64(float64(i)/float64(sp.Folds)*float64(hi-lo)))
			}
		} else {
			p.parts = 2
			cuts = []int64{lo, lo + int64(sp.Fraction*float64(hi-lo)), hi}
		}
		cuts[len(cuts)-1] = math.MaxInt64
		cuts[0] = math.MinInt64
		partOf := func(t int64) int { return max(0, sort.Search(len(cuts), func(i int) bool { return cuts[i] > t })-1) }
		for i, a := range alerts {
			p.alertOf[i] = partOf(a.RaisedAt)
		}
		for i, l := range lbls {
			p.labelOf[i] = partOf(l.Start)
		}
		for i := 0; i < p.parts; i++ {
			p.clip = append(p.clip, [2]int64{cuts[i], cuts[i+1]})
			p.desc = append(p.desc, "from "+time.Unix(0, max(lo, cuts[i])).UTC().Format(time.RFC3339))
		}
		return p
	}
	// Grouped: episodes (segments) or instruments, in the order they start.
	group := make([]int, len(segs))
	var groups int
	if sp.By == "instrument" {
		seen := map[string]int{}
		for i, s := range segs {
			g, ok := seen[s.Symbol]
			if !ok {
				g = len(seen)
				seen[s.Symbol] = g
			}
			group[i] = g
		}
		groups = len(seen)
	} else {
		groups = episodes(segs, group)
	}
	p.segPart = make([]int, len(segs))
	if sp.Folds > 0 {
		p.parts = sp.Folds
		for i, g := range group {
			p.segPart[i] = g % sp.Folds
		}
	} else {
		p.parts = 2
		cal := int(math.Round(sp.Fraction * float64(groups)))
		for i, g := range group {
			if g >= cal {
				p.segPart[i] = 1
			}
		}
	}
	bySym := map[string][]int{}
	for i, s := range segs {
		bySym[s.Symbol] = append(bySym[s.Symbol], i)
	}
	for _, idx := range bySym {
		sort.Slice(idx, func(a, b int) bool { return segs[idx[a]].Start < segs[idx[b]].Start })
	}
	partAt := func(sym string, t int64) int {
		if i := segmentAt(bySym, segs, sym, t); i >= 0 {
			return p.segPart[i]
		}
		return 0
	}
	for i, a := range alerts {
		p.alertOf[i] = partAt(a.Symbol, a.RaisedAt)
	}
	for i, l := range lbls {
		p.labelOf[i] = partAt(l.Symbol, l.Start)
	}
	unit := map[string]string{"episode": "episodes", "instrument": "instruments"}[sp.By]
	for k := 0; k < p.parts; k++ {
		in := map[int]bool{}
		for i, g := range group {
			if p.segPart[i] == k {
				in[g] = true
			}
		}
		p.desc = append(p.desc, fmt.Sprintf("%d %s", len(in), unit))
	}
	return p
}

// subset returns the alerts and labels in parts where in(part) holds. The
// alerts go into buf's room when buf is not nil (the folds of a k-fold
// split reuse theirs: a fold's alerts are most of a run's, and a copy each
// was a long run's largest transient while scoring), else into a slice of
// their number.
func (p *partition) subset(buf, alerts []detectors.Alert, lbls []labels.Label, in func(int) bool) ([]detectors.Alert, []labels.Label) {
	var as []detectors.Alert
	if buf == nil {
		as = selectAlerts(alerts, func(i int) bool { return in(p.alertOf[i]) })
	} else {
		as = buf[:0]
		for i := range alerts {
			if in(p.alertOf[i]) {
				as = append(as, alerts[i])
			}
		}
	}
	var ls []labels.Label
	for i, l := range lbls {
		if in(p.labelOf[i]) {
			ls = append(ls, l)
		}
	}
	return as, ls
}

// options are opts with the exposure of the parts where in(part) holds:
// the share of the segments' instrument time and of their union those
// parts cover, applied to the run's covered days and instrument-days (so
// that with the run's own segments they are the parts' exact exposure).
func (p *partition) options(opts Options, in func(int) bool) Options {
	var all, part [][2]int64
	var segs []Segment
	for i, s := range p.segments {
		all = append(all, [2]int64{s.Start, s.End})
		switch {
		case p.segPart != nil:
			if in(p.segPart[i]) {
				segs = append(segs, s)
			}
		default:
			for k, c := range p.clip {
				if in(k) && s.End >= c[0] && s.Start < c[1] {
					segs = append(segs, Segment{s.Symbol, max(s.Start, c[0]), min(s.End, c[1])})
				}
			}
		}
	}
	for _, s := range segs {
		part = append(part, [2]int64{s.Start, s.End})
	}
	out := opts
	out.Segments = nil
	if p.given {
		out.Segments = segs
	}
	out.InstrumentDays = opts.InstrumentDays * share(total(part), total(all))
	out.Days = opts.Days * share(unionOf(part), unionOf(all))
	return out
}

// Covered is the time segments cover: summed over instruments (sum, the
// instrument-time) and their union (the universe's time), in ns.
func Covered(segs []Segment) (sum, union int64) {
	ivs := make([][2]int64, len(segs))
	for i, s := range segs {
		ivs[i] = [2]int64{s.Start, s.End}
	}
	return total(ivs), unionOf(ivs)
}

func share(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func total(ivs [][2]int64) int64 {
	var n int64
	for _, v := range ivs {
		n += v[1] - v[0]
	}
	return n
}

func unionOf(ivs [][2]int64) int64 {
	ivs = append([][2]int64(nil), ivs...)
	sort.Slice(ivs, func(i, j int) bool { return ivs[i][0] < ivs[j][0] })
	var n int64
	for i := 0; i < len(ivs); {
		lo, hi := ivs[i][0], ivs[i][1]
		for i++; i < len(ivs) && ivs[i][0] <= hi; i++ {
			hi = max(hi, ivs[i][1])
		}
		n += hi - lo
	}
	return n
}
