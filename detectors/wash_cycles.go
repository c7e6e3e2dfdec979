package detectors

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Needs:    []Need{NeedAccounts},
		Typology: replay.WashTrading,
		Spec: component.Spec{Name: "wash_cycles",
			Summary: "Wash trading by rings of accounts (after Victor & Weintraud, WWW 2021): a directed graph of recent prearranged-looking " +
				"trades (seller -> buyer; the resting order was placed at most max_maker_age before and both orders have exactly the traded " +
				"size), per symbol and window. A prearranged self-trade (one account on both sides, on those terms) is a cycle of one. A new trade that closes a cycle of 2 to max_legs accounts, whose legs' quantities agree " +
				"within 20%, alerts with the ring's accounts; score = legs × (1 + log(1 + cycle volume / median trade)).",
			Params: []component.Param{
				{Name: "window", Type: component.Duration, Default: 5 * time.Minute, Unit: "s", Meaning: "how long a trade stays in the graph"},
				{Name: "max_legs", Type: component.Int, Default: int64(5), Meaning: "longest cycle searched"},
				{Name: "max_maker_age", Type: component.Duration, Default: 2 * time.Second, Unit: "s", Meaning: "a trade enters the graph only if the resting order was this young and the sizes match exactly"},
			}},
		New: func(p Params) (Detector, error) {
			return &washCycles{window: int64(p.Duration("window")), maxLegs: int(p.Int("max_legs")), maxAge: int64(p.Duration("max_maker_age"))}, nil
		},
	})
}

type tradeEdge struct {
	from, to uint64 // seller, buyer
	qty      int64
	ts       int64
}

type washCycles struct {
	window, maxAge int64
	maxLegs        int
	insts          []replay.Instrument
	edges          [][]tradeEdge // per symbol, in time order
	alerted        map[string]int64
	sizes          tradeSizes // per instrument, for the typical trade
}

func (w *washCycles) Start(info *replay.RunInfo) error {
	w.insts = info.Instruments
	w.sizes = newTradeSizes(len(info.Instruments))
	w.edges = make([][]tradeEdge, len(info.Instruments))
	w.alerted = map[string]int64{}
	return nil
}

// cycle searches the recent edges for a path from start back to goal of at
// most maxLegs-1 edges, with quantities within 20% of qty; it returns the
// accounts on it.
func (w *washCycles) cycle(edges []tradeEdge, start, goal uint64, qty int64, depth int, path []uint64) []uint64 {
	if depth == 0 {
		return nil
	}
	for i := len(edges) - 1; i >= 0; i-- {
		e := edges[i]
		if e.from != start || math.Abs(float64(e.qty-qty)) > 0.2*float64(qty) {
			continue
		}
		if e.to == goal {
			return append(path, e.from)
		}
		if slices.Contains(path, e.to) {
			continue
		}
		if c := w.cycle(edges, e.to, goal, qty, depth-1, append(path, e.from)); c != nil {
			return c
		}
	}
	return nil
}

func (w *washCycles) Consume(b *replay.Batch, emit func(Alert)) error {
	for i := range b.Records {
		r := &b.Records[i]
		now := r.Event.TS
		s := r.Event.Symbol
		makers := b.MakersOf(i)
		for j, f := range b.FillsOf(i) {
			w.sizes.add(s, f.Qty)
			if f.MakerAccount == 0 || f.TakerAccount == 0 {
				continue
			}
			mk := makers[j]
			if !prearranged(&f, mk, now, r.Event.Qty, w.maxAge) {
				continue
			}
			if f.MakerAccount == f.TakerAccount {
				// A prearranged self-trade is the shortest cycle: one account.
				ring := []uint64{f.TakerAccount}
				key := fmt.Sprint(s, ring)
				if last, ok := w.alerted[key]; ok && now-last < w.window {
					continue
				}
				w.alerted[key] = now
				emit(Alert{Symbol: w.insts[s].Symbol, RaisedAt: now, Start: mk.Time, End: now, Accounts: ring,
					Score:    1 + math.Log1p(float64(f.Qty)/w.sizes.median(s)),
					Evidence: fmt.Sprintf("account %d traded %d units with its own order placed %v before (sizes matched)", f.TakerAccount, f.Qty, time.Duration(now-mk.Time))})
				continue
			}
			buyer, seller := f.TakerAccount, f.MakerAccount
			if f.Aggressor == orderbook.Sell {
				buyer, seller = seller, buyer
			}
			// Drop edges older than the window.
			es := w.edges[s]
			k := 0
			for k < len(es) && now-es[k].ts > w.window {
				k++
			}
			es = es[k:]
			// Does this trade (seller -> buyer) close a cycle buyer -> ... -> seller?
			ring := w.cycle(es, buyer, seller, f.Qty, w.maxLegs-1, []uint64{seller})
			w.edges[s] = append(es, tradeEdge{from: seller, to: buyer, qty: f.Qty, ts: now})
			if ring == nil {
				continue
			}
			slices.Sort(ring)
			ring = slices.Compact(ring)
			key := fmt.Sprint(s, ring)
			if last, ok := w.alerted[key]; ok && now-last < w.window {
				continue
			}
			w.alerted[key] = now
			first := now
			var vol int64
			for _, e := range w.edges[s] {
				if slices.Contains(ring, e.from) && slices.Contains(ring, e.to) {
					first = min(first, e.ts)
					vol += e.qty
				}
			}
			med := w.sizes.median(s)
			emit(Alert{Symbol: w.insts[s].Symbol, RaisedAt: now, Start: first, End: now, Accounts: ring,
				Score:    float64(len(ring)) * (1 + math.Log1p(float64(vol)/med)),
				Evidence: fmt.Sprintf("a cycle of %d accounts passed %d units around within %v (sizes matched, resting orders hit at once)", len(ring), vol, time.Duration(now-first))})
		}
	}
	return nil
}

func (w *washCycles) Finish(func(Alert)) error { return nil }
