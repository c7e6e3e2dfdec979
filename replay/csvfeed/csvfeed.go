// Package csvfeed imports CSV market-data dumps as canonical events:
//
//   - binance-trades: data.binance.vision spot trades (id, price, qty,
//     quote_qty, time, is_buyer_maker[, is_best_match]), header optional;
//   - binance-aggtrades: aggTrades (agg_id, price, qty, first_id, last_id, time,
//     is_buyer_maker[, is_best_match]), header optional;
//   - ccxt-trades: trades with a header naming timestamp (ms), side, price,
//     amount and optionally symbol — the tick-trade files of labelled pump
//     episodes and freqtrade's exports;
//   - tardis-trades and tardis-book: tardis.dev "trades" and
//     "incremental_book_L2" CSV (timestamps in µs; a snapshot block after
//     incremental rows resets the book with a Clear event).
//
// Binance timestamps in milliseconds and microseconds are told apart by
// magnitude. Fixed-point exponents are the most decimals of any row: files
// are read through once before any event is returned (a pipe, which cannot be
// read twice, is decided from its first rows, and a later value with more
// decimals then stops the import with its line and field rather than
// rounding).
// Gzip input is read transparently. A malformed row stops the import with
// file:line: field: reason; with SkipBad it is skipped and counted by reason.
package csvfeed

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// Format is an input layout.
type Format string

// Formats.
const (
	BinanceTrades    Format = "binance-trades"
	BinanceAggTrades Format = "binance-aggtrades"
	CCXTTrades       Format = "ccxt-trades"
	TardisTrades     Format = "tardis-trades"
	TardisBook       Format = "tardis-book"
)

// Options configure NewSource.
type Options struct {
	Symbol  string // overrides the symbol column / file name
	Venue   string
	SkipBad bool // skip malformed rows (counted by reason) instead of stopping
}

// row is one parsed row before fixed-point conversion.
type row struct {
	line     int64
	file     string
	ts       int64 // ns
	symbol   string
	side     orderbook.Side
	price    string
	qty      string
	snapshot bool
	book     bool
}

// Source is a replay.EventSource over CSV files of one format.
type Source struct {
	format   Format
	opts     Options
	paths    []string
	cur      int
	lines    *replay.Lines
	file     string
	line     int64
	cols     map[string]int
	ahead    []row // rows scanned ahead to fix the exponents
	insts    []replay.Instrument
	symIdx   map[string]uint32
	priceExp int
	qtyExp   int
	seq      uint64
	counts   map[string]int64
	inSnap   map[uint32]bool // tardis-book: inside a snapshot block, per symbol
	seenInc  map[uint32]bool // tardis-book: incremental rows seen, per symbol
	eof      bool
	fixed    bool // the instrument table is complete
	fields   []string
}

// scanRows is how many rows are read ahead to choose the exponents.
const scanRows = 20000

// NewSource opens the files (read in order) in the given format.
func NewSource(format Format, paths []string, opts Options) (*Source, error) {
	switch format {
	case BinanceTrades, BinanceAggTrades, CCXTTrades, TardisTrades, TardisBook:
	default:
		return nil, fmt.Errorf("csvfeed: unknown format %q", format)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("csvfeed: no input files")
	}
	s := &Source{format: format, opts: opts, paths: paths, cur: -1, lines: replay.NewLines(paths), counts: map[string]int64{}, symIdx: map[string]uint32{}, inSnap: map[uint32]bool{}, seenInc: map[uint32]bool{}}
	if err := s.prescan(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// prescan fixes the exponents and the instrument table before any event is
// returned. Files are read through once first: the exponents are the most
// decimals of any row and the table lists every symbol, so that a valid file
// whose lot or tick size changes mid-file (a pump episode's trades did, at
// row 38,673) imports instead of failing. Input that cannot be read twice (a
// pipe) is decided from its first scanRows rows, held back and replayed.
func (s *Source) prescan() error {
	if rereadable(s.paths) {
		return s.scanAll()
	}
	pd, qd := 0, 0
	for len(s.ahead) < scanRows {
		r, err := s.nextRow()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		pd = max(pd, replay.Decimals(r.price))
		qd = max(qd, replay.Decimals(r.qty))
		s.symbolOf(r.symbol)
		s.ahead = append(s.ahead, r)
	}
	s.priceExp, s.qtyExp = min(pd, 12), min(qd, 12)
	s.fixed = true
	for i := range s.insts {
		s.insts[i].PriceExp, s.insts[i].QtyExp = int8(s.priceExp), int8(s.qtyExp)
	}
	return nil
}

// scanAll reads every row of the files once, without keeping or fully
// parsing them, to fix the exponents and the instrument table: only the
// price, amount and symbol fields are looked at, and a row whose price or
// amount is not a decimal number is left for the import pass to report.
func (s *Source) scanAll() error {
	lines := replay.NewLines(s.paths)
	defer lines.Close()
	pd, qd, cur := 0, 0, -1
	var header bool
	var pi, qi, si int
	var fields [][]byte
	for {
		b, err := lines.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		fields = splitBytes(fields[:0], b)
		if fi := lines.FileIndex(); fi != cur {
			cur, header = fi, false
			names := make([]string, len(fields))
			for i, f := range fields {
				names[i] = string(f)
			}
			if isHeader(names) {
				header = true
				pi, qi, si = -1, -1, -1
				for i, n := range names {
					switch strings.TrimSpace(n) {
					case "price":
						pi = i
					case "qty", "quantity", "amount":
						qi = i
					case "symbol":
						si = i
					}
				}
				continue
			}
		}
		if !header {
			pi, qi, si = 1, 2, -1 // binance-trades and -aggtrades without a header
		}
		if pi < 0 || qi < 0 || pi >= len(fields) || qi >= len(fields) {
			continue
		}
		p, q := replay.Decimals(string(bytes.TrimSpace(fields[pi]))), replay.Decimals(string(bytes.TrimSpace(fields[qi])))
		if p < 0 || q < 0 {
			continue
		}
		pd, qd = max(pd, p), max(qd, q)
		sym := ""
		if si >= 0 && si < len(fields) {
			if _, ok := s.symIdx[string(bytes.TrimSpace(fields[si]))]; ok && s.opts.Symbol == "" {
				continue
			}
			sym = string(bytes.TrimSpace(fields[si]))
		}
		s.symbolOf(sym)
	}
	s.priceExp, s.qtyExp = min(pd, 12), min(qd, 12)
	s.fixed = true
	for i := range s.insts {
		s.insts[i].PriceExp, s.insts[i].QtyExp = int8(s.priceExp), int8(s.qtyExp)
	}
	return nil
}

// splitBytes splits a CSV line at its commas into dst.
func splitBytes(dst [][]byte, b []byte) [][]byte {
	for {
		i := bytes.IndexByte(b, ',')
		if i < 0 {
			return append(dst, b)
		}
		dst, b = append(dst, b[:i]), b[i+1:]
	}
}

// rereadable reports whether every path is a regular file (not a pipe or a
// device), which can be read a second time.
func rereadable(paths []string) bool {
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// symbolOf returns the instrument index of sym, adding it during the prescan.
func (s *Source) symbolOf(sym string) (uint32, bool) {
	if s.opts.Symbol != "" {
		sym = s.opts.Symbol
	}
	if sym == "" {
		sym = strings.SplitN(filepath.Base(s.paths[0]), ".", 2)[0]
	}
	if id, ok := s.symIdx[sym]; ok {
		return id, true
	}
	if s.fixed {
		return 0, false
	}
	id := uint32(len(s.insts))
	s.symIdx[sym] = id
	kind := replay.Spot
	if strings.Contains(strings.ToUpper(sym), "PERP") {
		kind = replay.Perpetual
	}
	s.insts = append(s.insts, replay.Instrument{Symbol: sym, Venue: s.opts.Venue, Kind: kind, Tick: 1, Lot: 1})
	return id, true
}

// Instruments is the instrument table (complete after NewSource).
func (s *Source) Instruments() []replay.Instrument { return s.insts }

// Counts reports skipped or reconciled rows by reason.
func (s *Source) Counts() []replay.Count {
	var out []replay.Count
	for k, n := range s.counts {
		out = append(out, replay.Count{Kind: k, N: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// Close closes the current file.
func (s *Source) Close() error { return s.lines.Close() }

func (s *Source) bad(field, format string, args ...any) *replay.RowError {
	return &replay.RowError{File: s.file, Line: s.line, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// nextRow reads and parses the next data row of any file.
func (s *Source) nextRow() (row, error) {
	for {
		b, err := s.lines.Next()
		if err != nil {
			return row{}, err
		}
		if fi := s.lines.FileIndex(); fi != s.cur {
			s.cur, s.cols = fi, nil // each file has its own header
		}
		s.file, s.line = s.lines.File, s.lines.Line
		s.fields = strings.Split(string(b), ",")
		if s.cols == nil {
			if isHeader(s.fields) {
				s.cols = map[string]int{}
				for i, f := range s.fields {
					s.cols[strings.TrimSpace(f)] = i
				}
				if err := s.checkHeader(); err != nil {
					return row{}, err
				}
				continue
			}
			if s.format == CCXTTrades || s.format == TardisTrades || s.format == TardisBook {
				return row{}, s.bad("header", "this format needs a header row")
			}
			s.cols = map[string]int{}
		}
		r, rerr := s.parse()
		if rerr != nil {
			if s.opts.SkipBad {
				s.counts["skipped_bad_"+rerr.Field]++
				continue
			}
			return row{}, rerr
		}
		return r, nil
	}
}

func isHeader(f []string) bool {
	if len(f) == 0 {
		return false
	}
	for _, x := range f {
		x = strings.TrimSpace(x)
		if x == "" {
			continue
		}
		if _, err := strconv.ParseFloat(x, 64); err == nil {
			return false
		}
	}
	return true
}

var required = map[Format][]string{
	CCXTTrades:   {"timestamp", "side", "price", "amount"},
	TardisTrades: {"symbol", "timestamp", "side", "price", "amount"},
	TardisBook:   {"symbol", "timestamp", "is_snapshot", "side", "price", "amount"},
}

func (s *Source) checkHeader() error {
	for _, c := range required[s.format] {
		if _, ok := s.cols[c]; !ok {
			return s.bad("header", "missing column %q", c)
		}
	}
	return nil
}

func (s *Source) col(name string, pos int) (string, *replay.RowError) {
	i := pos
	if j, ok := s.cols[name]; ok {
		i = j
	}
	if i < 0 || i >= len(s.fields) {
		return "", s.bad(name, "missing")
	}
	return strings.TrimSpace(s.fields[i]), nil
}

// timeNS converts an epoch timestamp in s, ms, µs or ns (told apart by magnitude) to ns.
func timeNS(v int64) int64 {
	switch {
	case v < 1e11:
		return v * 1e9
	case v < 1e14:
		return v * 1e6
	case v < 1e17:
		return v * 1e3
	}
	return v
}

func (s *Source) parse() (row, *replay.RowError) {
	r := row{line: s.line, file: s.file}
	var err *replay.RowError
	field := func(name string, pos int) string {
		if err != nil {
			return ""
		}
		var v string
		v, err = s.col(name, pos)
		return v
	}
	var tsText, sideText string
	switch s.format {
	case BinanceTrades:
		r.price, r.qty, tsText, sideText = field("price", 1), field("qty", 2), field("time", 4), field("is_buyer_maker", 5)
	case BinanceAggTrades:
		r.price, r.qty, tsText, sideText = field("price", 1), field("quantity", 2), field("transact_time", 5), field("is_buyer_maker", 6)
	case CCXTTrades:
		r.price, r.qty, tsText, sideText = field("price", -1), field("amount", -1), field("timestamp", -1), field("side", -1)
		if _, ok := s.cols["symbol"]; ok {
			r.symbol = field("symbol", -1)
		}
	case TardisTrades, TardisBook:
		r.price, r.qty, tsText, sideText, r.symbol = field("price", -1), field("amount", -1), field("timestamp", -1), field("side", -1), field("symbol", -1)
		if s.format == TardisBook {
			r.book = true
			snap := field("is_snapshot", -1)
			if err == nil && snap != "true" && snap != "false" {
				return r, s.bad("is_snapshot", "%q is not true or false", snap)
			}
			r.snapshot = snap == "true"
		}
	}
	if err != nil {
		return r, err
	}
	ts, perr := strconv.ParseInt(tsText, 10, 64)
	if perr != nil || ts < 0 {
		return r, s.bad("timestamp", "%q is not an epoch time", tsText)
	}
	if s.format == TardisTrades || s.format == TardisBook {
		if ts > math.MaxInt64/1000 {
			return r, s.bad("timestamp", "%q overflows as microseconds", tsText)
		}
		r.ts = ts * 1000 // tardis: microseconds
	} else {
		r.ts = timeNS(ts)
	}
	if err := replay.CheckEventTime(r.ts); err != nil {
		return r, s.bad("timestamp", "%q: %v", tsText, err)
	}
	switch strings.ToLower(sideText) {
	case "true": // is_buyer_maker: the seller was the aggressor
		r.side = orderbook.Sell
	case "false":
		r.side = orderbook.Buy
	case "buy", "bid":
		r.side = orderbook.Buy
	case "sell", "ask":
		r.side = orderbook.Sell
	case "unknown", "":
		if r.book {
			return r, s.bad("side", "%q: a book level needs bid or ask", sideText)
		}
		r.side = orderbook.SideNone
	default:
		return r, s.bad("side", "%q is not a side", sideText)
	}
	if replay.Decimals(r.price) < 0 {
		return r, s.bad("price", "%q is not a decimal number", r.price)
	}
	if replay.Decimals(r.qty) < 0 {
		return r, s.bad("amount", "%q is not a decimal number", r.qty)
	}
	// A price is positive; a trade's amount too (a book level's amount may
	// be 0: the level is gone). Impossible values used to import as they were.
	if v, _ := strconv.ParseFloat(r.price, 64); !(v > 0) {
		return r, s.bad("price", "%q: a price must be positive", r.price)
	}
	if v, _ := strconv.ParseFloat(r.qty, 64); !(v > 0) && !(r.book && v == 0) {
		return r, s.bad("amount", "%q: an amount must be positive", r.qty)
	}
	return r, nil
}

// Read fills dst with events.
func (s *Source) Read(dst []replay.Event) (int, error) {
	n := 0
	for n < len(dst) {
		var r row
		if len(s.ahead) > 0 {
			r = s.ahead[0]
			s.ahead = s.ahead[1:]
		} else {
			if s.eof {
				break
			}
			var err error
			r, err = s.nextRow()
			if err == io.EOF {
				s.eof = true
				break
			}
			if err != nil {
				return n, err
			}
		}
		sym, ok := s.symbolOf(r.symbol)
		if !ok {
			return n, &replay.RowError{File: r.file, Line: r.line, Field: "symbol", Reason: fmt.Sprintf("%q first appears after the instrument table was fixed (first %d rows); import it separately with --symbol", r.symbol, scanRows)}
		}
		p, err := replay.ParseDecimal(r.price, s.priceExp)
		if err != nil {
			return n, &replay.RowError{File: r.file, Line: r.line, Field: "price", Reason: err.Error()}
		}
		q, err := replay.ParseDecimal(r.qty, s.qtyExp)
		if err != nil {
			return n, &replay.RowError{File: r.file, Line: r.line, Field: "amount", Reason: err.Error()}
		}
		if !r.book {
			s.seq++
			dst[n] = replay.Event{TS: r.ts, Seq: s.seq, Symbol: sym, Action: replay.ActionTrade, Side: r.side, Price: p, Qty: q}
			n++
			continue
		}
		// tardis-book: a snapshot block after incremental rows resets the book.
		if r.snapshot && !s.inSnap[sym] {
			s.inSnap[sym] = true
			if s.seenInc[sym] {
				s.counts["snapshot_after_incremental"]++
			}
			s.seq++
			dst[n] = replay.Event{TS: r.ts, Seq: s.seq, Symbol: sym, Action: replay.ActionClear, Flags: replay.FlagSnapshot}
			n++
			if n == len(dst) {
				s.ahead = append([]row{r}, s.ahead...)
				break
			}
		}
		if !r.snapshot {
			s.inSnap[sym] = false
			s.seenInc[sym] = true
		}
		flags := replay.Flags(0)
		if r.snapshot {
			flags = replay.FlagSnapshot
		}
		s.seq++
		dst[n] = replay.Event{TS: r.ts, Seq: s.seq, Symbol: sym, Action: replay.ActionLevel, Side: r.side, Flags: flags, Price: p, Qty: q}
		n++
	}
	if n == 0 && s.eof && len(s.ahead) == 0 {
		return 0, io.EOF
	}
	return n, nil
}
