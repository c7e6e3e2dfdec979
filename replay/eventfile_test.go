package replay

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
	"github.com/tapetest/tapetest/internal/golden"
	"github.com/tapetest/tapetest/orderbook"
)

var testInstruments = []Instrument{
	{Symbol: "BTCUSDT", Venue: "binance", Kind: Spot, PriceExp: 2, QtyExp: 5, Tick: 1, Lot: 1},
	{Symbol: "GOOG", Venue: "NASDAQ", Kind: Equity, PriceExp: 4, QtyExp: 0, Tick: 100, Lot: 1, ReportsExecutions: true},
	{Symbol: "BTC-PERP", Kind: Perpetual, PriceExp: 1, QtyExp: 3, Tick: 5, Lot: 1},
}

// synthEvents makes n events with every action, side and flag, increasing ts;
// the first carries extreme values.
func synthEvents(n int, seed uint64) []Event {
	r := rand.New(rand.NewPCG(seed, 1))
	evs := make([]Event, n)
	ts := int64(1_700_000_000_000_000_000)
	for i := range evs {
		ts += r.Int64N(2_000_000)
		evs[i] = Event{
			TS: ts, Seq: uint64(i) + 1, Symbol: uint32(r.IntN(len(testInstruments))),
			Action: Action(1 + r.IntN(10)), Side: orderbook.Side(r.IntN(3)), Flags: Flags(r.Uint32() & 0x1ff),
			OrderID: r.Uint64() >> uint(r.IntN(64)), Account: uint64(r.IntN(5000)),
			Price: 6_000_000 + r.Int64N(10_000) - 5_000, Qty: 1 + r.Int64N(1_000_000),
		}
	}
	if n > 0 {
		evs[0].Price, evs[0].Qty, evs[0].OrderID, evs[0].Account = -1<<62, 1<<62, ^uint64(0), ^uint64(0)
	}
	return evs
}

// edgeEvents covers every action with every side, and extreme field values.
func edgeEvents() []Event {
	var evs []Event
	vals := []int64{0, 1, -1, math.MaxInt64, math.MinInt64, 1 << 53, -(1 << 53) - 1}
	ids := []uint64{0, 1, math.MaxUint64, 1 << 63}
	i := 0
	for a := ActionAdd; a <= ActionFunding; a++ {
		for _, sd := range []orderbook.Side{orderbook.SideNone, orderbook.Buy, orderbook.Sell} {
			evs = append(evs, Event{
				TS: math.MinInt64 + int64(i)*1e15, Seq: ids[i%len(ids)], Symbol: uint32(i % len(testInstruments)),
				Action: a, Side: sd, Flags: Flags(uint32(1) << (i % 32)), OrderID: ids[(i+1)%len(ids)], Account: ids[(i+2)%len(ids)],
				Price: vals[i%len(vals)], Qty: vals[(i+3)%len(vals)],
			})
			i++
		}
	}
	evs = append(evs, Event{TS: math.MaxInt64, Seq: math.MaxUint64, Symbol: 2, Action: ActionClear, Flags: math.MaxUint32})
	return evs
}

func writeEventsWith(t testing.TB, path string, evs []Event, rowGroup, chunk int) {
	t.Helper()
	w, err := CreateEventFile(path, EventFileOptions{RowGroupSize: rowGroup})
	if err != nil {
		t.Fatal(err)
	}
	w.SetInstruments(testInstruments)
	w.SetSource("test")
	for i := 0; i < len(evs); i += chunk {
		if err := w.Write(evs[i:min(i+chunk, len(evs))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeEvents(t testing.TB, path string, evs []Event, rowGroup int) {
	t.Helper()
	writeEventsWith(t, path, evs, rowGroup, 1000)
}

func readAll(t testing.TB, path string, parallel, chunk int) []Event {
	t.Helper()
	out, err := readAllErr(path, parallel, chunk)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readAllErr(path string, parallel, chunk int) ([]Event, error) {
	return readAllOpts(path, EventFileReadOptions{Parallel: parallel}, chunk)
}

func readAllOpts(path string, opts EventFileReadOptions, chunk int) ([]Event, error) {
	r, err := OpenEventFile(path, opts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []Event
	buf := make([]Event, chunk)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func sameEvents(t *testing.T, got, want []Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("read %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestEventFileRoundTrip(t *testing.T) {
	cases := []struct {
		name            string
		evs             []Event
		rowGroup        int
		parallel, chunk int
	}{
		{"empty", nil, 100, 1, 10},
		{"one", synthEvents(1, 1), 100, 1, 10},
		{"edge values, every action and side", edgeEvents(), 7, 1, 5},
		{"edge values in parallel", edgeEvents(), 7, 4, 3},
		{"one row group", synthEvents(5000, 2), 100000, 1, 4096},
		{"row group exactly full", synthEvents(3000, 3), 3000, 1, 4096},
		{"many row groups", synthEvents(25000, 4), 3000, 1, 777},
		{"many row groups in parallel, one event per Read", synthEvents(25000, 5), 3000, 3, 1},
		{"more workers than row groups", synthEvents(5000, 6), 3000, 8, 4096},
		{"row groups larger than a write chunk", synthEvents(70000, 7), 40000, 2, 8192},
	}
	dir := t.TempDir()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, fmt.Sprintf("%d.parquet", i))
			writeEvents(t, p, c.evs, c.rowGroup)
			sameEvents(t, readAll(t, p, c.parallel, c.chunk), c.evs)
		})
	}
}

func TestEventFileMetadataRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.parquet")
	evs := synthEvents(10000, 9)
	w, err := CreateEventFile(p, EventFileOptions{RowGroupSize: 50000})
	if err != nil {
		t.Fatal(err)
	}
	// The table may grow and be set after the events that use it.
	w.SetInstruments(testInstruments[:1])
	if err := w.Write(evs); err != nil {
		t.Fatal(err)
	}
	w.SetInstruments(testInstruments)
	w.SetSource("import:test a.csv b.csv")
	if w.Count() != int64(len(evs)) {
		t.Fatalf("Count = %d", w.Count())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := OpenEventFile(p, EventFileReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !reflect.DeepEqual(r.Instruments(), testInstruments) {
		t.Errorf("instruments = %+v", r.Instruments())
	}
	if r.Source() != "import:test a.csv b.csv" || r.NumRows() != int64(len(evs)) {
		t.Errorf("source %q, rows %d", r.Source(), r.NumRows())
	}
	var _ EventSource = r
	sameEvents(t, readAll(t, p, 1, 1000), evs)
}

// TestEventFileIsDeterministic: the same events give the same bytes, however
// they are handed to Write and whenever the instruments are set.
func TestEventFileIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	evs := synthEvents(50000, 3)
	ref := filepath.Join(dir, "ref.parquet")
	writeEventsWith(t, ref, evs, 20000, 1000)
	want, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, chunk := range []int{1, 999, 16384, 50000} {
		p := filepath.Join(dir, fmt.Sprintf("c%d.parquet", chunk))
		writeEventsWith(t, p, evs, 20000, chunk)
		if got, _ := os.ReadFile(p); !bytes.Equal(got, want) {
			t.Errorf("writing in chunks of %d gave different bytes", chunk)
		}
	}
	late := filepath.Join(dir, "late.parquet")
	w, err := CreateEventFile(late, EventFileOptions{RowGroupSize: 20000})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(evs); i += 777 {
		if err := w.Write(evs[i:min(i+777, len(evs))]); err != nil {
			t.Fatal(err)
		}
		if i > 17000 { // after a full write chunk, before a full row group
			w.SetInstruments(testInstruments)
		}
	}
	w.SetSource("test")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(late); !bytes.Equal(got, want) {
		t.Error("setting the instruments late gave different bytes")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
}

// TestEventFileSchema reads the schema back with parquet-go: ts is
// TIMESTAMP(NANOS, UTC), strings are dictionary-encoded, pages are zstd, and
// the created_by string has no version or build that could vary.
func TestEventFileSchema(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.parquet")
	writeEvents(t, p, synthEvents(5000, 3), 2000)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"ts": "INT64 TIMESTAMP(isAdjustedToUTC=true,unit=NANOS)", "seq": "INT64 INT(64,false)",
		"symbol": "BYTE_ARRAY STRING", "action": "BYTE_ARRAY STRING", "side": "BYTE_ARRAY STRING",
		"flags": "INT32 INT(32,false)", "order_id": "INT64 INT(64,false)", "account": "INT64 INT(64,false)",
		"price": "INT64 INT(64,true)", "qty": "INT64 INT(64,true)",
		"price_f": "DOUBLE (no logical type)", "qty_f": "DOUBLE (no logical type)",
	}
	for i, name := range eventColumns {
		leaf, ok := pf.Schema().Lookup(name)
		if !ok || leaf.ColumnIndex != i {
			t.Fatalf("column %s: found %v at %d, want %d", name, ok, leaf.ColumnIndex, i)
		}
		typ := leaf.Node.Type()
		if got := typ.Kind().String() + " " + logicalName(typ); got != want[name] {
			t.Errorf("column %s: %s, want %s", name, got, want[name])
		}
		if leaf.MaxDefinitionLevel != 0 {
			t.Errorf("column %s is optional", name)
		}
	}
	md := pf.Metadata()
	if md.CreatedBy != "tapetest event file schema 1" {
		t.Errorf("created_by %q", md.CreatedBy)
	}
	if len(md.RowGroups) != 3 {
		t.Fatalf("%d row groups, want 3", len(md.RowGroups))
	}
	for _, rg := range md.RowGroups {
		for i, c := range rg.Columns {
			if c.MetaData.Codec != format.Zstd {
				t.Errorf("column %s: codec %s", eventColumns[i], c.MetaData.Codec)
			}
			dict := false
			for _, e := range c.MetaData.Encoding {
				dict = dict || e == format.RLEDictionary
			}
			if isString := i >= colSymbol && i <= colSide; dict != isString {
				t.Errorf("column %s: dictionary encoding %v, encodings %v", eventColumns[i], dict, c.MetaData.Encoding)
			}
		}
	}
}

func TestEventFileParallelMatchesSequential(t *testing.T) {
	p := filepath.Join(t.TempDir(), "p.parquet")
	evs := synthRealistic(0, 60000)
	writeEvents(t, p, evs, 4000)
	seq := readAll(t, p, 1, 4096)
	sameEvents(t, seq, evs)
	for _, par := range []int{2, 3, 16} {
		for _, chunk := range []int{1, 1000, 5000} {
			t.Run(fmt.Sprintf("parallel %d chunk %d", par, chunk), func(t *testing.T) {
				sameEvents(t, readAll(t, p, par, chunk), seq)
			})
		}
	}
	// Closing early stops the decoders.
	for _, par := range []int{1, 4} {
		r, err := OpenEventFile(p, EventFileReadOptions{Parallel: par})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Read(make([]Event, 10)); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEventWriterErrors(t *testing.T) {
	cases := []struct {
		name string
		evs  []Event
		want string
	}{
		{"invalid action", []Event{{Action: 0}}, "event 0: invalid side 0 or action 0"},
		{"action out of range", []Event{{Action: ActionAdd}, {Action: 200}}, "event 1: invalid side 0 or action 200"},
		{"invalid side", []Event{{Action: ActionAdd, Side: 3}}, "event 0: invalid side 3"},
		{"symbol not in table", []Event{{Action: ActionAdd}, {Action: ActionAdd, Symbol: 3}}, "event 1: symbol index 3 is not in the instrument table"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "x.parquet")
			w, err := CreateEventFile(p, EventFileOptions{})
			if err != nil {
				t.Fatal(err)
			}
			w.SetInstruments(testInstruments)
			err = w.Write(c.evs)
			if err == nil {
				err = w.Close()
			} else {
				w.Abort()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("error %v, want one naming %s and %q", err, p, c.want)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Fatalf("failed write left %s", ents[0].Name())
			}
		})
	}
	// A symbol the table never covers fails when its row group is written.
	dir := t.TempDir()
	w, err := CreateEventFile(filepath.Join(dir, "y.parquet"), EventFileOptions{RowGroupSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(make([]Event, 9)); err == nil {
		t.Fatal("zero events accepted")
	}
	w.Abort()
	w, _ = CreateEventFile(filepath.Join(dir, "y.parquet"), EventFileOptions{RowGroupSize: 10})
	evs := synthRealistic(0, 20)
	if err := w.Write(evs[:9]); err != nil {
		t.Fatalf("events before SetInstruments within a row group: %v", err)
	}
	if err := w.Write(evs[9:]); err == nil || !strings.Contains(err.Error(), "event 0: symbol index") {
		t.Fatalf("row group without instruments: %v", err)
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close after a failed Write succeeded")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("failed write left %s", ents[0].Name())
	}
}

// writeRaw writes rows with the canonical schema (or another row type) and the
// given metadata, bypassing EventWriter's checks.
func writeRaw[T any](t *testing.T, path string, rows []T, meta map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[T](f, parquet.Compression(&zstd.Codec{}), parquet.MaxRowsPerRowGroup(3))
	for _, k := range []string{MetaSchemaVersion, MetaInstruments, MetaSource} {
		if v, ok := meta[k]; ok {
			w.SetKeyValueMetadata(k, v)
		}
	}
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestEventFileReaderErrors(t *testing.T) {
	dir := t.TempDir()
	good := map[string]string{MetaSchemaVersion: "1", MetaInstruments: `[{"symbol":"BTCUSDT","price_exp":2}]`}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range good {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	row := eventRow{TS: 1, Symbol: "BTCUSDT", Action: "add", Side: "buy"}
	rows := func(mut func(*eventRow)) []eventRow {
		rs := []eventRow{row, row, row, row, row, row, row}
		mut(&rs[5])
		return rs
	}
	type otherTS struct {
		TS      int64  `parquet:"ts,timestamp(millisecond)"`
		Seq     uint64 `parquet:"seq"`
		Symbol  string `parquet:"symbol,dict"`
		Action  string `parquet:"action,dict"`
		Side    string `parquet:"side,dict"`
		Flags   uint32 `parquet:"flags"`
		OrderID uint64 `parquet:"order_id"`
		Account uint64 `parquet:"account"`
		Price   int64  `parquet:"price"`
		Qty     int64  `parquet:"qty"`
	}
	type optional struct {
		TS      int64  `parquet:"ts,timestamp(nanosecond:utc)"`
		Seq     uint64 `parquet:"seq"`
		Symbol  string `parquet:"symbol,dict"`
		Action  string `parquet:"action,dict"`
		Side    string `parquet:"side,dict"`
		Flags   uint32 `parquet:"flags"`
		OrderID uint64 `parquet:"order_id"`
		Account uint64 `parquet:"account"`
		Price   *int64 `parquet:"price,optional"`
		Qty     int64  `parquet:"qty"`
	}
	type plainStrings struct {
		TS      int64  `parquet:"ts,timestamp(nanosecond:utc)"`
		Seq     uint64 `parquet:"seq"`
		Symbol  string `parquet:"symbol"`
		Action  string `parquet:"action"`
		Side    string `parquet:"side"`
		Flags   uint32 `parquet:"flags"`
		OrderID uint64 `parquet:"order_id"`
		Account uint64 `parquet:"account"`
		Price   int64  `parquet:"price"`
		Qty     int64  `parquet:"qty"`
	}
	cases := []struct {
		name    string
		write   func(p string)
		open    string // error expected from OpenEventFile
		read    string // error expected from Read
		notFile bool   // errors.Is(err, ErrNotEventFile)
	}{
		{"not parquet", func(p string) { os.WriteFile(p, []byte("hello, world"), 0o644) }, "not a Parquet file", "", true},
		{"empty file", func(p string) { os.WriteFile(p, nil, 0o644) }, "not a Parquet file", "", true},
		{"other parquet", func(p string) {
			writeRaw(t, p, []struct {
				A int64 `parquet:"a"`
			}{{1}}, nil)
		}, "no tapetest.schema_version metadata", "", true},
		{"unsupported version", func(p string) { writeRaw(t, p, rows(func(*eventRow) {}), with(MetaSchemaVersion, "2")) }, `unsupported schema version "2"`, "", true},
		{"no instruments", func(p string) { writeRaw(t, p, rows(func(*eventRow) {}), with(MetaInstruments, "")) }, "no tapetest.instruments metadata", "", true},
		{"bad instruments", func(p string) { writeRaw(t, p, rows(func(*eventRow) {}), with(MetaInstruments, "{")) }, "metadata tapetest.instruments", "", false},
		{"duplicate symbol", func(p string) {
			writeRaw(t, p, rows(func(*eventRow) {}), with(MetaInstruments, `[{"symbol":"A"},{"symbol":"A"}]`))
		}, `symbol "A" appears twice`, "", false},
		{"missing column", func(p string) {
			writeRaw(t, p, []struct {
				TS int64 `parquet:"ts,timestamp(nanosecond:utc)"`
			}{{1}}, good)
		}, `column "seq" missing`, "", true},
		{"timestamp unit", func(p string) { writeRaw(t, p, []otherTS{{}}, good) }, `column "ts" has type INT64 TIMESTAMP(isAdjustedToUTC=true,unit=MILLIS)`, "", true},
		{"optional column", func(p string) { writeRaw(t, p, []optional{{}}, good) }, `column "price" is optional`, "", true},
		{"plain strings", func(p string) {
			writeRaw(t, p, []plainStrings{{Symbol: "BTCUSDT", Action: "add", Side: "buy"}}, good)
		}, "", "row group 0, row 0, column symbol: expected a dictionary-encoded column", false},
		{"unknown action", func(p string) { writeRaw(t, p, rows(func(r *eventRow) { r.Action = "fly" }), good) }, "", `row group 1, row 2, column action: unknown action "fly"`, false},
		{"unknown side", func(p string) { writeRaw(t, p, rows(func(r *eventRow) { r.Side = "up" }), good) }, "", `row group 1, row 2, column side: unknown side "up"`, false},
		{"unknown symbol", func(p string) { writeRaw(t, p, rows(func(r *eventRow) { r.Symbol = "ETH" }), good) }, "", `row group 1, row 2, column symbol: symbol "ETH" is not in the instrument table`, false},
		{"truncated", func(p string) {
			writeEvents(t, p, synthEvents(100, 1), 10)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o644)
		}, "not a Parquet file", "", true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, fmt.Sprintf("%d.parquet", i))
			c.write(p)
			for _, par := range []int{1, 3} {
				_, err := readAllErr(p, par, 2)
				want := c.open + c.read
				if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), p+": ") {
					t.Fatalf("parallel %d: error %v, want one starting %s and containing %q", par, err, p, want)
				}
				if errors.Is(err, ErrNotEventFile) != c.notFile {
					t.Errorf("errors.Is(err, ErrNotEventFile) = %v", !c.notFile)
				}
				if c.read != "" { // the error sticks
					r, err := OpenEventFile(p, EventFileReadOptions{Parallel: par})
					if err != nil {
						t.Fatal(err)
					}
					buf := make([]Event, 100)
					_, err1 := r.Read(buf)
					_, err2 := r.Read(buf)
					if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
						t.Errorf("parallel %d: Read after an error: %v, then %v", par, err1, err2)
					}
					r.Close()
				}
				_, oerr := OpenEventFile(p, EventFileReadOptions{})
				if (oerr != nil) != (c.open != "") {
					t.Errorf("OpenEventFile error %v, want one: %v", oerr, c.open != "")
				}
			}
		})
	}
	big := filepath.Join(dir, "big.parquet")
	writeEvents(t, big, synthEvents(300, 1), 100)
	if _, err := OpenEventFile(big, EventFileReadOptions{MaxRowGroupRows: 99}); err == nil || !strings.Contains(err.Error(), "row group 0 has 100 rows, more than the limit of 99") {
		t.Errorf("row group limit: %v", err)
	}
	if _, err := OpenEventFile(filepath.Join(dir, "absent.parquet"), EventFileReadOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent file: %v", err)
	}
}

func FuzzEventFileReader(f *testing.F) {
	dir := f.TempDir()
	p := filepath.Join(dir, "seed.parquet")
	writeEvents(f, p, synthEvents(300, 1), 100)
	seed, err := os.ReadFile(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed, uint16(0), byte(0))
	f.Add(seed, uint16(len(seed)/2), byte(0xff))
	f.Add(seed, uint16(len(seed)-9), byte(1))
	f.Add(seed, uint16(100), byte(0x40))
	f.Add(seed[:len(seed)-1], uint16(0), byte(0))
	f.Fuzz(func(t *testing.T, data []byte, at uint16, x byte) {
		if len(data) > 0 {
			data = append([]byte(nil), data...)
			data[int(at)%len(data)] ^= x
		}
		fp := filepath.Join(t.TempDir(), "f.parquet")
		if err := os.WriteFile(fp, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, par := range []int{1, 2} {
			evs, err := readAllOpts(fp, EventFileReadOptions{Parallel: par, MaxRowGroupRows: 10_000}, 64)
			if err == nil && len(evs) > 100_000 {
				t.Fatalf("read %d events from %d bytes", len(evs), len(data))
			}
			if err != nil && !strings.HasPrefix(err.Error(), fp) {
				t.Fatalf("error does not name the file: %v", err)
			}
		}
	})
}

// TestEventFileFloatColumns: price_f and qty_f hold the fixed-point values
// scaled by the instrument's exponents, as pandas or DuckDB would show them.
func TestEventFileFloatColumns(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.parquet")
	evs := append(synthEvents(3000, 5), Event{Symbol: 0, Action: ActionTrade, Price: 3_650_012, Qty: 150_000})
	writeEvents(t, p, evs, 1000)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := make([]eventRow, len(evs)+1)
	n, err := parquet.NewGenericReader[eventRow](f).Read(rows)
	if err != nil && err != io.EOF || n != len(evs) {
		t.Fatalf("read %d rows: %v", n, err)
	}
	for i, ev := range evs {
		in := testInstruments[ev.Symbol]
		r := rows[i]
		if r.Symbol != in.Symbol || r.Action != ev.Action.String() || r.Side != sideNames[ev.Side] || r.Price != ev.Price {
			t.Fatalf("row %d = %+v, event %+v", i, r, ev)
		}
		if wp, wq := float64(ev.Price)/math.Pow10(int(in.PriceExp)), float64(ev.Qty)/math.Pow10(int(in.QtyExp)); r.PriceF != wp || r.QtyF != wq {
			t.Fatalf("row %d: price_f %v qty_f %v, want %v %v", i, r.PriceF, r.QtyF, wp, wq)
		}
	}
	if last := rows[len(evs)-1]; last.PriceF != 36500.12 || last.QtyF != 1.5 {
		t.Fatalf("price_f %v qty_f %v, want 36500.12 1.5", last.PriceF, last.QtyF)
	}
}

// TestEventFileGolden pins the bytes of a small event file: a change to the
// writer or to parquet-go that changes them shows up here (rewrite with
// -update once the change is intended). The golden file must also stay
// readable, which keeps files written by earlier builds readable.
func TestEventFileGolden(t *testing.T) {
	goldenFile := filepath.Join("testdata", "eventfile_golden.parquet")
	evs := append(edgeEvents(), synthEvents(200, 11)...)
	p := filepath.Join(t.TempDir(), "g.parquet")
	writeEvents(t, p, evs, 64)
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, goldenFile, got, "the event file writer's output changed; if intended, rerun with -update")
	sameEvents(t, readAll(t, goldenFile, 2, 100), evs)
}
