package lobster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// VerifyOptions configure Verify.
type VerifyOptions struct {
	Tick        int64 // price tick in LOBSTER units (USD×10000); default 100 (one cent)
	MaxExamples int   // unexplained mismatches to describe in the report; default 10
	// everySide reads both sides of the book after every message (the
	// tests' reference for compare's skip of a side nothing changed).
	everySide bool
}

// Report is the outcome of Verify.
type Report struct {
	Messages    string         `json:"messages"`
	Book        string         `json:"book"`
	Levels      int            `json:"levels"`
	Rows        int64          `json:"rows"`
	Mismatched  int64          `json:"mismatched"`  // rows where the replayed book differed from the reference before resynchronisation
	Unexplained int64          `json:"unexplained"` // mismatched rows not explained by the window rule
	Resynced    int64          `json:"resynced"`    // mismatched rows explained by the window rule and resynchronised
	Counts      []replay.Count `json:"counts"`      // reconciliation counts by kind
	Examples    []string       `json:"examples,omitempty"`
}

// Summary is the report's last line: rows=<N> mismatched=<M> unexplained=<U> resynced=<R>.
func (r *Report) Summary() string {
	return fmt.Sprintf("rows=%d mismatched=%d unexplained=%d resynced=%d", r.Rows, r.Mismatched, r.Unexplained, r.Resynced)
}

// phantomBit marks the ids of placeholder orders that stand for liquidity the
// message file never showed.
const phantomBit = uint64(1) << 63

type priceKey struct {
	side  orderbook.Side
	price int64
}

// l3Book is the part of *orderbook.Book that the check drives; tests
// substitute a deliberately broken book to show that the check catches it.
type l3Book interface {
	Submit(o orderbook.Order, fills []orderbook.Fill) ([]orderbook.Fill, orderbook.Result, error)
	Cancel(id uint64) (int64, error)
	CancelLive(id uint64) (orderbook.OrderInfo, bool)
	Reduce(id uint64, qty int64) (int64, error)
	Execute(id uint64, qty int64, fills []orderbook.Fill) ([]orderbook.Fill, error)
	Modify(id uint64, price, qty int64, fills []orderbook.Fill) ([]orderbook.Fill, error)
	Get(id uint64) (orderbook.OrderInfo, bool)
	DepthTo(side orderbook.Side, limit int64, dst []orderbook.Level) []orderbook.Level
	Orders(side orderbook.Side, price int64, dst []orderbook.OrderInfo) []orderbook.OrderInfo
}

type verifier struct {
	opts     VerifyOptions
	book     l3Book
	phantom  map[priceKey]uint64
	nextPh   uint64
	counts   map[string]int64
	fills    []orderbook.Fill
	ours     []orderbook.Level
	infos    []orderbook.OrderInfo
	prevN    [3]int   // previous reference row: levels per side (index by Side)
	prevLast [3]int64 // previous reference row: price of the last (L-th) level per side
	// edges holds, per side, the window edge (L-th price) of past full rows
	// as a monotone stack, so that "has price p been beyond the window since
	// row r" is a binary search. Known orders carry their arrival row in
	// Account (public data has no accounts; the book runs with STP off).
	edges  [3]edgeStack
	row    int64 // current row, 1-based
	levels int
	// The skip of a side nothing changed (compare): per side, whether this
	// row's message or a resync changed the book there, whether the side's
	// last comparison found it equal, and what it was compared with then (the
	// reference's prices and sizes, and the window's levels).
	touched [3]bool
	agreed  [3]bool
	seen    [3]seenSide
	// Tolerances earned by this row's message (cleared after each row): a
	// message whose size the book cannot account for proves that the book's
	// quantity at that price was stale by up to that amount.
	pend []pending
	// unseenTrade, when set, is told of quantity an execution removed that
	// the book held nowhere it could take it from (no placeholder): the
	// reconciling source prints it as a trade.
	unseenTrade func(s orderbook.Side, price, qty int64)
}

// seenSide is a reference side as it was last compared with the book.
type seenSide struct {
	prices, sizes []int64
	levels        int
}

type pending struct {
	key         priceKey
	over, under int64 // ours may exceed (fall short of) the reference by up to this
}

func (v *verifier) tolerate(k priceKey, over, under int64) {
	for i := range v.pend {
		if v.pend[i].key == k {
			v.pend[i].over += over
			v.pend[i].under += under
			return
		}
	}
	v.pend = append(v.pend, pending{key: k, over: over, under: under})
}

func (v *verifier) tolerance(k priceKey) (over, under int64) {
	for _, p := range v.pend {
		if p.key == k {
			return p.over, p.under
		}
	}
	return 0, 0
}

// Verify replays a LOBSTER message file through an L3 book and compares the
// book after every message with the matching row of the orderbook file,
// applying the level-L window rule described in the package documentation.
// The report counts rows, mismatched rows, rows explained by the rule and
// resynchronised, unexplained rows (with the first MaxExamples described) and
// every reconciliation by kind. Input errors (malformed rows, files of
// different lengths) are returned as errors; mismatches are not errors.
func Verify(ctx context.Context, messagesPath, bookPath string, opts VerifyOptions) (*Report, error) {
	return verify(ctx, messagesPath, bookPath, opts, nil)
}

func verify(ctx context.Context, messagesPath, bookPath string, opts VerifyOptions, wrap func(*orderbook.Book) l3Book) (*Report, error) {
	if opts.Tick <= 0 {
		opts.Tick = 100
	}
	if opts.MaxExamples <= 0 {
		opts.MaxExamples = 10
	}
	mf, err := OpenMessages(messagesPath)
	if err != nil {
		return nil, err
	}
	mr := newMessagesAhead(mf)
	defer mr.Close()
	bf, err := OpenBook(bookPath)
	if err != nil {
		return nil, err
	}
	br := newBookAhead(bf)
	defer br.Close()
	book, err := orderbook.New(orderbook.Config{Tick: opts.Tick, Lot: 1, SizeHint: 1 << 14})
	if err != nil {
		return nil, err
	}
	var bk l3Book = book
	if wrap != nil {
		bk = wrap(book)
	}
	v := &verifier{opts: opts, book: bk, phantom: map[priceKey]uint64{}, counts: map[string]int64{}}
	rep := &Report{Messages: messagesPath, Book: bookPath}
	for {
		if rep.Rows&0xfff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		msg, err := mr.Next()
		if err == io.EOF {
			if _, berr := br.Next(); berr != io.EOF {
				return nil, fmt.Errorf("%s: more rows than %s has messages (%d)", bookPath, messagesPath, rep.Rows)
			}
			break
		}
		if err != nil {
			return nil, err
		}
		row, err := br.Next()
		if err != nil {
			if err == io.EOF {
				return nil, fmt.Errorf("%s: ends at row %d but %s goes on", bookPath, rep.Rows, messagesPath)
			}
			return nil, err
		}
		rep.Rows++
		v.row = rep.Rows
		if err := v.apply(msg); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", messagesPath, mr.Line(), err)
		}
		v.levels = int(br.State())
		explained, diffs := v.compare(row, rep.Rows == 1)
		if diffs > 0 {
			rep.Mismatched++
			if explained {
				rep.Resynced++
			} else {
				rep.Unexplained++
				if len(rep.Examples) < opts.MaxExamples {
					rep.Examples = append(rep.Examples, v.describe(rep.Rows, mr.Line(), msg, row))
				}
			}
			v.resync(row)
		}
		v.pend = v.pend[:0]
		v.remember(row)
	}
	rep.Levels = int(br.State())
	for k, n := range v.counts {
		rep.Counts = append(rep.Counts, replay.Count{Kind: k, N: n})
	}
	if rounded := mr.State(); rounded > 0 {
		rep.Counts = append(rep.Counts, replay.Count{Kind: "time_rounded_to_ns", N: rounded})
	}
	sort.Slice(rep.Counts, func(i, j int) bool { return rep.Counts[i].Kind < rep.Counts[j].Kind })
	return rep, nil
}

func side(dir int8) orderbook.Side {
	if dir == 1 {
		return orderbook.Buy
	}
	return orderbook.Sell
}

func (v *verifier) apply(m *Message) error {
	s := side(m.Direction)
	var err error
	switch m.Type {
	case 1:
		v.touched[s] = true
		v.fills, _, err = v.book.Submit(orderbook.Order{ID: m.OrderID, Account: uint64(v.row), Side: s, Price: m.Price, Qty: m.Size}, v.fills[:0])
		if len(v.fills) > 0 {
			v.touched[s.Opposite()] = true
			v.counts["add_crossed_stale_book"]++
		}
		if errors.Is(err, orderbook.ErrDuplicateOrder) {
			v.counts["add_duplicate_id"]++
			return nil
		}
	case 2:
		info, ok := v.book.Get(m.OrderID)
		if !ok {
			v.drawPhantom(s, m.Price, m.Size, "reduce_unknown_order", false)
			return nil
		}
		v.touched[info.Side] = true
		if m.Size >= info.Qty {
			_, err = v.book.Cancel(m.OrderID)
			if m.Size > info.Qty {
				v.drawPhantom(s, m.Price, m.Size-info.Qty, "reduce_exceeds_known_order", false)
			}
			break
		}
		_, err = v.book.Reduce(m.OrderID, m.Size)
	case 3:
		info, ok := v.book.CancelLive(m.OrderID) // one lookup: the order as it stood, gone
		if !ok {
			v.drawPhantom(s, m.Price, m.Size, "delete_unknown_order", false)
			return nil
		}
		v.touched[info.Side] = true
		switch {
		case m.Size > info.Qty:
			v.drawPhantom(s, m.Price, m.Size-info.Qty, "delete_exceeds_known_order", false)
		case m.Size < info.Qty:
			// Part of this order was already removed by an earlier resync that
			// had to guess which known order was stale.
			v.counts["delete_below_known_order"]++
			if v.stale(info) {
				v.tolerate(priceKey{s, m.Price}, 0, info.Qty-m.Size)
			}
		}
	case 4:
		info, ok := v.book.Get(m.OrderID)
		if !ok {
			v.drawPhantom(s, m.Price, m.Size, "execute_unknown_order", true)
			return nil
		}
		v.touched[info.Side] = true
		if m.Size > info.Qty {
			v.fills, err = v.book.Execute(m.OrderID, info.Qty, v.fills[:0])
			v.drawPhantom(s, m.Price, m.Size-info.Qty, "execute_exceeds_known_order", true)
			break
		}
		v.fills, err = v.book.Execute(m.OrderID, m.Size, v.fills[:0])
	case 5:
		v.counts["hidden_execution"]++
	case 6:
		v.counts["cross_trade"]++
	case 7:
		v.counts["halt_message"]++
	}
	if err != nil {
		// The book refused a message for an order it knows: count it; the
		// comparison shows whether the book went wrong.
		var oe *orderbook.OpError
		if errors.As(err, &oe) {
			v.counts["rejected_"+oe.Op]++
			return nil
		}
		return err
	}
	return nil
}

// placeholder returns the live placeholder order at k. A placeholder can be
// gone without the map knowing: an add that crossed the stale book traded
// it away, or a reconciling source cancelled it as stale.
func (v *verifier) placeholder(k priceKey) (uint64, orderbook.OrderInfo, bool) {
	id, ok := v.phantom[k]
	if !ok {
		return 0, orderbook.OrderInfo{}, false
	}
	info, live := v.book.Get(id)
	if !live {
		delete(v.phantom, k)
		return 0, orderbook.OrderInfo{}, false
	}
	return id, info, true
}

// drawPhantom removes qty of unseen liquidity at (s, price) for a message of
// the given kind: from the placeholder there — an execution (exec) trades
// with it, a print; a delete or reduce takes from it — and what no
// placeholder holds is tolerated as quantity hidden among known orders that
// went stale while the price was outside the window (an execution of it is
// told to unseenTrade).
func (v *verifier) drawPhantom(s orderbook.Side, price, qty int64, kind string, exec bool) {
	v.counts[kind]++
	v.touched[s] = true
	k := priceKey{s, price}
	left := qty
	if id, info, ok := v.placeholder(k); !ok {
		v.counts[kind+"_no_placeholder"]++
	} else {
		take := min(qty, info.Qty)
		switch {
		case exec:
			v.fills, _ = v.book.Execute(id, take, v.fills[:0])
		case take == info.Qty:
			v.book.Cancel(id)
		default:
			v.book.Reduce(id, take)
		}
		if take == info.Qty {
			delete(v.phantom, k)
		}
		if left -= take; left > 0 {
			v.counts[kind+"_beyond_placeholder"]++
		}
	}
	if left > 0 {
		v.tolerate(k, left, 0)
		if exec && v.unseenTrade != nil {
			v.unseenTrade(s, price, left)
		}
	}
}

// refSide returns the reference levels of side s.
func refSide(row *BookRow, s orderbook.Side) (prices, sizes []int64) {
	if s == orderbook.Buy {
		return row.BidPrice, row.BidSize
	}
	return row.AskPrice, row.AskSize
}

func worse(s orderbook.Side, p, than int64) bool {
	if s == orderbook.Buy {
		return p < than
	}
	return p > than
}

// diff calls fn for every price in the compared range whose quantity differs.
func (v *verifier) diff(row *BookRow, s orderbook.Side, fn func(p, ref, ours int64)) {
	prices, sizes := refSide(row, s)
	full := len(prices) == v.levels
	// A full reference window is compared down to its last price: beyond it
	// nothing is compared, so our levels there are not read.
	limit := int64(math.MinInt64)
	if s == orderbook.Sell {
		limit = math.MaxInt64
	}
	if full {
		limit = prices[len(prices)-1]
	}
	if cap(v.ours) < 2*v.levels+64 {
		v.ours = make([]orderbook.Level, 0, 2*v.levels+64)
	}
	v.ours = v.book.DepthTo(s, limit, v.ours)
	if len(v.ours) == len(prices) {
		// The common row: the same prices and sizes, nothing to merge.
		k := 0
		for k < len(prices) && v.ours[k].Price == prices[k] && v.ours[k].Qty == sizes[k] {
			k++
		}
		if k == len(prices) {
			return
		}
	}
	i, j := 0, 0
	for i < len(prices) || j < len(v.ours) {
		if j < len(v.ours) && full && worse(s, v.ours[j].Price, prices[len(prices)-1]) {
			// Beyond the reference window: not compared.
			j = len(v.ours)
			continue
		}
		switch {
		case j >= len(v.ours) || (i < len(prices) && worse(s, v.ours[j].Price, prices[i])):
			fn(prices[i], sizes[i], 0)
			i++
		case i >= len(prices) || worse(s, prices[i], v.ours[j].Price):
			fn(v.ours[j].Price, 0, v.ours[j].Qty)
			j++
		default:
			if sizes[i] != v.ours[j].Qty {
				fn(prices[i], sizes[i], v.ours[j].Qty)
			}
			i++
			j++
		}
	}
}

// compare reports whether every difference is explained by the window rule,
// and how many there are. A side is not read from the book again when
// nothing changed it since it last agreed with the reference — this row's
// message and no resync touched it, and the reference shows it as then
// (prices, sizes, the window's levels) — the comparison would find it
// equal again: a message changes one side (a crossing add both), so this
// halves the book's depth walks. A resync changes only sides that
// disagreed, which are compared on the next row.
func (v *verifier) compare(row *BookRow, first bool) (bool, int) {
	n, explained := 0, true
	for _, s := range []orderbook.Side{orderbook.Sell, orderbook.Buy} {
		prices, sizes := refSide(row, s)
		seen := &v.seen[s]
		if !v.opts.everySide && !v.touched[s] && v.agreed[s] && seen.levels == v.levels &&
			slices.Equal(prices, seen.prices) && slices.Equal(sizes, seen.sizes) {
			continue
		}
		seen.prices, seen.sizes, seen.levels = append(seen.prices[:0], prices...), append(seen.sizes[:0], sizes...), v.levels
		before := n
		v.diff(row, s, func(p, ref, ours int64) {
			n++
			if first {
				v.counts["level_diff_opening_book"]++
				return
			}
			if v.prevN[s] == v.levels && worse(s, p, v.prevLast[s]) {
				v.counts["level_diff_reentered_window"]++
				return // re-entered from beyond the previous window
			}
			over, under := v.tolerance(priceKey{s, p})
			if (ours > ref && ours-ref <= over && ours-ref <= v.staleQty(s, p)) || (ours < ref && ref-ours <= under) {
				v.counts["level_diff_stale_by_message"]++
				return // stale by exactly what this message could not account for
			}
			v.counts["level_diff_unexplained"]++
			explained = false
		})
		v.agreed[s] = n == before
	}
	v.touched = [3]bool{}
	return explained, n
}

// resync makes the book agree with the reference at every differing price.
func (v *verifier) resync(row *BookRow) {
	for _, s := range []orderbook.Side{orderbook.Sell, orderbook.Buy} {
		type fix struct{ p, ref, ours int64 }
		var fixes [64]fix
		list := fixes[:0]
		v.diff(row, s, func(p, ref, ours int64) { list = append(list, fix{p, ref, ours}) })
		for _, f := range list {
			if f.ref > f.ours {
				v.addPhantom(s, f.p, f.ref-f.ours)
				v.counts["resync_added_qty"] += f.ref - f.ours
			} else {
				v.removeQty(s, f.p, f.ours-f.ref)
				v.counts["resync_removed_qty"] += f.ours - f.ref
			}
		}
	}
}

func (v *verifier) addPhantom(s orderbook.Side, p, qty int64) {
	k := priceKey{s, p}
	if id, info, ok := v.placeholder(k); ok {
		v.book.Modify(id, p, info.Qty+qty, nil)
		return
	}
	v.nextPh++
	id := phantomBit | v.nextPh
	v.book.Submit(orderbook.Order{ID: id, Side: s, Price: p, Qty: qty}, nil)
	v.phantom[k] = id
}

func (v *verifier) removeQty(s orderbook.Side, p, qty int64) {
	k := priceKey{s, p}
	if id, info, ok := v.placeholder(k); ok {
		r := min(qty, info.Qty)
		if r == info.Qty {
			v.book.Cancel(id)
			delete(v.phantom, k)
		} else {
			v.book.Reduce(id, r)
		}
		qty -= r
	}
	v.infos = v.book.Orders(s, p, v.infos)
	// Orders that have been beyond the window may have gone unseen: take
	// from those first, newest first; then from the others, newest first.
	for pass := 0; pass < 2 && qty > 0; pass++ {
		for i := len(v.infos) - 1; i >= 0 && qty > 0; i-- {
			o := v.infos[i]
			if o.Qty == 0 || o.ID&phantomBit != 0 || (pass == 0 && !v.stale(o)) {
				continue
			}
			r := min(qty, o.Qty)
			if r == o.Qty {
				v.book.Cancel(o.ID)
			} else {
				v.book.Reduce(o.ID, r)
			}
			v.infos[i].Qty -= r
			v.counts["resync_removed_known_order"]++
			qty -= r
		}
	}
}

func (v *verifier) remember(row *BookRow) {
	for _, s := range []orderbook.Side{orderbook.Sell, orderbook.Buy} {
		prices, _ := refSide(row, s)
		v.prevN[s] = len(prices)
		if len(prices) > 0 {
			v.prevLast[s] = prices[len(prices)-1]
		}
		if len(prices) == v.levels {
			v.edges[s].push(v.row, s, v.prevLast[s])
		}
	}
}

func (v *verifier) describe(rowNo, line int64, m *Message, row *BookRow) string {
	out := fmt.Sprintf("row %d (message line %d, type %d, order %d, size %d, price %d, dir %d):", rowNo, line, m.Type, m.OrderID, m.Size, m.Price, m.Direction)
	for _, s := range []orderbook.Side{orderbook.Sell, orderbook.Buy} {
		v.diff(row, s, func(p, ref, ours int64) {
			out += fmt.Sprintf(" %s %d: reference %d, replayed %d;", s, p, ref, ours)
		})
	}
	return out
}

// edgeStack answers "was price p beyond the window at some row since r".
// It keeps (row, edge) pairs whose edges get strictly less aggressive from
// the bottom up: the first pair at or after r holds the most aggressive edge
// of rows r..now.
type edgeStack struct {
	rows  []int64
	edges []int64
}

// key orders edges so that smaller is more aggressive.
func edgeKey(s orderbook.Side, p int64) int64 {
	if s == orderbook.Buy {
		return -p
	}
	return p
}

func (e *edgeStack) push(row int64, s orderbook.Side, edge int64) {
	k := edgeKey(s, edge)
	for len(e.edges) > 0 && e.edges[len(e.edges)-1] >= k {
		e.edges = e.edges[:len(e.edges)-1]
		e.rows = e.rows[:len(e.rows)-1]
	}
	e.rows = append(e.rows, row)
	e.edges = append(e.edges, k)
}

// beyondSince reports whether a price p of side s was strictly beyond the
// window of some full row at or after row r.
func (e *edgeStack) beyondSince(r int64, s orderbook.Side, p int64) bool {
	i := sort.Search(len(e.rows), func(i int) bool { return e.rows[i] >= r })
	return i < len(e.rows) && edgeKey(s, p) > e.edges[i]
}

// stale reports whether a known order has been beyond the window since it
// arrived, so that LOBSTER may have left changes to it unreported.
// Placeholders are not known orders.
func (v *verifier) stale(o orderbook.OrderInfo) bool {
	return o.ID&phantomBit == 0 && v.edges[o.Side].beyondSince(int64(o.Account), o.Side, o.Price)
}

// staleQty is the quantity at (s, p) held by known orders that have been
// beyond the window since they arrived.
func (v *verifier) staleQty(s orderbook.Side, p int64) int64 {
	v.infos = v.book.Orders(s, p, v.infos)
	var q int64
	for _, o := range v.infos {
		if v.stale(o) {
			q += o.Qty
		}
	}
	return q
}
