package coinbase

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// QtyExp is the decimals of sizes: Coinbase prints at most 8.
const QtyExp = 8

// message is one decoded capture line (the fields the channels use).
type message struct {
	recvNS    int64
	Type      string      `json:"type"` // snapshot, l2update, match, last_match, ticker
	ProductID string      `json:"product_id"`
	Asks      [][2]string `json:"asks"`
	Bids      [][2]string `json:"bids"`
	Changes   [][3]string `json:"changes"`
	Side      string      `json:"side"`
	Price     string      `json:"price"`
	Size      string      `json:"size"`
	BestBid   string      `json:"best_bid"`
	BestAsk   string      `json:"best_ask"`
	Time      string      `json:"time"`
	at        int64       // Time as Unix ns (0 when absent)
}

// reader reads the capture's messages (replay.CaptureReader) and decodes them.
type reader struct{ *replay.CaptureReader }

func newReader(paths []string) *reader { return &reader{replay.NewCaptureReader(paths)} }

// next decodes the next line into m; m.Type is "" for lines that are not
// channel messages.
func (r *reader) next(m *message) error {
	*m = message{}
	ns, js, err := r.Next()
	if err != nil {
		return err
	}
	if !strings.HasPrefix(js, "{") {
		return nil
	}
	if err := json.Unmarshal([]byte(js), m); err != nil {
		return r.Bad("json", "%v", err)
	}
	m.recvNS = ns
	switch m.Type {
	case "snapshot", "l2update", "match", "last_match", "ticker":
	default:
		m.Type = ""
		return nil
	}
	if m.ProductID == "" {
		return r.Bad("product_id", "a %s without a product", m.Type)
	}
	if m.Time != "" {
		t, err := time.Parse(time.RFC3339Nano, m.Time)
		if err != nil {
			return r.Bad("time", "%q is not an RFC 3339 time", m.Time)
		}
		m.at = t.UnixNano()
	}
	return nil
}

// side reads a book side ("buy" bids, "sell" asks).
func side(s string) (orderbook.Side, bool) {
	switch s {
	case "buy":
		return orderbook.Buy, true
	case "sell":
		return orderbook.Sell, true
	}
	return 0, false
}

// scanExps reads the capture through once for each product's price
// decimals (Coinbase prints a product's prices at its quote increment) in
// the order the products' snapshots come.
func scanExps(paths []string) (map[string]int, []string, error) {
	r := newReader(paths)
	defer r.Close()
	exps := map[string]int{}
	var order []string
	var m message
	for {
		err := r.next(&m)
		if err == io.EOF {
			return exps, order, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if m.Type == "" {
			continue
		}
		if _, ok := exps[m.ProductID]; !ok && m.Type == "snapshot" {
			order = append(order, m.ProductID)
		}
		d := exps[m.ProductID]
		for _, l := range m.Asks {
			d = max(d, replay.Decimals(l[0]))
		}
		for _, l := range m.Bids {
			d = max(d, replay.Decimals(l[0]))
		}
		for _, c := range m.Changes {
			d = max(d, replay.Decimals(c[1]))
		}
		for _, p := range []string{m.Price, m.BestBid, m.BestAsk} {
			d = max(d, replay.Decimals(p))
		}
		exps[m.ProductID] = d
	}
}

// book is one product's rebuilt L2 book.
type book struct {
	exp int
	b   *orderbook.DepthBook
}

func newBook(exp int) *book {
	b, _ := orderbook.NewDepth(orderbook.Config{Tick: 1, Lot: 1})
	return &book{exp: exp, b: b}
}

// set sets one level from its text; set, when not nil, is told.
func (bk *book) set(sd orderbook.Side, price, size string, tell func(orderbook.Side, int64, int64)) error {
	p, err := replay.ParseDecimal(price, bk.exp)
	if err != nil || p <= 0 {
		return fmt.Errorf("price %q: not a positive price at %d decimals", price, bk.exp)
	}
	q, err := replay.ParseDecimal(size, QtyExp)
	if err != nil || q < 0 {
		return fmt.Errorf("size %q: not a size at %d decimals", size, QtyExp)
	}
	if err := bk.b.Set(sd, p, q); err != nil {
		return err
	}
	if tell != nil {
		tell(sd, p, q)
	}
	return nil
}

// apply applies a snapshot (which resets the book) or an l2update.
func (bk *book) apply(m *message, tell func(orderbook.Side, int64, int64)) error {
	if m.Type == "snapshot" {
		bk.b.Clear()
		for k, levels := range [][][2]string{m.Asks, m.Bids} {
			sd := orderbook.Sell
			if k == 1 {
				sd = orderbook.Buy
			}
			for _, l := range levels {
				if err := bk.set(sd, l[0], l[1], tell); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, c := range m.Changes {
		sd, ok := side(c[0])
		if !ok {
			return fmt.Errorf("side %q: not buy or sell", c[0])
		}
		if err := bk.set(sd, c[1], c[2], tell); err != nil {
			return err
		}
	}
	return nil
}
