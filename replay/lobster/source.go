package lobster

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"time"
	_ "time/tzdata" // LOBSTER times are US/Eastern local; embed the zone database

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// SourceOptions configure NewSource.
type SourceOptions struct {
	Symbol string // default: the ticker in the file name (TICKER_YYYY-MM-DD_...)
	Date   string // YYYY-MM-DD; default: the date in the file name
	Tick   int64  // price tick in USD×10000; default 100
	// SkipBad skips malformed rows, counting them by field ("skipped_bad_<field>"),
	// instead of stopping at the first one.
	SkipBad bool
	// Book is the message file's orderbook file (…_orderbook_L.csv[.gz]).
	// With it the source reconciles: after each message it makes the book
	// agree with the orderbook row, by the level-L window rule that Verify
	// applies, and emits those changes as events flagged FlagReconciled
	// (see "Reconciled replay" in the package documentation).
	Book string
}

var nameRE = regexp.MustCompile(`^([A-Za-z0-9.\-]+)_(\d{4}-\d{2}-\d{2})_`)

// Source reads a LOBSTER message file as canonical events (replay.EventSource).
//
// Mapping: type 1 → add; 2 → reduce (Qty = size removed); 3 → cancel; 4 →
// execute (Side = the resting order's side); 5 → trade with FlagHidden (Side =
// the aggressor, opposite the hidden resting order; order id 0); 6 → trade with
// FlagAuction; 7 (halt indicators) carry no book change and are counted
// ("halt_message") but not emitted. Times are seconds after midnight US/Eastern
// on the file's date and become Unix nanoseconds UTC. Prices keep LOBSTER's
// USD×10000 (PriceExp 4); sizes are shares (QtyExp 0). Accounts are 0: public
// data has none.
type Source struct {
	mr       *MessageReader
	inst     []replay.Instrument
	midnight int64
	seq      uint64
	halts    int64
	msg      Message
	skipBad  bool
	skipped  map[string]int64
	rc       *reconciler // nil: the messages alone
}

// NewSource opens a LOBSTER message file (plain or gzip).
func NewSource(path string, opts SourceOptions) (*Source, error) {
	m := nameRE.FindStringSubmatch(filepath.Base(path))
	sym, date := opts.Symbol, opts.Date
	if m != nil {
		if sym == "" {
			sym = m[1]
		}
		if date == "" {
			date = m[2]
		}
	}
	if sym == "" || date == "" {
		return nil, fmt.Errorf("%s: cannot tell the symbol and date from the file name (TICKER_YYYY-MM-DD_...): give them as options", path)
	}
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		return nil, fmt.Errorf("lobster: time zone: %w", err)
	}
	day, err := time.ParseInLocation("2006-01-02", date, loc)
	if err != nil {
		return nil, fmt.Errorf("lobster: date %q: %w", date, err)
	}
	if err := replay.CheckEventTime(day.UnixNano()); err != nil {
		return nil, fmt.Errorf("lobster: date %q: %w", date, err)
	}
	tick := opts.Tick
	if tick <= 0 {
		tick = 100
	}
	mr, err := OpenMessages(path)
	if err != nil {
		return nil, err
	}
	var rc *reconciler
	if opts.Book != "" {
		if rc, err = newReconciler(opts.Book, tick); err != nil {
			mr.Close()
			return nil, err
		}
	}
	return &Source{
		rc:       rc,
		skipBad:  opts.SkipBad,
		skipped:  map[string]int64{},
		mr:       mr,
		inst:     []replay.Instrument{{Symbol: sym, Venue: "NASDAQ", Kind: replay.Equity, PriceExp: 4, QtyExp: 0, Tick: tick, Lot: 1, ReportsExecutions: true}},
		midnight: day.UnixNano(),
	}, nil
}

// Instruments is the single instrument of the file.
func (s *Source) Instruments() []replay.Instrument { return s.inst }

// Counts reports the halt messages that were counted and not emitted, the
// times rounded to the nanosecond, and the malformed rows skipped with
// SkipBad.
func (s *Source) Counts() []replay.Count {
	var out []replay.Count
	if s.halts > 0 {
		out = append(out, replay.Count{Kind: "halt_message", N: s.halts})
	}
	if s.mr.Rounded > 0 {
		out = append(out, replay.Count{Kind: "time_rounded_to_ns", N: s.mr.Rounded})
	}
	for k, n := range s.skipped {
		out = append(out, replay.Count{Kind: k, N: n})
	}
	if s.rc != nil {
		out = append(out, s.rc.counts()...)
	}
	return replay.SumCounts(out)
}

// Close closes the files.
func (s *Source) Close() error {
	err := s.mr.Close()
	if s.rc != nil {
		err = errors.Join(err, s.rc.br.Close())
	}
	return err
}

// Read fills dst with events.
func (s *Source) Read(dst []replay.Event) (int, error) {
	if s.rc != nil {
		return s.readReconciled(dst)
	}
	n := 0
	for n < len(dst) {
		err := s.mr.Next(&s.msg)
		if err == io.EOF {
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		}
		if err != nil {
			var re *replay.RowError
			if s.skipBad && errors.As(err, &re) {
				s.skipped["skipped_bad_"+re.Field]++
				continue
			}
			return n, err
		}
		m := &s.msg
		if m.Type == 7 {
			s.halts++
			continue
		}
		s.seq++
		ev := &dst[n]
		*ev = replay.Event{TS: s.midnight + m.Time, Seq: s.seq, OrderID: m.OrderID, Price: m.Price, Qty: m.Size, Side: side(m.Direction)}
		switch m.Type {
		case 1:
			ev.Action = replay.ActionAdd
		case 2:
			ev.Action = replay.ActionReduce
		case 3:
			ev.Action = replay.ActionCancel
		case 4:
			ev.Action = replay.ActionExecute
		case 5:
			ev.Action, ev.Flags, ev.Side = replay.ActionTrade, replay.FlagHidden, ev.Side.Opposite()
		case 6:
			ev.Action, ev.Flags, ev.Side = replay.ActionTrade, replay.FlagAuction, orderbook.SideNone
		}
		n++
	}
	return n, nil
}

// readReconciled fills dst with the events of messages and their
// reconciliation, one message's group at a time.
func (s *Source) readReconciled(dst []replay.Event) (int, error) {
	rc := s.rc
	n := 0
	for n < len(dst) {
		if rc.next < len(rc.rec.out) {
			k := copy(dst[n:], rc.rec.out[rc.next:])
			n += k
			rc.next += k
			continue
		}
		rc.next, rc.rec.out = 0, rc.rec.out[:0]
		err := s.mr.Next(&s.msg)
		if err == io.EOF {
			if err := rc.finish(s.mr.lr.file); err != nil {
				return n, err
			}
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		}
		m := &s.msg
		if err != nil {
			var re *replay.RowError
			if !s.skipBad || !errors.As(err, &re) {
				return n, err
			}
			s.skipped["skipped_bad_"+re.Field]++
			m = nil
		}
		if err := rc.step(m, s.midnight+s.msg.Time, &s.seq, s.mr.Line(), s.mr.lr.file); err != nil {
			return n, err
		}
	}
	return n, nil
}
