package coinbase

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// Options are the importer's options.
type Options struct {
	SkipBad bool // skip malformed messages, counted, instead of stopping
}

// Source turns a Coinbase capture into canonical events: a product's
// snapshot is a Clear and a Level per level (FlagSnapshot), each l2update a
// Level per change (size 0 deletes; the last FlagLastInGroup), each match a
// Trade on the taker's side (a match's side is the maker's); tickers are
// counted, not events (Verify checks the book against them). Times are the
// receive times; prices have each product's decimals, sizes QtyExp.
type Source struct {
	rd     *reader
	opts   Options
	insts  []replay.Instrument
	idx    map[string]uint32
	books  map[string]*book
	q      replay.EventQueue
	counts map[string]int64
	eof    bool
}

// NewSource opens the capture files, read in order (once through first for
// the products and their price decimals).
func NewSource(paths []string, opts Options) (*Source, error) {
	if len(paths) == 0 {
		return nil, errors.New("coinbase: no input files")
	}
	exps, order, err := scanExps(paths)
	if err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("coinbase: %s: no level2 snapshot", strings.Join(paths, ", "))
	}
	s := &Source{rd: newReader(paths), opts: opts, idx: map[string]uint32{}, books: map[string]*book{}, counts: map[string]int64{}}
	for _, p := range order {
		s.idx[p] = uint32(len(s.insts))
		s.insts = append(s.insts, replay.Instrument{Symbol: strings.ReplaceAll(p, "-", ""), Venue: "coinbase", Kind: replay.Spot,
			PriceExp: int8(exps[p]), QtyExp: QtyExp, Tick: 1, Lot: 1})
	}
	return s, nil
}

// Instruments is the products' table (symbols without the dash: SKL-USD is SKLUSD).
func (s *Source) Instruments() []replay.Instrument { return s.insts }

// Counts reports what was not turned into events, by kind.
func (s *Source) Counts() []replay.Count { return replay.CountsOf(s.counts) }

// Close closes the current file.
func (s *Source) Close() error { s.rd.Close(); return nil }

// Read fills dst with events.
func (s *Source) Read(dst []replay.Event) (int, error) {
	var m message
	for s.q.Len() < len(dst) && !s.eof {
		err := s.rd.next(&m)
		if err == io.EOF {
			s.eof = true
			break
		}
		if err == nil {
			err = s.message(&m)
		}
		if err != nil {
			if re := (*replay.RowError)(nil); s.opts.SkipBad && errors.As(err, &re) {
				s.counts["skipped_bad_"+re.Field]++
				continue
			}
			return 0, err
		}
	}
	n := s.q.Drain(dst)
	if n == 0 && s.eof {
		return 0, io.EOF
	}
	return n, nil
}

func (s *Source) message(m *message) error {
	sym, known := s.idx[m.ProductID]
	switch m.Type {
	case "":
		s.counts["other_message"]++
		return nil
	case "ticker":
		s.counts["ticker_not_an_event"]++
		return nil
	case "match", "last_match":
		if !known || s.books[m.ProductID] == nil {
			s.counts["match_before_snapshot"]++
			return nil
		}
		maker, ok := side(m.Side)
		p, err1 := replay.ParseDecimal(m.Price, int(s.insts[sym].PriceExp))
		q, err2 := replay.ParseDecimal(m.Size, QtyExp)
		if !ok || err1 != nil || err2 != nil || p <= 0 || q <= 0 {
			return s.rd.Bad("match", "%s: side %q price %q size %q", m.ProductID, m.Side, m.Price, m.Size)
		}
		if m.Type == "last_match" {
			s.counts["last_match_before_capture"]++ // the trade before subscribing: not replayed
			return nil
		}
		s.q.Push(replay.Event{TS: m.recvNS, Symbol: sym, Action: replay.ActionTrade, Side: maker.Opposite(), Price: p, Qty: q})
		return nil
	}
	if m.Type == "snapshot" && known {
		s.books[m.ProductID] = newBook(int(s.insts[sym].PriceExp))
		s.q.Push(replay.Event{TS: m.recvNS, Symbol: sym, Action: replay.ActionClear, Flags: replay.FlagSnapshot})
	}
	bk := s.books[m.ProductID]
	if bk == nil {
		s.counts["l2update_before_snapshot"]++
		return nil
	}
	flags := replay.Flags(0)
	if m.Type == "snapshot" {
		flags = replay.FlagSnapshot
	}
	first := s.q.Len()
	if err := bk.apply(m, func(sd orderbook.Side, price, size int64) {
		s.q.Push(replay.Event{TS: m.recvNS, Symbol: sym, Action: replay.ActionLevel, Side: sd, Flags: flags, Price: price, Qty: size})
	}); err != nil {
		return s.rd.Bad("changes", "%s: %v", m.ProductID, err)
	}
	if s.q.Len() > first {
		s.q.MarkLastInGroup(s.q.Len() - 1)
	}
	return nil
}
