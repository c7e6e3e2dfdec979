package backtest

import (
	"context"
	"time"

	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/results"
	"github.com/tapetest/tapetest/scoring"
)

// MaxCoverageGap is the longest stretch without an event that still counts as
// time an instrument's data covers. A longer gap — between two pump episodes'
// files of the same coin, over a weekend or a day's close — is time nobody
// observed: no alert could be raised there, so it is not exposure. An hour
// keeps a quiet coin's minutes without trades inside its coverage.
const MaxCoverageGap = time.Hour

// coverage measures, per instrument, the time its events cover: stretches of
// consecutive events no more than MaxCoverageGap apart.
type coverage struct {
	first, last []int64
	segs        [][][2]int64 // closed segments per instrument
	seen        []bool
}

func newCoverage(n int) *coverage {
	return &coverage{first: make([]int64, n), last: make([]int64, n), segs: make([][][2]int64, n), seen: make([]bool, n)}
}

func (c *coverage) Name() string                                 { return "coverage" }
func (c *coverage) Start(context.Context, *replay.RunInfo) error { return nil }
func (c *coverage) Finish(context.Context) error                 { return nil }
func (c *coverage) Consume(_ context.Context, b *replay.Batch) error {
	gap := int64(MaxCoverageGap)
	for i := range b.Records {
		e := &b.Records[i].Event
		s := e.Symbol
		switch {
		case !c.seen[s]:
			c.seen[s], c.first[s], c.last[s] = true, e.TS, e.TS
		case e.TS-c.last[s] > gap:
			c.segs[s] = append(c.segs[s], [2]int64{c.first[s], c.last[s]})
			c.first[s], c.last[s] = e.TS, e.TS
		default:
			c.last[s] = max(c.last[s], e.TS)
		}
	}
	return nil
}

// exposure is what the replay covered, and its stretches. A synthetic
// instrument's market exists for the whole run [start, end]; a historical
// one's covers what its events cover. CoveredDays is the union over
// instruments (the universe's days); InstrumentDays their sum.
func (c *coverage) exposure(insts []replay.Instrument, synthetic map[string]bool, start, end int64) (results.Exposure, []scoring.Segment) {
	const day = float64(24 * time.Hour)
	ex := results.Exposure{MaxGap: MaxCoverageGap.String()}
	var all []scoring.Segment
	for s, in := range insts {
		var segs []scoring.Segment
		switch {
		case synthetic[in.Symbol]:
			segs = []scoring.Segment{{Symbol: in.Symbol, Start: start, End: end}}
		case c.seen[s]:
			for _, g := range c.segs[s] {
				segs = append(segs, scoring.Segment{Symbol: in.Symbol, Start: g[0], End: g[1]})
			}
			segs = append(segs, scoring.Segment{Symbol: in.Symbol, Start: c.first[s], End: c.last[s]})
		}
		ns, _ := scoring.Covered(segs)
		all = append(all, segs...)
		ex.Instruments = append(ex.Instruments, results.InstrumentExposure{Symbol: in.Symbol, Days: float64(ns) / day, Stretches: len(segs)})
	}
	sum, union := scoring.Covered(all)
	ex.InstrumentDays, ex.CoveredDays = float64(sum)/day, float64(union)/day
	return ex, all
}
