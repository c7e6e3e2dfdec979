package replay

import (
	"reflect"
	"testing"

	"github.com/tapetest/tapetest/orderbook"
)

// TestEngineLadders: with Ladders set the engine adds, after the first
// event of each instrument in each interval, the top levels of its book as
// they stand after that event; none without.
func TestEngineLadders(t *testing.T) {
	insts := []Instrument{{Symbol: "A", Tick: 1, Lot: 1}, {Symbol: "B", Tick: 1, Lot: 1}}
	const sec = int64(1e9)
	evs := []Event{
		{TS: 0, Symbol: 0, Action: ActionAdd, Side: orderbook.Buy, OrderID: 1, Price: 100, Qty: 5},
		{TS: 1, Symbol: 0, Action: ActionAdd, Side: orderbook.Buy, OrderID: 2, Price: 99, Qty: 5},
		{TS: 2, Symbol: 1, Action: ActionAdd, Side: orderbook.Sell, OrderID: 3, Price: 50, Qty: 1},
		{TS: sec - 1, Symbol: 0, Action: ActionAdd, Side: orderbook.Buy, OrderID: 4, Price: 98, Qty: 5},
		{TS: sec, Symbol: 0, Action: ActionCancel, OrderID: 1},
		{TS: 3 * sec, Symbol: 0, Action: ActionAdd, Side: orderbook.Sell, OrderID: 5, Price: 101, Qty: 2},
		{TS: 3*sec + 1, Symbol: 7, Action: ActionAdd, Side: orderbook.Sell, OrderID: 6, Price: 101, Qty: 2}, // no such instrument
	}
	type snap struct {
		Record     uint32
		Symbol     uint32
		TS         int64
		Bids, Asks []orderbook.Level
	}
	run := func(opts EngineOptions) []snap {
		eng, err := NewEngine(insts, opts)
		if err != nil {
			t.Fatal(err)
		}
		var b Batch
		for i := range evs {
			eng.Apply(&evs[i], &b)
		}
		var out []snap
		for k, l := range b.Ladders {
			bids, asks := b.LadderOf(k)
			out = append(out, snap{l.Record, l.Symbol, l.TS, bids, asks})
		}
		return out
	}
	lv := func(ls ...int64) []orderbook.Level {
		out := []orderbook.Level{}
		for i := 0; i < len(ls); i += 2 {
			out = append(out, orderbook.Level{Price: ls[i], Qty: ls[i+1], Orders: 1})
		}
		return out
	}
	want := []snap{
		{0, 0, 0, lv(100, 5), lv()},
		{2, 1, 2, lv(), lv(50, 1)},
		{4, 0, sec, lv(99, 5), lv()}, // after 100 is cancelled 99 and 98 rest: one level a side shows 99
		{5, 0, 3 * sec, lv(99, 5), lv(101, 2)},
	}
	got := run(EngineOptions{Ladders: LadderOptions{Every: sec, Levels: 1}})
	for i := range got { // compare empty and absent alike
		if len(got[i].Bids) == 0 {
			got[i].Bids = []orderbook.Level{}
		}
		if len(got[i].Asks) == 0 {
			got[i].Asks = []orderbook.Level{}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ladders\n got %+v\nwant %+v", got, want)
	}
	if got := run(EngineOptions{}); len(got) != 0 {
		t.Errorf("no ladders asked for, %d taken", len(got))
	}
	if _, err := NewEngine(insts, EngineOptions{Ladders: LadderOptions{Every: sec}}); err == nil {
		t.Error("ladders of 0 levels accepted")
	}
}
