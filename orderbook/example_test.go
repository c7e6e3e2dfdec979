package orderbook_test

import (
	"fmt"

	"github.com/tapetest/tapetest/orderbook"
)

func Example() {
	b, err := orderbook.New(orderbook.Config{Tick: 1, Lot: 1, STP: orderbook.STPExpireTaker})
	if err != nil {
		panic(err)
	}
	var fills []orderbook.Fill
	fills, _, _ = b.Submit(orderbook.Order{ID: 1, Account: 100, Side: orderbook.Sell, Price: 101, Qty: 5}, fills)
	fills, _, _ = b.Submit(orderbook.Order{ID: 2, Account: 200, Side: orderbook.Sell, Price: 102, Qty: 5}, fills)
	fills, res, _ := b.Submit(orderbook.Order{ID: 3, Account: 300, Side: orderbook.Buy, Price: 102, Qty: 7}, fills)
	for _, f := range fills {
		fmt.Printf("maker %d (acct %d) -> taker %d: %d @ %d\n", f.MakerOrder, f.MakerAccount, f.TakerOrder, f.Qty, f.Price)
	}
	fmt.Printf("filled %d rested %d\n", res.Filled, res.Rested)
	depth := b.Depth(orderbook.Sell, make([]orderbook.Level, 0, 5))
	fmt.Println("asks:", depth)
	// Output:
	// maker 1 (acct 100) -> taker 3: 5 @ 101
	// maker 2 (acct 200) -> taker 3: 2 @ 102
	// filled 7 rested 0
	// asks: [{102 3 1}]
}

// An owner of many resting orders (a market-making agent) marks them for a
// watcher and, instead of looking each one up, asks the book which of them
// left since it last asked; Move amends one to a new price at its open
// quantity and says whether it still rests.
func ExampleBook_WatchLeft() {
	b, _ := orderbook.New(orderbook.Config{Tick: 1, Lot: 1})
	w, _ := b.NewWatcher()
	for id := uint64(1); id <= 3; id++ {
		b.Submit(orderbook.Order{ID: id, Account: 7, Side: orderbook.Buy, Price: 100 - int64(id), Qty: 2}, nil)
		b.Watch(id, w)
	}
	b.Submit(orderbook.Order{ID: 9, Account: 8, Side: orderbook.Sell, Price: 99, Qty: 2}, nil) // takes order 1
	_, _, live, _ := b.Move(2, 97, nil)                                                        // order 2 to a deeper level
	b.CancelLive(3)
	left, complete := b.WatchLeft(w, nil)
	fmt.Println("left:", left, "complete:", complete, "order 2 rests:", live)
	// Output:
	// left: [1 3] complete: true order 2 rests: true
}

// A caller that holds the coming cancels names each one's order to
// Prefetch some operations ahead; the answers are the same with or without.
func ExampleBook_Prefetch() {
	b, _ := orderbook.New(orderbook.Config{Tick: 1, Lot: 1, SizeHint: 1 << 16})
	var cancels []uint64
	for id := uint64(1); id <= 50_000; id++ {
		b.Submit(orderbook.Order{ID: id, Side: orderbook.Buy, Price: int64(1000 - id%100), Qty: 1}, nil)
		if id%3 == 0 {
			cancels = append(cancels, id)
		}
	}
	var gone int64
	for i, id := range cancels {
		if j := i + orderbook.PrefetchAhead; j < len(cancels) {
			b.Prefetch(cancels[j])
		}
		q, _ := b.Cancel(id)
		gone += q
	}
	fmt.Println(gone, "cancelled,", b.Len(), "resting")
	// Output: 16666 cancelled, 33334 resting
}

// A replay's engine fills in one Order per add, field by field, and hands
// it to the book by pointer; a venue that passes the resting order on
// writes it where it keeps it. Neither copies a struct it has just written
// (SubmitOrder says why that is worth a method).
func ExampleBook_SubmitOrder() {
	b, _ := orderbook.New(orderbook.Config{Tick: 1, Lot: 1})
	var o orderbook.Order
	var fills []orderbook.Fill
	for i, px := range []int64{101, 102} {
		o.ID, o.Account, o.Side, o.Price, o.Qty = uint64(i+1), 100, orderbook.Sell, px, 5
		fills, _, _ = b.SubmitOrder(&o, fills[:0])
	}
	o.ID, o.Account, o.Side, o.Price, o.Qty = 3, 200, orderbook.Buy, 101, 2
	fills, res, _ := b.SubmitOrder(&o, fills[:0])
	fmt.Printf("%d filled against order %d\n", res.Filled, fills[0].MakerOrder)
	var info orderbook.OrderInfo
	if b.CancelLiveInto(1, &info) {
		fmt.Printf("pulled order %d: %d left at %d\n", info.ID, info.Qty, info.Price)
	}
	fmt.Println("order 1 still live:", b.GetInto(1, &info))
	// Output:
	// 2 filled against order 1
	// pulled order 1: 3 left at 101
	// order 1 still live: false
}
