package orderbook

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestIDStreamsAreTheModel drives a book whose ring is the smallest (64
// slots) with id streams of every shape a feed may number its orders in —
// upwards and dense, upwards with gaps about the ring's size, with far
// jumps, downwards, at random, two sequences far apart interleaved, up to
// the top of uint64, every id on one ring slot — submitting (one order in
// ten crosses), cancelling, modifying and looking up at random, and checks
// every answer, every level's FIFO queue and every live order against the
// reference model. The live orders swing between 150 and 6, so that the
// ring's slots are taken by old orders (and new ones go to the hash) and
// free again.
func TestIDStreamsAreTheModel(t *testing.T) {
	const ring = 64
	cases := []struct {
		name string
		next func(r *rand.Rand, last uint64) uint64
	}{
		{"upwards from 1", func(_ *rand.Rand, last uint64) uint64 { return last%(1<<20) + 1 }},
		{"upwards", func(_ *rand.Rand, last uint64) uint64 { return last + 1 }},
		{"gaps about the ring", func(r *rand.Rand, last uint64) uint64 { return last + 1 + r.Uint64N(3*ring) }},
		{"far jumps", func(r *rand.Rand, last uint64) uint64 {
			if r.IntN(50) == 0 {
				return last + 1<<40
			}
			return last + 1
		}},
		{"downwards", func(_ *rand.Rand, last uint64) uint64 { return last - 1 }},
		{"at random", func(r *rand.Rand, _ uint64) uint64 { return 1 + r.Uint64N(1<<62) }},
		{"two sequences", func(r *rand.Rand, last uint64) uint64 {
			if r.IntN(2) == 0 {
				return last%(1<<50) + 1
			}
			return 1<<50 + last%(1<<50)
		}},
		{"up to the top of uint64", func(_ *rand.Rand, last uint64) uint64 {
			if last < ^uint64(0)-2500 || last == ^uint64(0) {
				return ^uint64(0) - 2500 // and from the top, round again
			}
			return last + 1
		}},
		{"every id on one slot", func(_ *rand.Rand, last uint64) uint64 { return last + ring }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(len(c.name))))
			b, _ := New(Config{Tick: 1, Lot: 1})
			if got := int(b.ids.mask + 1); got != ring {
				t.Fatalf("ring of %d ids, want %d", got, ring)
			}
			m := &model{cfg: b.cfg}
			last := uint64(1 << 20) // "upwards from 1" starts at 1, after the Clear too
			var fills []Fill
			for step := range 6000 {
				if step == 3000 {
					b.Clear()
					m.orders = m.orders[:0]
					last = 1 << 20
				}
				var live []uint64
				for _, o := range m.orders {
					live = append(live, o.id)
				}
				target := 150 // live orders: many (their ring slots taken), then few
				if step/500%2 == 1 {
					target = 6
				}
				switch x := r.IntN(20); {
				case x < 10 && len(live) < 2*target || len(live) < target: // submit: mostly resting, one in ten crossing
					k := c.next(r, last)
					last = k
					if k == 0 || m.find(k) >= 0 {
						continue
					}
					o := Order{ID: k, Side: Buy, Price: 100 - r.Int64N(20), Qty: 1 + r.Int64N(5)}
					if r.IntN(2) == 0 {
						o.Side, o.Price = Sell, 101+r.Int64N(20)
					}
					if r.IntN(10) == 0 { // through the touch
						o.Price += 5
						if o.Side == Sell {
							o.Price -= 10
						}
					}
					var err error
					fills, _, err = b.Submit(o, fills[:0])
					mf, _, _, merr := m.submit(o)
					if !sameErr(err, merr) || len(fills)+len(mf) > 0 && !reflect.DeepEqual(fills, mf) {
						t.Fatalf("step %d submit %+v: %v %v, model %v %v", step, o, fills, err, mf, merr)
					}
				case x < 18: // cancel a live order
					k := live[r.IntN(len(live))]
					q, err := b.Cancel(k)
					mq, merr := m.cancel(k)
					if err != nil || merr != nil || q != mq {
						t.Fatalf("step %d cancel %d: %d %v, model %d %v", step, k, q, err, mq, merr)
					}
				case x < 19: // modify a live order to another price: it leaves its slot
					k := live[r.IntN(len(live))]
					info, _ := b.Get(k)
					p := info.Price + 1
					if info.Side == Sell {
						p = info.Price - 1
					}
					var err error
					fills, err = b.Modify(k, p, info.Qty, fills[:0])
					mf, _, merr := m.modify(k, p, info.Qty)
					if !sameErr(err, merr) || len(fills)+len(mf) > 0 && !reflect.DeepEqual(fills, mf) {
						t.Fatalf("step %d modify %d: %v %v, model %v %v", step, k, fills, err, mf, merr)
					}
				default: // ids near a live one: gone, never there, or live
					k := live[r.IntN(len(live))]
					for _, q := range []uint64{0, k + 1 + r.Uint64N(2*ring), k - 1 - r.Uint64N(2*ring), k ^ 1<<40} {
						if _, ok := b.Get(q); ok != (m.find(q) >= 0) || b.Has(q) != ok {
							t.Fatalf("step %d: Get(%d) live %v, Has %v, model %v", step, q, ok, b.Has(q), m.find(q) >= 0)
						}
					}
				}
				if !reflect.DeepEqual(bookQueues(b, Buy), modelQueues(m, Buy)) || !reflect.DeepEqual(bookQueues(b, Sell), modelQueues(m, Sell)) {
					t.Fatalf("step %d: FIFO queues differ from the model", step)
				}
				for _, o := range m.orders {
					if info, ok := b.Get(o.id); !ok || info.Qty != o.qty || info.Price != o.price || info.Side != o.side {
						t.Fatalf("step %d: Get(%d) = %+v %v, model %+v", step, o.id, info, ok, o)
					}
				}
				inRing := 0 // ring slots that hold an id: the live orders there
				for _, o := range b.orders[:ring] {
					if o.id != 0 {
						inRing++
					}
				}
				if n := inRing + b.ids.hash.n; n != b.Len() || n != len(m.orders) {
					t.Fatalf("step %d: %d in the ring and %d in the hash, Len %d, model %d", step, inRing, b.ids.hash.n, b.Len(), len(m.orders))
				}
				for _, e := range b.ids.hash.b {
					if e.fp == 0 {
						continue
					}
					if k := b.orders[e.slot].id; k > b.ids.hashMax || m.find(k) < 0 {
						t.Fatalf("step %d: id %d in the hash (hashMax %d, live %v)", step, k, b.ids.hashMax, m.find(k) >= 0)
					}
				}
			}
		})
	}
}

// TestSizeHintIsBounded: a hint far beyond any book sizes the ring (and the
// slab and the hash, which New sizes from the same bookHint) at
// maxSizeHint, not at the hint.
func TestSizeHintIsBounded(t *testing.T) {
	for _, c := range []struct{ hint, ring int }{{0, 64}, {64, 64}, {65, 128}, {200_000, 262_144}, {maxSizeHint, maxSizeHint}, {1 << 40, maxSizeHint}} {
		if got := ringSize(bookHint(c.hint)); got != c.ring {
			t.Errorf("SizeHint %d: ring %d, want %d", c.hint, got, c.ring)
		}
	}
}
