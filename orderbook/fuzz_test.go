package orderbook

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"testing"
)

// bookQueues lists every level of b as (price, ids in FIFO order), best first.
func bookQueues(b *Book, s Side) [][]uint64 {
	var out [][]uint64
	for _, l := range b.Depth(s, make([]Level, 0, b.Levels(s))) {
		li := b.side(s).find(l.Price / b.tickSize)
		var ids []uint64
		for oi := b.levels[li].head; oi >= 0; oi = b.orders[oi].next {
			ids = append(ids, b.orders[oi].id)
		}
		out = append(out, ids)
	}
	return out
}

func modelQueues(m *model, s Side) [][]uint64 {
	var out [][]uint64
	for _, l := range m.depth(s) {
		out = append(out, m.queue(s, l.Price))
	}
	return out
}

type snapshot struct {
	bids, asks []Level
	qb, qa     [][]uint64
	top        Top
	n          int
}

func snap(b *Book) snapshot {
	return snapshot{
		bids: b.Depth(Buy, make([]Level, 0, b.Levels(Buy))),
		asks: b.Depth(Sell, make([]Level, 0, b.Levels(Sell))),
		qb:   bookQueues(b, Buy), qa: bookQueues(b, Sell), top: b.Top(), n: b.Len(),
	}
}

func sumQty(ls []Level) int64 {
	var s int64
	for _, l := range ls {
		s += l.Qty
	}
	return s
}

// runOps decodes data into book operations, applies each to a Book and to the
// reference model, and checks after every operation that they agree (fills,
// results, errors, depth, FIFO queues) and that the invariants hold: the book is
// never crossed at rest, a submitted order's quantity is filled + rested +
// cancelled, resting quantity is conserved, and a rejected operation leaves the
// book unchanged.
func runOps(t *testing.T, data []byte) {
	if len(data) < 1 {
		return
	}
	const tick, lot = 5, 10
	cfg := Config{Tick: tick, Lot: lot, STP: STPMode(data[0] % 5), SizeHint: 8, KeepPlaced: data[0]/5%2 == 0}
	data = data[1:]
	if len(data) > 6*1500 {
		data = data[:6*1500] // the reference model is quadratic: keep each input quick
	}
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := &model{cfg: cfg}
	placedOf := map[uint64]Placed{} // every order submitted: when and how big (Book.Makers' answer)
	var nextID uint64 = 1
	var fills []Fill
	for step := 0; len(data) >= 6; step++ {
		op := data[:6]
		data = data[6:]
		side := Buy
		if op[1]&1 == 1 {
			side = Sell
		}
		var price int64 = (1000 + int64(op[2]%40) - 20) * tick
		switch op[2] {
		case 255:
			price = (1000 + 5_000_000) * tick // far beyond the dense window: overflow list
		case 254:
			price = tick // fat finger at the minimum price
		case 253:
			price += 1 // off the tick grid
		case 252, 251:
			// Beyond the dense window but within its reach: the window widens,
			// or moves to centre on the levels when they fit (the prices
			// spread by op[5] so that both happen).
			price = (1000 + 40_000 + int64(op[5])*2_000) * tick
			if op[2] == 251 {
				price = (1000 + 70_000) * tick
			}
		}
		qty := int64(op[3]%16+1) * lot
		if op[3] == 0xff {
			qty = 0
		} else if op[3] == 0xfe {
			qty = lot + 3
		}
		live := make([]uint64, 0, len(m.orders))
		for _, o := range m.orders {
			live = append(live, o.id)
		}
		pick := func() uint64 {
			if len(live) == 0 || op[4]%8 == 7 {
				return 999_999 // unknown
			}
			return live[int(op[4])%len(live)]
		}
		before := snap(b)
		fills = fills[:0]
		var desc string
		var berr, merr error
		var mf []Fill
		var mexp []uint64
		restBefore := sumQty(before.bids) + sumQty(before.asks)
		switch op[0] % 6 {
		case 0, 1:
			if op[4]%16 == 14 { // a gap in the ids: under the ring's length, over it, far
				nextID += []uint64{40, 100, 1 << 40}[op[5]%3]
			}
			o := Order{ID: nextID, Account: uint64(op[5]%4) + 1, Side: side, Type: Limit, TIF: TIF(op[1] >> 1 % 4), Price: price, Qty: qty, Time: 1_000 + int64(step)}
			if op[5]&0x10 != 0 {
				o.Group = uint64(op[5]>>5) % 3
			}
			if op[0]%6 == 1 {
				o.Type = Market
				o.Price = 0
			}
			if op[4]%16 == 15 && len(live) > 0 {
				o.ID = live[0] // duplicate
			}
			desc = fmt.Sprintf("submit %+v", o)
			var res Result
			fills, res, berr = b.Submit(o, fills)
			var mres Result
			mf, mres, mexp, merr = m.submit(o)
			if berr == nil {
				placedOf[o.ID] = Placed{o.Time, o.Qty}
				nextID++
				if res != mres {
					t.Fatalf("step %d %s: result %+v, model %+v", step, desc, res, mres)
				}
				if res.Filled+res.Rested+res.Cancelled != o.Qty {
					t.Fatalf("step %d %s: filled %d + rested %d + cancelled %d != qty %d", step, desc, res.Filled, res.Rested, res.Cancelled, o.Qty)
				}
				if !reflect.DeepEqual(append([]uint64(nil), b.Expired()...), mexp) && !(len(b.Expired()) == 0 && len(mexp) == 0) {
					t.Fatalf("step %d %s: expired %v, model %v", step, desc, b.Expired(), mexp)
				}
				if cfg.STP == STPOff || res.ExpiredMakers == 0 && res.Cancelled == 0 {
					after := snap(b)
					var filled int64
					for _, f := range fills {
						filled += f.Qty
					}
					if cfg.STP == STPOff && sumQty(after.bids)+sumQty(after.asks) != restBefore+res.Rested-filled {
						t.Fatalf("step %d %s: resting quantity not conserved", step, desc)
					}
				}
			}
		case 2:
			id := pick()
			desc = fmt.Sprintf("cancel %d", id)
			if b.Has(id) != (m.find(id) >= 0) {
				t.Fatalf("step %d %s: Has %v, model live %v", step, desc, b.Has(id), m.find(id) >= 0)
			}
			if op[5]&1 == 1 { // CancelLive: no error for an order that is not there
				desc = fmt.Sprintf("cancel %d if live", id)
				want, wantLive := b.Get(id)
				info, ok := b.CancelLive(id)
				_, merr := m.cancel(id)
				if ok != wantLive || info != want || ok != (merr == nil) {
					t.Fatalf("step %d %s: %+v %v, before %+v %v, model %v", step, desc, info, ok, want, wantLive, merr)
				}
				break
			}
			q1, e1 := b.Cancel(id)
			q2, e2 := m.cancel(id)
			berr, merr = e1, e2
			if e1 == nil && q1 != q2 {
				t.Fatalf("step %d %s: %d vs model %d", step, desc, q1, q2)
			}
		case 3:
			id := pick()
			desc = fmt.Sprintf("reduce %d by %d", id, qty)
			q1, e1 := b.Reduce(id, qty)
			q2, e2 := m.reduce(id, qty)
			berr, merr = e1, e2
			if e1 == nil && q1 != q2 {
				t.Fatalf("step %d %s: %d vs model %d", step, desc, q1, q2)
			}
		case 4:
			id := pick()
			desc = fmt.Sprintf("modify %d to %d@%d", id, qty, price)
			if op[5]&1 == 1 { // Move: Modify to the open quantity
				desc = fmt.Sprintf("move %d to %d", id, price)
				want, wantLive := b.Get(id)
				var before OrderInfo
				var live bool
				before, fills, live, berr = b.Move(id, price, fills)
				mf, mexp, merr = m.modify(id, price, want.Qty)
				if !wantLive {
					mf, mexp, merr = m.modify(id, price, qty) // unknown: the model's error
				}
				_, rests := b.Get(id)
				if before != want || live != (rests || berr != nil && wantLive) {
					t.Fatalf("step %d %s: before %+v, live %v; want %+v, rests %v", step, desc, before, live, want, rests)
				}
			} else {
				fills, berr = b.Modify(id, price, qty, fills)
				mf, mexp, merr = m.modify(id, price, qty)
			}
			if berr == nil && len(b.Expired())+len(mexp) > 0 && !reflect.DeepEqual(b.Expired(), mexp) {
				t.Fatalf("step %d %s: expired %v, model %v", step, desc, b.Expired(), mexp)
			}
		case 5:
			id := pick()
			desc = fmt.Sprintf("execute %d qty %d", id, qty)
			fills, berr = b.Execute(id, qty, fills)
			mf, merr = m.execute(id, qty)
		}
		if !sameErr(berr, merr) {
			t.Fatalf("step %d %s: error %v, model %v", step, desc, berr, merr)
		}
		if berr != nil {
			if after := snap(b); !reflect.DeepEqual(after, before) {
				t.Fatalf("step %d %s: rejected (%v) but the book changed", step, desc, berr)
			}
			continue
		}
		if len(fills)+len(mf) > 0 && !reflect.DeepEqual(fills, mf) {
			t.Fatalf("step %d %s: fills\n%+v\nmodel\n%+v", step, desc, fills, mf)
		}
		if op[0]%6 != 2 && op[0]%6 != 3 { // the calls that trade: Makers tells their fills' makers
			var want []Placed
			if cfg.KeepPlaced {
				for _, f := range fills {
					want = append(want, placedOf[f.MakerOrder])
				}
			}
			if got := b.Makers(); len(got)+len(want) > 0 && !reflect.DeepEqual(got, want) {
				t.Fatalf("step %d %s: makers %+v, want %+v (fills %+v)", step, desc, got, want, fills)
			}
		}
		s := snap(b)
		if mb := m.depth(Buy); !(len(mb) == 0 && len(s.bids) == 0) && !reflect.DeepEqual(s.bids, mb) {
			t.Fatalf("step %d %s: bids %v, model %v", step, desc, s.bids, mb)
		}
		if ma := m.depth(Sell); !(len(ma) == 0 && len(s.asks) == 0) && !reflect.DeepEqual(s.asks, ma) {
			t.Fatalf("step %d %s: asks %v, model %v", step, desc, s.asks, ma)
		}
		if !reflect.DeepEqual(s.qb, modelQueues(m, Buy)) || !reflect.DeepEqual(s.qa, modelQueues(m, Sell)) {
			t.Fatalf("step %d %s: FIFO queues differ from the model", step, desc)
		}
		if s.n != len(m.orders) {
			t.Fatalf("step %d %s: Len %d, model %d", step, desc, s.n, len(m.orders))
		}
		if s.top.BidQty > 0 && s.top.AskQty > 0 && s.top.BidPrice >= s.top.AskPrice {
			t.Fatalf("step %d %s: crossed at rest: %+v", step, desc, s.top)
		}
		for _, o := range m.orders {
			if info, ok := b.Get(o.id); !ok || !b.Has(o.id) || info.Qty != o.qty || info.Price != o.price || info.Side != o.side {
				t.Fatalf("step %d %s: Get(%d) = %+v %v (Has %v), model %+v", step, desc, o.id, info, ok, b.Has(o.id), o)
			}
		}
	}
}

func FuzzBook(f *testing.F) {
	// Seed corpus: every STP mode with crossing, duplicates, far prices and bad input.
	for mode := byte(0); mode < 5; mode++ {
		for seed := uint64(1); seed <= 4; seed++ {
			f.Add(append([]byte{mode}, pseudoOps(seed, 300)...))
		}
	}
	f.Add([]byte{0, 0, 0, 20, 1, 0, 1, 0, 1, 20, 1, 0, 1})
	f.Add(append([]byte{0}, windowOps()...))
	f.Add([]byte{1, 0, 0, 255, 1, 0, 1, 0, 1, 254, 1, 0, 1, 1, 1, 0, 5, 0, 1})
	f.Fuzz(runOps)
}

// windowOps places asks ever farther above the touch (price byte 252),
// cancels all but the farthest and places one beyond it, so that the dense
// window widens and then moves to centre on the levels left; 251 places one
// inside it again.
func windowOps() []byte {
	var out []byte
	op := func(kind, side, price, qty, pick, acct byte) { out = append(out, kind, side, price, qty, pick, acct) }
	op(0, 1, 39, 1, 0, 0) // an ask near the touch
	for k := byte(0); k < 6; k++ {
		op(0, 1, 252, 1, 0, k*40) // asks ever farther above
	}
	for k := 0; k < 6; k++ {
		op(2, 0, 0, 0, 0, 0) // cancel the oldest live order: all but the farthest ask
	}
	op(0, 1, 252, 1, 0, 250) // an ask beyond the window: it moves
	op(0, 1, 251, 1, 0, 0)   // one inside it again
	op(0, 0, 10, 2, 0, 0)    // a bid near the touch
	return out
}

// pseudoOps makes a deterministic op stream biased to adds near the touch.
func pseudoOps(seed uint64, n int) []byte {
	out := make([]byte, 0, n*6)
	x := seed*0x9E3779B97F4A7C15 + 1
	for i := 0; i < n; i++ {
		var buf [8]byte
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		binary.LittleEndian.PutUint64(buf[:], x)
		op := buf[:6]
		if op[0]%3 == 0 {
			op[0] = 0 // more submits
		}
		out = append(out, op...)
	}
	return out
}
