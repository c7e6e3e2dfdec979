package orderlog

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func load(t *testing.T, mapping string, paths []string, opts Options) ([]replay.Event, []replay.Instrument, []replay.Count) {
	t.Helper()
	m, err := LoadMapping(mapping)
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewSource(m, paths, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	evs, err := replay.ReadAll(src)
	if err != nil {
		t.Fatal(err)
	}
	return evs, src.Instruments(), src.Counts()
}

// venueB writes venue_a.csv's log as venue B does — a Parquet file with other
// column names in another order, Singapore local time as text, numeric sides,
// other spellings — for venue_b.yaml.
func venueB(t *testing.T) string {
	type row struct {
		Kind       string  `parquet:"kind"`
		Market     string  `parquet:"market,dict"`
		Size       float64 `parquet:"size"`
		LimitPrice *string `parquet:"limit_price,optional"`
		Direction  int32   `parquet:"direction"`
		Member     int64   `parquet:"member"`
		OrderRef   int64   `parquet:"order_ref"`
		Validity   string  `parquet:"validity"`
		OrdType    string  `parquet:"ord_type"`
		EventTime  string  `parquet:"event_time"`
	}
	sg, _ := time.LoadLocation("Asia/Singapore")
	at := func(ms int64) string { return time.UnixMilli(ms).In(sg).Format("2006-01-02 15:04:05.000") }
	px := func(s string) *string { return &s }
	const t0 = 1700000000000
	rows := []row{
		{"new", "BTCUSDT", 0.5, px("60000.5"), 2, 7, 1, "DAY", "L", at(t0)},
		{"add", "BTCUSDT", 1, px("60001"), 2, 8, 2, "POST", "L", at(t0 + 100)},
		{"new", "ETHUSDT", 2, px("3000.25"), 1, 9, 3, "GTC", "L", at(t0 + 200)},
		{"new", "BTCUSDT", 0.2, px("60000.5"), 1, 7, 4, "IOC", "L", at(t0 + 300)},
		{"partial_fill", "BTCUSDT", 0.2, px("60000.5"), 2, 7, 1, "DAY", "L", at(t0 + 300)},
		{"amend", "BTCUSDT", 0.8, px("60002"), 2, 8, 2, "POST", "L", at(t0 + 400)},
		{"new", "BTCUSDT", 0.1, nil, 1, 11, 5, "IOC", "M", at(t0 + 500)},
		{"cancel", "ETHUSDT", 2, px("3000.25"), 1, 9, 3, "GTC", "L", at(t0 + 600)},
		{"reject", "ETHUSDT", 1.5, px("3001"), 2, 12, 6, "GTC", "L", at(t0 + 700)},
	}
	p := filepath.Join(t.TempDir(), "venue_b.parquet")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[row](f, parquet.MaxRowsPerRowGroup(4)) // three row groups
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

// TestTwoVenuesSameEvents: one log written by two venues — CSV and Parquet,
// other column names and order, epoch milliseconds and Singapore local time,
// letters and numbers for sides, other spellings of every action, order type
// and time in force — goes through each venue's mapping to the same
// canonical events.
func TestTwoVenuesSameEvents(t *testing.T) {
	a, ia, ca := load(t, "testdata/venue_a.yaml", []string{"testdata/venue_a.csv"}, Options{})
	b, ib, cb := load(t, "testdata/venue_b.yaml", []string{venueB(t)}, Options{})
	total := func(cs []replay.Count) (n int64) {
		for _, c := range cs {
			n += c.N
		}
		return n
	}
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(ia, ib) || total(ca) != total(cb) {
		t.Fatalf("venue A:\n%+v\n%+v\n%v\nvenue B:\n%+v\n%+v\n%v", a, ia, ca, b, ib, cb)
	}
	const t0 = int64(1700000000000) * 1e6
	want := []replay.Event{
		{TS: t0, Seq: 1, Symbol: 0, Action: replay.ActionAdd, Side: orderbook.Sell, OrderID: 1, Account: 7, Price: 600005, Qty: 5000},
		{TS: t0 + 100e6, Seq: 2, Symbol: 0, Action: replay.ActionAdd, Side: orderbook.Sell, Flags: replay.FlagPostOnly, OrderID: 2, Account: 8, Price: 600010, Qty: 10000},
		{TS: t0 + 200e6, Seq: 3, Symbol: 1, Action: replay.ActionAdd, Side: orderbook.Buy, OrderID: 3, Account: 9, Price: 300025, Qty: 20},
		{TS: t0 + 300e6, Seq: 4, Symbol: 0, Action: replay.ActionAdd, Side: orderbook.Buy, Flags: replay.FlagIOC, OrderID: 4, Account: 7, Price: 600005, Qty: 2000},
		{TS: t0 + 400e6, Seq: 5, Symbol: 0, Action: replay.ActionModify, Side: orderbook.Sell, OrderID: 2, Account: 8, Price: 600020, Qty: 8000},
		{TS: t0 + 500e6, Seq: 6, Symbol: 0, Action: replay.ActionMarket, Side: orderbook.Buy, Flags: replay.FlagIOC, OrderID: 5, Account: 11, Qty: 1000},
		{TS: t0 + 600e6, Seq: 7, Symbol: 1, Action: replay.ActionCancel, Side: orderbook.Buy, OrderID: 3, Account: 9, Price: 0, Qty: 0},
	}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("events:\n%+v\nwant\n%+v", a, want)
	}
	if ia[0].Symbol != "BTCUSDT" || ia[0].PriceExp != 1 || ia[0].Tick != 5 || ia[0].QtyExp != 4 || ia[1].Tick != 1 || ia[1].Lot != 1 || ia[1].QtyExp != 1 || ia[0].ReportsExecutions {
		t.Fatalf("instruments %+v", ia)
	}
	if len(ca) != 2 || ca[0].Kind != "fill_row_derived_by_engine" || ca[1].Kind != "ignored_action:REJECTED" {
		t.Fatalf("counts %v", ca)
	}
}

// TestEngineMakesTheFillsWithAccounts: replayed through the engine, venue A's
// log crosses account 7's IOC buy with its own resting sell — a self-trade
// with both accounts on the fill, which the public feeds cannot show — and
// the market buy of account 11 takes the rest of that sell at the best price.
func TestEngineMakesTheFillsWithAccounts(t *testing.T) {
	evs, insts, _ := load(t, "testdata/venue_a.yaml", []string{"testdata/venue_a.csv"}, Options{})
	eng, err := replay.NewEngine(insts, replay.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var fills []orderbook.Fill
	var b replay.Batch
	for i := range evs {
		b.Records, b.Fills = b.Records[:0], b.Fills[:0]
		eng.Apply(&evs[i], &b)
		fills = append(fills, b.Fills...)
	}
	if len(fills) != 2 || fills[0].MakerAccount != 7 || fills[0].TakerAccount != 7 || fills[0].Qty != 2000 ||
		fills[1].MakerAccount != 7 || fills[1].TakerAccount != 11 || fills[1].Price != 600005 || fills[1].Qty != 1000 {
		t.Fatalf("fills %+v", fills)
	}
}

// TestFillsApplied: with fills: apply, a fill row executes the resting order
// it names, with the aggressor's account from taker_account.
func TestFillsApplied(t *testing.T) {
	dir := t.TempDir()
	mapping := strings.Replace(readFile(t, "testdata/venue_a.yaml"), "time: {unit: ms}", "time: {unit: ms}\nfills: apply", 1)
	mapping = strings.Replace(mapping, "time_in_force: tif}", "time_in_force: tif, taker_account: taker}", 1)
	log := "ts,oid,acct,sym,side,px,qty,event,type,tif,taker\n" +
		"1700000000000,1,7,BTCUSDT,S,60000.50,0.5000,NEW,LIMIT,GTC,\n" +
		"1700000000300,1,7,BTCUSDT,S,60000.50,0.2000,FILL,LIMIT,GTC,42\n"
	os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(mapping), 0o644)
	os.WriteFile(filepath.Join(dir, "log.csv"), []byte(log), 0o644)
	evs, insts, _ := load(t, filepath.Join(dir, "m.yaml"), []string{filepath.Join(dir, "log.csv")}, Options{})
	if len(evs) != 2 || evs[1].Action != replay.ActionExecute || evs[1].OrderID != 1 || evs[1].Account != 42 || !insts[0].ReportsExecutions {
		t.Fatalf("events %+v", evs)
	}
	eng, _ := replay.NewEngine(insts, replay.EngineOptions{})
	var b replay.Batch
	for i := range evs {
		eng.Apply(&evs[i], &b)
	}
	if len(b.Fills) != 1 || b.Fills[0].MakerAccount != 7 || b.Fills[0].TakerAccount != 42 || b.Fills[0].Qty != 2000 || b.Fills[0].Price != 600005 {
		t.Fatalf("fills %+v", b.Fills)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBadRowsNameLineAndField: each malformed row stops the import naming
// its line and the log's column, or is skipped and counted with SkipBad.
func TestBadRowsNameLineAndField(t *testing.T) {
	const head = "ts,oid,acct,sym,side,px,qty,event,type,tif\n1700000000000,1,7,BTCUSDT,S,60000.50,0.5000,NEW,LIMIT,GTC\n"
	for _, c := range []struct{ row, field string }{
		{"1700000000100,2,7,BTCUSDT,S,60000.50,0.5000,HOLD,LIMIT,GTC", "event"},
		{"1700000000100,2,7,BTCUSDT,S,60000.25,0.5000,NEW,LIMIT,GTC", "px"},       // off the 0.50 tick
		{"1700000000100,2,7,BTCUSDT,S,60000.50,0.00005,NEW,LIMIT,GTC", "qty"},     // below the lot
		{"1700000000100,2,7,BTCUSDT,S,-60000.50,0.5000,NEW,LIMIT,GTC", "px"},      // negative
		{"1699999999999,2,7,BTCUSDT,S,60000.50,0.5000,NEW,LIMIT,GTC", "ts"},       // back in time
		{"5,2,7,BTCUSDT,S,60000.50,0.5000,NEW,LIMIT,GTC", "ts"},                   // 1970
		{"1700000000100,2,7,DOGEUSDT,S,1,1,NEW,LIMIT,GTC", "sym"},                 // not in the mapping
		{"1700000000100,2,7,BTCUSDT,X,60000.50,0.5000,NEW,LIMIT,GTC", "side"},     // unknown side
		{"1700000000100,0,7,BTCUSDT,S,60000.50,0.5000,NEW,LIMIT,GTC", "oid"},      // order id 0
		{"1700000000100,2,seven,BTCUSDT,S,60000.50,0.5000,NEW,LIMIT,GTC", "acct"}, // not a number
		{"1700000000100,2,7,BTCUSDT,S,60000.50,0.5000,NEW,STOP,GTC", "type"},      // unknown order type
		{"1700000000100,2,7,BTCUSDT,S,60000.50,0.5000,NEW,LIMIT,GTD", "tif"},      // unknown time in force
	} {
		p := filepath.Join(t.TempDir(), "log.csv")
		os.WriteFile(p, []byte(head+c.row+"\n"), 0o644)
		m, _ := LoadMapping("testdata/venue_a.yaml")
		src, err := NewSource(m, []string{p}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = replay.ReadAll(src)
		src.Close()
		var re *replay.RowError
		if !errors.As(err, &re) || re.Line != 3 || re.Field != c.field {
			t.Errorf("%s: %v, want line 3 field %s", c.row, err, c.field)
			continue
		}
		src, _ = NewSource(m, []string{p}, Options{SkipBad: true})
		evs, err := replay.ReadAll(src)
		src.Close()
		if err != nil || len(evs) != 1 || src.counts["skipped_bad_"+c.field] != 1 {
			t.Errorf("%s with SkipBad: %d events, %v, counts %v", c.row, len(evs), err, src.counts)
		}
	}
}

// TestMappingRefusesWhatItCannotRead: a mapping missing a required column,
// spelling one value two ways, naming an unknown key or a bad tick is
// refused with every problem named.
func TestMappingRefusesWhatItCannotRead(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"columns: {time: t}\ntime: {unit: ms}\nside: {buy: [B], sell: [S]}\naction: {add: [N]}\ninstruments: {X: {tick: '1', lot: '1'}}\n", "columns.order_id: required"},
		{strings.Replace(readFile(t, "testdata/venue_a.yaml"), "sell: [S]", "sell: [S, B]", 1), `"B" spells both`},
		{strings.Replace(readFile(t, "testdata/venue_a.yaml"), "unit: ms", "unit: minutes", 1), `time.unit "minutes"`},
		{strings.Replace(readFile(t, "testdata/venue_a.yaml"), `tick: "0.50"`, `tick: "-1"`, 1), "instruments.BTCUSDT.tick"},
		{strings.Replace(readFile(t, "testdata/venue_a.yaml"), "ignore: [REJECTED]", "halt: [H]", 1), "action.halt: unknown"},
		{strings.Replace(readFile(t, "testdata/venue_a.yaml"), "time: {unit: ms}", "time: {unit: ms}\ncolour: red", 1), "colour"},
		{strings.Replace(readFile(t, "testdata/venue_a.yaml"), "time: {unit: ms}", "time: {layout: '2006', zone: Mars/Olympus}", 1), "Mars/Olympus"},
	} {
		p := filepath.Join(t.TempDir(), "m.yaml")
		os.WriteFile(p, []byte(c.text), 0o644)
		if _, err := LoadMapping(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want %q, got %v", c.want, err)
		}
	}
	m, _ := LoadMapping("testdata/venue_a.yaml")
	p := filepath.Join(t.TempDir(), "log.csv")
	os.WriteFile(p, []byte("time,oid\n1,2\n"), 0o644)
	if _, err := NewSource(m, []string{p}, Options{}); err == nil || !strings.Contains(err.Error(), `column "ts"`) {
		t.Errorf("a log without the mapping's columns: %v", err)
	}
}

// FuzzOrderLogRow: no row crashes the reader, and an accepted row is an event
// the engine can take (positive order id, a side, prices and sizes on the
// instrument's steps, a time in the window).
func FuzzOrderLogRow(f *testing.F) {
	for _, l := range strings.Split(strings.TrimSpace(readFileF(f, "testdata/venue_a.csv")), "\n")[1:] {
		f.Add(l)
	}
	m, err := LoadMapping("testdata/venue_a.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, row string) {
		p := filepath.Join(t.TempDir(), "log.csv")
		os.WriteFile(p, []byte("ts,oid,acct,sym,side,px,qty,event,type,tif\n"+row+"\n"), 0o644)
		src, err := NewSource(m, []string{p}, Options{})
		if err != nil {
			return
		}
		defer src.Close()
		evs, err := replay.ReadAll(src)
		if err != nil {
			var re *replay.RowError
			if !errors.As(err, &re) {
				t.Fatalf("%q: an error that names no line: %v", row, err)
			}
			return
		}
		for _, e := range evs {
			in := src.Instruments()[e.Symbol]
			if e.OrderID == 0 && e.Action != replay.ActionTrade || e.Price < 0 || e.Qty < 0 || e.Price%in.Tick != 0 || e.Qty%in.Lot != 0 || replay.CheckEventTime(e.TS) != nil {
				t.Fatalf("%q gave %+v", row, e)
			}
		}
	})
}

func readFileF(f *testing.F, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		f.Fatal(err)
	}
	return string(b)
}
