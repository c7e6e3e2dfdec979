package lobster

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func TestSourceMapsEveryType(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "TEST_2012-06-21_34200000_57600000_message_1.csv")
	data := "34200.000000001,1,11,100,5000000,1\n" +
		"34200.5,2,11,40,5000000,1\n" +
		"34201,4,11,10,5000000,1\n" +
		"34202.25,5,0,7,5000100,-1\n" +
		"34203,6,0,500,5000000,1\n" +
		"34204,7,0,0,-1,-1\n" +
		"34205,3,11,50,5000000,1\n"
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := NewSource(p, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	evs := make([]replay.Event, 16)
	n, err := src.Read(evs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Read(evs[n:]); err != io.EOF {
		t.Fatalf("want io.EOF, got %v", err)
	}
	// 2012-06-21 09:30:00 EDT = 13:30:00 UTC.
	const open = int64(1340285400) * 1e9
	want := []replay.Event{
		{TS: open + 1, Seq: 1, Action: replay.ActionAdd, Side: orderbook.Buy, OrderID: 11, Price: 5000000, Qty: 100},
		{TS: open + 5e8, Seq: 2, Action: replay.ActionReduce, Side: orderbook.Buy, OrderID: 11, Price: 5000000, Qty: 40},
		{TS: open + 1e9, Seq: 3, Action: replay.ActionExecute, Side: orderbook.Buy, OrderID: 11, Price: 5000000, Qty: 10},
		{TS: open + 2.25e9, Seq: 4, Action: replay.ActionTrade, Side: orderbook.Buy, Flags: replay.FlagHidden, Price: 5000100, Qty: 7},
		{TS: open + 3e9, Seq: 5, Action: replay.ActionTrade, Side: orderbook.SideNone, Flags: replay.FlagAuction, Price: 5000000, Qty: 500},
		{TS: open + 5e9, Seq: 6, Action: replay.ActionCancel, Side: orderbook.Buy, OrderID: 11, Price: 5000000, Qty: 50},
	}
	if n != len(want) {
		t.Fatalf("read %d events, want %d", n, len(want))
	}
	for i := range want {
		if evs[i] != want[i] {
			t.Errorf("event %d = %+v\nwant %+v", i, evs[i], want[i])
		}
	}
	if c := src.Counts(); len(c) != 1 || c[0].N != 1 {
		t.Errorf("counts = %v", c)
	}
	if in := src.Instruments(); in[0].Symbol != "TEST" || in[0].PriceExp != 4 {
		t.Errorf("instrument = %+v", in[0])
	}
}

func TestMalformedRowsNameLineAndField(t *testing.T) {
	cases := []struct{ row, field string }{
		{"abc,1,1,1,1,1", "time"},
		{"34200,9,1,1,1,1", "type"},
		{"34200,1,x,1,1,1", "order_id"},
		{"34200,1,1,-5,1,1", "size"},
		{"34200,1,1,1,1.5,1", "price"},
		{"34200,1,1,1,1,0", "direction"},
		{"34200,1,1,1,1,1,9", "row"},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "X_2020-01-02_message_1.csv")
			os.WriteFile(p, []byte("34200,1,1,1,100,1\n"+c.row+"\n"), 0o644)
			src, err := NewSource(p, SourceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			_, err = src.Read(make([]replay.Event, 4))
			var re *replay.RowError
			if !errors.As(err, &re) || re.Line != 2 || re.Field != c.field {
				t.Fatalf("err = %v, want line 2 field %s", err, c.field)
			}
			skip, _ := NewSource(p, SourceOptions{SkipBad: true})
			defer skip.Close()
			if n, err := skip.Read(make([]replay.Event, 4)); n != 1 || err != nil {
				t.Fatalf("with SkipBad: %d events, %v", n, err)
			}
			if cs := skip.Counts(); len(cs) != 1 || cs[0].Kind != "skipped_bad_"+c.field || cs[0].N != 1 {
				t.Fatalf("with SkipBad: counts %v", cs)
			}
		})
	}
}

func FuzzParseMessage(f *testing.F) {
	f.Add([]byte("34200.015105074,4,15818974,4,5794000,1"))
	f.Add([]byte("34200.1,5,0,1,5795100,-1"))
	f.Add([]byte("1,7,0,0,-1,-1"))
	f.Add([]byte(",,,,,"))
	f.Add([]byte("43002.632812672004,1,16,100,5794000,1"))
	f.Add([]byte("34200.9999999996,3,16,100,5794000,-1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Message
		if _, err := parseMessage(b, &m, "f", 1); err == nil {
			if m.Type < 1 || m.Type > 7 || (m.Direction != 1 && m.Direction != -1) || m.Time < 0 {
				t.Fatalf("accepted an invalid message %+v from %q", m, b)
			}
			// What was accepted formats back to a row that parses to the same message.
			s := fmt.Sprintf("%d.%09d,%d,%d,%d,%d,%d", m.Time/1e9, m.Time%1e9, m.Type, m.OrderID, m.Size, m.Price, m.Direction)
			var m2 Message
			if rounded, err := parseMessage([]byte(s), &m2, "f", 1); err != nil || m2 != m || rounded {
				t.Fatalf("%q parsed to %+v; its canonical form %q gives %+v, %v", b, m, s, m2, err)
			}
		} else {
			var re *replay.RowError
			if !errors.As(err, &re) || re.Line != 1 || re.Field == "" {
				t.Fatalf("error %v is not a RowError naming line and field", err)
			}
		}
	})
}

func FuzzBookRow(f *testing.F) {
	f.Add([]byte("5794000,4,5793000,10,9999999999,0,-9999999999,0"))
	f.Add([]byte("1,2,3,4"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "b.csv")
		os.WriteFile(p, append(b, '\n'), 0o644)
		r, err := OpenBook(p)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var row BookRow
		if err := r.Next(&row); err == nil && (len(row.AskPrice) > r.Levels() || len(row.BidPrice) > r.Levels()) {
			t.Fatalf("row has more levels than the file: %+v", row)
		}
	})
}

// BenchmarkImportGOOG measures parsing and mapping of the GOOG level-10 day.
func BenchmarkImportGOOG(b *testing.B) {
	benchmarkImport(b, realdata.Path(b, "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz"))
}

// BenchmarkImportGOOGReconciled measures the reconciled replay of the GOOG
// level-10 day: both files parsed, every message applied to a book, the ten
// levels a side compared and resynchronised, every change an event.
func BenchmarkImportGOOGReconciled(b *testing.B) {
	d := "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_"
	benchmarkImport(b, realdata.Path(b, d+"message_10.csv.gz"), realdata.Path(b, d+"orderbook_10.csv.gz"))
}

// benchmarkImport reads the message file at p (reconciled to its orderbook
// file, if given) to the end b.N times and reports events/s.
func benchmarkImport(b *testing.B, p string, book ...string) {
	buf := make([]replay.Event, 4096)
	var rows int
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o := SourceOptions{}
		if len(book) > 0 {
			o.Book = book[0]
		}
		src, err := NewSource(p, o)
		if err != nil {
			b.Fatal(err)
		}
		rows = 0
		for {
			n, err := src.Read(buf)
			rows += n
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		src.Close()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReplayGOOG replays the GOOG level-10 day (preloaded) through an L3
// book: adds, reduces, cancels and executions, as the engine applies them.
// The book is warmed by one replay and cleared (untimed) before each day, so
// allocs/op is the steady state.
func BenchmarkReplayGOOG(b *testing.B) {
	src, err := NewSource(realdata.Path(b, "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz"), SourceOptions{})
	if err != nil {
		b.Fatal(err)
	}
	evs, err := replay.ReadAll(src)
	if err != nil {
		b.Fatal(err)
	}
	src.Close()
	fills := make([]orderbook.Fill, 0, 64)
	book, err := orderbook.New(orderbook.Config{Tick: 100, Lot: 1, SizeHint: 1 << 14})
	if err != nil {
		b.Fatal(err)
	}
	unknown := 0
	day := func() {
		unknown = 0
		for j := range evs {
			ev := &evs[j]
			switch ev.Action {
			case replay.ActionAdd:
				fills, _, _ = book.Submit(orderbook.Order{ID: ev.OrderID, Side: ev.Side, Price: ev.Price, Qty: ev.Qty}, fills[:0])
			case replay.ActionReduce, replay.ActionCancel, replay.ActionExecute:
				// As the engine does: an id the window never showed is
				// reconciled (counted) without asking the book to fail.
				info, ok := book.Get(ev.OrderID)
				if !ok {
					unknown++
					continue
				}
				switch {
				case ev.Action == replay.ActionCancel || ev.Qty >= info.Qty && ev.Action == replay.ActionReduce:
					book.Cancel(ev.OrderID)
				case ev.Action == replay.ActionReduce:
					book.Reduce(ev.OrderID, ev.Qty)
				default:
					// As Verify does: an execution larger than the known order
					// (whose rest was unseen) takes what the book holds.
					fills, _ = book.Execute(ev.OrderID, min(ev.Qty, info.Qty), fills[:0])
				}
			case replay.ActionTrade:
				fills = book.ExecuteHidden(ev.Side.Opposite(), ev.Price, ev.Qty, fills[:0])
			}
		}
	}
	day() // warm-up: the book's slabs and index reach the day's size once
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		book.Clear()
		b.StartTimer()
		day()
	}
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N*len(evs))
	b.ReportMetric(ns, "ns/event")
	b.ReportMetric(float64(unknown), "unknown-ids/day")
	b.ReportMetric(1e9/ns, "events/s")
}

func TestSourceOptionsAndTimeZone(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("34200.5,1,1,100,5000000,1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name     string
		file     string
		opts     SourceOptions
		wantSym  string
		wantUnix int64 // seconds of 09:30:00 local on the date, UTC
		wantErr  bool
	}{
		{"summer EDT from the name", "GOOG_2012-06-21_34200000_57600000_message_10.csv", SourceOptions{}, "GOOG", 1340285400, false},
		{"winter EST from the name", "MSFT_2012-01-03_34200000_57600000_message_1.csv", SourceOptions{}, "MSFT", 1325601000, false},
		{"overrides", "GOOG_2012-06-21_x_message_1.csv", SourceOptions{Symbol: "GOOGL", Date: "2012-01-03"}, "GOOGL", 1325601000, false},
		{"no name pattern, options given", "messages.csv", SourceOptions{Symbol: "X", Date: "2012-06-21"}, "X", 1340285400, false},
		{"no name pattern", "messages2.csv", SourceOptions{}, "", 0, true},
		{"bad date option", "messages3.csv", SourceOptions{Symbol: "X", Date: "2012-13-01"}, "", 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := NewSource(write(c.file), c.opts)
			if c.wantErr {
				if err == nil {
					src.Close()
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			evs := make([]replay.Event, 2)
			if n, err := src.Read(evs); n != 1 || err != nil {
				t.Fatalf("read %d, %v", n, err)
			}
			if got := src.Instruments()[0].Symbol; got != c.wantSym {
				t.Errorf("symbol %q, want %q", got, c.wantSym)
			}
			if want := c.wantUnix*1e9 + 5e8; evs[0].TS != want {
				t.Errorf("ts %d, want %d", evs[0].TS, want)
			}
		})
	}
}
