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

// level is a price level's price and quantity as the feed wrote them: the
// bytes of its two strings.
type level = [2][]byte

// feedMsg is one decoded feed line. Its byte slices point into the line and
// into the reader's scratch: they hold until the next line is read (what
// must outlive it is copied: see sequencer.push). Decoding a line allocates
// nothing in the common case.
type feedMsg struct {
	kind   msgKind
	recvNS int64
	symbol string
	// depth
	first, final, prev int64 // U, u, pu (prev = -1 when absent: spot)
	bids, asks         []level
	// snapshot
	lastUpdateID int64
	futures      bool // a futures snapshot (it carries E and T) or diff (pu)
	// trade
	price, qty  []byte
	buyerMaker  bool
	tradeTimeMS int64
	// bookTicker
	tickerU                      int64
	bidPx, bidQty, askPx, askQty []byte
}

// feedReader reads feed lines from one or more files in order.
type feedReader struct {
	paths []string
	lines *replay.Lines
	file  string // file and 1-based line of the message last decoded
	line  int64
	// Scratch reused from line to line: the levels' slices, and the last
	// symbol read (a line naming it again shares the string).
	bidBuf, askBuf []level
	symbol         string
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
	ns, err := jsonInt(b[:sp])
	if err != nil {
		return fr.bad("receive_ns", "%q is not an integer", b[:sp])
	}
	if err := replay.CheckEventTime(ns); err != nil {
		return fr.bad("receive_ns", "%v", err)
	}
	*m = feedMsg{recvNS: ns, prev: -1}
	var stream, data []byte
	var dataRead bool
	var lastUpdateID int64
	var hasLastUpdateID bool
	var bids, asks []level
	obj := b[sp+1:]
	end, err := fields(obj, func(k, v []byte) (n int, err error) {
		switch string(k) {
		case "stream":
			stream, n, err = stringValue(v)
		case "data":
			if len(stream) > 0 { // the usual order: the stream says how to read its data
				dataRead = true
				return fr.decodeData(m, stream, v)
			}
			data, n, err = scalar(v)
		case "lastUpdateId":
			lastUpdateID, n, err = intAt(v)
			hasLastUpdateID = true
		case "bids":
			bids, n, err = levelsAt(fr.bidBuf[:0], v)
			fr.bidBuf = bids[:0]
		case "asks":
			asks, n, err = levelsAt(fr.askBuf[:0], v)
			fr.askBuf = asks[:0]
		case "T":
			m.futures = true // futures snapshots carry the transaction time; spot's do not
			return skipValue(v, 0)
		default:
			return skipValue(v, 0)
		}
		if err != nil {
			return 0, fr.bad(string(k), "%v", err)
		}
		return n, nil
	})
	if err == nil {
		err = trailing(obj, end)
	}
	if err != nil {
		return fr.jsonErr("json", err)
	}
	if len(stream) == 0 {
		if !hasLastUpdateID {
			return fr.bad("json", "neither a stream message nor a depth snapshot")
		}
		m.kind, m.lastUpdateID, m.bids, m.asks = kindSnapshot, lastUpdateID, bids, asks
		return nil
	}
	if dataRead {
		return nil
	}
	if data == nil {
		return fr.bad("data", "a stream message without data")
	}
	_, err = fr.decodeData(m, stream, data)
	return err
}

// decodeData decodes a stream message's data object, at the start of v, as
// its stream says, and returns the object's length.
func (fr *feedReader) decodeData(m *feedMsg, stream, v []byte) (int, error) {
	var n int
	var err error
	switch ch := stream[bytes.IndexByte(stream, '@')+1:]; {
	case bytes.HasPrefix(ch, []byte("depth")):
		var hasU, hasUf bool
		n, err = fields(v, func(k, v []byte) (n int, err error) {
			var raw []byte
			switch string(k) {
			case "s":
				if raw, n, err = stringValue(v); err == nil {
					m.symbol = fr.symbolOf(raw)
				}
			case "U":
				m.first, n, err = intAt(v)
				hasU = true
			case "u":
				m.final, n, err = intAt(v)
				hasUf = true
			case "pu":
				m.prev, n, err = intAt(v)
				m.futures = true
			case "b":
				m.bids, n, err = levelsAt(fr.bidBuf[:0], v)
				fr.bidBuf = m.bids[:0]
			case "a":
				m.asks, n, err = levelsAt(fr.askBuf[:0], v)
				fr.askBuf = m.asks[:0]
			default:
				return skipValue(v, 0)
			}
			if err != nil {
				return 0, fr.bad("data."+string(k), "%v", err)
			}
			return n, nil
		})
		if err == nil && (!hasU || !hasUf) {
			return 0, fr.bad("data.U", "depth update without U/u")
		}
		m.kind = kindDepth
	case string(ch) == "trade" || string(ch) == "aggTrade":
		n, err = fields(v, func(k, v []byte) (n int, err error) {
			var raw []byte
			switch string(k) {
			case "s":
				if raw, n, err = stringValue(v); err == nil {
					m.symbol = fr.symbolOf(raw)
				}
			case "p":
				m.price, n, err = stringValue(v)
			case "q":
				m.qty, n, err = stringValue(v)
			case "m":
				if raw, n, err = scalar(v); err == nil {
					m.buyerMaker, err = jsonBool(raw)
				}
			case "T":
				m.tradeTimeMS, n, err = intAt(v)
			default:
				n, err = skipValue(v, 0)
			}
			if err != nil {
				return 0, fr.bad("data."+string(k), "%v", err)
			}
			return n, nil
		})
		m.kind = kindTrade
	case string(ch) == "bookTicker":
		n, err = fields(v, func(k, v []byte) (n int, err error) {
			var raw []byte
			switch string(k) {
			case "s":
				if raw, n, err = stringValue(v); err == nil {
					m.symbol = fr.symbolOf(raw)
				}
			case "u":
				m.tickerU, n, err = intAt(v)
			case "b":
				m.bidPx, n, err = stringValue(v)
			case "B":
				m.bidQty, n, err = stringValue(v)
			case "a":
				m.askPx, n, err = stringValue(v)
			case "A":
				m.askQty, n, err = stringValue(v)
			default:
				n, err = skipValue(v, 0)
			}
			if err != nil {
				return 0, fr.bad("data."+string(k), "%v", err)
			}
			return n, nil
		})
		m.kind = kindTicker
	default:
		n, err = skipValue(v, 0)
		m.kind = kindOther
	}
	if err != nil {
		return 0, fr.jsonErr("data", err)
	}
	return n, nil
}

// symbolOf is a string's contents as a symbol: the previous line's string
// when it names the same one (every line of a feed does), so that reading
// it allocates only when it changes.
func (fr *feedReader) symbolOf(b []byte) string {
	if string(b) != fr.symbol {
		fr.symbol = string(b)
	}
	return fr.symbol
}
