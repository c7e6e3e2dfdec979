package orderbook

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// benchOp is one operation of the synthetic benchmark stream.
type benchOp struct {
	kind  uint8 // 0 add, 1 cancel, 2 crossing IOC
	side  Side
	id    uint64
	price int64
	qty   int64
}

// synthStream builds a warm-up of live resting orders and then a stream of n
// operations: 48% adds near the touch, 48% cancels of a random live order, 4%
// marketable IOC orders that cross — and an add in place of a cancel or an
// IOC whenever fewer than live orders rest, so that the book holds the live
// count it is named for (before 2026-12-07 it did not: the IOCs drained the
// 100k stream to 22k live orders by its end, the 1M one to 922k). It
// simulates the stream on a scratch book so that every cancel targets an
// order that is live at that point.
func synthStream(live, n int, seed uint64) (warm, ops []benchOp) {
	r := rand.New(rand.NewPCG(seed, 99))
	b, _ := New(Config{Tick: 1, Lot: 1, SizeHint: live * 2})
	const mid = 1_000_000
	spread := int64(max(64, live/500)) // levels per side grow with the book
	ids := make([]uint64, 0, live*2)
	pos := make(map[uint64]int, live*2)
	var next uint64 = 1
	addID := func(id uint64) { pos[id] = len(ids); ids = append(ids, id) }
	delID := func(id uint64) {
		i, ok := pos[id]
		if !ok {
			return
		}
		last := ids[len(ids)-1]
		ids[i] = last
		pos[last] = i
		ids = ids[:len(ids)-1]
		delete(pos, id)
	}
	mkAdd := func() benchOp {
		side := Buy
		if r.IntN(2) == 1 {
			side = Sell
		}
		off := 1 + int64(r.ExpFloat64()*float64(spread)/3)%spread
		price := int64(mid) - off
		if side == Sell {
			price = mid + off
		}
		op := benchOp{kind: 0, side: side, id: next, price: price, qty: 1 + r.Int64N(20)}
		next++
		return op
	}
	var fills []Fill
	apply := func(op benchOp) {
		switch op.kind {
		case 0:
			b.Submit(Order{ID: op.id, Side: op.side, Price: op.price, Qty: op.qty}, nil)
			addID(op.id)
		case 1:
			b.Cancel(op.id)
			delID(op.id)
		case 2:
			fills, _, _ = b.Submit(Order{ID: op.id, Side: op.side, TIF: IOC, Price: op.price, Qty: op.qty}, fills[:0])
			for _, f := range fills {
				if info, ok := b.Get(f.MakerOrder); !ok || info.Qty == 0 {
					delID(f.MakerOrder)
				}
			}
		}
	}
	for len(ids) < live {
		op := mkAdd()
		apply(op)
		warm = append(warm, op)
	}
	ops = make([]benchOp, 0, n)
	for len(ops) < n {
		var op benchOp
		switch x := r.IntN(100); {
		case x < 48 || len(ids) < live: // an add whenever fewer than live rest: the IOCs take orders, and the book would drain
			op = mkAdd()
		case x < 96 && len(ids) > 0:
			op = benchOp{kind: 1, id: ids[r.IntN(len(ids))]}
		default:
			side := Buy
			price := int64(mid + spread)
			if r.IntN(2) == 1 {
				side, price = Sell, mid-spread
			}
			op = benchOp{kind: 2, side: side, id: next, price: price, qty: 1 + r.Int64N(40)}
			next++
		}
		apply(op)
		ops = append(ops, op)
	}
	return warm, ops
}

func replayOps(b *Book, ops []benchOp, fills []Fill) []Fill {
	for i := range ops {
		if j := i + PrefetchAhead; j < len(ops) {
			b.Prefetch(ops[j].id) // a cancel's order, or an add's slot
		}
		op := &ops[i]
		switch op.kind {
		case 0:
			fills, _, _ = b.Submit(Order{ID: op.id, Side: op.side, Price: op.price, Qty: op.qty}, fills[:0])
		case 1:
			b.Cancel(op.id)
		case 2:
			fills, _, _ = b.Submit(Order{ID: op.id, Side: op.side, TIF: IOC, Price: op.price, Qty: op.qty}, fills[:0])
		}
	}
	return fills
}

// BenchmarkSynthetic replays the synthetic stream; one benchmark op is the whole
// stream, and ns/event, events/s and allocs/event are reported per operation.
func BenchmarkSynthetic(b *testing.B) {
	for _, c := range []struct {
		name      string
		live, ops int
	}{{"live=1k", 1_000, 1_000_000}, {"live=100k", 100_000, 1_000_000}, {"live=1M", 1_000_000, 1_000_000}} {
		b.Run(c.name, func(b *testing.B) {
			warm, ops := synthStream(c.live, c.ops, 1)
			fills := make([]Fill, 0, 256)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				book, _ := New(Config{Tick: 1, Lot: 1, SizeHint: c.live * 2})
				replayOps(book, warm, fills)
				b.StartTimer()
				fills = replayOps(book, ops, fills)
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N*len(ops))
			b.ReportMetric(ns, "ns/event")
			b.ReportMetric(1e9/ns, "events/s")
		})
	}
}

// TestSynthStreamHoldsItsLiveCount: replaying the stream, the book never
// holds fewer than its live count less the orders one IOC can take.
func TestSynthStreamHoldsItsLiveCount(t *testing.T) {
	const live = 20_000
	warm, ops := synthStream(live, 200_000, 5)
	b, _ := New(Config{Tick: 1, Lot: 1, SizeHint: 2 * live})
	var fills []Fill
	fills = replayOps(b, warm, fills)
	least := b.Len()
	for i := range ops {
		fills = replayOps(b, ops[i:i+1], fills)
		least = min(least, b.Len())
	}
	if least < live-40 { // an IOC takes at most 40 lots, each order at least one
		t.Fatalf("the book fell to %d live orders of %d", least, live)
	}
}

// TestSteadyStateDoesNotAllocate checks the zero-allocation claim behind the
// benchmark: once warmed up (capacity reserved), replaying the stream allocates nothing.
func TestSteadyStateDoesNotAllocate(t *testing.T) {
	warm, ops := synthStream(10_000, 50_000, 3)
	book, _ := New(Config{Tick: 1, Lot: 1, SizeHint: 40_000})
	fills := make([]Fill, 0, 256)
	replayOps(book, warm, fills)
	// One pass to size every slab, then measure a second, identical-shape pass.
	half := len(ops) / 2
	replayOps(book, ops[:half], fills)
	// MemStats counts the whole process: keep other goroutines (the test
	// runner, the GC's workers) off the CPU while measuring, as
	// testing.AllocsPerRun does.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	replayOps(book, ops[half:], fills)
	runtime.ReadMemStats(&after)
	if allocs := after.Mallocs - before.Mallocs; allocs > 2 {
		t.Fatalf("steady state allocated %v times over %d events", allocs, len(ops)-half)
	}
}

// BenchmarkDepthTo reads a side's best levels (10, as a LOBSTER level-10
// row compares, and 100) of a book of 2,000 levels a side, gaps of one to
// three ticks between them, as verify and the engine's ladders do.
func BenchmarkDepthTo(b *testing.B) {
	book, _ := New(Config{Tick: 1, Lot: 1})
	r := rand.New(rand.NewPCG(1, 2))
	bid, ask := int64(1_000_000), int64(1_000_001)
	for id := uint64(1); id <= 4000; id += 2 {
		bid -= 1 + r.Int64N(3)
		ask += 1 + r.Int64N(3)
		book.Submit(Order{ID: id, Side: Buy, Price: bid, Qty: 1 + r.Int64N(9)}, nil)
		book.Submit(Order{ID: id + 1, Side: Sell, Price: ask, Qty: 1 + r.Int64N(9)}, nil)
	}
	for _, n := range []int{10, 100} {
		b.Run(fmt.Sprint("levels=", n), func(b *testing.B) {
			dst := make([]Level, 0, n)
			for b.Loop() {
				dst = book.DepthTo(Buy, math.MinInt64, dst)
				dst = book.DepthTo(Sell, math.MaxInt64, dst)
			}
			if len(dst) != n {
				b.Fatalf("%d levels", len(dst))
			}
		})
	}
}
