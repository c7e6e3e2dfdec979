package orderbook

import (
	"testing"
	"unsafe"
)

// TestWatchCountsWhatLeaves: a watcher's count moves when one of its orders
// leaves the book for good — whatever removes it — and not when it is
// amended, partly filled or another watcher's order leaves.
func TestWatchCountsWhatLeaves(t *testing.T) {
	const (
		mine  = 1
		other = 2
	)
	tests := []struct {
		name string
		stp  STPMode
		// act does something to order 10 (a buy of 5 at 100, watched) and
		// order 20 (a buy of 5 at 99, another watcher's).
		act  func(t *testing.T, b *Book)
		want uint64 // the count of order 10's watcher after act
		live bool   // order 10 still live
	}{
		{"nothing", STPOff, func(*testing.T, *Book) {}, 0, true},
		{"cancelled", STPOff, func(t *testing.T, b *Book) { b.Cancel(10) }, 1, false},
		{"the other's cancelled", STPOff, func(t *testing.T, b *Book) { b.Cancel(20) }, 0, true},
		{"partly filled", STPOff, func(t *testing.T, b *Book) {
			mustSubmit(t, b, Order{ID: 30, Account: 9, Side: Sell, Price: 100, Qty: 2})
		}, 0, true},
		{"filled", STPOff, func(t *testing.T, b *Book) {
			mustSubmit(t, b, Order{ID: 30, Account: 9, Side: Sell, Price: 100, Qty: 5})
		}, 1, false},
		{"swept with the other", STPOff, func(t *testing.T, b *Book) {
			mustSubmit(t, b, Order{ID: 30, Account: 9, Side: Sell, Price: 99, Qty: 10})
		}, 1, false},
		{"reduced", STPOff, func(t *testing.T, b *Book) { b.Reduce(10, 2) }, 0, true},
		{"reduced to nothing", STPOff, func(t *testing.T, b *Book) { b.Reduce(10, 5) }, 1, false},
		{"executed", STPOff, func(t *testing.T, b *Book) { b.Execute(10, 5, nil) }, 1, false},
		{"amended to a new price", STPOff, func(t *testing.T, b *Book) { b.Modify(10, 98, 5, nil) }, 0, true},
		{"amended twice", STPOff, func(t *testing.T, b *Book) { b.Modify(10, 98, 5, nil); b.Modify(10, 97, 7, nil) }, 0, true},
		{"amended, then cancelled", STPOff, func(t *testing.T, b *Book) { b.Modify(10, 98, 5, nil); b.Cancel(10) }, 1, false},
		{"amended into a fill", STPOff, func(t *testing.T, b *Book) {
			mustSubmit(t, b, Order{ID: 40, Account: 9, Side: Sell, Price: 101, Qty: 5})
			b.Modify(10, 101, 5, nil)
		}, 1, false},
		{"expired by self-trade prevention", STPExpireMaker, func(t *testing.T, b *Book) {
			mustSubmit(t, b, Order{ID: 30, Account: 1, Side: Sell, Price: 100, Qty: 1})
		}, 1, false},
		{"cleared", STPOff, func(t *testing.T, b *Book) { b.Clear() }, 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBook(t, tc.stp)
			w1, err := b.NewWatcher()
			if err != nil {
				t.Fatal(err)
			}
			w2, _ := b.NewWatcher()
			if w1 != mine || w2 != other {
				t.Fatalf("watchers %d, %d: want 1, 2", w1, w2)
			}
			mustSubmit(t, b, Order{ID: 10, Account: 1, Side: Buy, Price: 100, Qty: 5})
			mustSubmit(t, b, Order{ID: 20, Account: 2, Side: Buy, Price: 99, Qty: 5})
			if _, ok := b.Watch(10, w1); !ok {
				t.Fatal("watching a live order failed")
			}
			if _, ok := b.Watch(20, w2); !ok {
				t.Fatal("Watch: live orders reported dead")
			}
			other0 := b.WatchGone(w2)
			tc.act(t, b)
			if got := b.WatchGone(w1); got != tc.want {
				t.Errorf("WatchGone = %d, want %d", got, tc.want)
			}
			if _, live := b.Get(10); live != tc.live {
				t.Errorf("order 10 live = %v, want %v", live, tc.live)
			}
			if _, live := b.Get(20); live && b.WatchGone(w2) != other0 {
				t.Errorf("the other watcher's count moved though its order is live")
			}
		})
	}
}

// TestWatchOfWhatIsNotThere: a dead order, id 0 or an unknown watcher mark
// nothing; a dead order reports dead.
func TestWatchOfWhatIsNotThere(t *testing.T) {
	b := newBook(t, STPOff)
	w, _ := b.NewWatcher()
	mustSubmit(t, b, Order{ID: 10, Account: 1, Side: Buy, Price: 100, Qty: 5})
	if _, ok := b.Watch(11, w); ok {
		t.Fatal("watched an order the book does not hold")
	}
	if _, ok := b.Watch(0, w); ok {
		t.Error("Watch of an order that is not live reported live")
	}
	want, _ := b.Get(10)
	if info, ok := b.Watch(10, 7); !ok || info != want { // no such watcher: live, not marked
		t.Errorf("Watch with an unknown watcher: %+v, %v; want the live order %+v", info, ok, want)
	}
	b.Cancel(10)
	if b.WatchGone(w) != 0 || b.WatchGone(7) != 0 {
		t.Error("an unmarked order's cancel was counted")
	}
}

// TestOrderSlotStaysSmall: the watcher's mark lives in the hot order
// slot's padding; a larger slot would cost the matching loop cache lines.
func TestOrderSlotStaysSmall(t *testing.T) {
	if n := unsafe.Sizeof(order{}); n != 32 {
		t.Errorf("order slot is %d bytes, want 32", n)
	}
}
