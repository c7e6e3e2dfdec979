package detectors

import (
	"fmt"
	"math"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Needs:    []Need{NeedAccounts, NeedOrderIDs},
		Typology: replay.WashTrading,
		Spec: component.Spec{Name: "wash_pairs",
			Summary: "Self-trades and pairs of accounts trading back and forth: per account pair (an account with itself for a self-trade), " +
				"counting only trades that look prearranged between two different accounts (the resting order was placed a moment before and both orders have exactly the traded size), " +
				"counts trades and volume in each direction within a window and alerts when the pair's trade count in the window reaches min_trades, " +
				"and again each time it doubles (so a persistent ring raises a growing score while a chance pair alerts at most once); " +
				"score = trades × balance × (1 + log(1 + volume/median trade)), where balance = smaller/larger direction volume (1 for self-trades), " +
				"so round trips that return net positions to about zero score highest (after Victor & Weintraud, WWW 2021, on cycles of length 1 and 2).",
			Params: []component.Param{
				{Name: "window", Type: component.Duration, Default: 120 * time.Second, Unit: "s", Meaning: "how long trades of a pair are accumulated"},
				{Name: "min_trades", Type: component.Int, Default: int64(3), Meaning: "trades of a pair within a window before it can alert"},
				{Name: "max_maker_age", Type: component.Duration, Default: 2 * time.Second, Unit: "s", Meaning: "a trade between two different accounts counts only if it looks prearranged: the resting order was placed at most this long before and both orders have exactly the traded size"},
			}},
		New: func(p Params) (Detector, error) {
			if p.Int("min_trades") < 1 {
				return nil, paramError("wash_pairs", "min_trades", "must be at least 1")
			}
			return &washPairs{window: int64(p.Duration("window")), minTrades: int(p.Int("min_trades")), maxAge: int64(p.Duration("max_maker_age"))}, nil
		},
	})
}

type pairKey struct {
	sym  uint32
	a, b uint64 // a <= b
}

type pairState struct {
	start        int64
	first        int64
	trades       int
	volAB, volBA int64 // a bought from b, b bought from a
	nextAlert    int   // trade count at which the pair alerts next (min_trades, then doubling)
}

// prearranged reports whether fill f, made at now by an order of quantity
// takerQty against a maker placed as mk, looks prearranged: the resting order
// placed at most maxAge before, and both orders of exactly the traded size,
// so that they cross in one fill. The maker's placing comes with the batch
// (replay.Batch.Makers): the detectors keep no table of the orders placed.
func prearranged(f *orderbook.Fill, mk orderbook.Placed, now, takerQty, maxAge int64) bool {
	return f.MakerOrder != 0 && now-mk.Time <= maxAge && mk.Size == f.Qty && takerQty == f.Qty
}

type washPairs struct {
	maxAge    int64
	window    int64
	minTrades int
	insts     []replay.Instrument
	pairs     map[pairKey]*pairState
	sizes     tradeSizes // per instrument, for the typical trade
}

func (w *washPairs) Start(info *replay.RunInfo) error {
	w.insts = info.Instruments
	w.sizes = newTradeSizes(len(info.Instruments))
	w.pairs = map[pairKey]*pairState{}
	return nil
}

func (w *washPairs) Consume(b *replay.Batch, emit func(Alert)) error {
	for i := range b.Records {
		r := &b.Records[i]
		makers := b.MakersOf(i)
		for j, f := range b.FillsOf(i) {
			w.sizes.add(r.Event.Symbol, f.Qty)
			if f.MakerAccount == 0 || f.TakerAccount == 0 || f.Hidden {
				continue
			}
			buyer, seller := f.TakerAccount, f.MakerAccount
			if f.Aggressor == orderbook.Sell {
				buyer, seller = seller, buyer
			}
			if buyer != seller {
				// Prearranged: the resting order was placed a moment ago and the
				// two orders match in size exactly, so they cross in one fill.
				if !prearranged(&f, makers[j], r.Event.TS, r.Event.Qty, w.maxAge) {
					continue
				}
			}
			k := pairKey{sym: r.Event.Symbol, a: min(buyer, seller), b: max(buyer, seller)}
			st := w.pairs[k]
			now := r.Event.TS
			if st == nil || now-st.start > w.window {
				if st == nil {
					st = &pairState{}
					w.pairs[k] = st
				}
				*st = pairState{start: now}
			}
			st.trades++
			if buyer == k.a {
				st.volAB += f.Qty
			} else {
				st.volBA += f.Qty
			}
			if st.first == 0 {
				st.first = now
			}
			if st.nextAlert == 0 {
				st.nextAlert = w.minTrades
			}
			if st.trades < st.nextAlert {
				continue
			}
			st.nextAlert *= 2
			balance := 1.0
			if k.a != k.b {
				lo, hi := min(st.volAB, st.volBA), max(st.volAB, st.volBA)
				balance = float64(lo) / float64(max(hi, 1))
				if lo == 0 {
					continue // one-way flow between two accounts is not a round trip
				}
			}
			vol := float64(st.volAB + st.volBA)
			score := float64(st.trades) * balance * (1 + math.Log1p(vol/float64(st.trades)/w.sizes.median(k.sym)))
			accts := []uint64{k.a}
			kind := "self-trades"
			if k.a != k.b {
				accts = append(accts, k.b)
				kind = "round trips"
			}
			emit(Alert{Symbol: w.insts[k.sym].Symbol, RaisedAt: now, Start: st.first, End: now, Accounts: accts, Score: score,
				Evidence: fmt.Sprintf("%d %s within %v, volume %d/%d each way (balance %.2f)", st.trades, kind, time.Duration(now-st.first), st.volAB, st.volBA, balance)})
		}
	}
	// Forget pairs whose window has passed, so memory follows the active
	// pairs (placed forgets orders older than max_maker_age itself).
	if len(b.Records) > 0 {
		now := b.Records[len(b.Records)-1].Event.TS
		if len(w.pairs) > 4096 {
			for k, st := range w.pairs {
				if now-st.start > w.window {
					delete(w.pairs, k)
				}
			}
		}
	}
	return nil
}

func (w *washPairs) Finish(func(Alert)) error { return nil }
