package bitmex

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// historyLen is how many of an instrument's latest book tops a quote is
// looked for among: BitMEX throttles the quote table and sends quotes in
// batches up to about a second after the book changes they report.
const historyLen = 1024

// Report is the outcome of Verify.
type Report struct {
	Files        []string           `json:"files"`
	BookMessages int64              `json:"book_messages"`
	Quotes       int64              `json:"quotes"`      // quotes of instruments with a book
	AtReceipt    int64              `json:"at_receipt"`  // quotes equal to the book's top when they arrived
	Matched      int64              `json:"matched"`     // quotes equal to a top the book had (at receipt or before)
	Unmatched    int64              `json:"unmatched"`   // quotes equal to no top the book had
	BeforeBook   int64              `json:"before_book"` // quotes before the instrument's partial
	Instruments  []InstrumentReport `json:"instruments"`
	Examples     []string           `json:"examples,omitempty"`
}

// InstrumentReport is one instrument's part of a Report.
type InstrumentReport struct {
	Symbol    string `json:"symbol"`
	PriceExp  int    `json:"price_exp"`
	Quotes    int64  `json:"quotes"`
	Matched   int64  `json:"matched"`
	Unmatched int64  `json:"unmatched"`
}

// Summary is the report's last line.
func (r *Report) Summary() string {
	return fmt.Sprintf("quotes=%d matched=%d unmatched=%d", r.Quotes, r.Matched, r.Unmatched)
}

// Verify rebuilds each instrument's L2 book from the orderBookL2 table of a
// capture (files chained in order) and looks up every quote — BitMEX's own
// best bid and ask, price and size — among the tops the rebuilt book has had
// (its latest historyLen): the quote table is a separate, throttled stream
// without update ids, so a quote is aligned with the book state it reports
// rather than with the moment it arrived. A quote no state of the rebuilt
// book equals is unmatched.
func Verify(ctx context.Context, paths []string) (*Report, error) {
	exps, order, err := scanExps(paths)
	if err != nil {
		return nil, err
	}
	rep := &Report{Files: paths}
	r := newReader(paths)
	defer r.Close()
	books := map[string]*book{}
	hist := map[string][]orderbook.Top{}
	per := map[string]*InstrumentReport{}
	for _, s := range order {
		per[s] = &InstrumentReport{Symbol: s, PriceExp: exps[s]}
	}
	var m message
	for {
		if rep.BookMessages&0x3ff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		err := r.next(&m)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch m.table {
		case "orderBookL2":
			rep.BookMessages++
			touched := map[string]bool{}
			for i := range m.rows {
				w := &m.rows[i]
				if m.action == "partial" && !touched[w.Symbol] {
					books[w.Symbol], hist[w.Symbol] = newBook(exps[w.Symbol]), nil
				}
				bk := books[w.Symbol]
				if bk == nil {
					continue // a change before the instrument's partial
				}
				touched[w.Symbol] = true
				if err := bk.apply(m.action, w, nil); err != nil {
					return nil, r.Bad("data", "%s: %v", w.Symbol, err)
				}
			}
			for s := range touched {
				h := append(hist[s], books[s].b.Top())
				if len(h) > historyLen {
					h = h[len(h)-historyLen:]
				}
				hist[s] = h
			}
		case "quote":
			for i := range m.rows {
				w := &m.rows[i]
				bk := books[w.Symbol]
				if bk == nil {
					rep.BeforeBook++
					continue
				}
				q, err := quoteTop(w, bk.exp)
				if err != nil {
					return nil, r.Bad("data", "%s: %v", w.Symbol, err)
				}
				rep.Quotes++
				ir := per[w.Symbol]
				ir.Quotes++
				h := hist[w.Symbol]
				if len(h) > 0 && h[len(h)-1] == q {
					rep.AtReceipt++
				}
				found := false
				for k := len(h) - 1; k >= 0 && !found; k-- {
					found = h[k] == q
				}
				if found {
					rep.Matched++
					ir.Matched++
					continue
				}
				rep.Unmatched++
				ir.Unmatched++
				if len(rep.Examples) < 10 {
					rep.Examples = append(rep.Examples, fmt.Sprintf("%s:%d %s quote at %s %+v: no top of the rebuilt book equals it (now %+v)", r.File, r.Line, w.Symbol, w.Timestamp, q, bk.b.Top()))
				}
			}
		}
	}
	for _, s := range order {
		rep.Instruments = append(rep.Instruments, *per[s])
	}
	sort.Slice(rep.Instruments, func(i, j int) bool { return rep.Instruments[i].Symbol < rep.Instruments[j].Symbol })
	if rep.BookMessages == 0 {
		return nil, fmt.Errorf("bitmex: %s: no orderBookL2 messages", strings.Join(paths, ", "))
	}
	return rep, nil
}

// quoteTop is a quote row as a book top at exp price decimals.
func quoteTop(w *row, exp int) (orderbook.Top, error) {
	var t orderbook.Top
	for _, f := range []struct {
		text string
		exp  int
		dst  *int64
	}{{string(w.BidPrice), exp, &t.BidPrice}, {string(w.BidSize), 0, &t.BidQty}, {string(w.AskPrice), exp, &t.AskPrice}, {string(w.AskSize), 0, &t.AskQty}} {
		if f.text == "" {
			continue // an empty side
		}
		v, err := replay.ParseDecimal(f.text, f.exp)
		if err != nil {
			return t, fmt.Errorf("quote %q: %v", f.text, err)
		}
		*f.dst = v
	}
	return t, nil
}
