package replay_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// Write two events to a canonical event file and stream them back.
func ExampleCreateEventFile() {
	dir, err := os.MkdirTemp("", "eventfile-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "events.parquet")

	w, err := replay.CreateEventFile(path, replay.EventFileOptions{})
	if err != nil {
		log.Fatal(err)
	}
	w.SetInstruments([]replay.Instrument{{Symbol: "BTCUSDT", Venue: "binance", PriceExp: 2, QtyExp: 5, Tick: 1, Lot: 1}})
	w.SetSource("example")
	err = w.Write([]replay.Event{
		{TS: 1_700_000_000_000_000_000, Seq: 1, Action: replay.ActionAdd, Side: orderbook.Buy, OrderID: 7, Price: 3_650_012, Qty: 150_000},
		{TS: 1_700_000_000_000_001_000, Seq: 2, Action: replay.ActionCancel, Side: orderbook.Buy, OrderID: 7},
	})
	if err != nil {
		w.Abort()
		log.Fatal(err)
	}
	if err := w.Close(); err != nil { // the file appears under its name only now
		log.Fatal(err)
	}

	r, err := replay.OpenEventFile(path, replay.EventFileReadOptions{Parallel: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	in := r.Instruments()
	fmt.Println(r.NumRows(), "events from", r.Source())
	buf := make([]replay.Event, 4096)
	for {
		n, err := r.Read(buf)
		for _, ev := range buf[:n] {
			sym := &in[ev.Symbol]
			fmt.Println(ev.TS, sym.Symbol, ev.Action, ev.OrderID, sym.FormatPrice(ev.Price), ev.Qty)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// 2 events from example
	// 1700000000000000000 BTCUSDT add 7 36500.12 150000
	// 1700000000000001000 BTCUSDT cancel 7 0.00 0
}
