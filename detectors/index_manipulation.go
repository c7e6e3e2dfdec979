package detectors

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Needs:    []Need{NeedAccounts},
		Typology: replay.IndexManipulation,
		Spec: component.Spec{Name: "index_manipulation",
			Summary: "Index manipulation on perpetual swaps: per symbol, the venue's index (index events with order id 0) against its lowest " +
				"and highest value within window; when it moves min_move_bps or more it alerts, and again each time the move doubles (an episode ends a window after its last alert). The accounts are the largest net aggressive buyers (for a rise) or sellers during " +
				"lookback up to the alert, grouped with the accounts they are linked to (shared device, IP subnet or funding source, " +
				"or a referral); accounts that traded more as maker than as taker are left out: the largest groups are named, up to max_accounts accounts, each group with at least min_share of the directional flow. " +
				"Score = move in bps × (1 + the builders' share of the directional flow) + the constituents' largest deviation from " +
				"the index in bps at the alert.",
			Params: []component.Param{
				{Name: "window", Type: component.Duration, Default: 5 * time.Minute, Unit: "s", Meaning: "how far back the reference low and high reach"},
				{Name: "min_move_bps", Type: component.Float, Default: 100.0, Unit: "bps", Meaning: "index move that opens an episode"},
				{Name: "lookback", Type: component.Duration, Default: 10 * time.Minute, Unit: "s", Meaning: "how far back position building counts"},
				{Name: "max_accounts", Type: component.Int, Default: int64(5), Meaning: "builders named in an alert"},
				{Name: "min_share", Type: component.Float, Default: 0.03, Meaning: "smallest share of the directional flow that names a builder"},
			}},
		New: func(p Params) (Detector, error) {
			return &indexManip{window: int64(p.Duration("window")), minMove: p.Float("min_move_bps"), lookback: int64(p.Duration("lookback")),
				maxAccts: int(p.Int("max_accounts")), minShare: p.Float("min_share")}, nil
		},
	})
}

// flowBucket is one minute of an account's net traded quantity.
type flowBucket struct {
	minute  int64
	net     int64 // aggressive buys − aggressive sells
	passive int64 // quantity traded as maker
}

type indexSym struct {
	hist    []tsVal // index values within window
	consts  map[uint64]int64
	flows   idTable[[]flowBucket] // account -> recent minutes of net flow
	alerted [2]int64              // last alert time per direction (down, up)
	level   [2]float64            // the move of that alert
}

type indexManip struct {
	window, lookback int64
	minMove          float64
	maxAccts         int
	minShare         float64
	insts            []replay.Instrument
	links            *accountLinks
	syms             []indexSym
	first            int64
	seen             bool
}

func (d *indexManip) Start(info *replay.RunInfo) error {
	d.insts = info.Instruments
	d.links = newAccountLinks(info.Accounts, 12)
	d.syms = make([]indexSym, len(info.Instruments))
	for i := range d.syms {
		d.syms[i] = indexSym{consts: map[uint64]int64{}}
	}
	return nil
}

func (d *indexManip) addFlow(s *indexSym, account uint64, minute, q, passive int64) {
	if account == 0 {
		return
	}
	p := s.flows.At(account)
	b := *p
	if n := len(b); n > 0 && b[n-1].minute == minute {
		b[n-1].net += q
		b[n-1].passive += passive
		return
	}
	// Drop minutes older than lookback.
	cut := minute - d.lookback/int64(time.Minute) - int64(d.window/int64(time.Minute)) - 1
	k := 0
	for k < len(b) && b[k].minute < cut {
		k++
	}
	*p = append(b[:copy(b, b[k:])], flowBucket{minute: minute, net: q, passive: passive})
}

func (d *indexManip) Consume(b *replay.Batch, emit func(Alert)) error {
	for i := range b.Records {
		r := &b.Records[i]
		ev := &r.Event
		if !d.seen {
			d.first, d.seen = ev.TS, true
		}
		s := &d.syms[ev.Symbol]
		minute := ev.TS / int64(time.Minute)
		for _, f := range b.FillsOf(i) {
			if ev.Flags&replay.FlagLiquidation != 0 {
				break // forced trades build nobody's position on purpose
			}
			q := f.Qty
			if f.Aggressor == orderbook.Sell {
				q = -q
			}
			d.addFlow(s, f.TakerAccount, minute, q, 0)
			d.addFlow(s, f.MakerAccount, minute, 0, f.Qty)
		}
		if ev.Action != replay.ActionIndex {
			continue
		}
		if ev.OrderID != 0 {
			s.consts[ev.OrderID] = ev.Price
			continue
		}
		now, px := ev.TS, ev.Price
		k := 0
		for k < len(s.hist) && now-s.hist[k].ts > d.window {
			k++
		}
		s.hist = append(s.hist[:copy(s.hist, s.hist[k:])], tsVal{now, px})
		lo, hi := s.hist[0], s.hist[0]
		for _, h := range s.hist {
			if h.val < lo.val {
				lo = h
			}
			if h.val > hi.val {
				hi = h
			}
		}
		up := float64(px-lo.val) / float64(lo.val) * 1e4
		down := float64(hi.val-px) / float64(hi.val) * 1e4
		move, dir, from := up, 1, lo.ts
		if down > up {
			move, dir, from = down, -1, hi.ts
		}
		if move < d.minMove {
			continue
		}
		way := (dir + 1) / 2 // 0 down, 1 up
		if now-s.alerted[way] > d.window {
			s.level[way] = 0 // the last episode this way is over
		}
		if move < 2*s.level[way] {
			continue
		}
		s.alerted[way], s.level[way] = now, move
		d.alert(ev.Symbol, s, now, from, dir, move, px, emit)
	}
	return nil
}

func (d *indexManip) alert(sym uint32, s *indexSym, now, from int64, dir int, move float64, idx int64, emit func(Alert)) {
	// Net aggressive flow in the move's direction over lookback up to now,
	// summed over groups of linked accounts (one operator often builds
	// through several).
	lo, hi := (now-d.lookback)/int64(time.Minute), now/int64(time.Minute)
	type acct struct {
		id  uint64
		net int64
	}
	var cands []acct
	var total int64
	s.flows.Each(func(id uint64, bs *[]flowBucket) {
		var net, aggr, passive int64
		for _, b := range *bs {
			if b.minute >= lo && b.minute <= hi {
				net += b.net
				aggr += abs(b.net)
				passive += b.passive
			}
		}
		net *= int64(dir)
		if net > 0 && passive <= aggr { // liquidity providers' crossing requotes are not position building
			cands = append(cands, acct{id, net})
			total += net
		}
	})
	sort.Slice(cands, func(i, j int) bool { return cands[i].id < cands[j].id })
	group := make([]int, len(cands)) // union-find over linked candidates
	for i := range group {
		group[i] = i
	}
	find := func(i int) int {
		for group[i] != i {
			group[i] = group[group[i]]
			i = group[i]
		}
		return i
	}
	for i := range cands {
		for j := i + 1; j < len(cands); j++ {
			if d.links.linked(cands[i].id, cands[j].id) {
				group[find(j)] = find(i)
			}
		}
	}
	sums := map[int]int64{}
	for i, c := range cands {
		sums[find(i)] += c.net
	}
	roots := make([]int, 0, len(sums))
	for r := range sums {
		roots = append(roots, r)
	}
	sort.Slice(roots, func(i, j int) bool {
		if sums[roots[i]] != sums[roots[j]] {
			return sums[roots[i]] > sums[roots[j]]
		}
		return roots[i] < roots[j]
	})
	var accts []uint64
	var share float64
	for _, r := range roots {
		if len(accts) >= d.maxAccts || float64(sums[r]) < d.minShare*float64(total) {
			break
		}
		for i, c := range cands {
			if find(i) == r {
				accts = append(accts, c.id)
			}
		}
		share += float64(sums[r]) / float64(total)
	}
	dev := 0.0
	for _, p := range s.consts {
		dev = math.Max(dev, math.Abs(float64(p-idx))/float64(idx)*1e4)
	}
	emit(Alert{Symbol: d.insts[sym].Symbol, RaisedAt: now, Start: max(from-d.lookback, d.first), End: now, Accounts: sortedUnique(accts),
		Score: move*(1+share) + dev,
		Evidence: fmt.Sprintf("index moved %.0f bps within %v; constituents up to %.0f bps from the index; %d accounts built %.0f%% of the directional flow before",
			move, time.Duration(d.window), dev, len(accts), 100*share)})
}

func (d *indexManip) Finish(emit func(Alert)) error { return nil }
