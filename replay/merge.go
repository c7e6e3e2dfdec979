package replay

import (
	"container/heap"
	"fmt"
	"io"
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
// (source 0's first); the same symbol and venue defined differently by two
// sources is an error. Event.Symbol is remapped to the unified table and
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
			} else if m.insts[id] != inst {
				return nil, fmt.Errorf("merge: source %d defines %s (venue %q) as %+v, an earlier source as %+v", rank, inst.Symbol, inst.Venue, inst, m.insts[id])
			}
			in.lut = append(in.lut, id)
		}
		m.inputs = append(m.inputs, in)
		if in.n > 0 {
			m.h = append(m.h, in)
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
	read   int64 // events consumed from this source
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
