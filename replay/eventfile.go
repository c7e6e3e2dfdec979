package replay

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/tapetest/tapetest/internal/staging"
	"github.com/tapetest/tapetest/orderbook"
	"golang.org/x/sync/errgroup"
)

// EventFileSchemaVersion is the version of the canonical Parquet event schema,
// stored under MetaSchemaVersion. Readers refuse any other version.
const EventFileSchemaVersion = "1"

// Key-value metadata of canonical event files.
const (
	MetaSchemaVersion = "tapetest.schema_version" // EventFileSchemaVersion
	MetaInstruments   = "tapetest.instruments"    // JSON []Instrument, indexed by Event.Symbol (holds the price/qty scales)
	MetaSource        = "tapetest.source"         // free text: where the events came from
)

// DefaultEventFileRowGroup is the default number of rows per row group. A
// decoded row group of canonical events takes about 60 bytes per row.
const DefaultEventFileRowGroup = 1 << 20

// eventRow is the on-disk row of a canonical event file. It only defines the
// schema (the writer and reader go column by column, without reflection). The
// int64 columns are the truth; price_f and qty_f are float64 conveniences for
// pandas, polars and DuckDB. ts is TIMESTAMP(NANOS, isAdjustedToUTC=true).
type eventRow struct {
	TS      int64   `parquet:"ts,timestamp(nanosecond:utc),delta"`
	Seq     uint64  `parquet:"seq,delta"`
	Symbol  string  `parquet:"symbol,dict"`
	Action  string  `parquet:"action,dict"`
	Side    string  `parquet:"side,dict"`
	Flags   uint32  `parquet:"flags,delta"`
	OrderID uint64  `parquet:"order_id,delta"`
	Account uint64  `parquet:"account,delta"`
	Price   int64   `parquet:"price,delta"`
	Qty     int64   `parquet:"qty,delta"`
	PriceF  float64 `parquet:"price_f"`
	QtyF    float64 `parquet:"qty_f"`
}

// Column indexes of the canonical schema (eventRow field order).
const (
	colTS = iota
	colSeq
	colSymbol
	colAction
	colSide
	colFlags
	colOrderID
	colAccount
	colPrice
	colQty
	colPriceF
	colQtyF
	numEventColumns
)

// eventColumns names the columns of the canonical schema, in order.
var eventColumns = [numEventColumns]string{"ts", "seq", "symbol", "action", "side", "flags", "order_id", "account", "price", "qty", "price_f", "qty_f"}

// eventSchema is the canonical Parquet schema.
var eventSchema = parquet.SchemaOf(eventRow{})

// sideNames are the file names of orderbook sides.
var sideNames = [...]string{orderbook.SideNone: "none", orderbook.Buy: "buy", orderbook.Sell: "sell"}

// EventFileOptions configure CreateEventFile.
type EventFileOptions struct {
	// RowGroupSize is the number of rows per row group (default
	// DefaultEventFileRowGroup). It bounds the memory of readers (about 60
	// bytes per row per row group being decoded) and of the writer.
	RowGroupSize int
}

// EventWriter writes a canonical event file. It is not safe for concurrent
// use. The file appears under its final name only when Close succeeds; until
// then it is a temporary file in the same directory, which Abort (or a failed
// Close) removes.
type EventWriter struct {
	path, tmp string
	f         *os.File
	w         *parquet.GenericWriter[any]
	cols      []*parquet.ColumnWriter
	rowGroup  int

	insts  []Instrument
	source string
	names  [][]byte  // per symbol: the symbol as written
	scales []float64 // per symbol: price and qty divisors (10^exp; division keeps 150000/1e5 == 1.5 exactly)

	pending []Event                          // events not yet handed to the column writers
	inGroup int                              // rows of the current row group already handed over
	n       int64                            // events accepted by Write
	written int64                            // events handed to the column writers
	vals    [numEventColumns][]parquet.Value // each column of a chunk (column writers need no column index or levels: every column is required)
	err     error                            // sticky error
	done    bool
}

// writeChunk is how many events the writer converts at a time (when the
// instrument table covers them).
const writeChunk = 1 << 14

var (
	actionBytes [len(actionNames)][]byte
	sideBytes   [len(sideNames)][]byte
)

func init() {
	for i, s := range actionNames {
		actionBytes[i] = []byte(s)
	}
	for i, s := range sideNames {
		sideBytes[i] = []byte(s)
	}
}

// CreateEventFile starts writing a canonical event file at path: zstd
// compression, dictionary-encoded strings, deterministic bytes (the same
// events, instruments and source always give the same file).
func CreateEventFile(path string, opts EventFileOptions) (*EventWriter, error) {
	if opts.RowGroupSize <= 0 {
		opts.RowGroupSize = DefaultEventFileRowGroup
	}
	f, err := staging.CreateTemp(filepath.Dir(path), filepath.Base(path))
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	w := parquet.NewGenericWriter[any](f, eventSchema,
		parquet.Compression(&zstd.Codec{Level: zstd.SpeedDefault}),
		createdBy("tapetest event file schema "+EventFileSchemaVersion),
		parquet.PageBufferSize(1<<20),
		parquet.MaxRowsPerRowGroup(int64(opts.RowGroupSize)),
	)
	ew := &EventWriter{
		path: path, tmp: f.Name(), f: f, w: w, cols: w.ColumnWriters(), rowGroup: opts.RowGroupSize,
		pending: make([]Event, 0, min(writeChunk, opts.RowGroupSize)),
	}
	for c := range ew.vals {
		ew.vals[c] = make([]parquet.Value, min(writeChunk, opts.RowGroupSize))
	}
	return ew, nil
}

// createdBy sets the file's created_by string verbatim: it holds no version
// or build of the program, so files stay byte-identical across builds.
type createdBy string

// ConfigureWriter implements parquet.WriterOption.
func (c createdBy) ConfigureWriter(cfg *parquet.WriterConfig) { cfg.CreatedBy = string(c) }

// SetInstruments sets the instrument table, indexed by Event.Symbol; it is
// stored in the file's metadata and maps symbols to names and scales. It may be
// called at any time before Close, but the table must only grow (importers
// discover symbols as they go). Events are buffered and converted with the
// table in force when they are handed to the row group being written; the
// writer holds back events whose symbol is not yet covered until a full row
// group is buffered (or Close), and fails then.
func (w *EventWriter) SetInstruments(insts []Instrument) {
	w.insts = append(w.insts[:0], insts...)
	w.names = w.names[:0]
	w.scales = w.scales[:0]
	for _, in := range w.insts {
		w.names = append(w.names, []byte(in.Symbol))
		w.scales = append(w.scales, math.Pow10(int(in.PriceExp)), math.Pow10(int(in.QtyExp)))
	}
}

// SetSource records where the events came from (free text, e.g. "import:lobster");
// it may be called at any time before Close.
func (w *EventWriter) SetSource(s string) { w.source = s }

// Count is the number of events written so far.
func (w *EventWriter) Count() int64 { return w.n }

// Write appends events in order. An event with an invalid action or side, or
// a symbol the instrument table does not cover in time, fails the write with
// an error naming the file and the event's index; the writer then only
// reports that error, and Close removes the partial file.
func (w *EventWriter) Write(evs []Event) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return fmt.Errorf("write %s: writer is closed", w.path)
	}
	for len(evs) > 0 {
		k := min(len(evs), cap(w.pending)-len(w.pending))
		for i := range evs[:k] {
			ev := &evs[i]
			if int(ev.Side) >= len(sideNames) || ev.Action.String() == "unknown" {
				return w.fail(fmt.Errorf("write %s: event %d: invalid side %d or action %d", w.path, w.n+int64(i), ev.Side, ev.Action))
			}
		}
		w.pending = append(w.pending, evs[:k]...)
		w.n += int64(k)
		evs = evs[k:]
		if len(w.pending) == cap(w.pending) {
			if err := w.drain(false); err != nil {
				return err
			}
		}
	}
	return nil
}

// drain hands pending events to the column writers if the instrument table
// covers them. With force, or when the pending events fill the current row
// group, the table must cover them. Pending events grow (to at most about
// two row groups) while it does not.
func (w *EventWriter) drain(force bool) error {
	for len(w.pending) > 0 {
		if bad := w.uncovered(); bad >= 0 {
			if !force && w.inGroup+len(w.pending) < w.rowGroup {
				if len(w.pending) == cap(w.pending) {
					w.pending = append(make([]Event, 0, 2*cap(w.pending)), w.pending...)
				}
				return nil
			}
			ev := &w.pending[bad]
			return w.fail(fmt.Errorf("write %s: event %d: symbol index %d is not in the instrument table (%d instruments; call SetInstruments first)",
				w.path, w.n-int64(len(w.pending))+int64(bad), ev.Symbol, len(w.insts)))
		}
		k := min(len(w.pending), w.rowGroup-w.inGroup)
		if err := w.writeColumns(w.pending[:k]); err != nil {
			return w.fail(fmt.Errorf("write %s: %w", w.path, err))
		}
		w.inGroup += k
		if w.inGroup == w.rowGroup {
			if err := w.w.Flush(); err != nil {
				return w.fail(fmt.Errorf("write %s: %w", w.path, err))
			}
			w.inGroup = 0
		}
		w.pending = w.pending[:copy(w.pending, w.pending[k:])]
	}
	return nil
}

// uncovered is the index of the first pending event whose symbol is not in the
// instrument table, or -1.
func (w *EventWriter) uncovered() int {
	n := uint32(len(w.insts))
	for i := range w.pending {
		if w.pending[i].Symbol >= n {
			return i
		}
	}
	return -1
}

func (w *EventWriter) fail(err error) error {
	w.err = err
	return err
}

// writeColumns writes evs column by column. Column writers cut pages by the
// size of the calls, so calls end at fixed event positions (multiples of the
// chunk size, and row group ends) whatever the pending buffer holds: that
// keeps the bytes a function of the events alone.
func (w *EventWriter) writeColumns(evs []Event) error {
	// The columns are independent: each is converted and written (encoded,
	// compressed page by page) on a goroutine of its own, a chunk at a
	// time; a column's bytes are what one goroutine would write.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	var errs [numEventColumns]error
	for len(evs) > 0 {
		step := cap(w.vals[0])
		k := min(len(evs), step-int(w.written%int64(step)))
		chunk := evs[:k]
		evs = evs[k:]
		w.written += int64(k)
		for c := range numEventColumns {
			g.Go(func() error {
				v := w.vals[c][:k]
				w.fillColumn(c, chunk, v)
				if _, err := w.cols[c].WriteRowValues(v); err != nil {
					errs[c] = fmt.Errorf("column %s: %w", eventColumns[c], err)
				}
				return nil
			})
		}
		g.Wait()
		for _, err := range errs { // the first column's, whichever failed first
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// fillColumn puts column c of chunk's events into v.
func (w *EventWriter) fillColumn(c int, chunk []Event, v []parquet.Value) {
	switch c {
	case colTS:
		for i := range chunk {
			v[i] = parquet.Int64Value(chunk[i].TS)
		}
	case colSeq:
		for i := range chunk {
			v[i] = parquet.Int64Value(int64(chunk[i].Seq))
		}
	case colSymbol:
		for i := range chunk {
			v[i] = parquet.ByteArrayValue(w.names[chunk[i].Symbol])
		}
	case colAction:
		for i := range chunk {
			v[i] = parquet.ByteArrayValue(actionBytes[chunk[i].Action])
		}
	case colSide:
		for i := range chunk {
			v[i] = parquet.ByteArrayValue(sideBytes[chunk[i].Side])
		}
	case colFlags:
		for i := range chunk {
			v[i] = parquet.Int32Value(int32(chunk[i].Flags))
		}
	case colOrderID:
		for i := range chunk {
			v[i] = parquet.Int64Value(int64(chunk[i].OrderID))
		}
	case colAccount:
		for i := range chunk {
			v[i] = parquet.Int64Value(int64(chunk[i].Account))
		}
	case colPrice:
		for i := range chunk {
			v[i] = parquet.Int64Value(chunk[i].Price)
		}
	case colQty:
		for i := range chunk {
			v[i] = parquet.Int64Value(chunk[i].Qty)
		}
	case colPriceF:
		for i := range chunk {
			v[i] = parquet.DoubleValue(float64(chunk[i].Price) / w.scales[2*chunk[i].Symbol])
		}
	case colQtyF:
		for i := range chunk {
			v[i] = parquet.DoubleValue(float64(chunk[i].Qty) / w.scales[2*chunk[i].Symbol+1])
		}
	}
}

// Close writes the remaining rows and the footer (with the metadata), syncs,
// and renames the file into place. On error the temporary file is removed.
func (w *EventWriter) Close() error {
	if w.done {
		return w.err
	}
	if w.err != nil {
		w.Abort()
		return w.err
	}
	if err := w.drain(true); err != nil {
		w.Abort()
		return err
	}
	w.done = true
	meta, err := json.Marshal(w.insts)
	if err != nil {
		return w.abortWith(err)
	}
	if w.insts == nil {
		meta = []byte("[]")
	}
	w.w.SetKeyValueMetadata(MetaSchemaVersion, EventFileSchemaVersion)
	w.w.SetKeyValueMetadata(MetaInstruments, string(meta))
	w.w.SetKeyValueMetadata(MetaSource, w.source)
	if err := w.w.Close(); err != nil {
		return w.abortWith(err)
	}
	if err := w.f.Sync(); err != nil {
		return w.abortWith(err)
	}
	if err := w.f.Chmod(0o644); err != nil {
		return w.abortWith(err)
	}
	err = w.f.Close()
	w.f = nil
	if err == nil {
		err = os.Rename(w.tmp, w.path)
	}
	if err != nil {
		os.Remove(w.tmp)
		return w.fail(fmt.Errorf("write %s: %w", w.path, err))
	}
	return nil
}

func (w *EventWriter) abortWith(err error) error {
	w.Abort()
	return w.fail(fmt.Errorf("write %s: %w", w.path, err))
}

// Abort discards the partial file. It is a no-op after a successful Close.
func (w *EventWriter) Abort() {
	if w.f == nil {
		return
	}
	w.f.Close()
	os.Remove(w.tmp)
	w.f = nil
	w.done = true
	if w.err == nil {
		w.err = errors.New("write " + w.path + ": aborted")
	}
}
