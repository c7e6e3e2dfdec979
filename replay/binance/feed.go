// Package binance reads Binance market data: the raw depth feed as recorded by
// collectors (REST snapshot + diff-depth stream + trades + bookTicker, one
// "<receive_ns> <json>" per line), and the trades and aggTrades CSV dumps. It
// turns them into canonical events and verifies L2 reconstruction against
// Binance's own bookTicker stream.
package binance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tapetest/tapetest/replay"
)

// GapError is a break in the diff-depth update-id sequence.
type GapError struct {
	File     string
	Line     int64
	Expected string // what the sequence required
	First    int64  // U of the offending diff
	Final    int64  // u of the offending diff
}

func (e *GapError) Error() string {
	return fmt.Sprintf("%s:%d: depth update gap: expected %s, got U=%d u=%d", e.File, e.Line, e.Expected, e.First, e.Final)
}

// msgKind is the kind of a feed line.
type msgKind uint8

const (
	kindDepth msgKind = iota + 1
	kindTrade
	kindTicker
	kindSnapshot
	kindOther
)

// feedMsg is one decoded feed line.
type feedMsg struct {
	kind   msgKind
	recvNS int64
	symbol string
	// depth
	first, final, prev int64 // U, u, pu (prev = -1 when absent: spot)
	bids, asks         [][2]string
	// snapshot
	lastUpdateID int64
	// trade
	price, qty  string
	buyerMaker  bool
	tradeTimeMS int64
	// bookTicker
	tickerU                      int64
	bidPx, bidQty, askPx, askQty string
}

type envelope struct {
	Stream string          `json:"stream"`
	Data   json.RawMessage `json:"data"`
	// REST snapshot fields (no envelope)
	LastUpdateID *int64      `json:"lastUpdateId"`
	Bids         [][2]string `json:"bids"`
	Asks         [][2]string `json:"asks"`
}

// The structs name every field Binance sends whose name differs from another
// only by case: encoding/json matches names case-insensitively unless an exact
// match exists.
type depthData struct {
	Ev string      `json:"e"`
	ET int64       `json:"E"`
	TT int64       `json:"T"`
	S  string      `json:"s"`
	U  *int64      `json:"U"`
	Uf *int64      `json:"u"`
	PU *int64      `json:"pu"`
	B  [][2]string `json:"b"`
	A  [][2]string `json:"a"`
}

type tradeData struct {
	Ev string `json:"e"`
	ET int64  `json:"E"`
	ID int64  `json:"t"`
	MM bool   `json:"M"`
	S  string `json:"s"`
	P  string `json:"p"`
	Q  string `json:"q"`
	M  bool   `json:"m"`
	T  int64  `json:"T"`
}

type tickerData struct {
	ET int64  `json:"E"`
	TT int64  `json:"T"`
	U  int64  `json:"u"`
	S  string `json:"s"`
	B  string `json:"b"`
	BQ string `json:"B"`
	A  string `json:"a"`
	AQ string `json:"A"`
}

// feedReader reads feed lines from one or more files in order.
type feedReader struct {
	paths []string
	lines *replay.Lines
	file  string // file and 1-based line of the message last decoded
	line  int64
}

func newFeedReader(paths []string) *feedReader {
	return &feedReader{paths: paths, lines: replay.NewLines(paths)}
}

func (fr *feedReader) close() { fr.lines.Close() }

// next decodes the next line into m; io.EOF after the last file.
func (fr *feedReader) next(m *feedMsg) error {
	b, err := fr.lines.Next()
	if err != nil {
		return err
	}
	fr.file, fr.line = fr.lines.File, fr.lines.Line
	return fr.decode(b, m)
}

func (fr *feedReader) bad(field, format string, args ...any) error {
	return &replay.RowError{File: fr.file, Line: fr.line, Field: field, Reason: fmt.Sprintf(format, args...)}
}

func (fr *feedReader) decode(b []byte, m *feedMsg) error {
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 {
		return fr.bad("line", "want \"<receive_ns> <json>\"")
	}
	ns, err := strconv.ParseInt(string(b[:sp]), 10, 64)
	if err != nil {
		return fr.bad("receive_ns", "%q is not an integer", b[:sp])
	}
	*m = feedMsg{recvNS: ns, prev: -1}
	var env envelope
	if err := json.Unmarshal(b[sp+1:], &env); err != nil {
		return fr.bad("json", "%v", err)
	}
	if env.Stream == "" {
		if env.LastUpdateID == nil {
			return fr.bad("json", "neither a stream message nor a depth snapshot")
		}
		m.kind, m.lastUpdateID, m.bids, m.asks = kindSnapshot, *env.LastUpdateID, env.Bids, env.Asks
		return nil
	}
	switch ch := env.Stream[strings.IndexByte(env.Stream, '@')+1:]; {
	case strings.HasPrefix(ch, "depth"):
		var d depthData
		if err := json.Unmarshal(env.Data, &d); err != nil {
			return fr.bad("data", "%v", err)
		}
		if d.U == nil || d.Uf == nil {
			return fr.bad("data.U", "depth update without U/u")
		}
		m.kind, m.symbol, m.first, m.final, m.bids, m.asks = kindDepth, d.S, *d.U, *d.Uf, d.B, d.A
		if d.PU != nil {
			m.prev = *d.PU
		}
	case ch == "trade" || ch == "aggTrade":
		var t tradeData
		if err := json.Unmarshal(env.Data, &t); err != nil {
			return fr.bad("data", "%v", err)
		}
		m.kind, m.symbol, m.price, m.qty, m.buyerMaker, m.tradeTimeMS = kindTrade, t.S, t.P, t.Q, t.M, t.T
	case ch == "bookTicker":
		var t tickerData
		if err := json.Unmarshal(env.Data, &t); err != nil {
			return fr.bad("data", "%v", err)
		}
		m.kind, m.symbol, m.tickerU, m.bidPx, m.bidQty, m.askPx, m.askQty = kindTicker, t.S, t.U, t.B, t.BQ, t.A, t.AQ
	default:
		m.kind = kindOther
	}
	return nil
}
