package replay

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/tapetest/tapetest/orderbook"
)

// EventFileSchemaVersion is the version of the canonical Parquet event schema.
const EventFileSchemaVersion = "1"

// Key-value metadata of canonical event files.
const (
	MetaSchemaVersion = "tapetest.schema_version"
	MetaInstruments   = "tapetest.instruments" // JSON []Instrument, indexed by Event.Symbol
	MetaSource        = "tapetest.source"
)

// eventRow is the on-disk row of a canonical event file. The int64 columns are
// the truth; price_f and qty_f are float64 conveniences for pandas, polars and
// DuckDB. ts is TIMESTAMP(NANOS, isAdjustedToUTC=true).
type eventRow struct {
	TS      int64   `parquet:"ts,timestamp(nanosecond:utc),delta"`
	Seq     uint64  `parquet:"seq,delta"`
	Symbol  string  `parquet:"symbol,dict"`
	Action  string  `parquet:"action,dict"`
	Side    string  `parquet:"side,dict"`
	Flags   uint32  `parquet:"flags"`
	OrderID uint64  `parquet:"order_id"`
	Account uint64  `parquet:"account"`
	Price   int64   `parquet:"price"`
	Qty     int64   `parquet:"qty"`
	PriceF  float64 `parquet:"price_f"`
	QtyF    float64 `parquet:"qty_f"`
}

// Column order of eventRow (the reader addresses columns by these indexes and
// checks the names).
var eventColumns = []string{"ts", "seq", "symbol", "action", "side", "flags", "order_id", "account", "price", "qty", "price_f", "qty_f"}

// EventFileOptions configure CreateEventFile.
type EventFileOptions struct {
	RowGroupSize int // rows per row group (bounds reader memory); default 262144
}

// EventWriter writes a canonical event file. Events are buffered up to one row
// group; the file appears under its final name only when Close succeeds.
type EventWriter struct {
	path, tmp string
	f         *os.File
	w         *parquet.GenericWriter[eventRow]
	rows      []eventRow
	insts     []Instrument
	source    string
	scales    []float64 // per symbol: price and qty multipliers
	n         int64
}

// CreateEventFile starts writing a canonical event file at path.
func CreateEventFile(path string, opts EventFileOptions) (*EventWriter, error) {
	if opts.RowGroupSize <= 0 {
		opts.RowGroupSize = 1 << 18
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	w := parquet.NewGenericWriter[eventRow](f,
		parquet.Compression(&zstd.Codec{Level: zstd.SpeedDefault}),
		parquet.CreatedBy("tapetest", "schema-"+EventFileSchemaVersion, ""),
		parquet.PageBufferSize(1<<20),
		parquet.MaxRowsPerRowGroup(int64(opts.RowGroupSize)),
	)
	return &EventWriter{path: path, tmp: f.Name(), f: f, w: w, rows: make([]eventRow, 0, 8192)}, nil
}

// SetInstruments sets the instrument table (indexed by Event.Symbol). It must be
// called before the first Write of an event that uses a symbol, or at least
// before Close; events are validated against it.
func (w *EventWriter) SetInstruments(insts []Instrument) {
	w.insts = append(w.insts[:0], insts...)
	w.scales = w.scales[:0]
	for _, in := range w.insts {
		w.scales = append(w.scales, math.Pow10(-int(in.PriceExp)), math.Pow10(-int(in.QtyExp)))
	}
}

// SetSource records where the events came from (free text, e.g. "import:lobster").
func (w *EventWriter) SetSource(s string) { w.source = s }

var sideNames = [...]string{orderbook.SideNone: "none", orderbook.Buy: "buy", orderbook.Sell: "sell"}

// Write appends events. The instrument table must cover every event's Symbol.
func (w *EventWriter) Write(evs []Event) error {
	for i := range evs {
		ev := &evs[i]
		if int(ev.Symbol) >= len(w.insts) {
			return fmt.Errorf("write %s: event %d: symbol index %d is not in the instrument table (%d instruments; call SetInstruments first)", w.path, w.n, ev.Symbol, len(w.insts))
		}
		if int(ev.Side) >= len(sideNames) || ev.Action.String() == "unknown" {
			return fmt.Errorf("write %s: event %d: invalid side %d or action %d", w.path, w.n, ev.Side, ev.Action)
		}
		ps, qs := w.scales[2*ev.Symbol], w.scales[2*ev.Symbol+1]
		w.rows = append(w.rows, eventRow{
			TS: ev.TS, Seq: ev.Seq, Symbol: w.insts[ev.Symbol].Symbol, Action: ev.Action.String(), Side: sideNames[ev.Side],
			Flags: uint32(ev.Flags), OrderID: ev.OrderID, Account: ev.Account, Price: ev.Price, Qty: ev.Qty,
			PriceF: float64(ev.Price) * ps, QtyF: float64(ev.Qty) * qs,
		})
		w.n++
		if len(w.rows) == cap(w.rows) {
			if err := w.flushRows(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *EventWriter) flushRows() error {
	if len(w.rows) == 0 {
		return nil
	}
	if _, err := w.w.Write(w.rows); err != nil {
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	w.rows = w.rows[:0]
	return nil
}

// Close writes the footer (with the metadata) and renames the file into place.
func (w *EventWriter) Close() error {
	if err := w.flushRows(); err != nil {
		w.Abort()
		return err
	}
	meta, err := json.Marshal(w.insts)
	if err != nil {
		w.Abort()
		return err
	}
	w.w.SetKeyValueMetadata(MetaSchemaVersion, EventFileSchemaVersion)
	w.w.SetKeyValueMetadata(MetaInstruments, string(meta))
	w.w.SetKeyValueMetadata(MetaSource, w.source)
	if err := w.w.Close(); err != nil {
		w.Abort()
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	if err := w.f.Sync(); err != nil {
		w.Abort()
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	if err := w.f.Close(); err != nil {
		os.Remove(w.tmp)
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	os.Chmod(w.tmp, 0o644)
	if err := os.Rename(w.tmp, w.path); err != nil {
		os.Remove(w.tmp)
		return fmt.Errorf("write %s: %w", w.path, err)
	}
	return nil
}

// Abort discards the partial file.
func (w *EventWriter) Abort() {
	w.f.Close()
	os.Remove(w.tmp)
}

// Count is the number of events written so far.
func (w *EventWriter) Count() int64 { return w.n }
