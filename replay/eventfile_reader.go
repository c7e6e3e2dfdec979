package replay

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
	"github.com/tapetest/tapetest/orderbook"
)

// EventFileReadOptions configure OpenEventFile.
type EventFileReadOptions struct {
	// Parallel is how many row groups may be decoded concurrently ahead of the
	// one being read (0 or 1: decode in the reading goroutine). Events are
	// always delivered in file order.
	Parallel int
	// MaxRowGroupRows refuses files whose row groups claim more rows than
	// this (default DefaultMaxRowGroupRows), since a decoded row group is held
	// in memory (about 60 bytes per row).
	MaxRowGroupRows int64
}

// DefaultMaxRowGroupRows is the default EventFileReadOptions.MaxRowGroupRows.
const DefaultMaxRowGroupRows = 1 << 24

// EventReader streams a canonical event file row group by row group, decoding
// the typed column pages of each row group into reusable column buffers (no
// GenericReader, no reflection) and assembling events from them. It implements
// EventSource and is not safe for concurrent use. Memory is bounded by the row
// group, not the file: one decoded row group (about 58 bytes per row) with
// Parallel <= 1, at most Parallel+1 otherwise; the file itself is read through
// io.ReaderAt, so files larger than memory stream.
type EventReader struct {
	path   string
	f      *os.File
	pf     *parquet.File
	insts  []Instrument
	symIdx map[string]uint32
	rgs    []parquet.RowGroup
	cols   [colPriceF]int // leaf column index of each decoded (truth) column

	cur  *colBatch
	pos  int
	next int // next row group to hand out

	parallel int
	maxRows  int64
	free     []*colBatch      // decoded-row-group buffers ready for reuse (touched only by the reading goroutine)
	slots    []chan *colBatch // ring of pending decodes (parallel mode)
	issued   int
	done     chan struct{}
	closed   bool
	err      error // sticky: once a row group fails, every later Read returns it
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

// OpenEventFile opens a canonical event file written by EventWriter. It reads
// the footer only and checks it: a file that is not Parquet, lacks the
// tapetest metadata, has another schema version or column types gives an error
// wrapping ErrNotEventFile. Bad values inside row groups (unknown symbol,
// action or side, corrupt pages) are reported by Read with the file, row
// group, row and column.
func OpenEventFile(path string, opts EventFileReadOptions) (*EventReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open event file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open event file: %w", err)
	}
	pf, err := openParquet(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w: not a Parquet file: %v", path, ErrNotEventFile, err)
	}
	if opts.MaxRowGroupRows <= 0 {
		opts.MaxRowGroupRows = DefaultMaxRowGroupRows
	}
	r := &EventReader{path: path, f: f, pf: pf, rgs: pf.RowGroups(), parallel: opts.Parallel, maxRows: opts.MaxRowGroupRows, done: make(chan struct{})}
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
	// Check the footer length first: parquet-go allocates whatever a corrupt
	// one claims.
	var tail [8]byte
	if size < 12 {
		return nil, fmt.Errorf("%d bytes is too short", size)
	}
	if _, err := f.ReadAt(tail[:], size-8); err != nil {
		return nil, err
	}
	if string(tail[4:]) != "PAR1" {
		return nil, errors.New("no PAR1 magic at the end")
	}
	if n := int64(binary.LittleEndian.Uint32(tail[:4])); n+12 > size {
		return nil, fmt.Errorf("footer length %d exceeds the file size %d", n, size)
	}
	defer func() {
		if e := recover(); e != nil {
			err = fmt.Errorf("corrupt footer: %v", e)
		}
	}()
	return parquet.OpenFile(f, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
}

// ErrNotEventFile is wrapped by OpenEventFile's error when the file is not a
// readable canonical event file (not Parquet, no tapetest metadata, another
// schema or schema version).
var ErrNotEventFile = errors.New("not a tapetest event file")

func (r *EventReader) readMeta() (err error) {
	defer func() {
		if e := recover(); e != nil { // parquet-go panics on some corrupt schemas
			err = fmt.Errorf("%s: %w: corrupt schema: %v", r.path, ErrNotEventFile, e)
		}
	}()
	v, ok := r.pf.Lookup(MetaSchemaVersion)
	if !ok {
		return fmt.Errorf("%s: %w (no %s metadata)", r.path, ErrNotEventFile, MetaSchemaVersion)
	}
	if v != EventFileSchemaVersion {
		return fmt.Errorf("%s: %w: unsupported schema version %q (this tapetest reads %q)", r.path, ErrNotEventFile, v, EventFileSchemaVersion)
	}
	js, ok := r.pf.Lookup(MetaInstruments)
	if !ok {
		return fmt.Errorf("%s: %w (no %s metadata)", r.path, ErrNotEventFile, MetaInstruments)
	}
	if err := json.Unmarshal([]byte(js), &r.insts); err != nil {
		return fmt.Errorf("%s: metadata %s: %w", r.path, MetaInstruments, err)
	}
	r.symIdx = make(map[string]uint32, len(r.insts))
	for i, in := range r.insts {
		if _, dup := r.symIdx[in.Symbol]; dup {
			return fmt.Errorf("%s: metadata %s: symbol %q appears twice", r.path, MetaInstruments, in.Symbol)
		}
		r.symIdx[in.Symbol] = uint32(i)
	}
	// The truth columns must have exactly the canonical types; the float
	// convenience columns are not read.
	have := r.pf.Schema()
	for k, name := range eventColumns[:colPriceF] {
		want, _ := eventSchema.Lookup(name)
		got, ok := have.Lookup(name)
		if !ok {
			return fmt.Errorf("%s: %w: column %q missing", r.path, ErrNotEventFile, name)
		}
		if !got.Node.Leaf() || got.MaxDefinitionLevel != 0 || got.MaxRepetitionLevel != 0 {
			return fmt.Errorf("%s: %w: column %q is optional or repeated, want required", r.path, ErrNotEventFile, name)
		}
		if gt, wt := got.Node.Type(), want.Node.Type(); gt.Kind() != wt.Kind() || logicalName(gt) != logicalName(wt) {
			return fmt.Errorf("%s: %w: column %q has type %s %s, want %s %s", r.path, ErrNotEventFile, name, gt.Kind(), logicalName(gt), wt.Kind(), logicalName(wt))
		}
		r.cols[k] = got.ColumnIndex
	}
	var total int64
	for i, rg := range r.pf.Metadata().RowGroups {
		if rg.NumRows < 0 || rg.NumRows > r.maxRows {
			return fmt.Errorf("%s: row group %d has %d rows, more than the limit of %d (EventFileReadOptions.MaxRowGroupRows)", r.path, i, rg.NumRows, r.maxRows)
		}
		for k, c := range r.cols {
			if c >= len(rg.Columns) || rg.Columns[c].MetaData.NumValues != rg.NumRows {
				return fmt.Errorf("%s: row group %d, column %s: value count does not match the %d rows", r.path, i, eventColumns[k], rg.NumRows)
			}
		}
		total += rg.NumRows
	}
	if total != r.pf.NumRows() {
		return fmt.Errorf("%s: row groups hold %d rows, footer says %d", r.path, total, r.pf.NumRows())
	}
	return nil
}

func logicalName(t parquet.Type) string {
	if lt := t.LogicalType(); lt != nil {
		return lt.String()
	}
	return "(no logical type)"
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
	r.cur, r.free = nil, nil
	if err := r.f.Close(); err != nil {
		return fmt.Errorf("%s: %w", r.path, err)
	}
	return nil
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
	if n := len(r.free); n > 0 {
		b := r.free[n-1]
		r.free = r.free[:n-1]
		return b
	}
	return &colBatch{}
}

// Read fills dst with up to len(dst) events in file order.
func (r *EventReader) Read(dst []Event) (int, error) {
	if r.closed {
		return 0, fmt.Errorf("%s: read after Close", r.path)
	}
	if r.err != nil {
		return 0, r.err
	}
	n := 0
	for n < len(dst) {
		if r.cur == nil || r.pos >= r.cur.n {
			if r.cur != nil {
				r.free = append(r.free, r.cur)
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
				r.err = err
				return n, err
			}
			r.cur, r.pos = b, 0
			continue
		}
		b := r.cur
		k := min(len(dst)-n, b.n-r.pos)
		out := dst[n : n+k]
		p, e := r.pos, r.pos+k
		// Equal-length column windows let the compiler drop bounds checks.
		ts, seq, sym, act, side := b.ts[p:e], b.seq[p:e], b.sym[p:e], b.act[p:e], b.side[p:e]
		flags, oid, acct, price, qty := b.flags[p:e], b.oid[p:e], b.acct[p:e], b.price[p:e], b.qty[p:e]
		for i := range out {
			out[i] = Event{TS: ts[i], Seq: seq[i], Symbol: sym[i], Action: act[i], Side: side[i],
				Flags: Flags(flags[i]), OrderID: oid[i], Account: acct[i], Price: price[i], Qty: qty[i]}
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
	var lut []uint32 // dictionary index -> symbol index, action or side; badEntry if invalid
	var bad []string // dictionary index -> why it is invalid
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
		case colTS:
			copy(b.ts[off:], data.Int64()[:cnt])
		case colSeq:
			copy(b.seq[off:], data.Uint64()[:cnt])
		case colFlags:
			copy(b.flags[off:], data.Uint32()[:cnt])
		case colOrderID:
			copy(b.oid[off:], data.Uint64()[:cnt])
		case colAccount:
			copy(b.acct[off:], data.Uint64()[:cnt])
		case colPrice:
			copy(b.price[off:], data.Int64()[:cnt])
		case colQty:
			copy(b.qty[off:], data.Int64()[:cnt])
		case colSymbol, colAction, colSide:
			dict := p.Dictionary()
			if dict == nil {
				parquet.Release(p)
				return r.colErr(rg, k, off, "expected a dictionary-encoded column")
			}
			if dict != lastDict {
				lastDict = dict
				lut, bad = r.lookupTable(k, dict, lut)
			}
			idx := data.Int32()[:cnt]
			var err error
			switch k {
			case colSymbol:
				err = decodeDict(b.sym[off:off+cnt], idx, lut)
			case colAction:
				err = decodeDict(b.act[off:off+cnt], idx, lut)
			case colSide:
				err = decodeDict(b.side[off:off+cnt], idx, lut)
			}
			if err != nil {
				i := err.(dictIndexError).i
				x := idx[i]
				parquet.Release(p)
				if x < 0 || int(x) >= len(lut) {
					return r.colErr(rg, k, off+i, "dictionary index %d out of range (dictionary of %d)", x, len(lut))
				}
				return r.colErr(rg, k, off+i, "%s", bad[x])
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

// badEntry marks a dictionary value that is not a valid symbol, action or side.
const badEntry = ^uint32(0)

// lookupTable maps a page dictionary's strings to symbol indexes, actions or
// sides (column k), reusing lut. Invalid strings map to badEntry, with the
// reason in bad: the error is raised only if a row uses them.
func (r *EventReader) lookupTable(k int, dict parquet.Dictionary, lut []uint32) ([]uint32, []string) {
	n := dict.Len()
	lut = grow(lut, n)
	bad := make([]string, n)
	for i := 0; i < n; i++ {
		s := dict.Index(int32(i)).String()
		lut[i] = badEntry
		switch k {
		case colSymbol:
			if id, ok := r.symIdx[s]; ok {
				lut[i] = id
			} else {
				bad[i] = fmt.Sprintf("symbol %q is not in the instrument table", s)
			}
		case colAction:
			if a, ok := ParseAction(s); ok {
				lut[i] = uint32(a)
			} else {
				bad[i] = fmt.Sprintf("unknown action %q", s)
			}
		case colSide:
			switch s {
			case "buy":
				lut[i] = uint32(orderbook.Buy)
			case "sell":
				lut[i] = uint32(orderbook.Sell)
			case "none":
				lut[i] = uint32(orderbook.SideNone)
			default:
				bad[i] = fmt.Sprintf("unknown side %q", s)
			}
		}
	}
	return lut, bad
}

// dictIndexError reports the position of the first invalid dictionary index.
type dictIndexError struct{ i int }

func (dictIndexError) Error() string { return "invalid dictionary index" }

// decodeDict maps dictionary indexes through lut into dst.
func decodeDict[T uint32 | Action | orderbook.Side](dst []T, idx []int32, lut []uint32) error {
	for i, x := range idx {
		if uint(x) >= uint(len(lut)) || lut[x] == badEntry {
			return dictIndexError{i}
		}
		dst[i] = T(lut[x])
	}
	return nil
}
