package kraken

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// QtyExp is the decimals of Kraken book volumes.
const QtyExp = 8

// Report is the outcome of Verify.
type Report struct {
	Files      []string     `json:"files"`
	Messages   int64        `json:"book_messages"`
	Checked    int64        `json:"checksums_checked"`
	Mismatched int64        `json:"mismatched"`
	Pairs      []PairReport `json:"pairs"`
	Examples   []string     `json:"examples,omitempty"`
}

// PairReport is one pair's part of a Report.
type PairReport struct {
	Pair       string `json:"pair"`
	Depth      int    `json:"depth"`
	PriceExp   int    `json:"price_exp"`
	Checked    int64  `json:"checksums_checked"`
	Mismatched int64  `json:"mismatched"`
}

// Summary is the report's last line.
func (r *Report) Summary() string {
	return fmt.Sprintf("checked=%d mismatched=%d", r.Checked, r.Mismatched)
}

// book is one pair's rebuilt book.
type book struct {
	pair     string
	depth    int
	priceExp int
	b        *orderbook.DepthBook
	levels   []orderbook.Level
	rep      PairReport
}

// Verify rebuilds every pair's book of a capture (files chained in order)
// and compares Kraken's checksum of each update with the checksum of the
// rebuilt top ten levels. A book is truncated to its subscribed depth after
// each update, as Kraken's documentation requires: levels pushed out of
// range are not deleted by the feed.
func Verify(ctx context.Context, paths []string) (*Report, error) {
	rep := &Report{Files: paths}
	rd := newReader(paths)
	defer rd.Close()
	books := map[string]*book{}
	var m message
	for {
		if rep.Messages&0x3ff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		err := rd.next(&m)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if !m.book {
			continue
		}
		rep.Messages++
		bk := books[m.pair]
		if m.snapshot {
			if bk, err = newBook(&m); err != nil {
				return nil, rd.Bad("data", "%v", err)
			}
			books[m.pair] = bk
		} else if bk == nil {
			continue // an update before the pair's snapshot
		}
		if err := bk.apply(&m, nil); err != nil {
			return nil, rd.Bad("data", "%v", err)
		}
		if m.checksum == "" {
			continue
		}
		want, err := strconv.ParseUint(m.checksum, 10, 32)
		if err != nil {
			return nil, rd.Bad("c", "%q is not a checksum", m.checksum)
		}
		rep.Checked++
		bk.rep.Checked++
		if got := bk.checksum(); got != uint32(want) {
			rep.Mismatched++
			bk.rep.Mismatched++
			if len(rep.Examples) < 10 {
				rep.Examples = append(rep.Examples, fmt.Sprintf("%s:%d %s: Kraken's checksum %d, rebuilt book's %d", rd.File, rd.Line, m.pair, want, got))
			}
		}
	}
	for _, bk := range books {
		rep.Pairs = append(rep.Pairs, bk.rep)
	}
	sort.Slice(rep.Pairs, func(i, j int) bool { return rep.Pairs[i].Pair < rep.Pairs[j].Pair })
	if rep.Messages == 0 {
		return nil, fmt.Errorf("kraken: %s: no book messages", strings.Join(paths, ", "))
	}
	return rep, nil
}

// newBook starts a pair's book from its snapshot: the price decimals are the
// snapshot's (Kraken prints every price of a pair with the same decimals),
// the depth the channel's ("book-1000").
func newBook(m *message) (*book, error) {
	exp := -1
	for _, side := range [][]level{m.asks, m.bids} {
		for _, l := range side {
			if d := decimalsOf(l.price); d > exp {
				exp = d
			}
		}
	}
	if exp < 0 {
		exp = 0
	}
	b, err := orderbook.NewDepth(orderbook.Config{Tick: 1, Lot: 1})
	if err != nil {
		return nil, err
	}
	return &book{pair: m.pair, depth: m.depth, priceExp: exp, b: b, rep: PairReport{Pair: m.pair, Depth: m.depth, PriceExp: exp}}, nil
}

func decimalsOf(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// apply applies a snapshot or update, then truncates both sides to depth;
// set, when not nil, is told every level set and every level truncated (qty
// 0), in order.
func (bk *book) apply(m *message, set func(side orderbook.Side, price, qty int64)) error {
	if m.snapshot {
		bk.b.Clear()
	}
	for k, side := range [][]level{m.asks, m.bids} {
		sd := orderbook.Sell
		if k == 1 {
			sd = orderbook.Buy
		}
		for _, l := range side {
			p, err := replay.ParseDecimal(l.price, bk.priceExp)
			if err != nil || p <= 0 {
				return fmt.Errorf("price %q: not a positive price at %d decimals", l.price, bk.priceExp)
			}
			q, err := replay.ParseDecimal(l.volume, QtyExp)
			if err != nil || q < 0 {
				return fmt.Errorf("volume %q: not a volume at %d decimals", l.volume, QtyExp)
			}
			if err := bk.b.Set(sd, p, q); err != nil {
				return err
			}
			if set != nil {
				set(sd, p, q)
			}
		}
		bk.truncate(sd, set)
	}
	return nil
}

// truncate removes the levels of side beyond the subscribed depth.
func (bk *book) truncate(side orderbook.Side, set func(side orderbook.Side, price, qty int64)) {
	if bk.depth <= 0 || bk.b.Levels(side) <= bk.depth {
		return
	}
	if cap(bk.levels) < bk.b.Levels(side) {
		bk.levels = make([]orderbook.Level, 0, bk.b.Levels(side))
	}
	bk.levels = bk.b.Depth(side, bk.levels[:0:bk.b.Levels(side)])
	for _, l := range bk.levels[bk.depth:] {
		bk.b.Set(side, l.Price, 0)
		if set != nil {
			set(side, l.Price, 0)
		}
	}
}

// checksum is Kraken's CRC32 of the top ten asks (best first) then the top
// ten bids: each level's price and volume as printed, without the decimal
// point and leading zeros — which is each fixed-point mantissa in decimal.
func (bk *book) checksum() uint32 {
	var buf [512]byte
	s := buf[:0]
	var top [10]orderbook.Level
	for _, side := range []orderbook.Side{orderbook.Sell, orderbook.Buy} {
		for _, l := range bk.b.Depth(side, top[:0]) {
			s = strconv.AppendInt(s, l.Price, 10)
			s = strconv.AppendInt(s, l.Qty, 10)
		}
	}
	return crc32.ChecksumIEEE(s)
}

// level is one [price, volume, timestamp(, "r")] entry.
type level struct{ price, volume string }

// message is one decoded capture line.
type message struct {
	book, snapshot bool
	pair           string
	depth          int
	asks, bids     []level
	checksum       string
	recvNS         int64
}

// reader reads the capture's messages (replay.CaptureReader) and decodes them.
type reader struct{ *replay.CaptureReader }

func newReader(paths []string) *reader { return &reader{replay.NewCaptureReader(paths)} }

// next decodes the next received message into m (m.book is false for a
// message that is not a book message: heartbeats, statuses, lines sent).
func (r *reader) next(m *message) error {
	*m = message{}
	ns, js, err := r.Next()
	if err != nil {
		return err
	}
	m.recvNS = ns
	if !strings.HasPrefix(js, "[") {
		return nil // an event object: heartbeat, systemStatus, subscriptionStatus
	}
	var parts []json.RawMessage
	if err := json.Unmarshal([]byte(js), &parts); err != nil {
		return r.Bad("json", "%v", err)
	}
	if len(parts) < 4 {
		return r.Bad("json", "a channel message has [channelID, data..., channelName, pair]")
	}
	var name, pair string
	if json.Unmarshal(parts[len(parts)-2], &name) != nil || json.Unmarshal(parts[len(parts)-1], &pair) != nil {
		return r.Bad("json", "the last two elements are not the channel name and pair")
	}
	depthText, isBook := strings.CutPrefix(name, "book-")
	if !isBook {
		return nil // trades, spreads, other channels
	}
	depth, err := strconv.Atoi(depthText)
	if err != nil || depth <= 0 {
		return r.Bad("channelName", "%q is not book-<depth>", name)
	}
	m.book, m.pair, m.depth = true, pair, depth
	for _, raw := range parts[1 : len(parts)-2] {
		var obj map[string]json.RawMessage // keys match exactly ("a" and "as" differ)
		if err := json.Unmarshal(raw, &obj); err != nil {
			return r.Bad("data", "%v", err)
		}
		for key, v := range obj {
			var dst *[]level
			switch key {
			case "as":
				m.snapshot, dst = true, &m.asks
			case "bs":
				m.snapshot, dst = true, &m.bids
			case "a":
				dst = &m.asks
			case "b":
				dst = &m.bids
			case "c":
				if err := json.Unmarshal(v, &m.checksum); err != nil {
					return r.Bad("c", "%v", err)
				}
				continue
			default:
				continue
			}
			var rows [][]json.RawMessage
			if err := json.Unmarshal(v, &rows); err != nil {
				return r.Bad(key, "%v", err)
			}
			for _, row := range rows {
				if len(row) < 2 {
					return r.Bad(key, "a level is [price, volume, timestamp]")
				}
				var l level
				if json.Unmarshal(row[0], &l.price) != nil || json.Unmarshal(row[1], &l.volume) != nil {
					return r.Bad(key, "a level's price and volume are strings")
				}
				*dst = append(*dst, l)
			}
		}
	}
	if m.snapshot && (len(m.asks) == 0 && len(m.bids) == 0) {
		return r.Bad("data", "an empty snapshot")
	}
	return nil
}
