package replay_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tapetest/tapetest/detectors"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// lightDetector does what a cheap detector does per record: reads the event,
// its fills and the top of book, and keeps a little state.
type lightDetector struct{ n, vol, spread int64 }

func (d *lightDetector) Start(*replay.RunInfo) error { return nil }
func (d *lightDetector) Consume(b *replay.Batch, emit func(detectors.Alert)) error {
	for i := range b.Records {
		r := &b.Records[i]
		d.n++
		if r.Top.AskQty > 0 && r.Top.BidQty > 0 {
			d.spread += r.Top.AskPrice - r.Top.BidPrice
		}
		for _, f := range b.Fills[r.FillStart:r.FillEnd] {
			d.vol += f.Qty
		}
	}
	return nil
}
func (d *lightDetector) Finish(func(detectors.Alert)) error { return nil }

// BenchmarkReplayEndToEnd replays 2M synthetic events (adds, crossing orders,
// cancels, markets on three symbols) through the engine with 8 lightweight
// detectors; run with -cpu 2 for the figure.
func BenchmarkReplayEndToEnd(b *testing.B) {
	evs := marketEvents(2_000_000, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cons := make([]replay.Consumer, 8)
		for k := range cons {
			cons[k] = detectors.NewConsumer("light", replay.WashTrading, &lightDetector{})
		}
		if _, err := replay.Run(context.Background(), replay.NewMemSource(fanInsts, evs), cons, replay.RunOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// heldBookEvents is a warm-up that rests live orders on one instrument,
// then n events that keep about that many resting: adds near the touch,
// cancels of a random resting order and a few crossing orders that take
// from the touch — BenchmarkSynthetic's stream (./orderbook) as events.
func heldBookEvents(live, n int) (warm, evs []replay.Event) {
	r := rand.New(rand.NewPCG(uint64(live), 9))
	in := fanInsts[0]
	var ids []uint64
	var id uint64
	ts := int64(1_700_000_000_000_000_000)
	add := func(out []replay.Event) []replay.Event {
		id++
		ts += 1000
		side := orderbook.Side(1 + r.IntN(2))
		off := (1 + r.Int64N(50)) * in.Tick
		px := 10000*in.Tick - off
		if side == orderbook.Sell {
			px = 10000*in.Tick + off
		}
		ids = append(ids, id)
		return append(out, replay.Event{TS: ts, Seq: uint64(len(out) + 1), Action: replay.ActionAdd, Side: side, OrderID: id, Price: px, Qty: (1 + r.Int64N(9)) * in.Lot})
	}
	for len(ids) < live {
		warm = add(warm)
	}
	for len(evs) < n {
		switch x := r.IntN(100); {
		case x < 48 || len(ids) < live:
			evs = add(evs)
		case x < 96:
			k := r.IntN(len(ids))
			ts += 1000
			evs = append(evs, replay.Event{TS: ts, Seq: uint64(len(evs) + 1), Action: replay.ActionCancel, OrderID: ids[k]})
			ids[k] = ids[len(ids)-1]
			ids = ids[:len(ids)-1]
		default: // a crossing IOC: takes what rests at the touch (its cancels then find nothing)
			id++
			ts += 1000
			side := orderbook.Side(1 + r.IntN(2))
			px := 10000*in.Tick + 60*in.Tick
			if side == orderbook.Sell {
				px = 10000*in.Tick - 60*in.Tick
			}
			evs = append(evs, replay.Event{TS: ts, Seq: uint64(len(evs) + 1), Action: replay.ActionAdd, Flags: replay.FlagIOC, Side: side, OrderID: id, Price: px, Qty: 3 * in.Lot})
		}
	}
	return warm, evs
}

// BenchmarkEngineHeldBook replays a million events through the engine and
// the fan-out (no consumer) into a book that holds 1k, 100k or 1M resting
// orders: the engine's cost where the book outgrows the cache, and what
// Prefetch (the engine names each event's order eight events ahead) buys.
func BenchmarkEngineHeldBook(b *testing.B) {
	for _, live := range []int{1_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("live=%d", live), func(b *testing.B) {
			warm, evs := heldBookEvents(live, 1_000_000)
			all := append(warm, evs...)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// The warm-up is replayed in the same run (one engine) and timed
				// with it: its adds go to a book that is still growing.
				if _, err := replay.Run(context.Background(), replay.NewMemSource(fanInsts[:1], all), nil, replay.RunOptions{Engine: replay.EngineOptions{SizeHint: 2 * live}}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(all))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
