package orderbook

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestWindowFollowsADriftingPrice: a market whose orders rest in a band that
// drifts over ten times maxWindow keeps every level (the book's depth the
// model's after every step, both ways) and a window of a few times the band,
// not one over every price it visited.
func TestWindowFollowsADriftingPrice(t *testing.T) {
	for _, c := range []struct {
		name  string
		drift int64 // ticks a step
		band  int64 // ticks either side of the mid where orders rest
	}{
		{"up", 3_000, 40_000},
		{"down", -3_000, 40_000},
		{"narrow", 500, 300},
		{"wide", 20_000, 300_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newBook(t, STPOff)
			m := &model{cfg: Config{Tick: 1, Lot: 1, STP: STPOff}}
			r := rand.New(rand.NewPCG(7, uint64(c.drift)))
			mid := int64(50_000_000)
			id := uint64(0)
			for step := 0; step < 2000; step++ {
				mid += c.drift
				for k := 0; k < 8; k++ { // new orders in the band, none crossing
					id++
					side, off := Buy, 1+r.Int64N(c.band)
					price := mid - off
					if r.IntN(2) == 0 {
						side, price = Sell, mid+off
					}
					o := Order{ID: id, Side: side, Price: price, Qty: 1 + r.Int64N(5)}
					if _, _, err := b.Submit(o, nil); err != nil {
						t.Fatal(err)
					}
					m.submit(o)
				}
				// Orders that fell out of the band (or crossed the new mid) are cancelled.
				for i := 0; i < len(m.orders); {
					o := m.orders[i]
					if o.price < mid-c.band || o.price > mid+c.band || (o.side == Buy) != (o.price < mid) {
						if _, err := b.Cancel(o.id); err != nil {
							t.Fatal(err)
						}
						m.remove(i)
						continue
					}
					i++
				}
				for _, s := range []Side{Buy, Sell} {
					if got, want := b.Depth(s, make([]Level, 0, len(m.orders)+1)), m.depth(s); !slices.Equal(got, want) {
						t.Fatalf("step %d side %v: depth %v, model %v", step, s, got, want)
					}
				}
			}
			limit := 4*alignUp(2*c.band) + initialWindow
			for _, l := range []*ladder{&b.bids, &b.asks} {
				if int64(len(l.slots)) > limit {
					t.Errorf("a window of %d ticks for a band of %d (limit %d): it widened over the prices visited", len(l.slots), 2*c.band, limit)
				}
			}
		})
	}
}
