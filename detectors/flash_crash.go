package detectors

import (
	"fmt"
	"slices"
	"time"

	"github.com/tapetest/tapetest/component"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	mustRegister(Definition{
		Typology: replay.FlashCrash,
		Spec: component.Spec{Name: "flash_crash",
			Summary: "Flash crash: per symbol, the price of each event — the worst fill it caused, else the mid — against the highest (for a crash) " +
				"or lowest (for a spike) such price within the window; a move of min_move_bps or more, at most once per cooldown and direction, " +
				"is followed for recovery: the alert is raised then, scored by the deepest move in basis points × (0.25 + 0.75 × the share of it " +
				"the mid has recovered) × (0.25 + 0.75 × how sudden it was: the share of it one event made, or sudden / the time its last " +
				"four fifths took, whichever is more) — a flash crash is sudden and comes back, a dump or a pump's rise is neither. " +
				"The recovery right after a crash (or the fall after a spike) is the same event and does not alert again. " +
				"Accounts = the takers whose orders moved the price in the event that crossed min_move_bps.",
			Params: []component.Param{
				{Name: "window", Type: component.Duration, Default: 30 * time.Second, Unit: "s", Meaning: "how far back the reference high and low reach"},
				{Name: "min_move_bps", Type: component.Float, Default: 40.0, Unit: "bps", Meaning: "move from the window's high or low that counts"},
				{Name: "min_move_ticks", Type: component.Int, Default: int64(3), Unit: "ticks", Meaning: "the move must also span this many price steps: on a coin whose tick is 67 bps, 40 bps is less than one step and every trade between two prices moved that much"},
				{Name: "cooldown", Type: component.Duration, Default: 60 * time.Second, Unit: "s", Meaning: "one alert per symbol and direction within this time"},
				{Name: "recovery", Type: component.Duration, Default: 30 * time.Second, Unit: "s", Meaning: "how long after the move the price is watched coming back before the alert is raised"},
				{Name: "sudden", Type: component.Duration, Default: 2 * time.Second, Unit: "s", Meaning: "a move whose last four fifths came this fast is sudden however many events made it"},
			}},
		New: func(p Params) (Detector, error) {
			return &flashCrash{window: int64(p.Duration("window")), minMove: p.Float("min_move_bps") / 1e4, minTicks: p.Int("min_move_ticks"), cool: int64(p.Duration("cooldown")),
				recovery: int64(p.Duration("recovery")), flash: int64(p.Duration("sudden"))}, nil
		},
	})
}

type tsVal struct {
	ts  int64
	val int64
}

type flashSym struct {
	hi, lo                     []tsVal // monotonic deques of mids in the window
	lastDown, lastUp           int64
	lastDownStart, lastUpStart int64 // where the last crash and spike began
	pending                    []pendingFlash
	lastMid                    int64   // the book's last two-sided mid
	prev                       int64   // the previous event's price
	fallSteps, riseSteps       []tsVal // monotonic deques of the largest one-event falls and rises in the window
	path                       pricePath
}

// pricePath is a ring of the symbol's last price changes (allocated once).
type pricePath struct {
	buf  []tsVal
	next int
	n    int
}

const pathLen = 1 << 14

func (p *pricePath) add(v tsVal) {
	if p.buf == nil {
		p.buf = make([]tsVal, pathLen)
	}
	p.buf[p.next] = v
	p.next = (p.next + 1) % pathLen
	p.n = min(p.n+1, pathLen)
}

// lastBeyond is the time of the last change before until whose price was at
// or beyond level on the side away from the move (above it for a fall, below
// for a rise); 0 if the ring does not reach back that far.
func (p *pricePath) lastBeyond(until, level int64, fall bool) int64 {
	for k := 1; k <= p.n; k++ {
		v := p.buf[(p.next-k+pathLen)%pathLen]
		if v.ts > until {
			continue
		}
		if (fall && v.val >= level) || (!fall && v.val <= level) {
			return v.ts
		}
	}
	return 0
}

// pendingFlash is a move watched for its recovery.
type pendingFlash struct {
	due, start int64
	ref        int64 // the price it moved from
	extreme    int64 // the deepest price so far
	extremeAt  int64
	down       bool
	accounts   []uint64
	step       int64 // the largest move one event made, in its direction
}

type flashCrash struct {
	window, cool, recovery int64
	flash                  int64 // how fast a move is sudden
	last                   int64 // the last event's time
	end                    int64 // the run's end (RunInfo.End): pending moves are raised then, whichever instruments share the replay
	minMove                float64
	minTicks               int64   // the move in price steps
	minStep                []int64 // per instrument: minTicks price steps, in its price units
	insts                  []replay.Instrument
	syms                   []flashSym
}

func (f *flashCrash) Start(info *replay.RunInfo) error {
	f.insts = info.Instruments
	f.end = info.End
	f.syms = make([]flashSym, len(info.Instruments))
	f.minStep = make([]int64, len(info.Instruments))
	for i, in := range info.Instruments {
		f.minStep[i] = f.minTicks * max(in.Tick, 1)
	}
	return nil
}

func (f *flashCrash) Consume(b *replay.Batch, emit func(Alert)) error {
	for i := range b.Records {
		r := &b.Records[i]
		now := r.Event.TS
		f.last = now
		s := &f.syms[r.Event.Symbol]
		// The price of this event: the worst fill it caused (a sweep trades
		// through many levels at once), else the mid.
		var mid int64
		for _, fl := range b.FillsOf(i) {
			if mid == 0 || (fl.Aggressor == orderbook.Sell && fl.Price < mid) || (fl.Aggressor == orderbook.Buy && fl.Price > mid) {
				mid = fl.Price
			}
		}
		if r.Top.BidQty > 0 && r.Top.AskQty > 0 {
			s.lastMid = (r.Top.BidPrice + r.Top.AskPrice) / 2
		}
		if mid == 0 {
			if r.Top.BidQty == 0 || r.Top.AskQty == 0 {
				continue
			}
			mid = s.lastMid // this event's mid, just noted
		}
		f.follow(r.Event.Symbol, s, now, mid, emit)
		for len(s.hi) > 0 && s.hi[len(s.hi)-1].val <= mid {
			s.hi = s.hi[:len(s.hi)-1]
		}
		s.hi = append(s.hi, tsVal{now, mid})
		for len(s.lo) > 0 && s.lo[len(s.lo)-1].val >= mid {
			s.lo = s.lo[:len(s.lo)-1]
		}
		s.lo = append(s.lo, tsVal{now, mid})
		for len(s.hi) > 0 && now-s.hi[0].ts > f.window {
			s.hi = s.hi[1:]
		}
		for len(s.lo) > 0 && now-s.lo[0].ts > f.window {
			s.lo = s.lo[1:]
		}
		// One event's step: a fat finger moves the price in one sweep, a
		// run of orders (momentum ignition, a pump) in many small ones.
		if s.prev != 0 {
			if d := s.prev - mid; d > 0 {
				s.fallSteps = pushMax(s.fallSteps, tsVal{now, d})
			} else if d < 0 {
				s.riseSteps = pushMax(s.riseSteps, tsVal{now, -d})
			}
		}
		if mid != s.prev {
			s.path.add(tsVal{now, mid})
		}
		s.prev = mid
		s.fallSteps, s.riseSteps = expire(s.fallSteps, now-f.window), expire(s.riseSteps, now-f.window)
		hi, lo := s.hi[0], s.lo[0]
		down := float64(hi.val-mid) / float64(hi.val)
		up := float64(mid-lo.val) / float64(lo.val)
		minStep := f.minStep[r.Event.Symbol] // fewer price steps: not a move on this instrument
		if hi.val-mid < minStep {
			down = 0
		}
		if mid-lo.val < minStep {
			up = 0
		}
		var start int64
		dir := ""
		switch {
		case down >= f.minMove && now-s.lastDown > f.cool:
			start, dir, s.lastDown = hi.ts, "fell", now
			if now-s.lastUp <= f.cool && lo.ts >= s.lastUpStart {
				continue // the fall back after a spike: the same event
			}
		case up >= f.minMove && now-s.lastUp > f.cool:
			start, dir, s.lastUp = lo.ts, "rose", now
			if now-s.lastDown <= f.cool && hi.ts >= s.lastDownStart {
				continue // the recovery after a crash: the same event
			}
		default:
			continue
		}
		if dir == "fell" {
			s.lastDownStart = start
		} else {
			s.lastUpStart = start
		}
		var accts []uint64
		for _, fl := range b.FillsOf(i) {
			if fl.TakerAccount != 0 {
				accts = append(accts, fl.TakerAccount)
			}
		}
		slices.Sort(accts)
		accts = slices.Compact(accts)
		ref := hi.val
		if dir == "rose" {
			ref = lo.val
		}
		steps := s.riseSteps
		if dir == "fell" {
			steps = s.fallSteps
		}
		var step int64
		if len(steps) > 0 {
			step = steps[0].val
		}
		s.pending = append(s.pending, pendingFlash{due: now + f.recovery, start: start, ref: ref, extreme: mid, extremeAt: now, down: dir == "fell", accounts: accts, step: step})
		if f.recovery == 0 {
			f.follow(r.Event.Symbol, s, now, mid, emit)
		}
	}
	return nil
}

// follow deepens the pending moves' extremes with price and raises those
// whose recovery time is up, scored by how much of the move has come back
// (the book's mid, or price when the book is one-sided).
func (f *flashCrash) follow(sym uint32, s *flashSym, now, price int64, emit func(Alert)) {
	k := 0
	for _, p := range s.pending {
		if (p.down && price < p.extreme) || (!p.down && price > p.extreme) {
			p.extreme, p.extremeAt = price, now
			steps := s.riseSteps
			if p.down {
				steps = s.fallSteps
			}
			if len(steps) > 0 {
				p.step = max(p.step, steps[0].val)
			}
		}
		if now < p.due {
			s.pending[k] = p
			k++
			continue
		}
		f.raise(sym, s, p, now, emit)
	}
	s.pending = s.pending[:k]
}

func (f *flashCrash) raise(sym uint32, s *flashSym, p pendingFlash, now int64, emit func(Alert)) {
	back := s.lastMid
	if back == 0 {
		back = p.extreme
	}
	depth := float64(p.ref - p.extreme)
	came := float64(back - p.extreme)
	dir := "fell"
	if !p.down {
		depth, came, dir = -depth, -came, "rose"
	}
	rec := 0.0
	if depth > 0 {
		rec = min(max(came/depth, 0), 1)
	}
	// How sudden: the share of the move one event made, or how fast its
	// last four fifths came (within flash seconds: a withdrawal of the book
	// takes a few events, a pump's rise a minute).
	sharp, took := 0.0, time.Duration(0)
	if depth > 0 {
		sharp = min(float64(p.step)/depth, 1)
		level := p.extreme + int64(0.8*float64(p.ref-p.extreme))
		if from := s.path.lastBeyond(p.extremeAt, level, p.down); from > 0 {
			took = time.Duration(p.extremeAt - from)
			sharp = max(sharp, min(1, float64(f.flash)/float64(max(took, 1))))
		}
	}
	move := depth / float64(p.ref)
	emit(Alert{Symbol: f.insts[sym].Symbol, RaisedAt: now, Start: p.start, End: p.extremeAt, Accounts: p.accounts, Score: move * 1e4 * (0.25 + 0.75*rec) * (0.25 + 0.75*sharp),
		Evidence: fmt.Sprintf("mid %s %.0f bps within %v (%.0f%% of it in one event, four fifths in %v) and came back %.0f%% of it within %v",
			dir, move*1e4, time.Duration(p.extremeAt-p.start), 100*min(float64(p.step)/max(depth, 1), 1), took, 100*rec, time.Duration(now-p.extremeAt))})
}

func (f *flashCrash) Finish(emit func(Alert)) error {
	end := max(f.end, f.last) // the run's end; the last event's when the run gives none
	for i := range f.syms {
		s := &f.syms[i]
		for _, p := range s.pending {
			f.raise(uint32(i), s, p, end, emit) // the run ended before its recovery time: as far as it got
		}
		s.pending = nil
	}
	return nil
}

// pushMax appends v to a deque kept in decreasing order of val (the front is
// the largest in the window).
func pushMax(q []tsVal, v tsVal) []tsVal {
	for len(q) > 0 && q[len(q)-1].val <= v.val {
		q = q[:len(q)-1]
	}
	return append(q, v)
}

// expire drops the entries older than from.
func expire(q []tsVal, from int64) []tsVal {
	k := 0
	for k < len(q) && q[k].ts < from {
		k++
	}
	return q[k:]
}
