package replay

import (
	"container/heap"
	"errors"
	"fmt"
	"io"
	"math"
)

// MergeOptions configure Merge.
type MergeOptions struct {
	ChunkSize int // events buffered per source; default 4096
}

// Merge combines sources into one stream ordered by (ts, source rank, source
// order), where a source's rank is its index in sources. It is a streaming
// k-way merge: memory is ChunkSize events per source.
//
// Instruments are unified by (symbol, venue) in order of first appearance
// (source 0's first); the same symbol and venue in different price or
// quantity scales (two days of one coin whose files imply other decimals) is
// unified to the finer scales, the other source's prices and quantities
// rescaled exactly; defined differently otherwise, it is an error. Event.Symbol is remapped to the unified table and
// Event.Seq is renumbered 1, 2, ... in merged order, so it stays unique. Each
// source must be in non-decreasing time order; an event earlier than its
// predecessor is an error naming the source and position.
func Merge(sources []EventSource, opts MergeOptions) (EventSource, error) {
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = 4096
	}
	m := &merger{}
	type key struct{ sym, venue string }
	index := map[key]uint32{}
	for rank, s := range sources {
		in := &mergeInput{src: s, rank: rank, buf: make([]Event, opts.ChunkSize)}
		if err := in.fill(); err != nil {
			return nil, err
		}
		for _, inst := range s.Instruments() {
			k := key{inst.Symbol, inst.Venue}
			id, ok := index[k]
			if !ok {
				id = uint32(len(m.insts))
				index[k] = id
				m.insts = append(m.insts, inst)
			} else if u, err := unifyScales(m.insts[id], inst); err != nil {
				return nil, fmt.Errorf("merge: source %d defines %s (venue %q) as %+v, an earlier source as %+v: %w", rank, inst.Symbol, inst.Venue, inst, m.insts[id], err)
			} else {
				m.insts[id] = u
			}
			in.lut = append(in.lut, id)
		}
		m.inputs = append(m.inputs, in)
		if in.n > 0 {
			m.h = append(m.h, in)
		}
	}
	// Every source's prices and quantities in the unified (finest) scales.
	for _, in := range m.inputs {
		for local, id := range in.lut {
			src := in.src.Instruments()[local]
			in.pmul = append(in.pmul, pow10(m.insts[id].PriceExp-src.PriceExp))
			in.qmul = append(in.qmul, pow10(m.insts[id].QtyExp-src.QtyExp))
		}
	}
	heap.Init(&m.h)
	return m, nil
}

type mergeInput struct {
	src    EventSource
	rank   int
	buf    []Event
	pos, n int
	eof    bool
	lut    []uint32
	pmul   []int64 // per local symbol: factor to the unified price scale
	qmul   []int64 // and quantity scale
	read   int64   // events consumed from this source
	lastTS int64
}

// fill refills the buffer; after it, n == 0 means the source is exhausted.
func (in *mergeInput) fill() error {
	in.pos, in.n = 0, 0
	for in.n == 0 && !in.eof {
		k, err := in.src.Read(in.buf)
		in.n = k
		if err == io.EOF {
			in.eof = true
		} else if err != nil {
			return fmt.Errorf("merge: source %d: %w", in.rank, err)
		}
	}
	return nil
}

type mergeHeap []*mergeInput

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	a, b := &h[i].buf[h[i].pos], &h[j].buf[h[j].pos]
	if a.TS != b.TS {
		return a.TS < b.TS
	}
	return h[i].rank < h[j].rank
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(*mergeInput)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type merger struct {
	inputs []*mergeInput
	insts  []Instrument
	h      mergeHeap
	seq    uint64
}

func (m *merger) Instruments() []Instrument { return m.insts }

func (m *merger) Read(dst []Event) (int, error) {
	n := 0
	for n < len(dst) && len(m.h) > 0 {
		in := m.h[0]
		ev := in.buf[in.pos]
		if in.read > 0 && ev.TS < in.lastTS {
			return n, fmt.Errorf("merge: source %d, event %d: time %d is before the previous event's %d (sources must be in time order)", in.rank, in.read+1, ev.TS, in.lastTS)
		}
		if int(ev.Symbol) >= len(in.lut) {
			return n, fmt.Errorf("merge: source %d, event %d: symbol index %d not in its instrument table", in.rank, in.read+1, ev.Symbol)
		}
		in.lastTS = ev.TS
		in.read++
		if pm, qm := in.pmul[ev.Symbol], in.qmul[ev.Symbol]; pm != 1 || qm != 1 {
			if abs64(ev.Price) > math.MaxInt64/pm || abs64(ev.Qty) > math.MaxInt64/qm {
				return n, fmt.Errorf("merge: source %d, event %d: price %d or quantity %d overflows the unified scale", in.rank, in.read, ev.Price, ev.Qty)
			}
			ev.Price *= pm
			ev.Qty *= qm
		}
		ev.Symbol = in.lut[ev.Symbol]
		m.seq++
		ev.Seq = m.seq
		dst[n] = ev
		n++
		in.pos++
		if in.pos == in.n {
			if err := in.fill(); err != nil {
				return n, err
			}
			if in.n == 0 {
				heap.Pop(&m.h)
				continue
			}
		}
		heap.Fix(&m.h, 0)
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// unifyScales returns the instrument both a and b describe, in the finer of
// their price and quantity scales (ticks and lots to their common grid). They
// must agree on everything else.
func unifyScales(a, b Instrument) (Instrument, error) {
	if a == b {
		return a, nil
	}
	x, y := a, b
	x.PriceExp, x.QtyExp, x.Tick, x.Lot = 0, 0, 0, 0
	y.PriceExp, y.QtyExp, y.Tick, y.Lot = 0, 0, 0, 0
	if x != y || (a.PriceExp == b.PriceExp && a.QtyExp == b.QtyExp) {
		return a, errors.New("they differ in more than their scales")
	}
	u := a
	u.PriceExp, u.QtyExp = max(a.PriceExp, b.PriceExp), max(a.QtyExp, b.QtyExp)
	if u.PriceExp-min(a.PriceExp, b.PriceExp) > 18 || u.QtyExp-min(a.QtyExp, b.QtyExp) > 18 {
		return a, errors.New("their scales are too far apart")
	}
	u.Tick = gcd(a.Tick*pow10(u.PriceExp-a.PriceExp), b.Tick*pow10(u.PriceExp-b.PriceExp))
	u.Lot = gcd(a.Lot*pow10(u.QtyExp-a.QtyExp), b.Lot*pow10(u.QtyExp-b.QtyExp))
	return u, nil
}

func pow10(n int8) int64 {
	v := int64(1)
	for ; n > 0; n-- {
		v *= 10
	}
	return v
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return max(a, 1)
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// Counts merges the sources' reconciliation counts (by kind, summed).
func (m *merger) Counts() []Count {
	var all []Count
	for _, in := range m.inputs {
		if c, ok := in.src.(Counter); ok {
			all = append(all, c.Counts()...)
		}
	}
	return SumCounts(all)
}

// Close closes every source and returns the first error.
func (m *merger) Close() error {
	var first error
	for _, in := range m.inputs {
		if err := in.src.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
