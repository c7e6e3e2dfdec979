package replay

import (
	"reflect"
	"testing"

	"github.com/tapetest/tapetest/orderbook"
)

// TestEnginePrefetchIsAHint: naming events to Prefetch — ahead of their
// turn, twice, for an instrument that does not exist, one with no book yet
// and ids no book holds, in a book past orderbook's threshold for acting
// on it — changes no record and no count.
func TestEnginePrefetchIsAHint(t *testing.T) {
	insts := []Instrument{{Symbol: "A", Tick: 1, Lot: 1}, {Symbol: "B", Tick: 1, Lot: 1}}
	evs := heldEvents(60_000)
	run := func(ahead int) (Batch, []Count) {
		eng, err := NewEngine(insts, EngineOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var b Batch
		for i := range evs {
			if ahead > 0 {
				for _, j := range []int{i + ahead, i + ahead, i} {
					if j < len(evs) {
						eng.Prefetch(&evs[j])
					}
				}
				eng.Prefetch(&Event{Symbol: 9, OrderID: 5})
				eng.Prefetch(&Event{Symbol: 1, OrderID: 1 << 60})
			}
			eng.Apply(&evs[i], &b)
		}
		if n := eng.Book(0).Len(); n <= 1<<15 {
			t.Fatalf("the book ends with %d orders: too few for Prefetch to act", n)
		}
		return b, eng.Counts()
	}
	plain, plainCounts := run(0)
	hinted, hintedCounts := run(3)
	if !reflect.DeepEqual(plain.Records, hinted.Records) || !reflect.DeepEqual(plain.Fills, hinted.Fills) || !reflect.DeepEqual(plainCounts, hintedCounts) {
		t.Fatal("Prefetch changed the records, the fills or the counts")
	}
}

// heldEvents is n events on the first instrument: adds around a price (so
// many that the book ends with more than 32,768), cancels of resting
// orders and of unknown ids, crossing orders.
func heldEvents(n int) []Event {
	var evs []Event
	var live []uint64
	for i := 0; len(evs) < n; i++ {
		ev := Event{TS: int64(i), Seq: uint64(i + 1)}
		switch {
		case i%10 == 3 && len(live) > 0:
			k := (i * 7919) % len(live)
			ev.Action, ev.OrderID = ActionCancel, live[k]
			live = append(live[:k], live[k+1:]...)
		case i%17 == 0:
			ev.Action, ev.OrderID = ActionCancel, 1<<40+uint64(i)
		default:
			ev.Action, ev.OrderID, ev.Qty = ActionAdd, uint64(i+1), int64(1+i%4)
			ev.Side, ev.Price = orderbook.Side(1+i%2), int64(100-i%9)
			if ev.Side == orderbook.Sell {
				ev.Price = int64(101 + i%9)
				if i%50 == 1 {
					ev.Price = 95 // crosses
				}
			}
			live = append(live, ev.OrderID)
		}
		evs = append(evs, ev)
	}
	return evs
}
