package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tapetest/tapetest/internal/ahead"
	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/replay"
)

// A synthetic spec's instruments do not depend on one another: every
// instrument's actors — background agents, leveraged traders, injections,
// venue rules' clocks — act on it alone, and draw from random streams and
// accounts of their own (Spec.Active). So each instrument is generated in a
// lane of its own (up to maxLanes: past that, lanes hold several), on a
// goroutine of its own, and the lanes are merged: events in time order, a
// tie between lanes in the lanes' order, numbered as they come out. A lane numbers its orders k,
// k+n, k+2n, ... past the run's base (lane k of n), so the ids are unique
// without the lanes agreeing on anything while they run. The output is the
// same whatever the number of cores: nothing depends on which lane ran
// ahead (TestLanesMergeTheSameEvents, TestLanesAreTheWholeSpecsMarkets).

// laneOf is a lane's place among a run's lanes.
type laneOf struct{ index, of int }

// laneChunk is how many events a lane generates before the merge takes
// them, and laneRing how many chunks it may run ahead.
const (
	laneChunk = 4096
	laneRing  = 3
)

// maxLanes bounds the lanes of a run: a lane builds the whole spec's setup
// (every instrument's agents draw their streams and accounts), so a spec of
// many instruments deals them out to this many lanes — instrument i to
// lane i mod maxLanes — instead of one lane each. A constant, not the
// machine's cores: the events are the same on every machine.
const maxLanes = 8

// laneCount is how many lanes spec is generated in: one per instrument, up
// to maxLanes, for a synthetic spec of several (a spec with historical
// files, or one that names its active instruments — a lane, realism's
// measured instrument — is generated whole).
func laneCount(spec *Spec) int {
	if spec.Historical() || spec.Part != nil || len(spec.Active) > 0 {
		return 1
	}
	return min(len(spec.Instruments), maxLanes)
}

// laneMerge is the merge of a run's lanes.
type laneMerge struct {
	gens    []*Generator
	readers []*ahead.Reader[[]replay.Event]
	head    [][]replay.Event // what is left of each lane's current chunk
	held    [][]replay.Event // each lane's current chunk, to release
	ended   []bool           // the lane has no more events
	seq     uint64
	err     error
}

// newLanes builds spec's n lanes (instrument i in lane i mod n) and a
// generator that merges them.
func newLanes(spec *Spec, n int) (*Generator, error) {
	m := &laneMerge{head: make([][]replay.Event, n), held: make([][]replay.Event, n), ended: make([]bool, n)}
	for k := range n {
		ls := *spec
		ls.Active = nil
		for i := k; i < len(spec.Instruments); i += n {
			ls.Active = append(ls.Active, spec.Instruments[i].Symbol)
		}
		ls.lane = &laneOf{index: k, of: n}
		g, err := newGenerator(&ls)
		if err != nil {
			m.close()
			return nil, fmt.Errorf("lane of %s: %w", strings.Join(ls.Active, ", "), err)
		}
		m.gens = append(m.gens, g)
	}
	for _, g := range m.gens {
		bufs := make([][]replay.Event, laneRing)
		for i := range bufs {
			bufs[i] = make([]replay.Event, laneChunk)
		}
		m.readers = append(m.readers, ahead.Start(bufs, func(b []replay.Event) ([]replay.Event, error) {
			n, err := g.Read(b[:cap(b)])
			return b[:n], err
		}))
	}
	// The merging generator's own market is lane 0's, read only for what
	// setup fixed alike in every lane: the instruments, the account
	// population, the span.
	top := &Generator{market: m.gens[0].market, start: m.gens[0].start, end: m.gens[0].end, lanes: m}
	return top, nil
}

// fill gives lane k a chunk with events, or marks it ended.
func (m *laneMerge) fill(k int) error {
	for len(m.head[k]) == 0 && !m.ended[k] {
		if m.held[k] != nil {
			m.readers[k].Release(m.held[k])
			m.held[k] = nil
		}
		b, err := m.readers[k].Next(context.Background())
		m.held[k], m.head[k] = b, b
		switch {
		case errors.Is(err, io.EOF):
			m.ended[k] = true
		case err != nil:
			return fmt.Errorf("lane of %s: %w", strings.Join(m.gens[k].spec.Active, ", "), err)
		}
	}
	return nil
}

// read merges events into dst: the earliest of the lanes' next events, a
// tie going to the earlier lane; it takes a run of one
// lane's events at a time, up to the next event another lane has before it.
func (m *laneMerge) read(dst []replay.Event) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	n := 0
	for n < len(dst) {
		for k := range m.head {
			if err := m.fill(k); err != nil {
				m.err = err
				return n, err
			}
		}
		best, next := -1, -1 // the lane whose event comes first, and the lane after it
		for k, h := range m.head {
			if len(h) == 0 {
				continue
			}
			switch {
			case best < 0 || h[0].TS < m.head[best][0].TS:
				best, next = k, best
			case next < 0 || h[0].TS < m.head[next][0].TS:
				next = k
			}
		}
		if best < 0 {
			break // every lane ended
		}
		h := m.head[best]
		take := len(h)
		if next >= 0 {
			// Up to the other lane's next event: before it in time, or at
			// its time when this lane's instrument comes first.
			t := m.head[next][0].TS
			take = 0
			for take < len(h) && (h[take].TS < t || h[take].TS == t && best < next) {
				take++
			}
		}
		take = min(take, len(dst)-n)
		for i := range take {
			m.seq++
			dst[n+i] = h[i]
			dst[n+i].Seq = m.seq
		}
		n += take
		m.head[best] = h[take:]
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// close stops the lanes' goroutines and closes their generators.
func (m *laneMerge) close() error {
	for _, r := range m.readers {
		r.Stop()
	}
	var errs []error
	for _, g := range m.gens {
		errs = append(errs, g.Close())
	}
	return errors.Join(errs...)
}

// counts sums the lanes' counts.
func (m *laneMerge) counts() []replay.Count {
	var all []replay.Count
	for _, g := range m.gens {
		all = append(all, g.Counts()...)
	}
	return replay.SumCounts(all)
}

// labels are every lane's injections' labels, in order of start.
func (m *laneMerge) labels() []labels.Label {
	var out []labels.Label
	for _, g := range m.gens {
		out = append(out, g.Labels()...)
	}
	labels.SortByStart(out)
	return out
}
