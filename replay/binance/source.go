package binance

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// DepthOptions configure NewDepthSource.
type DepthOptions struct {
	Symbol string // default: the symbol in the stream messages
	// SkipBad skips malformed lines, counting them ("skipped_bad_<field>"). A
	// skipped depth diff leaves a hole in the update ids, which the sequence
	// check then reports as a gap: the book is never rebuilt from a partial feed.
	SkipBad bool
}

// DepthSource turns a raw Binance depth feed (one or more files, chained) into
// canonical events: the REST snapshot becomes a Clear plus one Level event per
// level (FlagSnapshot; the last one also FlagLastInGroup); each diff becomes
// Level events (Qty 0 deletes; the last one FlagLastInGroup); trades become
// Trade events whose Side is the aggressor (m=true, buyer is maker → sell).
// Times are the collector's receive times (ns). Prices and quantities have
// FixedExp decimals; the tick is the snapshot's finest price step. bookTicker
// and other streams are not book events: they are counted, not emitted.
type DepthSource struct {
	fr      *feedReader
	seq     sequencer
	opts    DepthOptions
	inst    []replay.Instrument
	pending []replay.Event
	counts  map[string]int64
	nseq    uint64
	symbol  string
	eof     bool
}

// NewDepthSource opens the feed files (plain or gzip), read in the given order.
func NewDepthSource(paths []string, opts DepthOptions) (*DepthSource, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("binance: no input files")
	}
	return &DepthSource{fr: newFeedReader(paths), opts: opts, counts: map[string]int64{}}, nil
}

// Instruments is the feed's instrument (known once the snapshot has been read).
func (s *DepthSource) Instruments() []replay.Instrument { return s.inst }

// Close closes the current file.
func (s *DepthSource) Close() error { s.fr.close(); return nil }

// Counts reports the messages that were not turned into events, by kind.
func (s *DepthSource) Counts() []replay.Count {
	out := make([]replay.Count, 0, len(s.counts)+1)
	for k, n := range s.counts {
		out = append(out, replay.Count{Kind: k, N: n})
	}
	if s.seq.dropped > 0 {
		out = append(out, replay.Count{Kind: "depth_diff_before_snapshot_dropped", N: s.seq.dropped})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

func (s *DepthSource) emit(ev replay.Event) {
	s.nseq++
	ev.Seq = s.nseq
	s.pending = append(s.pending, ev)
}

// Read fills dst with events.
func (s *DepthSource) Read(dst []replay.Event) (int, error) {
	var m feedMsg
	for len(s.pending) < len(dst) && !s.eof {
		err := s.fr.next(&m)
		if err == io.EOF {
			s.eof = true
			break
		}
		if err != nil {
			var re *replay.RowError // declared here: errors.As moves it to the heap
			if s.opts.SkipBad && errors.As(err, &re) {
				s.counts["skipped_bad_"+re.Field]++
				continue
			}
			return 0, err
		}
		if s.symbol == "" && m.symbol != "" {
			s.symbol = m.symbol
		}
		switch m.kind {
		case kindDepth, kindSnapshot:
			if err := s.seq.push(&m, s.fr.file, s.fr.line); err != nil {
				return 0, err
			}
			for i := range s.seq.out {
				if err := s.group(&s.seq.out[i]); err != nil {
					return 0, err
				}
			}
			s.seq.out = s.seq.out[:0]
		case kindTrade:
			if s.inst == nil {
				s.counts["trade_before_snapshot"]++
				continue
			}
			p, err1 := replay.ParseDecimalBytes(m.price, FixedExp)
			q, err2 := replay.ParseDecimalBytes(m.qty, FixedExp)
			if err1 != nil || err2 != nil || p <= 0 || q <= 0 {
				err := &replay.RowError{File: s.fr.file, Line: s.fr.line, Field: "trade", Reason: fmt.Sprintf("price %q qty %q: both must be positive decimal numbers", m.price, m.qty)}
				if s.opts.SkipBad {
					s.counts["skipped_bad_trade"]++
					continue
				}
				return 0, err
			}
			side := orderbook.Buy
			if m.buyerMaker {
				side = orderbook.Sell
			}
			s.emit(replay.Event{TS: m.recvNS, Action: replay.ActionTrade, Side: side, Price: p, Qty: q})
		case kindTicker:
			s.counts["book_ticker_not_an_event"]++
		default:
			s.counts["other_stream_message"]++
		}
	}
	n := copy(dst, s.pending)
	s.pending = s.pending[:copy(s.pending, s.pending[n:])]
	if n == 0 && s.eof {
		if s.inst == nil {
			return 0, fmt.Errorf("binance: %s: no depth snapshot found", strings.Join(s.fr.paths, ", "))
		}
		return 0, io.EOF
	}
	return n, nil
}

func (s *DepthSource) group(g *group) error {
	if g.snapshot && s.inst == nil {
		sym := s.opts.Symbol
		if sym == "" {
			sym = s.symbol
		}
		if sym == "" {
			sym = "UNKNOWN"
		}
		kind := replay.Spot
		if g.futures {
			kind = replay.Perpetual // USD-M and COIN-M perpetuals; a delivery contract replays alike
		}
		s.inst = []replay.Instrument{{Symbol: sym, Venue: "binance", Kind: kind, PriceExp: FixedExp, QtyExp: FixedExp, Tick: tickFromSnapshot(*g), Lot: 1}}
	}
	if s.inst == nil {
		return nil
	}
	flags := replay.Flags(0)
	if g.snapshot {
		flags = replay.FlagSnapshot
		s.emit(replay.Event{TS: g.recvNS, Action: replay.ActionClear, Flags: flags})
	}
	first := len(s.pending)
	for k, side := range [2][]level{g.bids, g.asks} {
		sd := orderbook.Buy
		if k == 1 {
			sd = orderbook.Sell
		}
		for _, l := range side {
			p, q, err := parseLevel(l)
			if err != nil {
				return &replay.RowError{File: g.file, Line: g.line, Field: "level", Reason: err.Error()}
			}
			s.emit(replay.Event{TS: g.recvNS, Action: replay.ActionLevel, Side: sd, Flags: flags, Price: p, Qty: q})
		}
	}
	if len(s.pending) > first {
		s.pending[len(s.pending)-1].Flags |= replay.FlagLastInGroup
	} else if !g.snapshot {
		s.counts["depth_diff_without_levels"]++
	}
	return nil
}
