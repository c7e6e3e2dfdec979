package orderlog

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// Options are the import's options beside the mapping.
type Options struct {
	Symbol  string // the instrument of every row when the log has no instrument column
	SkipBad bool   // skip malformed rows, counted by field, instead of stopping
}

// Source reads order logs (one or more files, read in order) as canonical
// events.
type Source struct {
	m       *Mapping
	opts    Options
	paths   []string
	cur     int
	rec     records
	file    string
	col     map[string]int // canonical column key → index in the current file
	insts   []replay.Instrument
	symIdx  map[string]uint32
	sides   map[string]string
	actions map[string]string
	types   map[string]string
	tifs    map[string]string
	loc     *time.Location
	apply   bool
	seq     uint64
	counts  map[string]int64
	lastTS  int64
}

// NewSource opens the logs with mapping m.
func NewSource(m *Mapping, paths []string, opts Options) (*Source, error) {
	if len(paths) == 0 {
		return nil, errors.New("orderlog: no input files")
	}
	insts, idx, err := m.instruments()
	if err != nil {
		return nil, err
	}
	if opts.Symbol != "" {
		if _, ok := idx[opts.Symbol]; !ok {
			return nil, fmt.Errorf("orderlog: symbol %q is not an instrument of the mapping (it has %s)", opts.Symbol, strings.Join(sortedKeys(m.Instruments), ", "))
		}
	}
	s := &Source{m: m, opts: opts, paths: paths, cur: -1, insts: insts, symIdx: idx, sides: lookup(m.Side), actions: lookup(m.Action),
		types: lookup(m.OrderType), tifs: lookup(m.TimeInForce), loc: time.UTC, apply: m.Fills == "apply", counts: map[string]int64{}}
	for i := range s.insts {
		// With fills derived, adds match in the engine as they did at the
		// venue; with fills applied, the log's executions say what traded.
		s.insts[i].ReportsExecutions, s.insts[i].MatchesAdds = s.apply, !s.apply
	}
	if m.Time.Zone != "" {
		s.loc, _ = time.LoadLocation(m.Time.Zone)
	}
	if err := s.openNext(); err != nil {
		return nil, err
	}
	return s, nil
}

// Instruments is the mapping's instrument table.
func (s *Source) Instruments() []replay.Instrument { return s.insts }

// Counts reports the rows not replayed as events, by reason.
func (s *Source) Counts() []replay.Count { return replay.CountsOf(s.counts) }

// Close closes the current file.
func (s *Source) Close() error {
	if s.rec != nil {
		return s.rec.close()
	}
	return nil
}

// openNext opens the next file and resolves its columns.
func (s *Source) openNext() error {
	if s.rec != nil {
		s.rec.close()
		s.rec = nil
	}
	s.cur++
	if s.cur >= len(s.paths) {
		return io.EOF
	}
	s.file = s.paths[s.cur]
	rec, err := openRecords(s.file)
	if err != nil {
		return err
	}
	s.rec = rec
	have := map[string]int{}
	for i, n := range rec.header() {
		have[n] = i
	}
	c := s.m.Columns
	s.col = map[string]int{}
	for _, r := range []struct{ key, name string }{{"time", c.Time}, {"order_id", c.OrderID}, {"account", c.Account}, {"side", c.Side},
		{"price", c.Price}, {"quantity", c.Quantity}, {"action", c.Action}, {"order_type", c.OrderType}, {"time_in_force", c.TimeInForce},
		{"instrument", c.Instrument}, {"taker_account", c.TakerAccount}} {
		if r.name == "" {
			continue
		}
		i, ok := have[r.name]
		if !ok {
			return fmt.Errorf("%s: the mapping's column %q (%s) is not in the log (it has %s)", s.file, r.name, r.key, strings.Join(rec.header(), ", "))
		}
		s.col[r.key] = i
	}
	return nil
}

// Read fills dst with events.
func (s *Source) Read(dst []replay.Event) (int, error) {
	n := 0
	for n < len(dst) {
		if s.rec == nil {
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		}
		fields, line, err := s.rec.next()
		if err == io.EOF {
			if err := s.openNext(); err != nil && err != io.EOF {
				return n, err
			}
			continue
		}
		if err != nil {
			if re := (*replay.RowError)(nil); s.opts.SkipBad && errors.As(err, &re) {
				s.counts["skipped_bad_"+re.Field]++
				continue
			}
			return n, err
		}
		ok, err := s.event(fields, line, &dst[n])
		if err != nil {
			var re *replay.RowError
			if s.opts.SkipBad && errors.As(err, &re) {
				s.counts["skipped_bad_"+re.Field]++
				continue
			}
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// event turns one row into ev; ok is false for a row that is counted, not
// replayed.
func (s *Source) event(fields []string, line int64, ev *replay.Event) (ok bool, err error) {
	bad := func(field, format string, args ...any) (bool, error) {
		return false, &replay.RowError{File: s.file, Line: line, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	get := func(key string) string {
		i, ok := s.col[key]
		if !ok || i >= len(fields) {
			return ""
		}
		return strings.TrimSpace(fields[i])
	}
	actText := get("action")
	act, known := s.actions[actText]
	if !known {
		return bad(s.m.Columns.Action, "%q is not an action the mapping spells (%s)", actText, spellings(s.m.Action))
	}
	if act == "ignore" {
		s.counts["ignored_action:"+actText]++
		return false, nil
	}
	if act == "fill" && !s.apply {
		s.counts["fill_row_derived_by_engine"]++
		return false, nil
	}
	ts, err := s.time(get("time"))
	if err != nil {
		return bad(s.m.Columns.Time, "%q: %v", get("time"), err)
	}
	if err := replay.CheckEventTime(ts); err != nil {
		return bad(s.m.Columns.Time, "%q: %v", get("time"), err)
	}
	if ts < s.lastTS {
		return bad(s.m.Columns.Time, "%q goes back in time (the previous row was later): the log must be in time order", get("time"))
	}
	sym := s.opts.Symbol
	if c := get("instrument"); c != "" && sym == "" {
		sym = c
	}
	if sym == "" && len(s.insts) == 1 {
		sym = s.insts[0].Symbol
	}
	si, okSym := s.symIdx[sym]
	if !okSym {
		return bad(s.m.Columns.Instrument, "%q is not an instrument of the mapping (%s)", sym, strings.Join(sortedKeys(s.m.Instruments), ", "))
	}
	in := &s.insts[si]
	oid, err := strconv.ParseUint(get("order_id"), 10, 64)
	if err != nil || oid == 0 {
		return bad(s.m.Columns.OrderID, "%q is not an order id (a positive integer)", get("order_id"))
	}
	account, err := strconv.ParseUint(get("account"), 10, 64)
	if err != nil {
		return bad(s.m.Columns.Account, "%q is not an account id (a non-negative integer)", get("account"))
	}
	var side orderbook.Side
	switch s.sides[get("side")] {
	case "buy":
		side = orderbook.Buy
	case "sell":
		side = orderbook.Sell
	default:
		return bad(s.m.Columns.Side, "%q is not a side the mapping spells (%s)", get("side"), spellings(s.m.Side))
	}
	market := s.types[get("order_type")] == "market"
	if s.m.Columns.OrderType != "" && act == "add" {
		if _, ok := s.types[get("order_type")]; !ok {
			return bad(s.m.Columns.OrderType, "%q is not an order type the mapping spells (%s)", get("order_type"), spellings(s.m.OrderType))
		}
	}
	var flags replay.Flags
	if s.m.Columns.TimeInForce != "" && act == "add" {
		tif, ok := s.tifs[get("time_in_force")]
		if !ok {
			return bad(s.m.Columns.TimeInForce, "%q is not a time in force the mapping spells (%s)", get("time_in_force"), spellings(s.m.TimeInForce))
		}
		flags = map[string]replay.Flags{"gtc": 0, "ioc": replay.FlagIOC, "fok": replay.FlagFOK, "post_only": replay.FlagPostOnly}[tif]
	}
	needPrice := act == "modify" || act == "fill" || act == "trade" || (act == "add" && !market)
	needQty := act != "cancel"
	var price, qty int64
	if needPrice {
		if price, err = s.decimal(get("price"), int(in.PriceExp), in.Tick); err != nil {
			return bad(s.m.Columns.Price, "%q: %v", get("price"), err)
		}
	}
	if needQty {
		if qty, err = s.decimal(get("quantity"), int(in.QtyExp), in.Lot); err != nil {
			return bad(s.m.Columns.Quantity, "%q: %v", get("quantity"), err)
		}
	}
	s.seq++
	s.lastTS = ts
	*ev = replay.Event{TS: ts, Seq: s.seq, Symbol: si, OrderID: oid, Account: account, Side: side, Price: price, Qty: qty, Flags: flags}
	switch act {
	case "add":
		ev.Action = replay.ActionAdd
		if market {
			ev.Action, ev.Price = replay.ActionMarket, 0
		}
	case "cancel":
		ev.Action = replay.ActionCancel
	case "reduce":
		ev.Action = replay.ActionReduce
	case "modify":
		ev.Action = replay.ActionModify
	case "fill":
		ev.Action, ev.Account = replay.ActionExecute, 0
		if t := get("taker_account"); t != "" {
			if ev.Account, err = strconv.ParseUint(t, 10, 64); err != nil {
				return bad(s.m.Columns.TakerAccount, "%q is not an account id", t)
			}
		}
	case "trade":
		ev.Action, ev.OrderID = replay.ActionTrade, 0
	}
	return true, nil
}

// time parses a time field in the mapping's format.
func (s *Source) time(text string) (int64, error) {
	if s.m.Time.Layout != "" {
		t, err := time.ParseInLocation(s.m.Time.Layout, text, s.loc)
		if err != nil {
			return 0, fmt.Errorf("not a time in layout %q", s.m.Time.Layout)
		}
		return t.UnixNano(), nil
	}
	mul := map[string]int64{"s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1}[s.m.Time.Unit]
	if i := strings.IndexByte(text, '.'); i >= 0 { // a fractional epoch: "1700000000.123456"
		v, err := replay.ParseDecimal(text, 9)
		if err != nil {
			return 0, fmt.Errorf("not an epoch time in %s", s.m.Time.Unit)
		}
		return v / (1e9 / mul), nil // v is in billionths of the unit; below a nanosecond is dropped
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not an epoch time in %s", s.m.Time.Unit)
	}
	if v > math.MaxInt64/mul || v < math.MinInt64/mul {
		return 0, errors.New("overflows")
	}
	return v * mul, nil
}

// decimal parses a positive price or quantity at exp decimals that is a
// multiple of step (the tick or lot).
func (s *Source) decimal(text string, exp int, step int64) (int64, error) {
	v, err := replay.ParseDecimal(text, exp)
	if err != nil {
		return 0, err
	}
	if v <= 0 {
		return 0, errors.New("must be positive")
	}
	if v%step != 0 {
		return 0, fmt.Errorf("is not a multiple of the instrument's step (%d units at %d decimals)", step, exp)
	}
	return v, nil
}

// spellings lists a table's spellings, for errors.
func spellings(table map[string][]string) string {
	var all []string
	for _, k := range sortedKeys(table) {
		all = append(all, k+": "+strings.Join(table[k], "/"))
	}
	return strings.Join(slices.Clip(all), "; ")
}
