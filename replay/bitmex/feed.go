package bitmex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// row is one row of an orderBookL2, trade or quote message (the fields the
// tables use; JSON numbers kept as text so that prices read exactly).
type row struct {
	Symbol    string      `json:"symbol"`
	ID        int64       `json:"id"`
	Side      string      `json:"side"`
	Size      json.Number `json:"size"`
	Price     json.Number `json:"price"`
	BidSize   json.Number `json:"bidSize"`
	BidPrice  json.Number `json:"bidPrice"`
	AskPrice  json.Number `json:"askPrice"`
	AskSize   json.Number `json:"askSize"`
	Timestamp string      `json:"timestamp"`
}

// message is one decoded capture line.
type message struct {
	recvNS int64
	table  string // orderBookL2, trade, quote; "" for anything else
	action string // partial, insert, update, delete
	rows   []row
}

// reader reads the capture's messages (replay.CaptureReader) and decodes them.
type reader struct{ *replay.CaptureReader }

func newReader(paths []string) *reader { return &reader{replay.NewCaptureReader(paths)} }

// next decodes the next line into m; m.table is "" for lines that are not
// table data (welcome, subscription answers, lines sent).
func (r *reader) next(m *message) error {
	*m = message{}
	ns, js, err := r.Next()
	if err != nil {
		return err
	}
	m.recvNS = ns
	if !strings.HasPrefix(js, "{") {
		return nil
	}
	var env struct {
		Table  string          `json:"table"`
		Action string          `json:"action"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal([]byte(js), &env); err != nil {
		return r.Bad("json", "%v", err)
	}
	switch env.Table {
	case "orderBookL2", "orderBookL2_25", "trade", "quote":
	default:
		return nil
	}
	switch env.Action {
	case "partial", "insert", "update", "delete":
	default:
		return r.Bad("action", "%q is not partial, insert, update or delete", env.Action)
	}
	dec := json.NewDecoder(bytes.NewReader(env.Data))
	dec.UseNumber()
	if err := dec.Decode(&m.rows); err != nil && err != io.EOF {
		return r.Bad("data", "%v", err)
	}
	m.table, m.action = strings.TrimSuffix(env.Table, "_25"), env.Action
	return nil
}

// side reads BitMEX's side.
func side(s string) (orderbook.Side, bool) {
	switch s {
	case "Buy":
		return orderbook.Buy, true
	case "Sell":
		return orderbook.Sell, true
	}
	return 0, false
}

// decimalsOf is the number of decimals of a JSON number's text ("1e-05" has 5).
func decimalsOf(n json.Number) int { return max(replay.Decimals(string(n)), 0) }

// scanExps reads the capture through once for each symbol's price decimals:
// BitMEX sends prices as JSON numbers, printed at the digits each needs.
func scanExps(paths []string) (map[string]int, []string, error) {
	r := newReader(paths)
	defer r.Close()
	exps := map[string]int{}
	var order []string
	inBook := map[string]bool{}
	var m message
	for {
		err := r.next(&m)
		if err == io.EOF {
			return exps, order, nil
		}
		if err != nil {
			return nil, nil, err
		}
		for _, w := range m.rows {
			if !inBook[w.Symbol] && m.table == "orderBookL2" {
				inBook[w.Symbol] = true
				order = append(order, w.Symbol)
			}
			for _, p := range []json.Number{w.Price, w.BidPrice, w.AskPrice} {
				if p != "" {
					exps[w.Symbol] = max(exps[w.Symbol], decimalsOf(p))
				}
			}
		}
	}
}

// book is one instrument's rebuilt L2 book: BitMEX levels by id.
type book struct {
	exp    int
	b      *orderbook.DepthBook
	levels map[int64]level // level id → side and price
}

type level struct {
	side  orderbook.Side
	price int64
}

func newBook(exp int) *book {
	b, _ := orderbook.NewDepth(orderbook.Config{Tick: 1, Lot: 1})
	return &book{exp: exp, b: b, levels: map[int64]level{}}
}

// apply applies one orderBookL2 row; set, when not nil, is told the level
// changed (side, price, new size; 0 deletes).
func (bk *book) apply(action string, w *row, set func(orderbook.Side, int64, int64)) error {
	sd, ok := side(w.Side)
	if !ok {
		return fmt.Errorf("side %q: not Buy or Sell", w.Side)
	}
	var size int64
	if action != "delete" {
		var err error
		if size, err = replay.ParseDecimal(string(w.Size), 0); err != nil || size < 0 {
			return fmt.Errorf("size %q: not a size in contracts", w.Size)
		}
	}
	lv, known := bk.levels[w.ID]
	if w.Price != "" {
		p, err := replay.ParseDecimal(string(w.Price), bk.exp)
		if err != nil || p <= 0 {
			return fmt.Errorf("price %q: not a positive price at %d decimals", w.Price, bk.exp)
		}
		lv, known = level{sd, p}, true
	}
	if !known {
		return fmt.Errorf("level id %d: %s of a level the book does not hold", w.ID, action)
	}
	if action == "delete" {
		delete(bk.levels, w.ID)
		size = 0
	} else {
		bk.levels[w.ID] = lv
	}
	if err := bk.b.Set(lv.side, lv.price, size); err != nil {
		return err
	}
	if set != nil {
		set(lv.side, lv.price, size)
	}
	return nil
}
