package orderbook

import (
	"errors"
	"slices"
	"testing"
	"unsafe"
)

// TestWatchListsWhatLeaves: a watcher's list names one of its orders when
// it leaves the book for good — whatever removes it — and not when it is
// amended, partly filled or another watcher's order leaves.
func TestWatchListsWhatLeaves(t *testing.T) {
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
		want uint64 // how many of order 10's watcher's orders left (0 or 1: order 10)
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
			tc.act(t, b)
			left, complete := b.WatchLeft(w1, nil)
			if want := tc.want == 1; !complete || uint64(len(left)) != tc.want || want && left[0] != 10 {
				t.Errorf("WatchLeft = %v, %v; want order 10 listed: %v", left, complete, want)
			}
			if again, _ := b.WatchLeft(w1, nil); len(again) != 0 {
				t.Errorf("WatchLeft listed %v a second time", again)
			}
			if _, live := b.Get(10); live != tc.live {
				t.Errorf("order 10 live = %v, want %v", live, tc.live)
			}
			if other, complete := b.WatchLeft(w2, nil); !complete || slices.Contains(other, 10) {
				t.Errorf("the other watcher's list is %v, %v: it names order 10 or is incomplete", other, complete)
			} else if _, live := b.Get(20); live && len(other) != 0 {
				t.Errorf("the other watcher's list is %v though its order is live", other)
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
	if left, complete := b.WatchLeft(w, nil); !complete || len(left) != 0 {
		t.Errorf("an unmarked order's cancel was listed: %v, %v", left, complete)
	}
	if left, complete := b.WatchLeft(7, nil); complete || len(left) != 0 {
		t.Errorf("a watcher that does not exist listed %v, complete %v", left, complete)
	}
}

// TestOrderSlotStaysSmall: the watcher's mark lives in the hot order
// slot's padding; a larger slot would cost the matching loop cache lines.
func TestOrderSlotStaysSmall(t *testing.T) {
	if n := unsafe.Sizeof(order{}); n != 32 {
		t.Errorf("order slot is %d bytes, want 32", n)
	}
}

// TestWatchLeftOverflows: a watcher's list holds watchLeftCap departures;
// past that WatchLeft says it is incomplete, once, and lists what it kept.
func TestWatchLeftOverflows(t *testing.T) {
	b := newBook(t, STPOff)
	w, _ := b.NewWatcher()
	for _, n := range []int{watchLeftCap, watchLeftCap + 1} {
		for i := range n {
			id := uint64(1 + i)
			mustSubmit(t, b, Order{ID: id, Account: 1, Side: Buy, Price: 100, Qty: 1})
			b.Watch(id, w)
			b.Cancel(id)
		}
		left, complete := b.WatchLeft(w, nil)
		if complete != (n == watchLeftCap) || len(left) != watchLeftCap || left[0] != 1 {
			t.Errorf("%d gone: WatchLeft listed %d (first %d), complete %v", n, len(left), left[0], complete)
		}
		if left, complete := b.WatchLeft(w, nil); !complete || len(left) != 0 {
			t.Errorf("%d gone: drained list then %d, complete %v", n, len(left), complete)
		}
	}
	if _, complete := b.WatchLeft(0, nil); complete {
		t.Error("WatchLeft of watcher 0 reported complete")
	}
	if _, complete := b.WatchLeft(9, nil); complete {
		t.Error("WatchLeft of an unknown watcher reported complete")
	}
}

// TestMoveIsModifyAtTheOpenQuantity: Move does what Modify to the order's
// open quantity does — the same fills, the same book — and reports the
// order before and whether it rests after.
func TestMoveIsModifyAtTheOpenQuantity(t *testing.T) {
	tests := []struct {
		name  string
		price int64
		live  bool
		err   error
	}{
		{"to a deeper level", 98, true, nil},
		{"the same price", 100, true, nil},
		{"across, partly filled", 101, true, nil},
		{"across, filled", 102, false, nil},
		{"off the tick", 0, true, ErrBadPrice},
	}
	setup := func(t *testing.T) *Book {
		b := newBook(t, STPOff)
		mustSubmit(t, b, Order{ID: 10, Account: 1, Side: Buy, Price: 100, Qty: 5})
		b.Execute(10, 1, nil) // open quantity 4
		mustSubmit(t, b, Order{ID: 20, Account: 2, Side: Sell, Price: 101, Qty: 2})
		mustSubmit(t, b, Order{ID: 30, Account: 3, Side: Sell, Price: 102, Qty: 3})
		return b
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			moved, modified := setup(t), setup(t)
			want, _ := modified.Get(10)
			wantFills, wantErr := modified.Modify(10, tc.price, want.Qty, nil)
			before, fills, live, err := moved.Move(10, tc.price, nil)
			if before != want || live != tc.live || !errors.Is(err, tc.err) || !errors.Is(wantErr, tc.err) {
				t.Fatalf("Move = %+v, live %v, %v; want %+v, live %v, %v", before, live, err, want, tc.live, tc.err)
			}
			if !slices.Equal(fills, wantFills) {
				t.Errorf("fills %+v, Modify's %+v", fills, wantFills)
			}
			if _, rests := moved.Get(10); rests != live {
				t.Errorf("order 10 rests %v, Move said %v", rests, live)
			}
			for _, side := range []Side{Buy, Sell} {
				if got, want := moved.Depth(side, nil), modified.Depth(side, nil); !slices.Equal(got, want) {
					t.Errorf("%v depth %v, Modify's %v", side, got, want)
				}
			}
		})
	}
	b := newBook(t, STPOff)
	if _, _, live, err := b.Move(99, 100, nil); live || !errors.Is(err, ErrUnknownOrder) {
		t.Errorf("Move of an unknown order: live %v, %v", live, err)
	}
}

// TestCancelLive: a live order is cancelled and returned as it stood; an
// order that is not there is reported gone, and nothing changes.
func TestCancelLive(t *testing.T) {
	b := newBook(t, STPOff)
	w, _ := b.NewWatcher()
	mustSubmit(t, b, Order{ID: 10, Account: 1, Side: Buy, Price: 100, Qty: 5})
	b.Watch(10, w)
	want, _ := b.Get(10)
	if info, ok := b.CancelLive(10); !ok || info != want {
		t.Fatalf("CancelLive = %+v, %v; want %+v, true", info, ok, want)
	}
	if _, live := b.Get(10); live || b.Len() != 0 {
		t.Error("the order is still there")
	}
	if left, _ := b.WatchLeft(w, nil); !slices.Equal(left, []uint64{10}) {
		t.Errorf("WatchLeft = %v, want [10]", left)
	}
	for _, id := range []uint64{10, 0, 77} {
		if _, ok := b.CancelLive(id); ok {
			t.Errorf("CancelLive(%d) of no live order reported it cancelled", id)
		}
	}
}

// TestClearLeavesInBookOrder: the watched orders Clear removes leave in the
// book's order — bids best first, then asks, each queue front first — not
// in the order of the slots they happen to occupy (the ring's slot is the id
// modulo its 64 slots: 1,000 in slot 40, 900 in slot 4; 4 finds slot 4
// taken and goes to an overflow slot).
func TestClearLeavesInBookOrder(t *testing.T) {
	b, _ := New(Config{Tick: 1, Lot: 1})
	w, err := b.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Order{
		{ID: 1_000, Side: Sell, Price: 103, Qty: 1},
		{ID: 5, Side: Buy, Price: 99, Qty: 1},
		{ID: 3, Side: Buy, Price: 99, Qty: 1},
		{ID: 900, Side: Buy, Price: 100, Qty: 1},
		{ID: 4, Side: Buy, Price: 98, Qty: 1}, // not watched
		{ID: 2, Side: Sell, Price: 101, Qty: 1},
	} {
		mustSubmit(t, b, o)
		if o.ID != 4 {
			b.Watch(o.ID, w)
		}
	}
	b.Clear()
	left, complete := b.WatchLeft(w, nil)
	if want := []uint64{900, 5, 3, 2, 1_000}; !complete || !slices.Equal(left, want) {
		t.Fatalf("left %v (complete %v), want %v", left, complete, want)
	}
}
