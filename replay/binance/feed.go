// Package binance reads Binance market data: the raw depth feed as recorded by
// collectors (REST snapshot + diff-depth stream + trades + bookTicker, one
// "<receive_ns> <json>" per line), and the trades and aggTrades CSV dumps. It
// turns them into canonical events and verifies L2 reconstruction against
// Binance's own bookTicker stream.
package binance

import (
	"bytes"
	"errors"
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
	futures      bool // a futures snapshot (it carries E and T) or diff (pu)
	// trade
	price, qty  string
	buyerMaker  bool
	tradeTimeMS int64
	// bookTicker
	tickerU                      int64
	bidPx, bidQty, askPx, askQty string
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

// jsonErr is err as a row error of field (a field's own error passes as it is).
func (fr *feedReader) jsonErr(field string, err error) error {
	var re *replay.RowError
	if errors.As(err, &re) {
		return err
	}
	return fr.bad(field, "%v", err)
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
	if err := replay.CheckEventTime(ns); err != nil {
		return fr.bad("receive_ns", "%v", err)
	}
	*m = feedMsg{recvNS: ns, prev: -1}
	var stream string
	var data []byte
	var lastUpdateID *int64
	var bids, asks [][2]string
	if err := eachField(b[sp+1:], func(k, v []byte) (err error) {
		switch string(k) {
		case "stream":
			stream, err = jsonString(v)
		case "data":
			data = v
		case "lastUpdateId":
			var id int64
			id, err = jsonInt(v)
			lastUpdateID = &id
		case "bids":
			bids, err = jsonLevels(nil, v)
		case "asks":
			asks, err = jsonLevels(nil, v)
		case "T":
			m.futures = true // futures snapshots carry the transaction time; spot's do not
		}
		if err != nil {
			return fr.bad(string(k), "%v", err)
		}
		return nil
	}); err != nil {
		return fr.jsonErr("json", err)
	}
	if stream == "" {
		if lastUpdateID == nil {
			return fr.bad("json", "neither a stream message nor a depth snapshot")
		}
		m.kind, m.lastUpdateID, m.bids, m.asks = kindSnapshot, *lastUpdateID, bids, asks
		return nil
	}
	if data == nil {
		return fr.bad("data", "a stream message without data")
	}
	switch ch := stream[strings.IndexByte(stream, '@')+1:]; {
	case strings.HasPrefix(ch, "depth"):
		var hasU, hasUf bool
		err := eachField(data, func(k, v []byte) (err error) {
			switch string(k) {
			case "s":
				m.symbol, err = jsonString(v)
			case "U":
				m.first, err = jsonInt(v)
				hasU = true
			case "u":
				m.final, err = jsonInt(v)
				hasUf = true
			case "pu":
				m.prev, err = jsonInt(v)
				m.futures = true
			case "b":
				m.bids, err = jsonLevels(nil, v)
			case "a":
				m.asks, err = jsonLevels(nil, v)
			}
			if err != nil {
				return fr.bad("data."+string(k), "%v", err)
			}
			return nil
		})
		if err != nil {
			return fr.jsonErr("data", err)
		}
		if !hasU || !hasUf {
			return fr.bad("data.U", "depth update without U/u")
		}
		m.kind = kindDepth
	case ch == "trade" || ch == "aggTrade":
		err := eachField(data, func(k, v []byte) (err error) {
			switch string(k) {
			case "s":
				m.symbol, err = jsonString(v)
			case "p":
				m.price, err = jsonString(v)
			case "q":
				m.qty, err = jsonString(v)
			case "m":
				m.buyerMaker, err = jsonBool(v)
			case "T":
				m.tradeTimeMS, err = jsonInt(v)
			}
			if err != nil {
				return fr.bad("data."+string(k), "%v", err)
			}
			return nil
		})
		if err != nil {
			return fr.jsonErr("data", err)
		}
		m.kind = kindTrade
	case ch == "bookTicker":
		err := eachField(data, func(k, v []byte) (err error) {
			switch string(k) {
			case "s":
				m.symbol, err = jsonString(v)
			case "u":
				m.tickerU, err = jsonInt(v)
			case "b":
				m.bidPx, err = jsonString(v)
			case "B":
				m.bidQty, err = jsonString(v)
			case "a":
				m.askPx, err = jsonString(v)
			case "A":
				m.askQty, err = jsonString(v)
			}
			if err != nil {
				return fr.bad("data."+string(k), "%v", err)
			}
			return nil
		})
		if err != nil {
			return fr.jsonErr("data", err)
		}
		m.kind = kindTicker
	default:
		m.kind = kindOther
	}
	return nil
}
