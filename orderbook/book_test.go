package orderbook

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

func newBook(t *testing.T, stp STPMode) *Book {
	t.Helper()
	b, err := New(Config{Tick: 1, Lot: 1, STP: stp})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustSubmit(t *testing.T, b *Book, o Order) ([]Fill, Result) {
	t.Helper()
	f, r, err := b.Submit(o, nil)
	if err != nil {
		t.Fatalf("submit %+v: %v", o, err)
	}
	return f, r
}

func TestSubmitSemantics(t *testing.T) {
	type step struct {
		o         Order
		wantFills []Fill
		wantRes   Result
		wantErr   error
	}
	ask := func(id, acct uint64, px, q int64) Order {
		return Order{ID: id, Account: acct, Side: Sell, Price: px, Qty: q}
	}
	cases := []struct {
		name  string
		stp   STPMode
		steps []step
		top   Top
	}{
		{"limit rests then crosses in price-time order", STPOff, []step{
			{o: ask(1, 1, 101, 5), wantRes: Result{Rested: 5}},
			{o: ask(2, 2, 101, 5), wantRes: Result{Rested: 5}},
			{o: ask(3, 3, 100, 2), wantRes: Result{Rested: 2}},
			{o: Order{ID: 4, Account: 9, Side: Buy, Price: 101, Qty: 8},
				wantFills: []Fill{{3, 4, 3, 9, 100, 2, Buy, false}, {1, 4, 1, 9, 101, 5, Buy, false}, {2, 4, 2, 9, 101, 1, Buy, false}},
				wantRes:   Result{Filled: 8}},
		}, Top{AskPrice: 101, AskQty: 4}},
		{"IOC remainder cancelled", STPOff, []step{
			{o: ask(1, 1, 100, 3), wantRes: Result{Rested: 3}},
			{o: Order{ID: 2, Side: Buy, TIF: IOC, Price: 100, Qty: 5}, wantFills: []Fill{{1, 2, 1, 0, 100, 3, Buy, false}}, wantRes: Result{Filled: 3, Cancelled: 2}},
		}, Top{}},
		{"FOK unfillable is rejected", STPOff, []step{
			{o: ask(1, 1, 100, 3), wantRes: Result{Rested: 3}},
			{o: Order{ID: 2, Side: Buy, TIF: FOK, Price: 100, Qty: 5}, wantErr: ErrFOKUnfillable},
		}, Top{AskPrice: 100, AskQty: 3}},
		{"post-only that would cross is rejected", STPOff, []step{
			{o: ask(1, 1, 100, 3), wantRes: Result{Rested: 3}},
			{o: Order{ID: 2, Side: Buy, TIF: PostOnly, Price: 100, Qty: 1}, wantErr: ErrWouldCross},
			{o: Order{ID: 3, Side: Buy, TIF: PostOnly, Price: 99, Qty: 1}, wantRes: Result{Rested: 1}},
		}, Top{BidPrice: 99, BidQty: 1, AskPrice: 100, AskQty: 3}},
		{"market order sweeps and cancels the rest", STPOff, []step{
			{o: ask(1, 1, 100, 1), wantRes: Result{Rested: 1}},
			{o: ask(2, 1, 105, 1), wantRes: Result{Rested: 1}},
			{o: Order{ID: 3, Side: Buy, Type: Market, Qty: 3}, wantFills: []Fill{{1, 3, 1, 0, 100, 1, Buy, false}, {2, 3, 1, 0, 105, 1, Buy, false}}, wantRes: Result{Filled: 2, Cancelled: 1}},
		}, Top{}},
		{"STP off allows a self-trade", STPOff, []step{
			{o: ask(1, 7, 100, 2), wantRes: Result{Rested: 2}},
			{o: Order{ID: 2, Account: 7, Side: Buy, Price: 100, Qty: 2}, wantFills: []Fill{{1, 2, 7, 7, 100, 2, Buy, false}}, wantRes: Result{Filled: 2}},
		}, Top{}},
		{"STP expire taker", STPExpireTaker, []step{
			{o: ask(1, 8, 100, 1), wantRes: Result{Rested: 1}},
			{o: ask(2, 7, 100, 2), wantRes: Result{Rested: 2}},
			{o: Order{ID: 3, Account: 7, Side: Buy, Price: 100, Qty: 5}, wantFills: []Fill{{1, 3, 8, 7, 100, 1, Buy, false}}, wantRes: Result{Filled: 1, Cancelled: 4}},
		}, Top{AskPrice: 100, AskQty: 2}},
		{"STP expire maker", STPExpireMaker, []step{
			{o: ask(1, 7, 100, 2), wantRes: Result{Rested: 2}},
			{o: ask(2, 8, 100, 2), wantRes: Result{Rested: 2}},
			{o: Order{ID: 3, Account: 7, Side: Buy, Price: 100, Qty: 3}, wantFills: []Fill{{2, 3, 8, 7, 100, 2, Buy, false}}, wantRes: Result{Filled: 2, Rested: 1, ExpiredMakers: 1}},
		}, Top{BidPrice: 100, BidQty: 1}},
		{"STP expire both", STPExpireBoth, []step{
			{o: ask(1, 7, 100, 2), wantRes: Result{Rested: 2}},
			{o: Order{ID: 3, Account: 7, Side: Buy, Price: 100, Qty: 3}, wantRes: Result{Cancelled: 3, ExpiredMakers: 1}},
		}, Top{}},
		{"STP decrement", STPDecrement, []step{
			{o: ask(1, 7, 100, 5), wantRes: Result{Rested: 5}},
			{o: Order{ID: 3, Account: 7, Side: Buy, Price: 100, Qty: 3}, wantRes: Result{Cancelled: 3}},
		}, Top{AskPrice: 100, AskQty: 2}},
		{"STP by trade group across accounts", STPExpireTaker, []step{
			{o: Order{ID: 1, Account: 1, Group: 42, Side: Sell, Price: 100, Qty: 1}, wantRes: Result{Rested: 1}},
			{o: Order{ID: 2, Account: 2, Group: 42, Side: Buy, Price: 100, Qty: 1}, wantRes: Result{Cancelled: 1}},
		}, Top{AskPrice: 100, AskQty: 1}},
		{"bad input is rejected", STPOff, []step{
			{o: Order{ID: 0, Side: Buy, Price: 1, Qty: 1}, wantErr: ErrBadOrderID},
			{o: Order{ID: 1, Side: 0, Price: 1, Qty: 1}, wantErr: ErrBadSide},
			{o: Order{ID: 1, Side: Buy, Price: 1, Qty: 0}, wantErr: ErrBadQty},
			{o: Order{ID: 1, Side: Buy, Price: -1, Qty: 1}, wantErr: ErrBadPrice},
			{o: Order{ID: 1, Side: Buy, Price: 10, Qty: 1}, wantRes: Result{Rested: 1}},
			{o: Order{ID: 1, Side: Buy, Price: 10, Qty: 1}, wantErr: ErrDuplicateOrder},
		}, Top{BidPrice: 10, BidQty: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBook(t, tc.stp)
			for i, s := range tc.steps {
				fills, res, err := b.Submit(s.o, nil)
				if !errors.Is(err, s.wantErr) || (err == nil) != (s.wantErr == nil) {
					t.Fatalf("step %d: err %v, want %v", i, err, s.wantErr)
				}
				if err != nil {
					var oe *OpError
					if !errors.As(err, &oe) || oe.OrderID != s.o.ID {
						t.Fatalf("step %d: error %v does not name the order", i, err)
					}
					continue
				}
				if !reflect.DeepEqual(fills, s.wantFills) || res != s.wantRes {
					t.Fatalf("step %d: fills %+v res %+v, want %+v %+v", i, fills, res, s.wantFills, s.wantRes)
				}
			}
			if got := b.Top(); got != tc.top {
				t.Fatalf("Top = %+v, want %+v", got, tc.top)
			}
		})
	}
}

func TestOffTickIsRejected(t *testing.T) {
	b, _ := New(Config{Tick: 5, Lot: 10})
	_, _, err := b.Submit(Order{ID: 1, Side: Buy, Price: 101, Qty: 10}, nil)
	if !errors.Is(err, ErrOffTick) {
		t.Fatalf("err = %v", err)
	}
	_, _, err = b.Submit(Order{ID: 1, Side: Buy, Price: 100, Qty: 15}, nil)
	if !errors.Is(err, ErrBadQty) {
		t.Fatalf("err = %v", err)
	}
}

func TestModifyPriority(t *testing.T) {
	b := newBook(t, STPOff)
	mustSubmit(t, b, Order{ID: 1, Side: Buy, Price: 100, Qty: 5})
	mustSubmit(t, b, Order{ID: 2, Side: Buy, Price: 100, Qty: 5})
	// Shrinking at the same price keeps priority.
	if _, err := b.Modify(1, 100, 3, nil); err != nil {
		t.Fatal(err)
	}
	f, _ := mustSubmit(t, b, Order{ID: 3, Side: Sell, Price: 100, Qty: 1})
	if f[0].MakerOrder != 1 {
		t.Fatalf("shrink lost priority: %+v", f)
	}
	// Growing moves the order to the back.
	if _, err := b.Modify(1, 100, 6, nil); err != nil {
		t.Fatal(err)
	}
	f, _ = mustSubmit(t, b, Order{ID: 4, Side: Sell, Price: 100, Qty: 1})
	if f[0].MakerOrder != 2 {
		t.Fatalf("growth kept priority: %+v", f)
	}
	// A price change that crosses trades.
	mustSubmit(t, b, Order{ID: 5, Side: Sell, Price: 102, Qty: 2})
	f, err := b.Modify(2, 102, 4, nil)
	if err != nil || len(f) != 1 || f[0].MakerOrder != 5 || f[0].TakerOrder != 2 || f[0].Qty != 2 {
		t.Fatalf("crossing modify: %+v %v", f, err)
	}
	if info, ok := b.Get(2); !ok || info.Price != 102 || info.Qty != 2 {
		t.Fatalf("after crossing modify: %+v %v", info, ok)
	}
}

func TestExecuteReduceCancelAndHidden(t *testing.T) {
	b := newBook(t, STPOff)
	mustSubmit(t, b, Order{ID: 10, Account: 3, Side: Sell, Price: 100, Qty: 10})
	f, err := b.Execute(10, 4, nil)
	if err != nil || !reflect.DeepEqual(f, []Fill{{MakerOrder: 10, MakerAccount: 3, Price: 100, Qty: 4, Aggressor: Buy}}) {
		t.Fatalf("execute: %+v %v", f, err)
	}
	if _, err := b.Execute(10, 7, nil); !errors.Is(err, ErrBadQty) {
		t.Fatalf("over-execute: %v", err)
	}
	if rem, err := b.Reduce(10, 2); err != nil || rem != 4 {
		t.Fatalf("reduce: %d %v", rem, err)
	}
	if f := b.ExecuteHidden(Sell, 99, 5, nil); len(f) != 1 || !f[0].Hidden || f[0].Aggressor != Buy {
		t.Fatalf("hidden: %+v", f)
	}
	if b.Top() != (Top{AskPrice: 100, AskQty: 4}) {
		t.Fatalf("hidden execution changed the book: %+v", b.Top())
	}
	if q, err := b.Cancel(10); err != nil || q != 4 {
		t.Fatalf("cancel: %d %v", q, err)
	}
	if _, err := b.Cancel(10); !errors.Is(err, ErrUnknownOrder) {
		t.Fatalf("second cancel: %v", err)
	}
}

func TestFarPricesUseOverflowWithoutHugeAllocation(t *testing.T) {
	b := newBook(t, STPOff)
	mustSubmit(t, b, Order{ID: 1, Side: Buy, Price: 6_000_000, Qty: 1})
	mustSubmit(t, b, Order{ID: 2, Side: Buy, Price: 1, Qty: 1})            // fat finger far below
	mustSubmit(t, b, Order{ID: 3, Side: Sell, Price: 900_000_000, Qty: 1}) // far above
	if len(b.bids.slots) > maxWindow || len(b.asks.slots) > maxWindow {
		t.Fatalf("window grew beyond its limit: %d %d", len(b.bids.slots), len(b.asks.slots))
	}
	f, r := mustSubmit(t, b, Order{ID: 4, Side: Sell, Type: Market, Qty: 2})
	if r.Filled != 2 || f[1].Price != 1 {
		t.Fatalf("sweep: %+v %+v", f, r)
	}
	d := b.Depth(Sell, make([]Level, 0, 4))
	if len(d) != 1 || d[0].Price != 900_000_000 {
		t.Fatalf("depth: %+v", d)
	}
}

func TestDepthDoesNotAllocate(t *testing.T) {
	b := newBook(t, STPOff)
	for i := uint64(1); i <= 50; i++ {
		mustSubmit(t, b, Order{ID: i, Side: Buy, Price: int64(1000 - i%20), Qty: 1})
	}
	dst := make([]Level, 0, 10)
	if n := testing.AllocsPerRun(100, func() { dst = b.Depth(Buy, dst) }); n != 0 {
		t.Fatalf("Depth allocates %v times", n)
	}
	if len(dst) != 10 || dst[0].Price != 1000 || dst[0].Orders != 2 {
		t.Fatalf("depth: %+v", dst[:2])
	}
}

// TestDepthToIsTheModelsWindow: DepthTo is the model's depth cut at the
// limit and at cap(dst), for books whose levels are sparse (gaps of many
// bitmap words), dense, and partly in the overflow list, with a tick above
// one; it fails when the window walk skips a word, reads past the limit or
// stops a word early.
func TestDepthToIsTheModelsWindow(t *testing.T) {
	for _, c := range []struct {
		name       string
		tick       int64
		spread     int64 // ticks the prices spread over either side of the mid
		far        bool  // a few prices far enough to sit in the overflow list
		orders     int
		cancelEach int // cancel every n-th order after submitting (0: none)
	}{
		{"dense", 1, 40, false, 300, 0},
		{"sparse", 1, 20_000, false, 200, 3},
		{"tick5", 5, 500, false, 300, 4},
		{"overflow", 1, 300, true, 200, 0},
		{"one_level", 1, 1, false, 5, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := New(Config{Tick: c.tick, Lot: 1})
			if err != nil {
				t.Fatal(err)
			}
			m := &model{cfg: Config{Tick: c.tick, Lot: 1}}
			r := rand.New(rand.NewPCG(11, uint64(c.spread)))
			const mid = int64(100_000_000)
			for id := uint64(1); id <= uint64(c.orders); id++ {
				side, off := Buy, 1+r.Int64N(c.spread)
				if c.far && id%17 == 0 {
					off += 3 * maxWindow
				}
				price := (mid - off) * c.tick
				if id%2 == 0 {
					side, price = Sell, (mid+off)*c.tick
				}
				o := Order{ID: id, Side: side, Price: price, Qty: 1 + r.Int64N(9)}
				mustSubmit(t, b, o)
				m.submit(o)
				if c.cancelEach > 0 && id%uint64(c.cancelEach) == 0 {
					if _, err := b.Cancel(id); err != nil {
						t.Fatal(err)
					}
					m.remove(slices.IndexFunc(m.orders, func(mo modelOrder) bool { return mo.id == id }))
				}
			}
			for _, s := range []Side{Buy, Sell} {
				all := m.depth(s)
				for _, n := range []int{0, 1, 2, 10, 63, 64, 65, len(all), len(all) + 5} {
					for k := 0; k < 8; k++ {
						var limit int64
						if len(all) > 0 {
							limit = all[r.IntN(len(all))].Price + r.Int64N(2*c.tick+1) - c.tick // on and off the tick
						}
						if k == 1 {
							limit = -7 // below every price: all bids, no ask
						}
						if k == 0 || len(all) == 0 {
							limit = math.MinInt64
							if s == Sell {
								limit = math.MaxInt64
							}
						}
						var want []Level
						for _, l := range all {
							if len(want) == n || s == Buy && l.Price < limit || s == Sell && l.Price > limit {
								break
							}
							want = append(want, l)
						}
						if got := b.DepthTo(s, limit, make([]Level, 0, n)); !slices.Equal(got, want) {
							t.Fatalf("%v to %d cap %d: %v, model %v", s, limit, n, got, want)
						}
					}
				}
			}
		})
	}
}

func TestCrossed(t *testing.T) {
	b, _ := New(Config{Tick: 1, Lot: 1})
	b.Submit(Order{ID: 1, Side: Buy, Price: 100, Qty: 5}, nil)
	b.Submit(Order{ID: 2, Side: Sell, Price: 102, Qty: 5}, nil)
	for _, c := range []struct {
		side  Side
		price int64
		best  int64
		want  bool
	}{{Buy, 101, 102, false}, {Buy, 102, 102, true}, {Buy, 150, 102, true}, {Sell, 101, 100, false}, {Sell, 100, 100, true}, {Sell, 1, 100, true}} {
		best, got := b.Crossed(c.side, c.price)
		if got != c.want || (got && best != c.best) {
			t.Errorf("Crossed(%v, %d) = %d, %v; want %d, %v", c.side, c.price, best, got, c.best, c.want)
		}
	}
	empty, _ := New(Config{Tick: 1, Lot: 1})
	if _, got := empty.Crossed(Buy, 1<<40); got {
		t.Error("an empty book crossed")
	}
}

// TestCancelGetIsGetThenCancel checks CancelGet against Get followed by
// Cancel on the same book state: the same order as it stood, the same book
// after, and ErrUnknownOrder for an id the book does not hold (0 included).
func TestCancelGetIsGetThenCancel(t *testing.T) {
	build := func() *Book {
		b, err := New(Config{Tick: 1, Lot: 1})
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range []Order{{ID: 1, Account: 7, Side: Buy, Price: 99, Qty: 5}, {ID: 2, Account: 8, Side: Buy, Price: 99, Qty: 3}, {ID: 3, Account: 9, Side: Sell, Price: 101, Qty: 4}} {
			if _, _, err := b.Submit(o, nil); err != nil {
				t.Fatalf("order %d: %v", i, err)
			}
		}
		return b
	}
	for _, id := range []uint64{1, 2, 3, 4, 0} {
		a, b := build(), build()
		want, ok := a.Get(id)
		_, werr := a.Cancel(id)
		got, err := b.CancelGet(id)
		if ok != (err == nil) || (werr == nil) != (err == nil) {
			t.Fatalf("id %d: CancelGet error %v; Get found it %v, Cancel's error %v", id, err, ok, werr)
		}
		if err != nil && !errors.Is(err, ErrUnknownOrder) {
			t.Fatalf("id %d: %v, want ErrUnknownOrder", id, err)
		}
		if got != want {
			t.Fatalf("id %d: CancelGet gave %+v, Get %+v", id, got, want)
		}
		for _, s := range []Side{Buy, Sell} {
			if da, db := a.Depth(s, make([]Level, 0, 8)), b.Depth(s, make([]Level, 0, 8)); !slices.Equal(da, db) {
				t.Fatalf("id %d: books differ after: %v and %v", id, da, db)
			}
		}
	}
}

// TestDuplicateIDsBelowAndAtTheLargest: the duplicate check is skipped only
// for an id above every id the book has held; ids below it and equal to it
// are still looked up, in any order of arrival.
func TestDuplicateIDsBelowAndAtTheLargest(t *testing.T) {
	b, err := New(Config{Tick: 1, Lot: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id   uint64
		want error
	}{{100, nil}, {50, nil}, {50, ErrDuplicateOrder}, {100, ErrDuplicateOrder}, {101, nil}, {7, nil}, {101, ErrDuplicateOrder}, {7, ErrDuplicateOrder}} {
		_, _, err := b.Submit(Order{ID: c.id, Side: Buy, Price: 10, Qty: 1}, nil)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Fatalf("order %d: %v, want %v", c.id, err, c.want)
		}
	}
}

// TestPrefetchChangesNothing: Prefetch, on a small book, one large enough
// for it to bring orders in (prefetchLive) and one large enough for it to
// bring their neighbours in too (prefetchLinksLive), for live ids, absent
// ones, 0 and the largest id, leaves every answer as it was.
func TestPrefetchChangesNothing(t *testing.T) {
	for _, n := range []int{100, prefetchLive + 1000, prefetchLinksLive + 1000} {
		b, _ := New(Config{Tick: 1, Lot: 1, SizeHint: 1024})
		for id := uint64(1); id <= uint64(n); id++ {
			side, px := Buy, int64(1000-id%50)
			if id%2 == 0 {
				side, px = Sell, int64(1001+id%50)
			}
			if _, _, err := b.Submit(Order{ID: id, Side: side, Price: px, Qty: int64(id%7 + 1)}, nil); err != nil {
				t.Fatal(err)
			}
		}
		top, before := b.Top(), b.Len()
		infos := map[uint64]OrderInfo{}
		for _, id := range []uint64{1, 2, uint64(n / 2), uint64(n)} {
			infos[id], _ = b.Get(id)
		}
		for k := range 4 * pfDepth { // enough to bring in neighbours, of live and absent orders
			for _, id := range []uint64{0, 1, 2, uint64(n / 2), uint64(n), uint64(n) + 1, 1 << 40, math.MaxUint64, uint64(k * 997)} {
				b.Prefetch(id)
			}
		}
		if b.Top() != top || b.Len() != before {
			t.Fatalf("%d orders: after Prefetch top %+v, %d orders; before %+v, %d", n, b.Top(), b.Len(), top, before)
		}
		for id, want := range infos {
			if got, ok := b.Get(id); !ok || got != want {
				t.Fatalf("%d orders: after Prefetch Get(%d) = %+v, %v; want %+v", n, id, got, ok, want)
			}
		}
	}
}

// TestMakersTellTheMakersPlacing holds Makers to the Placed of each fill's
// maker — its Time and its quantity when placed — after a partial fill, a
// reduce and a modify that keeps its place, after a modify that moves it to
// a slot another order left during that modify's own matching (ids 65 and 66
// collide with 1 and 2 in the 64-slot ring: both live in overflow slots, and
// the modified order takes the one its fully filled maker freed), for an
// execution and a hidden one, and to nothing without Config.KeepPlaced.
func TestMakersTellTheMakersPlacing(t *testing.T) {
	b, err := New(Config{Tick: 1, Lot: 1, KeepPlaced: true})
	if err != nil {
		t.Fatal(err)
	}
	makers := func(step string, want ...Placed) {
		t.Helper()
		if got := b.Makers(); !reflect.DeepEqual(got, want) && len(got)+len(want) > 0 {
			t.Fatalf("%s: makers %+v, want %+v", step, got, want)
		}
	}
	mustSubmit(t, b, Order{ID: 1, Account: 1, Side: Buy, Price: 90, Qty: 1, Time: 100})
	mustSubmit(t, b, Order{ID: 2, Account: 1, Side: Buy, Price: 90, Qty: 1, Time: 101})
	mustSubmit(t, b, Order{ID: 66, Account: 2, Side: Sell, Price: 100, Qty: 5, Time: 1})
	mustSubmit(t, b, Order{ID: 65, Account: 3, Side: Buy, Price: 99, Qty: 10, Time: 3})
	if _, err := b.Reduce(65, 1); err != nil { // 9 left
		t.Fatal(err)
	}
	if _, err := b.Modify(65, 99, 8, nil); err != nil { // smaller at its price: keeps its place
		t.Fatal(err)
	}
	f, err := b.Modify(65, 100, 8, nil) // crosses order 66 whole, rests 3 in the slot 66 left
	if err != nil || len(f) != 1 || f[0].MakerOrder != 66 {
		t.Fatalf("crossing modify: %+v %v", f, err)
	}
	makers("crossing modify", Placed{Time: 1, Size: 5})
	f, _ = mustSubmit(t, b, Order{ID: 3, Account: 4, Side: Sell, Price: 100, Qty: 2, Time: 9})
	if len(f) != 1 || f[0].MakerOrder != 65 {
		t.Fatalf("fill of the modified order: %+v", f)
	}
	makers("fill of the modified order", Placed{Time: 3, Size: 10})
	if _, err := b.Execute(65, 1, nil); err != nil {
		t.Fatal(err)
	}
	makers("execution", Placed{Time: 3, Size: 10})
	b.ExecuteHidden(Sell, 90, 1, nil)
	makers("hidden execution", Placed{})
	if _, _, err := b.Submit(Order{ID: 4, Account: 5, Side: Sell, Price: 90, Qty: 2, Time: 10}, nil); err != nil {
		t.Fatal(err)
	}
	makers("two makers, in fill order", Placed{Time: 100, Size: 1}, Placed{Time: 101, Size: 1})

	plain := newBook(t, STPOff)
	mustSubmit(t, plain, Order{ID: 1, Account: 1, Side: Sell, Price: 100, Qty: 5, Time: 1})
	mustSubmit(t, plain, Order{ID: 2, Account: 2, Side: Buy, Price: 100, Qty: 5, Time: 2})
	if got := plain.Makers(); len(got) != 0 {
		t.Fatalf("without KeepPlaced: makers %+v", got)
	}
}

// TestSubmitOrderLeavesTheOrder: SubmitOrder reads the order it is handed
// and changes none of it, whatever becomes of the order — rested, filled in
// part or whole, its remainder cancelled, rejected — so a caller may submit
// the same Order value again or keep reading it.
func TestSubmitOrderLeavesTheOrder(t *testing.T) {
	b, err := New(Config{Tick: 1, Lot: 1, KeepPlaced: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range []Order{
		{ID: 1, Account: 7, Side: Sell, Price: 101, Qty: 5, Time: 10},           // rests
		{ID: 2, Account: 8, Side: Buy, Price: 101, Qty: 3, Time: 11},            // fills in whole
		{ID: 3, Account: 8, Side: Buy, Price: 101, Qty: 4, Time: 12},            // fills in part, rests the rest
		{ID: 4, Account: 9, Side: Sell, Price: 100, Qty: 9, TIF: IOC, Time: 13}, // fills, remainder cancelled
		{ID: 5, Account: 9, Side: Sell, Price: 90, Qty: 1, TIF: PostOnly},       // rests: no bid to cross
		{ID: 6, Account: 9, Side: Buy, Price: 95, Qty: 2, TIF: FOK},             // rejected: nothing to fill
		{ID: 7, Account: 9, Side: Buy, Type: Market, Qty: 1},                    // trades against 5
		{ID: 1, Account: 7, Side: Buy, Price: 99, Qty: 1},                       // 1 left the book: a new order may take its id
		{ID: 0, Account: 7, Side: Buy, Price: 99, Qty: 1},                       // rejected: no id
	} {
		was := o
		if _, _, err := b.SubmitOrder(&o, nil); err != nil && !errors.Is(err, ErrFOKUnfillable) && !errors.Is(err, ErrWouldCross) && !errors.Is(err, ErrBadOrderID) {
			t.Fatalf("order %d: %v", i, err)
		}
		if o != was {
			t.Fatalf("order %d: SubmitOrder changed it: %+v, was %+v", i, o, was)
		}
	}
}

// TestIntoMethods: GetInto, CancelLiveInto and WatchInto write the order
// as it rests — held here to the orders submitted, not to the value methods
// (which call them) — leave *info as it was for an order that is not live,
// and do to the book what their names say: CancelLiveInto takes the order
// away, WatchInto marks it, GetInto changes nothing.
func TestIntoMethods(t *testing.T) {
	orders := []Order{{ID: 1, Account: 7, Group: 3, Side: Buy, Price: 99, Qty: 5}, {ID: 2, Account: 8, Side: Sell, Price: 101, Qty: 3}}
	build := func() (*Book, uint16) {
		b, err := New(Config{Tick: 1, Lot: 1})
		if err != nil {
			t.Fatal(err)
		}
		w, err := b.NewWatcher()
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range orders {
			if _, _, err := b.Submit(o, nil); err != nil {
				t.Fatal(err)
			}
		}
		return b, w
	}
	sentinel := OrderInfo{ID: 77, Account: 77, Group: 77, Side: Sell, Price: 77, Qty: 77}
	for _, id := range []uint64{1, 2, 3, 0} {
		var want OrderInfo
		live := false
		for _, o := range orders {
			if o.ID == id {
				want, live = OrderInfo{ID: o.ID, Account: o.Account, Group: o.Group, Side: o.Side, Price: o.Price, Qty: o.Qty}, true
			}
		}
		if !live {
			want = sentinel
		}
		for _, m := range []struct {
			name      string
			into      func(*Book, uint16, *OrderInfo) bool
			leaves    bool // the order rests after
			leftAfter int  // WatchLeft's count after cancelling it, when live
		}{
			{"GetInto", func(b *Book, _ uint16, in *OrderInfo) bool { return b.GetInto(id, in) }, true, 0},
			{"CancelLiveInto", func(b *Book, _ uint16, in *OrderInfo) bool { return b.CancelLiveInto(id, in) }, false, 0},
			{"WatchInto", func(b *Book, w uint16, in *OrderInfo) bool { return b.WatchInto(id, w, in) }, true, 1},
		} {
			b, w := build()
			got := sentinel
			if ok := m.into(b, w, &got); ok != live {
				t.Fatalf("%s(%d): live %v, want %v", m.name, id, ok, live)
			}
			if got != want {
				t.Fatalf("%s(%d): wrote %+v, want %+v", m.name, id, got, want)
			}
			if !live {
				continue
			}
			if _, rests := b.Get(id); rests != m.leaves {
				t.Fatalf("%s(%d): the order rests after: %v, want %v", m.name, id, rests, m.leaves)
			}
			if m.leaves {
				b.Cancel(id)
			}
			if left, _ := b.WatchLeft(w, nil); len(left) != m.leftAfter {
				t.Fatalf("%s(%d): %d watched orders left after it was cancelled, want %d", m.name, id, len(left), m.leftAfter)
			}
		}
	}
}
