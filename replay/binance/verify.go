package binance

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// FixedExp is the number of decimals of prices and quantities in events from
// Binance feeds: Binance sends at most 8.
const FixedExp = 8

// Report is the outcome of Verify.
type Report struct {
	Files      []string `json:"files"`
	Diffs      int64    `json:"diffs_applied"`
	Dropped    int64    `json:"diffs_dropped_before_snapshot"`
	Tickers    int64    `json:"book_tickers"`
	Aligned    int64    `json:"aligned"`    // tickers whose u equals the last applied diff's u
	Mismatched int64    `json:"mismatched"` // aligned tickers whose best bid/ask differs from the rebuilt book
	Examples   []string `json:"examples,omitempty"`
}

// Summary is the report's last line: aligned=<N> mismatched=<M>.
func (r *Report) Summary() string {
	return fmt.Sprintf("aligned=%d mismatched=%d", r.Aligned, r.Mismatched)
}

// Verify rebuilds the L2 book from a raw depth feed (files chained in order)
// through orderbook.DepthBook and compares the best bid and ask (price and
// quantity) with every bookTicker message whose update id equals the final
// update id of the last applied diff. bookTicker is a separate stream, so only
// those aligned points are comparable.
func Verify(ctx context.Context, paths []string) (*Report, error) {
	fr := newFeedReader(paths)
	defer fr.close()
	rep := &Report{Files: paths}
	var seq sequencer
	var book *orderbook.DepthBook
	var m feedMsg
	tick := int64(0)
	early := map[int64]orderbook.Top{}
	check := func(want orderbook.Top, u int64, file string, line int64) {
		rep.Aligned++
		if got := book.Top(); got != want {
			rep.Mismatched++
			if len(rep.Examples) < 10 {
				rep.Examples = append(rep.Examples, fmt.Sprintf("%s:%d u=%d: bookTicker %+v, rebuilt %+v", file, line, u, want, got))
			}
		}
	}
	for {
		if rep.Tickers&0x3ff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		err := fr.next(&m)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch m.kind {
		case kindDepth, kindSnapshot:
			if err := seq.push(&m, fr.file, fr.line); err != nil {
				return nil, err
			}
			for _, g := range seq.out {
				if g.snapshot && book == nil {
					tick = tickFromSnapshot(g)
					book, _ = orderbook.NewDepth(orderbook.Config{Tick: tick, Lot: 1})
				}
				if err := applyGroup(book, &g); err != nil {
					return nil, err
				}
				if !g.snapshot {
					rep.Diffs++
					if t, ok := early[g.final]; ok {
						check(t, g.final, g.file, g.line)
					}
				}
			}
			seq.out = seq.out[:0]
			for u := range early {
				if u <= seq.last {
					delete(early, u)
				}
			}
		case kindTicker:
			rep.Tickers++
			want, err := tickerTop(&m)
			if err != nil {
				return nil, &replay.RowError{File: fr.file, Line: fr.line, Field: "bookTicker", Reason: err.Error()}
			}
			switch {
			case book != nil && !seq.bridging && m.tickerU == seq.last:
				check(want, m.tickerU, fr.file, fr.line)
			case book == nil || m.tickerU > seq.last:
				// The ticker stream runs ahead of the 100 ms diff batches:
				// keep it until the diff ending at its update id is applied.
				if len(early) < 1<<16 {
					early[m.tickerU] = want
				}
			}
		}
	}
	rep.Dropped = seq.dropped
	return rep, nil
}

// tickFromSnapshot is the price tick implied by the snapshot's most precise price.
func tickFromSnapshot(g group) int64 {
	d := 0
	for _, side := range [2][]level{g.bids, g.asks} {
		for _, l := range side {
			d = max(d, replay.Decimals(string(l[0])))
		}
	}
	return int64(math.Pow10(FixedExp - min(d, FixedExp)))
}

func applyGroup(book *orderbook.DepthBook, g *group) error {
	if g.snapshot {
		book.Clear()
	}
	for k, side := range [2][]level{g.bids, g.asks} {
		s := orderbook.Buy
		if k == 1 {
			s = orderbook.Sell
		}
		for _, l := range side {
			p, q, err := parseLevel(l)
			if err != nil {
				return &replay.RowError{File: g.file, Line: g.line, Field: "level", Reason: err.Error()}
			}
			if err := book.Set(s, p, q); err != nil {
				return &replay.RowError{File: g.file, Line: g.line, Field: "level", Reason: err.Error()}
			}
		}
	}
	return nil
}

func parseLevel(l level) (int64, int64, error) {
	p, err := replay.ParseDecimalBytes(l[0], FixedExp)
	if err != nil {
		return 0, 0, fmt.Errorf("price: %w", err)
	}
	q, err := replay.ParseDecimalBytes(l[1], FixedExp)
	if err != nil {
		return 0, 0, fmt.Errorf("qty: %w", err)
	}
	// A level's price is positive and its quantity not negative (0 removes
	// the level); impossible values used to import as they were.
	if p <= 0 {
		return 0, 0, fmt.Errorf("price %q: a price must be positive", l[0])
	}
	if q < 0 {
		return 0, 0, fmt.Errorf("qty %q: a quantity cannot be negative", l[1])
	}
	return p, q, nil
}

func tickerTop(m *feedMsg) (orderbook.Top, error) {
	var t orderbook.Top
	var err error
	for _, f := range []struct {
		s   []byte
		dst *int64
	}{{m.bidPx, &t.BidPrice}, {m.bidQty, &t.BidQty}, {m.askPx, &t.AskPrice}, {m.askQty, &t.AskQty}} {
		if *f.dst, err = replay.ParseDecimalBytes(f.s, FixedExp); err != nil {
			return t, err
		}
	}
	return t, nil
}
