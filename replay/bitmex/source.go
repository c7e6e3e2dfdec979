package bitmex

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

// Source turns a BitMEX capture into canonical events: an instrument's
// orderBookL2 partial is a Clear and a Level per level (FlagSnapshot), each
// insert, update and delete a Level (size 0 deletes), the last event of a
// message's changes to an instrument FlagLastInGroup; trade rows are Trade events whose side is the
// taker's; quotes are counted, not events (Verify checks the book against
// them). Times are the receive times; prices have each instrument's decimals
// (read through the capture first), sizes are contracts.
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

// NewSource opens the capture files, read in order.
func NewSource(paths []string, opts Options) (*Source, error) {
	if len(paths) == 0 {
		return nil, errors.New("bitmex: no input files")
	}
	exps, order, err := scanExps(paths)
	if err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("bitmex: %s: no orderBookL2 messages", strings.Join(paths, ", "))
	}
	s := &Source{rd: newReader(paths), opts: opts, idx: map[string]uint32{}, books: map[string]*book{}, counts: map[string]int64{}}
	for _, sym := range order {
		s.idx[sym] = uint32(len(s.insts))
		s.insts = append(s.insts, replay.Instrument{Symbol: sym, Venue: "bitmex", Kind: replay.Perpetual, PriceExp: int8(exps[sym]), QtyExp: 0, Tick: 1, Lot: 1})
	}
	return s, nil
}

// Instruments is the instrument table (complete after NewSource).
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
		if err != nil {
			if re := (*replay.RowError)(nil); s.opts.SkipBad && errors.As(err, &re) {
				s.counts["skipped_bad_"+re.Field]++
				continue
			}
			return 0, err
		}
		if err := s.message(&m); err != nil {
			if s.opts.SkipBad {
				s.counts["skipped_bad_data"]++
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

// message turns one decoded message into events.
func (s *Source) message(m *message) error {
	switch m.table {
	case "quote":
		s.counts["quote_not_an_event"] += int64(len(m.rows))
		return nil
	case "trade":
		if m.action == "partial" {
			s.counts["trade_partial_before_capture"] += int64(len(m.rows)) // trades that happened before the capture began
			return nil
		}
		for i := range m.rows {
			w := &m.rows[i]
			sym, ok := s.idx[w.Symbol]
			if !ok {
				s.counts["trade_without_book"]++
				continue
			}
			sd, ok := side(w.Side)
			p, err1 := replay.ParseDecimal(string(w.Price), int(s.insts[sym].PriceExp))
			q, err2 := replay.ParseDecimal(string(w.Size), 0)
			if !ok || err1 != nil || err2 != nil || p <= 0 || q <= 0 {
				return s.rd.Bad("data", "%s trade: side %q price %q size %q", w.Symbol, w.Side, w.Price, w.Size)
			}
			s.q.Push(replay.Event{TS: m.recvNS, Symbol: sym, Action: replay.ActionTrade, Side: sd, Price: p, Qty: q})
		}
		return nil
	case "orderBookL2":
	default:
		s.counts["other_message"]++
		return nil
	}
	flags := replay.Flags(0)
	if m.action == "partial" {
		flags = replay.FlagSnapshot
	}
	cleared := map[string]bool{}
	last := map[uint32]int{} // each instrument's last event of the message
	for i := range m.rows {
		w := &m.rows[i]
		sym, known := s.idx[w.Symbol]
		if m.action == "partial" && !cleared[w.Symbol] && known {
			cleared[w.Symbol] = true
			s.books[w.Symbol] = newBook(int(s.insts[sym].PriceExp))
			s.q.Push(replay.Event{TS: m.recvNS, Symbol: sym, Action: replay.ActionClear, Flags: replay.FlagSnapshot})
		}
		bk := s.books[w.Symbol]
		if bk == nil {
			s.counts["book_change_before_partial"]++
			continue
		}
		if err := bk.apply(m.action, w, func(sd orderbook.Side, price, size int64) {
			s.q.Push(replay.Event{TS: m.recvNS, Symbol: sym, Action: replay.ActionLevel, Side: sd, Flags: flags, Price: price, Qty: size})
			last[sym] = s.q.Len() - 1
		}); err != nil {
			return s.rd.Bad("data", "%s: %v", w.Symbol, err)
		}
	}
	for _, i := range last {
		s.q.MarkLastInGroup(i)
	}
	return nil
}
