package detectors

import (
	"testing"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// TestQuoteStuffingLetsIdleTimesGo: an account silent for a window holds no
// message times once idleEvery batches have passed (nor their room, when it
// sent many); one still sending keeps its own.
func TestQuoteStuffingLetsIdleTimesGo(t *testing.T) {
	ins, err := Expand([]Config{{Name: "quote_stuffing"}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := ins[0].New()
	if err != nil {
		t.Fatal(err)
	}
	q := d.(*quoteStuffing)
	if err := q.Start(&replay.RunInfo{Instruments: []replay.Instrument{{Symbol: "X", Tick: 1, Lot: 1}}}); err != nil {
		t.Fatal(err)
	}
	feed := func(ev replay.Event) {
		b := replay.Batch{Records: []replay.Record{{Event: ev}}}
		if err := q.Consume(&b, func(Alert) {}); err != nil {
			t.Fatal(err)
		}
	}
	for k := range 2 * idleKeep {
		feed(replay.Event{TS: 1e9 + int64(k)*1e6, Action: replay.ActionAdd, OrderID: uint64(k + 1), Account: 5, Side: orderbook.Buy, Price: 10, Qty: 1})
	}
	feed(replay.Event{TS: 1.2e9, Action: replay.ActionAdd, OrderID: 90_000, Account: 7, Side: orderbook.Buy, Price: 10, Qty: 1}) // a sparse sender
	for k := range 2 * idleEvery {
		feed(replay.Event{TS: 3e9 + int64(k)*1e6, Action: replay.ActionAdd, OrderID: uint64(100 + k), Account: 6, Side: orderbook.Buy, Price: 10, Qty: 1})
	}
	fresh := func() *stuffAccount { t.Fatal("the account was forgotten whole"); return nil }
	if a := q.accts.get(5, fresh); a.times != nil {
		t.Errorf("the silent account still holds %d message times", len(a.times))
	}
	if a := q.accts.get(6, fresh); len(a.times)-a.head == 0 {
		t.Error("the sending account lost its message times")
	}
	if a := q.accts.get(7, fresh); a.times == nil || len(a.times) != 0 {
		t.Errorf("the sparse sender's room was let go (or its times kept: %d)", len(a.times))
	}
}
