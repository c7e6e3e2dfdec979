package replay

import (
	"errors"
	"fmt"
	"sort"

	"github.com/tapetest/tapetest/orderbook"
)

// EngineOptions configure NewEngine.
type EngineOptions struct {
	// STP is the self-trade-prevention mode per instrument (indexed by symbol);
	// missing entries mean off, which simulated wash trading needs.
	STP []orderbook.STPMode
	// SizeHint is the expected number of live orders per instrument.
	SizeHint int
	// Ladders, when Every is positive, has the engine add to the batch a
	// depth snapshot of an instrument's book after the first of its
	// events in each interval of Every ns (Batch.Ladders): a consumer
	// that shows the book (the case files' tape) reads it instead of
	// replaying a book of its own.
	Ladders LadderOptions
}

// LadderOptions are the depth snapshots an engine adds to its batches.
type LadderOptions struct {
	Every  int64 // ns between an instrument's snapshots (0: none)
	Levels int   // price levels a side
}

// Fidelity is how an instrument's events describe its book.
type Fidelity uint8

// Fidelities, decided per instrument by its first book-changing event.
const (
	FidelityUnknown Fidelity = 0
	FidelityL3      Fidelity = 1 // add/cancel/reduce/modify/execute/market by order id
	FidelityL2      Fidelity = 2 // level totals
	FidelityTrades  Fidelity = 3 // prints only
)

// String names the fidelity as the docs do: L3, L2, trades or unknown.
func (f Fidelity) String() string {
	switch f {
	case FidelityL3:
		return "L3"
	case FidelityL2:
		return "L2"
	case FidelityTrades:
		return "trades"
	}
	return "unknown"
}

// Reconciliation kinds counted by the engine.
const (
	kindUnknownCancel = iota
	kindUnknownReduce
	kindUnknownModify
	kindUnknownExecute
	kindRejectedAdd
	kindRejectedMarket
	kindRejectedReduce
	kindRejectedModify
	kindRejectedExecute
	kindRejectedLevel
	kindMixedFidelity
	kindBadSymbol
	kindBadAction
	kindStaleCrossed
	numKinds
)

var kindNames = [numKinds]string{
	kindUnknownCancel:   "cancel_unknown_order",
	kindUnknownReduce:   "reduce_unknown_order",
	kindUnknownModify:   "modify_unknown_order",
	kindUnknownExecute:  "execute_unknown_order",
	kindRejectedAdd:     "add_rejected",
	kindRejectedMarket:  "market_rejected",
	kindRejectedReduce:  "reduce_rejected",
	kindRejectedModify:  "modify_rejected",
	kindRejectedExecute: "execute_rejected",
	kindRejectedLevel:   "level_rejected",
	kindMixedFidelity:   "l3_event_on_l2_book",
	kindBadSymbol:       "unknown_symbol",
	kindBadAction:       "unknown_action",
	kindStaleCrossed:    "stale_order_removed_by_crossing_add",
}

// Engine applies canonical events to one book per instrument and turns each
// into a Record. It is deterministic and, in steady state, allocation-free for
// accepted events (a rejected submit allocates its error).
//
// Policy for events the book cannot apply (counted by kind, never dropped):
// a cancel, reduce, modify or execute for an order id the book does not hold
// (a truncated historical feed, an order placed before the file starts) is
// Reconciled and changes nothing; an order the book refuses (post-only that
// would cross, unfillable FOK, duplicate id, bad quantity) is Rejected and
// changes nothing. Both still produce a record, so detectors see every event.
type Engine struct {
	insts  []Instrument
	opts   EngineOptions
	l3     []*orderbook.Book
	l2     []*orderbook.DepthBook
	fid    []Fidelity
	counts [numKinds]int64
	stale  []orderbook.OrderInfo
	// nextLadder is, per instrument, when its next snapshot is due; lv the
	// snapshot's scratch (capacity Ladders.Levels).
	nextLadder []int64
	lv         []orderbook.Level
}

// NewEngine returns an engine for the instruments.
func NewEngine(insts []Instrument, opts EngineOptions) (*Engine, error) {
	e := &Engine{insts: insts, opts: opts, l3: make([]*orderbook.Book, len(insts)), l2: make([]*orderbook.DepthBook, len(insts)), fid: make([]Fidelity, len(insts))}
	if opts.Ladders.Every > 0 {
		if opts.Ladders.Levels < 1 || opts.Ladders.Levels > 1000 {
			return nil, fmt.Errorf("engine: ladders of %d levels: want 1 to 1000", opts.Ladders.Levels)
		}
		e.nextLadder = make([]int64, len(insts))
		e.lv = make([]orderbook.Level, 0, opts.Ladders.Levels)
	}
	for _, in := range insts {
		if in.Tick <= 0 || in.Lot <= 0 {
			return nil, fmt.Errorf("engine: instrument %q: tick %d and lot %d must be positive", in.Symbol, in.Tick, in.Lot)
		}
	}
	return e, nil
}

func (e *Engine) book(sym uint32) *orderbook.Book {
	if b := e.l3[sym]; b != nil {
		return b
	}
	stp := orderbook.STPOff
	if int(sym) < len(e.opts.STP) {
		stp = e.opts.STP[sym]
	}
	hint := e.opts.SizeHint
	if hint <= 0 {
		hint = 1 << 12
	}
	b, _ := orderbook.New(orderbook.Config{Tick: e.insts[sym].Tick, Lot: e.insts[sym].Lot, STP: stp, SizeHint: hint, KeepPlaced: true})
	e.l3[sym] = b
	if e.fid[sym] == FidelityUnknown || e.fid[sym] == FidelityTrades {
		e.fid[sym] = FidelityL3
	}
	return b
}

func (e *Engine) depth(sym uint32) *orderbook.DepthBook {
	if d := e.l2[sym]; d != nil {
		return d
	}
	d, _ := orderbook.NewDepth(orderbook.Config{Tick: e.insts[sym].Tick, Lot: e.insts[sym].Lot})
	e.l2[sym] = d
	if e.fid[sym] != FidelityL3 {
		e.fid[sym] = FidelityL2
	}
	return d
}

func tifOf(f Flags) orderbook.TIF {
	switch {
	case f&FlagFOK != 0:
		return orderbook.FOK
	case f&FlagIOC != 0:
		return orderbook.IOC
	case f&FlagPostOnly != 0:
		return orderbook.PostOnly
	}
	return orderbook.GTC
}

// Prefetch hints that ev will be applied a few events from now: the order
// it names is brought toward the core while the events before it are
// applied, when its book is too large for the cache (Book.Prefetch). Run
// names each event orderbook.PrefetchAhead events ahead.
func (e *Engine) Prefetch(ev *Event) {
	if int(ev.Symbol) < len(e.l3) {
		if b := e.l3[ev.Symbol]; b != nil {
			b.Prefetch(ev.OrderID)
		}
	}
}

// Apply applies ev and appends its record (with its fills) to b, and its
// index to b.Traded when it caused fills.
func (e *Engine) Apply(ev *Event, b *Batch) {
	start := uint32(len(b.Fills))
	out := Applied
	if int(ev.Symbol) >= len(e.insts) {
		e.counts[kindBadSymbol]++
		b.Records = append(b.Records, Record{Event: *ev, FillStart: start, FillEnd: start, Outcome: Rejected})
		return
	}
	sym := ev.Symbol
	var err error
	var made *orderbook.Book // the L3 book the event went to: its Makers are the fills'
	switch ev.Action {
	case ActionAdd, ActionMarket:
		bk := e.book(sym)
		made = bk
		// The order is written field by field where SubmitOrder reads it:
		// built as a literal it was built aside and copied 16 bytes at a
		// time, each copy reading back two stores just made.
		var o orderbook.Order
		o.ID, o.Account, o.Side, o.TIF = ev.OrderID, ev.Account, ev.Side, tifOf(ev.Flags)
		o.Price, o.Qty, o.Time = ev.Price, ev.Qty, ev.TS
		kind := kindRejectedAdd
		if ev.Action == ActionMarket {
			o.Type, o.Price, kind = orderbook.Market, 0, kindRejectedMarket
			if o.ID == 0 {
				o.ID = marketIDBase | ev.Seq // market orders need no id from the feed
			}
		}
		if ev.Action == ActionAdd && e.insts[sym].ReportsExecutions {
			e.removeCrossed(bk, ev.Side, ev.Price)
		}
		b.Fills, _, err = bk.SubmitOrder(&o, b.Fills)
		if err != nil {
			e.counts[kind]++
			out = Rejected
		}
	case ActionCancel, ActionReduce, ActionModify, ActionExecute:
		if e.fid[sym] == FidelityL2 {
			e.counts[kindMixedFidelity]++
			out = Rejected
			break
		}
		bk := e.book(sym)
		made = bk
		if !bk.Has(ev.OrderID) {
			e.counts[kindUnknownCancel+int(ev.Action-ActionCancel)]++
			out = Reconciled
			break
		}
		switch ev.Action {
		case ActionCancel:
			_, err = bk.Cancel(ev.OrderID)
		case ActionReduce:
			_, err = bk.Reduce(ev.OrderID, ev.Qty)
			if err != nil {
				e.counts[kindRejectedReduce]++
			}
		case ActionModify:
			b.Fills, err = bk.Modify(ev.OrderID, ev.Price, ev.Qty, b.Fills)
			if err != nil {
				e.counts[kindRejectedModify]++
			}
		case ActionExecute:
			if ev.Flags&FlagHidden != 0 {
				b.Fills = bk.ExecuteHidden(ev.Side, ev.Price, ev.Qty, b.Fills)
				break
			}
			n0 := len(b.Fills)
			b.Fills, err = bk.Execute(ev.OrderID, ev.Qty, b.Fills)
			if err != nil {
				e.counts[kindRejectedExecute]++
			}
			// A feed that names the aggressor of an execution (a venue's own
			// order log) gives its account; public feeds leave it 0.
			if ev.Account != 0 {
				for i := n0; i < len(b.Fills); i++ {
					b.Fills[i].TakerAccount = ev.Account
				}
			}
		}
		if err != nil {
			out = Rejected
		}
	case ActionTrade:
		if e.fid[sym] == FidelityUnknown {
			e.fid[sym] = FidelityTrades
		}
		b.Fills = append(b.Fills, orderbook.Fill{TakerAccount: ev.Account, Price: ev.Price, Qty: ev.Qty, Aggressor: ev.Side, Hidden: ev.Flags&FlagHidden != 0})
	case ActionLevel:
		if err = e.depth(sym).Set(ev.Side, ev.Price, ev.Qty); err != nil {
			e.counts[kindRejectedLevel]++
			out = Rejected
		}
	case ActionClear:
		if e.l3[sym] != nil {
			e.l3[sym].Clear()
		}
		if e.l2[sym] != nil {
			e.l2[sym].Clear()
		}
	default:
		if !ev.Action.IsVenue() { // a venue action has no book effect
			e.counts[kindBadAction]++
			out = Rejected
		}
	}
	end := uint32(len(b.Fills))
	if end > start {
		b.Traded = append(b.Traded, uint32(len(b.Records)))
		if made != nil {
			b.Makers = append(b.Makers, made.Makers()...)
		}
		for len(b.Makers) < int(end) { // a print: no maker order
			b.Makers = append(b.Makers, orderbook.Placed{})
		}
	}
	// The record is written in its place in the batch, not built and then
	// copied there (a 112-byte copy a record); the batch is reused, so
	// every field of it is set here.
	n := len(b.Records)
	if n < cap(b.Records) {
		b.Records = b.Records[:n+1]
	} else {
		b.Records = append(b.Records, Record{})
	}
	r := &b.Records[n]
	r.Event, r.Top = *ev, e.Top(sym)
	r.FillStart, r.FillEnd, r.Outcome = start, end, out
	if e.nextLadder != nil && ev.TS >= e.nextLadder[sym] {
		e.snapshot(sym, ev.TS, b)
	}
}

// snapshot adds sym's ladder after the batch's last record.
func (e *Engine) snapshot(sym uint32, ts int64, b *Batch) {
	every := e.opts.Ladders.Every
	e.nextLadder[sym] = ts - ts%every + every
	l := Ladder{Record: uint32(len(b.Records) - 1), Symbol: sym, TS: ts, BidStart: uint32(len(b.Levels))}
	for _, side := range [2]orderbook.Side{orderbook.Buy, orderbook.Sell} {
		switch {
		case e.l3[sym] != nil:
			e.lv = e.l3[sym].Depth(side, e.lv[:0])
		case e.l2[sym] != nil:
			e.lv = e.l2[sym].Depth(side, e.lv[:0])
		default:
			e.lv = e.lv[:0]
		}
		b.Levels = append(b.Levels, e.lv...)
		if side == orderbook.Buy {
			l.BidEnd = uint32(len(b.Levels))
		}
	}
	l.AskEnd = uint32(len(b.Levels))
	b.Ladders = append(b.Ladders, l)
}

// removeCrossed removes the resting orders an add at price would cross: in a
// feed that reports executions they can only be orders it removed unseen.
func (e *Engine) removeCrossed(bk *orderbook.Book, side orderbook.Side, price int64) {
	for {
		best, crossed := bk.Crossed(side, price)
		if !crossed {
			return
		}
		e.stale = bk.Orders(side.Opposite(), best, e.stale[:0])
		for _, o := range e.stale {
			bk.Cancel(o.ID)
			e.counts[kindStaleCrossed]++
		}
	}
}

// marketIDBase tags the ids the engine gives market orders that arrive without one.
const marketIDBase = uint64(1) << 62

// Top is the current best bid and ask of sym (the L3 book if it has one, else the L2 book).
func (e *Engine) Top(sym uint32) orderbook.Top {
	if e.fid[sym] == FidelityL2 && e.l2[sym] != nil {
		return e.l2[sym].Top()
	}
	if b := e.l3[sym]; b != nil {
		return b.Top()
	}
	if d := e.l2[sym]; d != nil {
		return d.Top()
	}
	return orderbook.Top{}
}

// Book returns sym's L3 book, or nil if it has none.
func (e *Engine) Book(sym uint32) *orderbook.Book { return e.l3[sym] }

// DepthBook returns sym's L2 book, or nil if it has none.
func (e *Engine) DepthBook(sym uint32) *orderbook.DepthBook { return e.l2[sym] }

// Counts reports what the engine reconciled or rejected, by kind.
func (e *Engine) Counts() []Count {
	var out []Count
	for k, n := range e.counts {
		if n > 0 {
			out = append(out, Count{Kind: kindNames[k], N: n})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// ErrNoInstruments is returned when a source has an empty instrument table.
var ErrNoInstruments = errors.New("source has no instruments")
