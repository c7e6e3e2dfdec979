package replay

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/parquet-go/parquet-go"
	"github.com/tapetest/tapetest/orderbook"
)

// EventFileReadOptions configure OpenEventFile.
type EventFileReadOptions struct {
	// Parallel is how many row groups may be decoded concurrently ahead of the
	// one being read (0 or 1: decode in the reading goroutine). Events are
	// always delivered in file order.
	Parallel int
}

// EventReader streams a canonical event file row group by row group, decoding
// typed column pages (no reflection). It implements EventSource. Memory is
// bounded by (Parallel+1) decoded row groups.
type EventReader struct {
	path   string
	f      *os.File
	pf     *parquet.File
	insts  []Instrument
	symIdx map[string]uint32
	rgs    []parquet.RowGroup
	cols   [10]int // leaf column index of each decoded column

	cur  *colBatch
	pos  int
	next int // next row group to hand out

	parallel int
	pool     sync.Pool
	slots    []chan *colBatch // ring of pending decodes (parallel mode)
	issued   int
	done     chan struct{}
	closed   bool
}

// colBatch is one decoded row group.
type colBatch struct {
	rg    int
	n     int
	ts    []int64
	seq   []uint64
	sym   []uint32
	act   []Action
	side  []orderbook.Side
	flags []uint32
	oid   []uint64
	acct  []uint64
	price []int64
	qty   []int64
	err   error
}

// OpenEventFile opens a canonical event file written by EventWriter.
func OpenEventFile(path string, opts EventFileReadOptions) (*EventReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	pf, err := openParquet(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: not a Parquet file: %w", path, err)
	}
	r := &EventReader{path: path, f: f, pf: pf, rgs: pf.RowGroups(), parallel: opts.Parallel, done: make(chan struct{})}
	if err := r.readMeta(); err != nil {
		f.Close()
		return nil, err
	}
	if r.parallel > 1 {
		r.slots = make([]chan *colBatch, r.parallel)
		for i := range r.slots {
			r.slots[i] = make(chan *colBatch, 1)
		}
		for r.issued < len(r.rgs) && r.issued < r.parallel {
			r.issue()
		}
	}
	return r, nil
}

// openParquet opens a Parquet file, turning a panic of the Parquet library on a
// corrupt footer into an error.
func openParquet(f *os.File, size int64) (pf *parquet.File, err error) {
	defer func() {
		if e := recover(); e != nil {
			err = fmt.Errorf("corrupt footer: %v", e)
		}
	}()
	return parquet.OpenFile(f, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
}

func (r *EventReader) readMeta() error {
	v, ok := r.pf.Lookup(MetaSchemaVersion)
	if !ok {
		return fmt.Errorf("%s: not a tapetest event file (no %s metadata)", r.path, MetaSchemaVersion)
	}
	if v != EventFileSchemaVersion {
		return fmt.Errorf("%s: event schema version %q, this tapetest reads %q", r.path, v, EventFileSchemaVersion)
	}
	js, _ := r.pf.Lookup(MetaInstruments)
	if err := json.Unmarshal([]byte(js), &r.insts); err != nil {
		return fmt.Errorf("%s: metadata %s: %w", r.path, MetaInstruments, err)
	}
	r.symIdx = make(map[string]uint32, len(r.insts))
	for i, in := range r.insts {
		r.symIdx[in.Symbol] = uint32(i)
	}
	leaves := map[string]int{}
	for i, c := range r.pf.Schema().Columns() {
		if len(c) == 1 {
			leaves[c[0]] = i
		}
	}
	for k, name := range eventColumns[:10] {
		i, ok := leaves[name]
		if !ok {
			return fmt.Errorf("%s: column %q missing", r.path, name)
		}
		r.cols[k] = i
	}
	return nil
}

// Instruments is the file's instrument table.
func (r *EventReader) Instruments() []Instrument { return r.insts }

// NumRows is the number of events in the file.
func (r *EventReader) NumRows() int64 { return r.pf.NumRows() }

// Source is the file's tapetest.source metadata.
func (r *EventReader) Source() string { v, _ := r.pf.Lookup(MetaSource); return v }

// Close stops background decoding and closes the file.
func (r *EventReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	close(r.done)
	// Drain in-flight decodes so no goroutine touches the file after Close.
	for i := r.next; i < r.issued; i++ {
		<-r.slots[i%len(r.slots)]
	}
	return r.f.Close()
}

func (r *EventReader) issue() {
	rg := r.issued
	r.issued++
	ch := r.slots[rg%len(r.slots)]
	b := r.getBatch()
	go func() {
		r.decode(rg, b)
		ch <- b
	}()
}

func (r *EventReader) getBatch() *colBatch {
	if b, ok := r.pool.Get().(*colBatch); ok {
		return b
	}
	return &colBatch{}
}

// Read fills dst with up to len(dst) events in file order.
func (r *EventReader) Read(dst []Event) (int, error) {
	n := 0
	for n < len(dst) {
		if r.cur == nil || r.pos >= r.cur.n {
			if r.cur != nil {
				r.pool.Put(r.cur)
				r.cur = nil
			}
			if r.next >= len(r.rgs) {
				if n == 0 {
					return 0, io.EOF
				}
				return n, nil
			}
			b, err := r.fetch()
			if err != nil {
				return n, err
			}
			r.cur, r.pos = b, 0
			continue
		}
		b := r.cur
		k := min(len(dst)-n, b.n-r.pos)
		out := dst[n : n+k]
		p := r.pos
		for i := range out {
			j := p + i
			out[i] = Event{TS: b.ts[j], Seq: b.seq[j], Symbol: b.sym[j], Action: b.act[j], Side: b.side[j],
				Flags: Flags(b.flags[j]), OrderID: b.oid[j], Account: b.acct[j], Price: b.price[j], Qty: b.qty[j]}
		}
		r.pos += k
		n += k
	}
	return n, nil
}

func (r *EventReader) fetch() (*colBatch, error) {
	rg := r.next
	r.next++
	if r.parallel <= 1 {
		b := r.getBatch()
		r.decode(rg, b)
		return b, b.err
	}
	b := <-r.slots[rg%len(r.slots)]
	if r.issued < len(r.rgs) {
		r.issue()
	}
	return b, b.err
}

// decode reads every needed column of row group rg into b.
func (r *EventReader) decode(rg int, b *colBatch) {
	defer func() {
		if e := recover(); e != nil {
			b.err = fmt.Errorf("%s: row group %d: corrupt data: %v", r.path, rg, e)
		}
	}()
	g := r.rgs[rg]
	n := int(g.NumRows())
	b.rg, b.n, b.err = rg, n, nil
	b.ts = grow(b.ts, n)
	b.seq = grow(b.seq, n)
	b.sym = grow(b.sym, n)
	b.act = grow(b.act, n)
	b.side = grow(b.side, n)
	b.flags = grow(b.flags, n)
	b.oid = grow(b.oid, n)
	b.acct = grow(b.acct, n)
	b.price = grow(b.price, n)
	b.qty = grow(b.qty, n)
	chunks := g.ColumnChunks()
	for k := range r.cols {
		if err := r.decodeColumn(rg, k, chunks[r.cols[k]], b); err != nil {
			b.err = err
			return
		}
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func (r *EventReader) colErr(rg, k int, row int, format string, args ...any) error {
	return fmt.Errorf("%s: row group %d, row %d, column %s: %s", r.path, rg, row, eventColumns[k], fmt.Sprintf(format, args...))
}

func (r *EventReader) decodeColumn(rg, k int, cc parquet.ColumnChunk, b *colBatch) error {
	pages := cc.Pages()
	defer pages.Close()
	off := 0
	var lut []uint8
	var symLut []uint32
	var lastDict parquet.Dictionary
	for off < b.n {
		select {
		case <-r.done:
			return errors.New("event file closed")
		default:
		}
		p, err := pages.ReadPage()
		if err == io.EOF {
			break
		}
		if err != nil {
			return r.colErr(rg, k, off, "%v", err)
		}
		cnt := int(p.NumValues())
		if p.NumNulls() != 0 || off+cnt > b.n {
			parquet.Release(p)
			return r.colErr(rg, k, off, "unexpected nulls or page size")
		}
		data := p.Data()
		switch k {
		case 0:
			copy(b.ts[off:], data.Int64()[:cnt])
		case 1:
			copy(b.seq[off:], data.Uint64()[:cnt])
		case 5:
			copy(b.flags[off:], data.Uint32()[:cnt])
		case 6:
			copy(b.oid[off:], data.Uint64()[:cnt])
		case 7:
			copy(b.acct[off:], data.Uint64()[:cnt])
		case 8:
			copy(b.price[off:], data.Int64()[:cnt])
		case 9:
			copy(b.qty[off:], data.Int64()[:cnt])
		case 2, 3, 4:
			dict := p.Dictionary()
			if dict == nil {
				parquet.Release(p)
				return r.colErr(rg, k, off, "expected a dictionary-encoded column")
			}
			if dict != lastDict {
				lastDict = dict
				lut, symLut, err = r.lookupTable(rg, k, off, dict)
				if err != nil {
					parquet.Release(p)
					return err
				}
			}
			idx := data.Int32()[:cnt]
			for i, x := range idx {
				if x < 0 || int(x) >= dict.Len() {
					parquet.Release(p)
					return r.colErr(rg, k, off+i, "dictionary index %d out of range", x)
				}
				switch k {
				case 2:
					b.sym[off+i] = symLut[x]
				case 3:
					b.act[off+i] = Action(lut[x])
				case 4:
					b.side[off+i] = orderbook.Side(lut[x])
				}
			}
		}
		parquet.Release(p)
		off += cnt
	}
	if off != b.n {
		return r.colErr(rg, k, off, "column has %d values, row group has %d rows", off, b.n)
	}
	return nil
}

// lookupTable maps a page dictionary's strings to actions, sides or symbol indexes.
func (r *EventReader) lookupTable(rg, k, row int, dict parquet.Dictionary) ([]uint8, []uint32, error) {
	n := dict.Len()
	lut := make([]uint8, n)
	var sym []uint32
	if k == 2 {
		sym = make([]uint32, n)
	}
	for i := 0; i < n; i++ {
		s := dict.Index(int32(i)).String()
		switch k {
		case 2:
			id, ok := r.symIdx[s]
			if !ok {
				return nil, nil, r.colErr(rg, k, row, "symbol %q is not in the instrument table", s)
			}
			sym[i] = id
		case 3:
			a, ok := ParseAction(s)
			if !ok {
				return nil, nil, r.colErr(rg, k, row, "unknown action %q", s)
			}
			lut[i] = uint8(a)
		case 4:
			switch s {
			case "buy":
				lut[i] = uint8(orderbook.Buy)
			case "sell":
				lut[i] = uint8(orderbook.Sell)
			case "none":
				lut[i] = uint8(orderbook.SideNone)
			default:
				return nil, nil, r.colErr(rg, k, row, "unknown side %q", s)
			}
		}
	}
	return lut, sym, nil
}
