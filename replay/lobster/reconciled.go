package lobster

import (
	"fmt"
	"io"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// recorder is the verifier's book in a reconciling Source: every change made
// to it becomes a canonical event, so that an engine replaying the events
// holds the same book, order for order.
type recorder struct {
	b     *orderbook.Book
	ts    int64
	flags replay.Flags // FlagReconciled while the verifier resynchronises
	out   []replay.Event
	stale []orderbook.OrderInfo
	// crossed counts the resting orders an add would have crossed: in a feed
	// that reports every execution they can only be stale.
	crossed int64
}

func (r *recorder) emit(ev replay.Event) {
	ev.TS = r.ts
	ev.Flags |= r.flags
	r.out = append(r.out, ev)
}

// Submit adds an order, first taking away (as reconciled cancels) the stale
// resting orders it would cross, as replay.Engine does for such feeds.
func (r *recorder) Submit(o orderbook.Order, fills []orderbook.Fill) ([]orderbook.Fill, orderbook.Result, error) {
	if o.Type == orderbook.Limit {
		if _, dup := r.b.Get(o.ID); !dup {
			for {
				best, crossed := r.b.Crossed(o.Side, o.Price)
				if !crossed {
					break
				}
				r.stale = r.b.Orders(o.Side.Opposite(), best, r.stale[:0])
				for _, s := range r.stale {
					r.b.Cancel(s.ID)
					r.crossed++
					r.emit(replay.Event{Action: replay.ActionCancel, Flags: replay.FlagReconciled, Side: s.Side, OrderID: s.ID, Price: s.Price, Qty: s.Qty})
				}
			}
		}
	}
	fills, res, err := r.b.Submit(o, fills)
	if err == nil {
		r.emit(replay.Event{Action: replay.ActionAdd, Side: o.Side, OrderID: o.ID, Price: o.Price, Qty: o.Qty})
	}
	return fills, res, err
}

func (r *recorder) Cancel(id uint64) (int64, error) {
	info, _ := r.b.Get(id)
	q, err := r.b.Cancel(id)
	if err == nil {
		r.emit(replay.Event{Action: replay.ActionCancel, Side: info.Side, OrderID: id, Price: info.Price, Qty: q})
	}
	return q, err
}

// CancelLive cancels id if it is live, as Cancel does, in one lookup.
func (r *recorder) CancelLive(id uint64) (orderbook.OrderInfo, bool) {
	info, ok := r.b.CancelLive(id)
	if ok {
		r.emit(replay.Event{Action: replay.ActionCancel, Side: info.Side, OrderID: id, Price: info.Price, Qty: info.Qty})
	}
	return info, ok
}

func (r *recorder) Reduce(id uint64, qty int64) (int64, error) {
	info, _ := r.b.Get(id)
	left, err := r.b.Reduce(id, qty)
	if err == nil {
		r.emit(replay.Event{Action: replay.ActionReduce, Side: info.Side, OrderID: id, Price: info.Price, Qty: qty})
	}
	return left, err
}

func (r *recorder) Execute(id uint64, qty int64, fills []orderbook.Fill) ([]orderbook.Fill, error) {
	info, _ := r.b.Get(id)
	fills, err := r.b.Execute(id, qty, fills)
	if err == nil {
		r.emit(replay.Event{Action: replay.ActionExecute, Side: info.Side, OrderID: id, Price: info.Price, Qty: qty})
	}
	return fills, err
}

func (r *recorder) Modify(id uint64, price, qty int64, fills []orderbook.Fill) ([]orderbook.Fill, error) {
	info, _ := r.b.Get(id)
	fills, err := r.b.Modify(id, price, qty, fills)
	if err == nil {
		r.emit(replay.Event{Action: replay.ActionModify, Side: info.Side, OrderID: id, Price: price, Qty: qty})
	}
	return fills, err
}

func (r *recorder) Get(id uint64) (orderbook.OrderInfo, bool) { return r.b.Get(id) }
func (r *recorder) DepthTo(s orderbook.Side, limit int64, dst []orderbook.Level) []orderbook.Level {
	return r.b.DepthTo(s, limit, dst)
}
func (r *recorder) Orders(s orderbook.Side, p int64, dst []orderbook.OrderInfo) []orderbook.OrderInfo {
	return r.b.Orders(s, p, dst)
}

// reconciler drives a Source from a message file and its orderbook file.
type reconciler struct {
	path       string // the orderbook file
	br         *parsedAhead[BookRow]
	row        *BookRow // the current reference row, valid until the next
	v          *verifier
	rec        *recorder
	next       int // first pending event not yet read
	mismatched int64
	unexplain  int64
}

func newReconciler(bookPath string, tick int64) (*reconciler, error) {
	bf, err := OpenBook(bookPath)
	if err != nil {
		return nil, err
	}
	br := newBookAhead(bf)
	book, err := orderbook.New(orderbook.Config{Tick: tick, Lot: 1, SizeHint: 1 << 14})
	if err != nil {
		br.Close()
		return nil, err
	}
	rc := &reconciler{path: bookPath, br: br, rec: &recorder{b: book}}
	rc.v = &verifier{opts: VerifyOptions{Tick: tick}, book: rc.rec, phantom: map[priceKey]uint64{}, counts: map[string]int64{}}
	rc.v.unseenTrade = func(s orderbook.Side, price, qty int64) {
		// A trade with liquidity the book held nowhere it could name: print
		// it; the resynchronisation takes the stale quantity away.
		rc.rec.emit(replay.Event{Action: replay.ActionTrade, Side: s.Opposite(), Price: price, Qty: qty})
	}
	return rc, nil
}

// step applies one message and its orderbook row: the events it made are in
// rc.rec.out, the last one flagged FlagLastInGroup.
func (rc *reconciler) step(m *Message, ts int64, seq *uint64, line int64, msgPath string) error {
	row, err := rc.br.Next()
	if err != nil {
		if err == io.EOF {
			return fmt.Errorf("%s: ends at row %d but %s goes on", rc.path, rc.v.row, msgPath)
		}
		return err
	}
	rc.row = row
	if err := rc.check(); err != nil {
		return err
	}
	v, r := rc.v, rc.rec
	r.ts, r.flags, r.out = ts, 0, r.out[:0]
	v.row++
	if m == nil {
		// A malformed message skipped by policy: its row still resynchronises.
		m = &Message{Type: 0}
	} else if err := v.apply(m); err != nil {
		return fmt.Errorf("%s:%d: %w", msgPath, line, err)
	}
	switch m.Type {
	case 5:
		r.emit(replay.Event{Action: replay.ActionTrade, Flags: replay.FlagHidden, Side: side(m.Direction).Opposite(), Price: m.Price, Qty: m.Size})
	case 6:
		r.emit(replay.Event{Action: replay.ActionTrade, Flags: replay.FlagAuction, Price: m.Price, Qty: m.Size})
	}
	v.levels = int(rc.br.State())
	if explained, diffs := v.compare(rc.row, v.row == 1); diffs > 0 {
		rc.mismatched++
		if !explained {
			rc.unexplain++
		}
		r.flags = replay.FlagReconciled
		v.resync(rc.row)
		r.flags = 0
	}
	v.pend = v.pend[:0]
	v.remember(rc.row)
	if len(r.out) > 0 {
		r.out[len(r.out)-1].Flags |= replay.FlagLastInGroup
	}
	for i := range r.out {
		*seq++
		r.out[i].Seq = *seq
	}
	return nil
}

// check refuses a reference row no order book can hold: a price off the
// tick, or a best bid at or above the best ask.
func (rc *reconciler) check() error {
	row, tick := rc.row, rc.v.opts.Tick
	bad := func(field string, lvl int, reason string) error {
		return &replay.RowError{File: rc.path, Line: rc.br.Line(), Field: fmt.Sprintf("%s_%d", field, lvl), Reason: reason}
	}
	for _, side := range []struct {
		field  string
		prices []int64
	}{{"ask_price", row.AskPrice}, {"bid_price", row.BidPrice}} {
		for i, p := range side.prices {
			if p%tick != 0 {
				return bad(side.field, i+1, fmt.Sprintf("price %d is not a multiple of the tick %d", p, tick))
			}
		}
	}
	if len(row.AskPrice) > 0 && len(row.BidPrice) > 0 && row.BidPrice[0] >= row.AskPrice[0] {
		return bad("bid_price", 1, fmt.Sprintf("best bid %d is at or above the best ask %d: a book cannot hold it", row.BidPrice[0], row.AskPrice[0]))
	}
	return nil
}

// finish checks that the orderbook file ends with the message file.
func (rc *reconciler) finish(msgPath string) error {
	if _, err := rc.br.Next(); err != io.EOF {
		if err != nil {
			return err
		}
		return fmt.Errorf("%s: more rows than %s has messages (%d)", rc.path, msgPath, rc.v.row)
	}
	return nil
}

func (rc *reconciler) counts() []replay.Count {
	var out []replay.Count
	for k, n := range rc.v.counts {
		out = append(out, replay.Count{Kind: k, N: n})
	}
	out = append(out, replay.Count{Kind: "rows_resynced", N: rc.mismatched - rc.unexplain}, replay.Count{Kind: "rows_unexplained", N: rc.unexplain})
	if rc.rec.crossed > 0 {
		out = append(out, replay.Count{Kind: "add_crossed_stale_removed", N: rc.rec.crossed})
	}
	return out
}
