package scenarios

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tapetest/tapetest/labels"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/formats"
	"github.com/tapetest/tapetest/scenarios/agents"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// histChunk is how many historical events are read at a time.
const histChunk = 16_384

// histFeed is the historical background as an actor: at each event's time it
// applies the event to the generator's book — where injected orders rest and
// trade too — and writes it out, reconciled by the documented policy, with
// order ids drawn from the one sequence everybody's ids come from.
type histFeed struct {
	g      *Generator // the generator it feeds
	src    replay.EventSource
	buf    []replay.Event
	pos, n int
	eof    bool
	off    uint32            // historical symbol k is the generator's off+k
	fid    []replay.Fidelity // per historical instrument
	match  []bool            // per historical instrument: its adds trade (an own order log), none is stale
	// byOrder is, per historical instrument, whether its feed is order by
	// order (it reports executions, or it is a venue's own order log): not
	// L2 levels or trades standing in for orders.
	byOrder []bool
	// What the files' own events carry, per historical instrument: accounts,
	// and orders by id (L3) — what a detector needs to show its false alerts.
	hasAccounts, hasOrderIDs []bool
	ids                      map[[2]uint64]uint64
	hist                     map[uint64]histOrder // live historical orders by generator id
	// taken holds, for historical orders injections filled, the quantity the
	// feed still believes rests: its later messages for them are counted as
	// for an order an injection took, until they account for all of it.
	taken  map[[2]uint64]int64
	levels map[levelKey]levelOrder
	stale  []orderbook.OrderInfo
	last   int64
	end    int64 // time of the files' last event
}

// histOrder is a live historical order: its key in the feed and the quantity
// the feed believes rests (which injections may have taken part of).
type histOrder struct {
	key  [2]uint64
	left int64
}

type levelKey struct {
	sym   uint32
	side  orderbook.Side
	price int64
}

type levelOrder struct {
	id  uint64
	qty int64 // the feed's last total
}

// sourceFiles groups the files that make one source: each file alone, but a
// LOBSTER message file with the orderbook file that follows it (a replay
// reconciled to LOBSTER's own book).
func sourceFiles(format string, paths []string) [][]string {
	var out [][]string
	for i := 0; i < len(paths); i++ {
		if format == "lobster" && i+1 < len(paths) && strings.Contains(filepath.Base(paths[i+1]), "_orderbook_") {
			out = append(out, paths[i:i+2])
			i++
			continue
		}
		out = append(out, paths[i:i+1])
	}
	return out
}

// openSource opens the spec's background files in their format and merges
// them: a raw Binance depth feed's files are one chained stream; in every
// other format each file is its own source.
func openSource(spec *Spec) (replay.EventSource, error) {
	name, err := spec.sourceFormat()
	if err != nil {
		return nil, err
	}
	params := spec.sourceParams()
	files := spec.backgroundFiles()
	paths := make([]string, len(files))
	for i, p := range files {
		paths[i] = spec.Path(p)
	}
	if name == formats.Canonical || name == "binance-depth" {
		src, err := formats.Open(name, paths, params)
		if err != nil {
			return nil, fmt.Errorf("background.files: %w", err)
		}
		return src, nil
	}
	var srcs []replay.EventSource
	for _, group := range sourceFiles(name, paths) {
		src, err := formats.Open(name, group, params)
		if err != nil {
			for _, s := range srcs {
				s.Close()
			}
			return nil, fmt.Errorf("background.files: %w", err)
		}
		srcs = append(srcs, src)
	}
	if len(srcs) == 1 {
		return srcs[0], nil
	}
	m, err := replay.Merge(srcs, replay.MergeOptions{})
	if err != nil {
		return nil, fmt.Errorf("background.files: %w", err)
	}
	return m, nil
}

// survey is what one pass over the historical files learns: their last
// event's time and, per instrument, its fidelity, first price and typical
// order (or trade) size.
type survey struct {
	end   int64
	fid   []replay.Fidelity
	price []int64
	sizes [][]int64
}

// surveyHistory reads the spec's files through once.
func surveyHistory(spec *Spec) (*survey, error) {
	src, err := openSource(spec)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	sv := &survey{}
	buf := make([]replay.Event, 8192)
	for {
		n, err := src.Read(buf)
		if m := len(src.Instruments()); len(sv.fid) < m {
			sv.fid = append(sv.fid, make([]replay.Fidelity, m-len(sv.fid))...)
			sv.price = append(sv.price, make([]int64, m-len(sv.price))...)
			sv.sizes = append(sv.sizes, make([][]int64, m-len(sv.sizes))...)
		}
		for _, e := range buf[:n] {
			sv.end = max(sv.end, e.TS)
			k := e.Symbol
			switch e.Action {
			case replay.ActionAdd, replay.ActionCancel, replay.ActionReduce, replay.ActionModify, replay.ActionExecute:
				sv.fid[k] = replay.FidelityL3 // orders by id outrank levels and prints seen before them
				if e.Action == replay.ActionAdd && e.Flags&replay.FlagReconciled == 0 && len(sv.sizes[k]) < 10_000 {
					sv.sizes[k] = append(sv.sizes[k], e.Qty)
				}
			case replay.ActionLevel:
				if sv.fid[k] != replay.FidelityL3 {
					sv.fid[k] = replay.FidelityL2
				}
			case replay.ActionTrade, replay.ActionMarket:
				if sv.fid[k] == 0 {
					sv.fid[k] = replay.FidelityTrades
				}
				if len(sv.sizes[k]) < 10_000 {
					sv.sizes[k] = append(sv.sizes[k], e.Qty)
				}
			}
			if sv.price[k] == 0 && e.Price > 0 && e.Action != replay.ActionIndex {
				sv.price[k] = e.Price
			}
		}
		if errors.Is(err, io.EOF) {
			return sv, nil
		}
		if err != nil {
			return nil, fmt.Errorf("background.files: %w", err)
		}
	}
}

// openHistory opens the spec's files, reads ahead to learn each instrument,
// and returns the feed and the instruments it adds.
func openHistory(spec *Spec) (*histFeed, []replay.Instrument, []InstrumentSpec, error) {
	src, err := openSource(spec)
	if err != nil {
		return nil, nil, nil, err
	}
	h := &histFeed{src: src, buf: make([]replay.Event, histChunk), ids: map[[2]uint64]uint64{}, hist: map[uint64]histOrder{}, taken: map[[2]uint64]int64{}, levels: map[levelKey]levelOrder{}}
	if err := h.fill(); err != nil {
		src.Close()
		return nil, nil, nil, err
	}
	sv, err := surveyHistory(spec)
	if err != nil {
		src.Close()
		return nil, nil, nil, err
	}
	h.end = sv.end
	insts := append([]replay.Instrument(nil), src.Instruments()...)
	h.fid = make([]replay.Fidelity, len(insts))
	h.match = make([]bool, len(insts))
	h.byOrder = make([]bool, len(insts))
	h.hasAccounts, h.hasOrderIDs = make([]bool, len(insts)), make([]bool, len(insts))
	specs := make([]InstrumentSpec, len(insts))
	for k, in := range insts {
		size := max(in.Lot, 1)
		var price int64
		if k < len(sv.fid) {
			h.fid[k], price = sv.fid[k], sv.price[k]
			if zs := sv.sizes[k]; len(zs) > 0 {
				slices.Sort(zs)
				size = max(zs[len(zs)/2], size)
			}
		}
		tick := max(in.Tick, 1)
		specs[k] = InstrumentSpec{Symbol: in.Symbol, PriceExp: in.PriceExp, QtyExp: in.QtyExp, Tick: tick, Lot: max(in.Lot, 1),
			Price: max(price/tick*tick, tick), Size: size, Volatility: 0.01}
		if in.Kind == replay.Perpetual {
			specs[k].Kind = "perp" // its venue events come from the feed; no simulated perp rules
		}
		h.match[k] = in.MatchesAdds
		h.byOrder[k] = in.ReportsExecutions || in.MatchesAdds
		insts[k].ReportsExecutions, insts[k].MatchesAdds = false, false // the generator writes every removal it makes
	}
	return h, insts, specs, nil
}

func (h *histFeed) fill() error {
	h.n, h.pos = 0, 0
	for h.n < len(h.buf) && !h.eof {
		k, err := h.src.Read(h.buf[h.n:])
		h.n += k
		if errors.Is(err, io.EOF) {
			h.eof = true
			break
		}
		if err != nil {
			return fmt.Errorf("background.files: %w", err)
		}
	}
	return nil
}

// first is the time of the first historical event (false when there is none).
func (h *histFeed) first() (int64, bool) {
	if h.pos < h.n {
		return h.buf[h.pos].TS, true
	}
	return 0, false
}

// Act applies every historical event due at Now and asks to act again at the next one.
func (h *histFeed) Act(venue.Venue) int64 {
	g := h.g
	for {
		if h.pos == h.n {
			if h.eof {
				return -1
			}
			if err := h.fill(); err != nil {
				g.err = err
				return -1
			}
			continue
		}
		ev := h.buf[h.pos]
		if ev.TS > g.now {
			return ev.TS
		}
		h.pos++
		if ev.TS < g.start {
			g.counts["historical_before_start"]++
			continue
		}
		h.last = ev.TS
		h.apply(g, ev)
	}
}

func (h *histFeed) key(ev *replay.Event) [2]uint64 { return [2]uint64{uint64(ev.Symbol), ev.OrderID} }

// apply is the reconciliation policy (docs/historical.md).
func (h *histFeed) apply(g *Generator, ev replay.Event) {
	// A source's book correction stays one: every event it causes is flagged.
	g.carry = ev.Flags & replay.FlagReconciled
	defer func() { g.carry = 0 }()
	k := ev.Symbol
	if ev.Account != 0 {
		h.hasAccounts[k] = true
	}
	switch ev.Action {
	case replay.ActionAdd, replay.ActionCancel, replay.ActionReduce, replay.ActionModify, replay.ActionExecute:
		if ev.OrderID != 0 {
			h.hasOrderIDs[k] = true
		}
	}
	ev.Symbol += h.off
	sym := ev.Symbol
	bk := g.books[sym]
	switch ev.Action {
	case replay.ActionAdd, replay.ActionMarket:
		if h.fid[k] == replay.FidelityTrades {
			g.counts["historical_order_on_trades_only_instrument"]++
			return
		}
		if ev.Action == replay.ActionAdd && !h.match[k] {
			h.removeStale(g, sym, ev.Side, ev.Price)
		}
		o := venue.OrderRequest{Side: ev.Side, Price: ev.Price, Qty: ev.Qty, Flags: ev.Flags &^ (replay.FlagIOC | replay.FlagFOK | replay.FlagPostOnly), TIF: tifOf(ev.Flags)}
		if ev.Action == replay.ActionMarket {
			o.Type = orderbook.Market
		}
		id, fills, err := g.submitID(sym, g.newID(), ev.Account, &o)
		if err != nil {
			g.counts["historical_order_rejected"]++
			return
		}
		for _, f := range fills {
			if _, hist := h.hist[f.MakerOrder]; !hist {
				g.counts["historical_order_traded_with_injected"]++
				break
			}
		}
		if _, live := bk.Get(id); live && ev.OrderID != 0 {
			h.ids[h.key(&ev)] = id
			h.hist[id] = histOrder{key: h.key(&ev), left: ev.Qty}
		} else if len(fills) > 0 && ev.OrderID != 0 {
			// Filled on arrival by injected orders: the feed's later
			// messages for it name an order an injection took.
			h.taken[h.key(&ev)] = ev.Qty
		}
	case replay.ActionCancel, replay.ActionReduce, replay.ActionExecute, replay.ActionModify:
		if ev.Action == replay.ActionExecute && ev.Flags&replay.FlagHidden != 0 {
			g.fills = bk.ExecuteHidden(ev.Side, ev.Price, ev.Qty, g.fills[:0])
			g.emit(&ev)
			return
		}
		hk := h.key(&ev)
		id, ok := h.ids[hk]
		info, live := bk.Get(id)
		if !ok || !live {
			left, taken := h.taken[hk]
			if ok {
				left, taken = h.hist[id].left, true
			}
			delete(h.ids, hk)
			delete(h.hist, id)
			if !taken {
				g.counts["historical_"+ev.Action.String()+"_of_unknown_order"]++
				return
			}
			g.counts["historical_"+ev.Action.String()+"_of_order_taken_by_injection"]++
			// The feed may name it again (executions in parts) until its
			// messages account for all it believes rests.
			if left = feedLeft(ev, left); left > 0 {
				h.taken[hk] = left
			} else {
				delete(h.taken, hk)
			}
			return
		}
		if ho := h.hist[id]; ho.key == hk {
			ho.left = feedLeft(ev, ho.left)
			h.hist[id] = ho
		}
		ev.OrderID = id
		switch ev.Action {
		case replay.ActionCancel:
			h.forget(hk, id)
			g.x.Cancel(sym, id)
		case replay.ActionReduce:
			q := min(ev.Qty, info.Qty)
			if q < ev.Qty {
				g.counts["historical_reduce_trimmed"]++
			}
			if q == info.Qty {
				h.forget(hk, id)
				g.x.Cancel(sym, id)
			} else {
				g.x.Reduce(sym, id, q)
			}
		case replay.ActionExecute:
			q := min(ev.Qty, info.Qty)
			if q < ev.Qty {
				g.counts["historical_execute_trimmed"]++
			}
			var err error
			g.fills, err = bk.Execute(id, q, g.fills[:0])
			if err != nil {
				g.counts["historical_execute_rejected"]++
				return
			}
			g.booked(sym, g.fills)
			ev.Price, ev.Qty, ev.Side = info.Price, q, info.Side
			if q == info.Qty {
				h.forget(hk, id)
			}
			g.emit(&ev)
		case replay.ActionModify:
			var err error
			g.fills, err = bk.Modify(id, ev.Price, ev.Qty, g.fills[:0])
			if err != nil {
				g.counts["historical_modify_rejected"]++
				return
			}
			g.booked(sym, g.fills)
			if _, still := bk.Get(id); !still {
				h.forget(hk, id)
			}
			g.emit(&ev)
		}
	case replay.ActionLevel:
		h.level(g, ev)
	case replay.ActionTrade:
		g.emit(&ev)
		if ev.Price > 0 {
			g.last[sym] = ev.Price
			if h.fid[k] == replay.FidelityTrades {
				g.fair[sym] = float64(ev.Price) // the synthetic book quotes around the prints
			}
		}
	case replay.ActionClear:
		bk.Clear()
		clear(h.ids)
		clear(h.hist)
		clear(h.taken)
		for lk := range h.levels {
			if lk.sym == sym {
				delete(h.levels, lk)
			}
		}
		g.counts["historical_clear"]++
		g.emit(&ev)
	default: // index, mark and other venue events: no book effect
		g.emit(&ev)
	}
}

// feedLeft is the quantity the feed believes rests after message ev, from
// left before it.
func feedLeft(ev replay.Event, left int64) int64 {
	switch ev.Action {
	case replay.ActionCancel:
		return 0
	case replay.ActionModify:
		return ev.Qty
	}
	return left - ev.Qty
}

func (h *histFeed) forget(hk [2]uint64, id uint64) {
	delete(h.ids, hk)
	delete(h.hist, id)
}

// removeStale cancels historical orders an incoming historical add would
// cross: in a feed that reports executions they can only be orders it removed
// unseen. Injected orders it would cross stay: the add trades with them.
func (h *histFeed) removeStale(g *Generator, sym uint32, side orderbook.Side, price int64) {
	bk := g.books[sym]
	for {
		best, crossed := bk.Crossed(side, price)
		if !crossed {
			return
		}
		h.stale = bk.Orders(side.Opposite(), best, h.stale[:0])
		removed := false
		for _, o := range h.stale {
			if ho, hist := h.hist[o.ID]; hist {
				g.x.Cancel(sym, o.ID)
				delete(h.hist, o.ID)
				if ho.key != ([2]uint64{}) {
					delete(h.ids, ho.key) // later messages for it name an order the replay no longer holds
				}
				g.counts["historical_stale_order_removed"]++
				removed = true
			}
		}
		if !removed {
			return // only injected orders left at that price: the add trades with them
		}
	}
}

// level applies an L2 level total. The feed's totals are authoritative for
// historical liquidity: each level is one resting order (account 0) whose
// quantity the update sets; a larger total re-queues it at the back (L2 does
// not tell queue positions); a level an injection took from is restored.
func (h *histFeed) level(g *Generator, ev replay.Event) {
	sym := ev.Symbol
	lk := levelKey{sym, ev.Side, ev.Price}
	lo, had := h.levels[lk]
	cur, live := int64(0), false
	if had {
		var info orderbook.OrderInfo
		info, live = g.books[sym].Get(lo.id)
		cur = info.Qty
		if !live || cur < lo.qty {
			g.counts["historical_level_restored_after_injection"]++
		}
	}
	switch {
	case ev.Qty == 0:
		if live {
			g.x.Cancel(sym, lo.id)
		}
		delete(h.levels, lk)
	case live && cur > ev.Qty:
		g.x.Reduce(sym, lo.id, cur-ev.Qty)
		h.levels[lk] = levelOrder{lo.id, ev.Qty}
	case live && cur == ev.Qty:
		h.levels[lk] = levelOrder{lo.id, ev.Qty}
	default:
		if live {
			g.x.Cancel(sym, lo.id)
			if had && cur >= lo.qty {
				g.counts["historical_level_requeued"]++
			}
		}
		h.removeStale(g, sym, ev.Side, ev.Price)
		id, _, err := g.submitID(sym, g.newID(), 0, &venue.OrderRequest{Side: ev.Side, Price: ev.Price, Qty: ev.Qty})
		if err != nil {
			g.counts["historical_level_rejected"]++
			delete(h.levels, lk)
			return
		}
		if g.books[sym].Has(id) {
			h.hist[id] = histOrder{}
			h.levels[lk] = levelOrder{id, ev.Qty}
		} else {
			g.counts["historical_level_traded_away"]++
			delete(h.levels, lk)
		}
	}
}

func tifOf(f replay.Flags) orderbook.TIF {
	switch {
	case f&replay.FlagFOK != 0:
		return orderbook.FOK
	case f&replay.FlagIOC != 0:
		return orderbook.IOC
	case f&replay.FlagPostOnly != 0:
		return orderbook.PostOnly
	}
	return orderbook.GTC
}

// Fidelities reports each historical instrument's fidelity by symbol.
func (g *Generator) Fidelities() map[string]replay.Fidelity {
	out := map[string]replay.Fidelity{}
	if g.hist != nil {
		for k, f := range g.hist.fid {
			out[g.insts[g.hist.off+uint32(k)].Symbol] = f
		}
	}
	return out
}

// BackgroundHas reports what the background events of the instrument
// called symbol carried, once the replay has run: a synthetic market has
// accounts and orders by id; a historical file has what its events had
// (public feeds: no accounts; L2 and trade files: no order ids). Injected
// orders do not count: they are the attacks, not the background.
func (g *Generator) BackgroundHas(symbol string) (accounts, orderIDs bool) {
	for i, in := range g.insts {
		if in.Symbol != symbol {
			continue
		}
		if g.hist == nil || uint32(i) < g.hist.off {
			return true, true
		}
		k := uint32(i) - g.hist.off
		return g.hist.hasAccounts[k], g.hist.hasOrderIDs[k]
	}
	return false, false
}

// OrderByOrder reports whether instrument symbol's orders are real orders
// before the replay: a simulated instrument's, or a historical feed that is
// order by order (LOBSTER, a venue's order log) — not one whose L2 levels or
// trades the generator turns into orders.
func (g *Generator) OrderByOrder(symbol string) bool {
	for i, in := range g.insts {
		if in.Symbol != symbol {
			continue
		}
		if g.hist == nil || uint32(i) < g.hist.off {
			return true
		}
		return g.hist.byOrder[uint32(i)-g.hist.off]
	}
	return false
}

// Inputs lists the files the scenario read (historical events and labels), as
// the spec names them and resolved.
func (g *Generator) Inputs() (names, paths []string) {
	for _, f := range g.spec.inputs() {
		names, paths = append(names, f), append(paths, g.spec.Path(f))
	}
	return names, paths
}

// defaultLabelLength is the length of an external label that gives no end.
const defaultLabelLength = 10 * time.Minute

// loadExternalLabels reads the spec's label list and checks its symbols.
func (g *Generator) loadExternalLabels() error {
	if g.spec.Labels == "" {
		return nil
	}
	n := time.Duration(g.spec.LabelLength)
	if n <= 0 {
		n = defaultLabelLength
	}
	ls, err := labels.Load(g.spec.Path(g.spec.Labels), n)
	if err != nil {
		return fmt.Errorf("labels: %w", err)
	}
	for _, l := range ls {
		if !slices.ContainsFunc(g.insts, func(in replay.Instrument) bool { return in.Symbol == l.Symbol }) {
			if g.spec.Part != nil && slices.Contains(g.spec.Part.Symbols, l.Symbol) {
				continue // another part's instrument
			}
			return fmt.Errorf("labels: %s: label %s: symbol %q is not an instrument of the scenario", g.spec.Labels, l.ID, l.Symbol)
		}
	}
	g.external = slices.DeleteFunc(ls, func(l labels.Label) bool {
		return !slices.ContainsFunc(g.insts, func(in replay.Instrument) bool { return in.Symbol == l.Symbol })
	})
	return nil
}

// historicalMakers gives a trades-only historical instrument that an
// injection targets a synthetic book to trade against: the background's
// market makers and depth providers, quoting around the historical prints.
func (g *Generator) historicalMakers(stream streams) error {
	if g.hist == nil {
		return nil
	}
	for k, f := range g.hist.fid {
		sym := g.hist.off + uint32(k)
		if f != replay.FidelityTrades || !slices.ContainsFunc(g.spec.Injections, func(is InjectionSpec) bool { return is.Symbol == g.insts[sym].Symbol }) {
			continue
		}
		hs := g.histSpecs[k]
		bg := g.spec.Background
		if bg.MarketMakers < 1 {
			return fmt.Errorf("historical instrument %s has trades only: injections into it need background.market_makers to quote a book around the prints", hs.Symbol)
		}
		for i := 0; i < bg.MarketMakers; i++ {
			g.scheduleAgent(g.now+int64(i)*1e6, agents.NewMarketMaker(sym, g.pop.takeKeyed(stream.historicalAccount(k, agents.MarketMaker, i)), hs.market(), stream.historicalAgent(k, agents.MarketMaker, i)))
		}
		for i := 0; i < bg.DepthProviders; i++ {
			g.scheduleAgent(g.now+int64(1+i)*1e7, agents.NewDepthProvider(sym, g.pop.takeKeyed(stream.historicalAccount(k, agents.Depth, i)), agents.Market{Size: hs.Size}, stream.historicalAgent(k, agents.Depth, i)))
		}
		g.counts["historical_trades_only_synthetic_makers"] += int64(bg.MarketMakers + bg.DepthProviders)
	}
	return nil
}

// instSpec is the instrument spec injectors plan with: the spec's, or the one
// learnt from a historical instrument's first events.
func (g *market) instSpec(sym uint32) InstrumentSpec { return *g.instrumentSpec(sym) }

// instrumentSpec is sym's instrument as the scenario describes it (a historical
// instrument's as the generator planned it from its files).
func (g *market) instrumentSpec(sym uint32) *InstrumentSpec {
	if int(sym) < len(g.spec.Instruments) {
		return &g.spec.Instruments[sym]
	}
	return &g.histSpecs[int(sym)-len(g.spec.Instruments)]
}
