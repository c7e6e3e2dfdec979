package kraken

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

// Source turns a Kraken book capture into canonical L2 events: a pair's
// snapshot is a Clear and a Level per level (FlagSnapshot), an update a Level
// per level, and a level the update pushed beyond the subscribed depth a
// Level of quantity 0 — the book the events rebuild is the book Verify
// checks against Kraken's checksums. The last event of each message has
// FlagLastInGroup. Times are the receive times. Each pair is an instrument
// (its symbol without the slash: XBT/USD is XBTUSD) at the decimals Kraken
// prints its prices with; volumes have QtyExp decimals.
type Source struct {
	rd     *reader
	opts   Options
	insts  []replay.Instrument
	idx    map[string]uint32
	exps   map[string]int
	books  map[string]*book
	q      replay.EventQueue
	counts map[string]int64
	eof    bool
}

// NewSource opens the capture files (read in order). They are read through
// once first to list the pairs and their price decimals.
func NewSource(paths []string, opts Options) (*Source, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("kraken: no input files")
	}
	s := &Source{opts: opts, idx: map[string]uint32{}, exps: map[string]int{}, books: map[string]*book{}, counts: map[string]int64{}}
	scan := newReader(paths)
	var m message
	for {
		err := scan.next(&m)
		if err == io.EOF {
			break
		}
		if err != nil {
			if opts.SkipBad {
				continue
			}
			scan.Close()
			return nil, err
		}
		if !m.book || !m.snapshot {
			continue
		}
		bk, err := newBook(&m)
		if err != nil {
			continue
		}
		if _, ok := s.idx[m.pair]; !ok {
			s.idx[m.pair] = uint32(len(s.insts))
			s.insts = append(s.insts, replay.Instrument{Symbol: strings.ReplaceAll(m.pair, "/", ""), Venue: "kraken", Kind: replay.Spot,
				PriceExp: int8(bk.priceExp), QtyExp: QtyExp, Tick: 1, Lot: 1})
			s.exps[m.pair] = bk.priceExp
		}
	}
	scan.Close()
	if len(s.insts) == 0 {
		return nil, fmt.Errorf("kraken: %s: no book snapshot", strings.Join(paths, ", "))
	}
	s.rd = newReader(paths)
	return s, nil
}

// Instruments is the pairs' table (complete after NewSource).
func (s *Source) Instruments() []replay.Instrument { return s.insts }

// Counts reports messages not turned into events, by kind.
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
		if !m.book {
			s.counts["not_a_book_message"]++
			continue
		}
		sym := s.idx[m.pair]
		bk := s.books[m.pair]
		switch {
		case m.snapshot:
			bk, _ = newBook(&m)
			bk.priceExp = s.exps[m.pair] // the scan's: a later snapshot keeps the instrument's decimals
			s.books[m.pair] = bk
			s.q.Push(replay.Event{TS: m.recvNS, Symbol: sym, Action: replay.ActionClear, Flags: replay.FlagSnapshot})
		case bk == nil:
			s.counts["update_before_snapshot"]++
			continue
		}
		first := s.q.Len()
		flags := replay.Flags(0)
		if m.snapshot {
			flags = replay.FlagSnapshot
		}
		if err := bk.apply(&m, func(side orderbook.Side, price, qty int64) {
			s.q.Push(replay.Event{TS: m.recvNS, Symbol: sym, Action: replay.ActionLevel, Side: side, Flags: flags, Price: price, Qty: qty})
		}); err != nil {
			err = s.rd.Bad("data", "%v", err)
			if s.opts.SkipBad {
				s.counts["skipped_bad_data"]++
				continue
			}
			return 0, err
		}
		if s.q.Len() > first || m.snapshot {
			s.q.MarkLastInGroup(s.q.Len() - 1)
		}
	}
	n := s.q.Drain(dst)
	if n == 0 && s.eof {
		return 0, io.EOF
	}
	return n, nil
}
