package csvfeed

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func readAll(t *testing.T, s *Source) []replay.Event {
	t.Helper()
	evs, err := replay.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFormats(t *testing.T) {
	cases := []struct {
		name, file, content string
		format              Format
		want                []replay.Event
		priceExp            int8
	}{
		{"binance trades ms, no header", "BTCUSDT-trades.csv", "1,61000.10,0.5,30500.05,1723161255342,true,true\n2,61000.2,1.25,1,1723161255343,false,true\n", BinanceTrades,
			[]replay.Event{{TS: 1723161255342e6, Seq: 1, Action: replay.ActionTrade, Side: orderbook.Sell, Price: 610001, Qty: 50}, {TS: 1723161255343e6, Seq: 2, Action: replay.ActionTrade, Side: orderbook.Buy, Price: 610002, Qty: 125}}, 1},
		{"binance aggTrades µs with header", "X-aggTrades.csv", "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n7,1.5,2,10,12,1735689600123456,false\n", BinanceAggTrades,
			[]replay.Event{{TS: 1735689600123456e3, Seq: 1, Action: replay.ActionTrade, Side: orderbook.Buy, Price: 15, Qty: 2}}, 1},
		{"ccxt trades with scientific prices", "p.csv", "symbol,timestamp,datetime,side,price,amount,btc_volume\nAPPC/BTC,1605549866174,x,buy,1.36e-06,335.0,0\n", CCXTTrades,
			[]replay.Event{{TS: 1605549866174e6, Seq: 1, Action: replay.ActionTrade, Side: orderbook.Buy, Price: 136, Qty: 335}}, 8},
		{"tardis book snapshot then increments then snapshot", "b.csv", "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount\n" +
			"d,X,1700000000000010,1700000000000011,true,ask,2.5,3\nd,X,1700000000000010,1700000000000011,true,bid,2,1\nd,X,1700000000000020,1700000000000021,false,bid,2,0\nd,X,1700000000000030,1700000000000031,true,bid,1.5,4\n", TardisBook,
			[]replay.Event{{TS: 1700000000000010e3, Seq: 1, Action: replay.ActionClear, Flags: replay.FlagSnapshot},
				{TS: 1700000000000010e3, Seq: 2, Action: replay.ActionLevel, Side: orderbook.Sell, Flags: replay.FlagSnapshot, Price: 25, Qty: 3},
				{TS: 1700000000000010e3, Seq: 3, Action: replay.ActionLevel, Side: orderbook.Buy, Flags: replay.FlagSnapshot, Price: 20, Qty: 1},
				{TS: 1700000000000020e3, Seq: 4, Action: replay.ActionLevel, Side: orderbook.Buy, Price: 20, Qty: 0},
				{TS: 1700000000000030e3, Seq: 5, Action: replay.ActionClear, Flags: replay.FlagSnapshot},
				{TS: 1700000000000030e3, Seq: 6, Action: replay.ActionLevel, Side: orderbook.Buy, Flags: replay.FlagSnapshot, Price: 15, Qty: 4}}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := NewSource(c.format, []string{write(t, c.file, c.content)}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			got := readAll(t, s)
			if len(got) != len(c.want) {
				t.Fatalf("got %d events %+v", len(got), got)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("event %d = %+v\nwant %+v", i, got[i], c.want[i])
				}
			}
			if s.Instruments()[0].PriceExp != c.priceExp {
				t.Errorf("price exponent %d, want %d", s.Instruments()[0].PriceExp, c.priceExp)
			}
		})
	}
}

func TestMalformedRows(t *testing.T) {
	content := "1,61000.10,0.5,1,1723161255342,true\n2,abc,0.5,1,1723161255342,true\n3,1,0.5,1,notatime,true\n4,1,1,1,1723161255342,maybe\n5,1,1,1,1723161255342,false\n"
	p := write(t, "t.csv", content)
	bad, err := NewSource(BinanceTrades, []string{p}, Options{})
	if err == nil {
		_, err = bad.Read(make([]replay.Event, 10))
		bad.Close()
	}
	var re *replay.RowError
	if !errors.As(err, &re) || re.Line != 2 || re.Field != "price" {
		t.Fatalf("err = %v, want line 2 price", err)
	}
	s, err := NewSource(BinanceTrades, []string{p}, Options{SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	if evs := readAll(t, s); len(evs) != 2 {
		t.Fatalf("kept %d rows, want 2", len(evs))
	}
	counts := map[string]int64{}
	for _, c := range s.Counts() {
		counts[c.Kind] = c.N
	}
	if counts["skipped_bad_price"] != 1 || counts["skipped_bad_timestamp"] != 1 || counts["skipped_bad_side"] != 1 {
		t.Fatalf("counts %v", counts)
	}
}

// TestDecimalsGrowLaterInTheFile: a pump episode's trades changed lot size
// at row 38,673 ("4.5" after 20,000 whole amounts) and the import stopped
// there. A file is read through once first, so the exponent is the most
// decimals of any row and every value imports exactly; input that cannot be
// read twice (a pipe) still stops at such a row, naming it, never rounding.
func TestDecimalsGrowLaterInTheFile(t *testing.T) {
	var b strings.Builder
	for i := 0; i < scanRows+5; i++ {
		b.WriteString("1,1.5,1,1,1723161255342,true\n")
	}
	b.WriteString("1,1.55,4.5,1,1723161255343,true\n")
	p := write(t, "d.csv", b.String())
	s, err := NewSource(BinanceTrades, []string{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	evs := readAll(t, s)
	in := s.Instruments()[0]
	last := evs[len(evs)-1]
	if len(evs) != scanRows+6 || in.PriceExp != 2 || in.QtyExp != 1 || last.Price != 155 || last.Qty != 45 || evs[0].Price != 150 || evs[0].Qty != 10 {
		t.Fatalf("%d events, exponents %d/%d, first %d/%d, last %d/%d", len(evs), in.PriceExp, in.QtyExp, evs[0].Price, evs[0].Qty, last.Price, last.Qty)
	}
	fifo := filepath.Join(t.TempDir(), "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			f.WriteString(b.String())
			f.Close()
		}
	}()
	s, err = NewSource(BinanceTrades, []string{fifo}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	buf := make([]replay.Event, scanRows+10)
	var rerr error
	for rerr == nil {
		_, rerr = s.Read(buf)
	}
	var re *replay.RowError
	if !errors.As(rerr, &re) || re.Field != "price" || !strings.Contains(re.Reason, "more than 1 decimals") {
		t.Fatalf("late precision in a pipe: %v", rerr)
	}
}

func TestRealFiles(t *testing.T) {
	cases := []struct {
		format Format
		file   string
		min    int
	}{
		{TardisBook, "tardis-format-samples-nautilus/deribit_incremental_book_L2_BTC-PERPETUAL.csv", 5},
		{TardisTrades, "tardis-format-samples-nautilus/bitmex_trades_XBTUSD.csv", 5},
		{CCXTTrades, "crypto-trades-freqtrade/public_trades_list.csv", 900},
		{CCXTTrades, "pump-trades-pugoev/trades/APPC_2020-11-18_1800.csv.gz", 7000},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			s, err := NewSource(c.format, []string{realdata.Path(t, c.file)}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			evs := readAll(t, s)
			if len(evs) < c.min {
				t.Fatalf("%d events", len(evs))
			}
			for i := 1; i < len(evs); i++ {
				if evs[i].TS < evs[i-1].TS && c.format != CCXTTrades {
					t.Fatalf("time goes back at %d", i)
				}
			}
			t.Logf("%d events, instrument %+v", len(evs), s.Instruments()[0])
		})
	}
}

func FuzzParseRow(f *testing.F) {
	f.Add("1,61000.10,0.5,30500.05,1723161255342,true,true")
	f.Add("x,,,,,")
	f.Fuzz(func(t *testing.T, line string) {
		p := filepath.Join(t.TempDir(), "f.csv")
		os.WriteFile(p, []byte(line+"\n"), 0o644)
		s, err := NewSource(BinanceTrades, []string{p}, Options{})
		if err != nil {
			return
		}
		defer s.Close()
		s.Read(make([]replay.Event, 4))
	})
}
