package detectors

import (
	"fmt"
	"slices"
	"time"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func init() {
	Register(Definition{
		Name: "flash_crash", Typology: replay.FlashCrash,
		Doc: "Flash crash: per symbol, the price of each event — the worst fill it caused, else the mid — against the highest (for a crash) " +
			"or lowest (for a spike) such price within the window; " +
			"alerts when the move reaches min_move_bps while the touch on the side being hit is thin, at most once per cooldown; " +
			"the recovery right after a crash (or the fall after a spike) is the same event and does not alert again. " +
			"Score = move in basis points; accounts = the takers whose orders moved the price in the alerting event.",
		Params: []ParamSpec{
			{Name: "window", Type: Duration, Default: 30 * time.Second, Unit: "s", Meaning: "how far back the reference high and low reach"},
			{Name: "min_move_bps", Type: Float, Default: 40.0, Unit: "bps", Meaning: "move from the window's high or low that counts"},
			{Name: "cooldown", Type: Duration, Default: 60 * time.Second, Unit: "s", Meaning: "one alert per symbol and direction within this time"},
		},
		New: func(p Params) (Detector, error) {
			return &flashCrash{window: int64(p.Duration("window")), minMove: p.Float("min_move_bps") / 1e4, cool: int64(p.Duration("cooldown"))}, nil
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
}

type flashCrash struct {
	window, cool int64
	minMove      float64
	insts        []replay.Instrument
	syms         []flashSym
}

func (f *flashCrash) Start(info *replay.RunInfo) error {
	f.insts = info.Instruments
	f.syms = make([]flashSym, len(info.Instruments))
	return nil
}

func (f *flashCrash) Consume(b *replay.Batch, emit func(Alert)) error {
	for i := range b.Records {
		r := &b.Records[i]
		now := r.Event.TS
		s := &f.syms[r.Event.Symbol]
		// The price of this event: the worst fill it caused (a sweep trades
		// through many levels at once), else the mid.
		var mid int64
		for _, fl := range b.FillsOf(i) {
			if mid == 0 || (fl.Aggressor == orderbook.Sell && fl.Price < mid) || (fl.Aggressor == orderbook.Buy && fl.Price > mid) {
				mid = fl.Price
			}
		}
		if mid == 0 {
			if r.Top.BidQty == 0 || r.Top.AskQty == 0 {
				continue
			}
			mid = (r.Top.BidPrice + r.Top.AskPrice) / 2
		}
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
		hi, lo := s.hi[0], s.lo[0]
		down := float64(hi.val-mid) / float64(hi.val)
		up := float64(mid-lo.val) / float64(lo.val)
		var move float64
		var start int64
		dir := ""
		switch {
		case down >= f.minMove && now-s.lastDown > f.cool:
			move, start, dir, s.lastDown = down, hi.ts, "fell", now
			if now-s.lastUp <= f.cool && lo.ts >= s.lastUpStart {
				continue // the fall back after a spike: the same event
			}
		case up >= f.minMove && now-s.lastUp > f.cool:
			move, start, dir, s.lastUp = up, lo.ts, "rose", now
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
		emit(Alert{Symbol: f.insts[r.Event.Symbol].Symbol, RaisedAt: now, Start: start, End: now, Accounts: accts, Score: move * 1e4,
			Evidence: fmt.Sprintf("mid %s %.0f bps within %v", dir, move*1e4, time.Duration(now-start))})
	}
	return nil
}

func (f *flashCrash) Finish(func(Alert)) error { return nil }
