package replay

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/tapetest/tapetest/orderbook"
)

var testInstruments = []Instrument{
	{Symbol: "BTCUSDT", Venue: "binance", Kind: Spot, PriceExp: 2, QtyExp: 5, Tick: 1, Lot: 1},
	{Symbol: "GOOG", Venue: "NASDAQ", Kind: Equity, PriceExp: 4, QtyExp: 0, Tick: 100, Lot: 1},
	{Symbol: "BTC-PERP", Kind: Perpetual, PriceExp: 1, QtyExp: 3, Tick: 5, Lot: 1},
}

// synthEvents makes n events with every action, side and flag, increasing ts.
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

func writeEvents(t testing.TB, path string, evs []Event, rowGroup int) {
	t.Helper()
	w, err := CreateEventFile(path, EventFileOptions{RowGroupSize: rowGroup})
	if err != nil {
		t.Fatal(err)
	}
	w.SetInstruments(testInstruments)
	w.SetSource("test")
	for i := 0; i < len(evs); i += 1000 {
		if err := w.Write(evs[i:min(i+1000, len(evs))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func readAll(t testing.TB, path string, parallel, chunk int) []Event {
	t.Helper()
	r, err := OpenEventFile(path, EventFileReadOptions{Parallel: parallel})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []Event
	buf := make([]Event, chunk)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestEventFileRoundTrip(t *testing.T) {
	cases := []struct {
		name            string
		n, rowGroup     int
		parallel, chunk int
	}{
		{"empty", 0, 100, 1, 10},
		{"one", 1, 100, 1, 10},
		{"one row group", 5000, 100000, 1, 4096},
		{"many row groups", 25000, 3000, 1, 777},
		{"many row groups in parallel", 25000, 3000, 3, 1},
		{"parallel more than row groups", 5000, 3000, 8, 4096},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs := synthEvents(c.n, 7)
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".parquet")
			writeEvents(t, p, evs, c.rowGroup)
			got := readAll(t, p, c.parallel, c.chunk)
			if len(got) != len(evs) {
				t.Fatalf("read %d events, wrote %d", len(got), len(evs))
			}
			for i := range evs {
				if got[i] != evs[i] {
					t.Fatalf("event %d = %+v, want %+v", i, got[i], evs[i])
				}
			}
			r, err := OpenEventFile(p, EventFileReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if !reflect.DeepEqual(r.Instruments(), testInstruments) || r.Source() != "test" || r.NumRows() != int64(c.n) {
				t.Fatalf("metadata: %+v %q %d", r.Instruments(), r.Source(), r.NumRows())
			}
		})
	}
}

func TestEventFileIsDeterministicAndAnnotated(t *testing.T) {
	dir := t.TempDir()
	evs := synthEvents(20000, 3)
	a, b := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")
	writeEvents(t, a, evs, 4096)
	writeEvents(t, b, evs, 4096)
	ba, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if !bytes.Equal(ba, bb) {
		t.Fatal("writing the same events twice gave different bytes")
	}
	f, _ := os.Open(a)
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	ts, ok := pf.Schema().Lookup("ts")
	if !ok {
		t.Fatal("no ts column")
	}
	lt := ts.Node.Type().LogicalType()
	if lt == nil || lt.String() != "TIMESTAMP(isAdjustedToUTC=true,unit=NANOS)" {
		t.Fatalf("ts is not TIMESTAMP(NANOS, UTC): %v", lt)
	}
	if c := pf.Metadata().RowGroups[0].Columns[0].MetaData.Codec.String(); c != "ZSTD" {
		t.Fatalf("codec %s, want ZSTD", c)
	}
	// No temporary file is left behind.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
}

func TestEventFileErrors(t *testing.T) {
	dir := t.TempDir()
	w, err := CreateEventFile(filepath.Join(dir, "x.parquet"), EventFileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]Event{{Symbol: 3}}); err == nil || !strings.Contains(err.Error(), "symbol index 3") {
		t.Fatalf("unknown symbol: %v", err)
	}
	w.Abort()
	if _, err := os.Stat(filepath.Join(dir, "x.parquet")); !os.IsNotExist(err) {
		t.Fatal("aborted write left a file")
	}
	notParquet := filepath.Join(dir, "n.parquet")
	os.WriteFile(notParquet, []byte("hello"), 0o644)
	if _, err := OpenEventFile(notParquet, EventFileReadOptions{}); err == nil || !strings.Contains(err.Error(), notParquet) {
		t.Fatalf("not parquet: %v", err)
	}
	// A Parquet file that is not an event file.
	type other struct {
		A int64 `parquet:"a"`
	}
	op := filepath.Join(dir, "o.parquet")
	f, _ := os.Create(op)
	pw := parquet.NewGenericWriter[other](f)
	pw.Write([]other{{1}})
	pw.Close()
	f.Close()
	if _, err := OpenEventFile(op, EventFileReadOptions{}); err == nil || !strings.Contains(err.Error(), "not a tapetest event file") {
		t.Fatalf("other parquet: %v", err)
	}
}

func FuzzEventFileReader(f *testing.F) {
	dir := f.TempDir()
	p := filepath.Join(dir, "seed.parquet")
	writeEvents(f, p, synthEvents(300, 1), 100)
	seed, _ := os.ReadFile(p)
	f.Add(seed, uint16(0), byte(0))
	f.Add(seed, uint16(len(seed)/2), byte(0xff))
	f.Fuzz(func(t *testing.T, data []byte, at uint16, x byte) {
		if len(data) > 0 {
			data = append([]byte(nil), data...)
			data[int(at)%len(data)] ^= x
		}
		fp := filepath.Join(t.TempDir(), "f.parquet")
		os.WriteFile(fp, data, 0o644)
		r, err := OpenEventFile(fp, EventFileReadOptions{})
		if err != nil {
			return
		}
		defer r.Close()
		buf := make([]Event, 128)
		for i := 0; i < 100; i++ {
			if _, err := r.Read(buf); err != nil {
				return
			}
		}
	})
}
