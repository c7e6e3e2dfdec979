package coinbase

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// historyLen bounds the book states kept per product for tickers that
// arrive after later book changes.
const historyLen = 4096

// Window is how far from a ticker's time the book state it reports may be
// stamped: the level2 channel stamps batched changes, so a change and the
// ticker of the match that caused it can carry times a little apart.
const Window = int64(1e9)

// Report is the outcome of Verify.
type Report struct {
	Files      []string        `json:"files"`
	Updates    int64           `json:"l2updates"`
	Tickers    int64           `json:"tickers"`     // tickers of products with a book
	Aligned    int64           `json:"aligned"`     // tickers compared with the book around their time
	Exact      int64           `json:"exact"`       // aligned tickers equal to the book as of their time
	Mismatched int64           `json:"mismatched"`  // aligned tickers equal to no book state within Window of their time
	TooOld     int64           `json:"too_old"`     // tickers older than the kept book states
	BeforeBook int64           `json:"before_book"` // tickers stamped before their product's snapshot
	Products   []ProductReport `json:"products"`
	Examples   []string        `json:"examples,omitempty"`
	per        map[string]*ProductReport
}

// ProductReport is one product's part of a Report.
type ProductReport struct {
	Product    string `json:"product"`
	PriceExp   int    `json:"price_exp"`
	Aligned    int64  `json:"aligned"`
	Mismatched int64  `json:"mismatched"`
}

// Summary is the report's last line.
func (r *Report) Summary() string {
	return fmt.Sprintf("aligned=%d mismatched=%d", r.Aligned, r.Mismatched)
}

// state is the book's top as of an exchange time.
type state struct {
	at  int64
	top orderbook.Top
}

// ticker is a ticker waiting for the book as of its time.
type ticker struct {
	at       int64
	bid, ask int64
	where    string
}

// Verify rebuilds each product's L2 book from the level2 channel of a
// capture (files chained in order) and compares every ticker's best bid and
// ask prices (the ticker carries no sizes) with the rebuilt book's states
// around the ticker's exchange time: exact when the book after every
// l2update stamped at or before it agrees, matched when a state stamped
// within Window of it does (the channel stamps batched changes), else a
// mismatch. Tickers and book updates are separate channels, so a ticker is
// held until an update stamped past its window arrives.
func Verify(ctx context.Context, paths []string) (*Report, error) {
	exps, order, err := scanExps(paths)
	if err != nil {
		return nil, err
	}
	rep := &Report{Files: paths, per: map[string]*ProductReport{}}
	for _, p := range order {
		rep.per[p] = &ProductReport{Product: p, PriceExp: exps[p]}
	}
	books := map[string]*book{}
	hist := map[string][]state{}
	pending := map[string][]ticker{}
	trimmed := map[string]bool{}
	r := newReader(paths)
	defer r.Close()
	var m message
	for {
		if rep.Updates&0x3ff == 0 {
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
		p := m.ProductID
		switch m.Type {
		case "snapshot":
			books[p], pending[p], trimmed[p] = newBook(exps[p]), nil, false
			if err := books[p].apply(&m, nil); err != nil {
				return nil, r.Bad("snapshot", "%s: %v", p, err)
			}
			// The snapshot carries no exchange time: it is the book as of
			// about its arrival.
			hist[p] = []state{{m.recvNS, books[p].b.Top()}}
		case "l2update":
			bk := books[p]
			if bk == nil {
				continue
			}
			rep.Updates++
			var keep []ticker
			for _, tk := range pending[p] {
				if tk.at+Window < m.at {
					rep.compare(p, tk, hist[p])
				} else {
					keep = append(keep, tk)
				}
			}
			pending[p] = keep
			if err := bk.apply(&m, nil); err != nil {
				return nil, r.Bad("changes", "%s: %v", p, err)
			}
			h := append(hist[p], state{m.at, bk.b.Top()})
			if len(h) > historyLen {
				h, trimmed[p] = h[len(h)-historyLen:], true
			}
			hist[p] = h
		case "ticker":
			bk := books[p]
			if bk == nil {
				rep.BeforeBook++
				continue
			}
			rep.Tickers++
			bid, err1 := replay.ParseDecimal(m.BestBid, bk.exp)
			ask, err2 := replay.ParseDecimal(m.BestAsk, bk.exp)
			if err1 != nil || err2 != nil {
				return nil, r.Bad("best_bid", "%s: best bid %q, best ask %q at %d decimals", p, m.BestBid, m.BestAsk, bk.exp)
			}
			tk := ticker{at: m.at, bid: bid, ask: ask, where: fmt.Sprintf("%s:%d", r.File, r.Line)}
			h := hist[p]
			switch {
			case tk.at < h[0].at:
				if trimmed[p] {
					rep.TooOld++
				} else {
					rep.BeforeBook++ // stamped before the snapshot (the last trade's ticker sent on subscribing)
				}
			case tk.at+Window >= h[len(h)-1].at:
				pending[p] = append(pending[p], tk) // the states around its time are not all in yet
			default:
				rep.compare(p, tk, h)
			}
		}
	}
	for _, p := range order {
		for _, tk := range pending[p] {
			rep.compare(p, tk, hist[p])
		}
	}
	for _, p := range order {
		rep.Products = append(rep.Products, *rep.per[p])
	}
	sort.Slice(rep.Products, func(i, j int) bool { return rep.Products[i].Product < rep.Products[j].Product })
	if rep.Updates == 0 {
		return nil, fmt.Errorf("coinbase: %s: no l2update messages", strings.Join(paths, ", "))
	}
	return rep, nil
}

// compare counts a ticker against the book's states around its time: the
// state as of its time (exact), or any state stamped within Window of it.
func (r *Report) compare(product string, tk ticker, h []state) {
	r.Aligned++
	pr := r.per[product]
	pr.Aligned++
	same := func(t orderbook.Top) bool { return t.BidPrice == tk.bid && t.AskPrice == tk.ask }
	asOf := sort.Search(len(h), func(i int) bool { return h[i].at > tk.at }) - 1
	if asOf >= 0 && same(h[asOf].top) {
		r.Exact++
		return
	}
	for i := max(asOf, 0); i < len(h) && h[i].at <= tk.at+Window; i++ {
		if same(h[i].top) {
			return
		}
	}
	for i := asOf - 1; i >= 0 && h[i+1].at >= tk.at-Window; i-- {
		if same(h[i].top) {
			return
		}
	}
	top := orderbook.Top{}
	if asOf >= 0 {
		top = h[asOf].top
	}
	r.Mismatched++
	pr.Mismatched++
	if len(r.Examples) < 10 {
		r.Examples = append(r.Examples, fmt.Sprintf("%s %s: ticker bid %d ask %d, rebuilt bid %d ask %d", tk.where, product, tk.bid, tk.ask, top.BidPrice, top.AskPrice))
	}
}
