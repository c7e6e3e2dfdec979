package lobster

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/tapetest/tapetest/internal/swar"
	"github.com/tapetest/tapetest/replay"
)

// Message is one row of a LOBSTER message file.
type Message struct {
	Time      int64 // nanoseconds after midnight, exchange local time (US/Eastern)
	Type      int8  // 1 submit, 2 partial cancel, 3 delete, 4 visible execution, 5 hidden execution, 6 cross trade, 7 halt
	OrderID   uint64
	Size      int64
	Price     int64 // USD × 10000
	Direction int8  // 1 buy, -1 sell (for executions: the resting order's side)
}

// lineReader yields lines without allocating per line.
type lineReader struct {
	file string
	r    *replay.TextFile
	line int64
}

func newLineReader(path string) (*lineReader, error) {
	r, err := replay.OpenText(path)
	if err != nil {
		return nil, err
	}
	return &lineReader{file: path, r: r}, nil
}

// maxLine bounds a line of either file: the widest orderbook row, 200
// levels of four fields, is under 10 KiB.
const maxLine = 64 << 10

// next returns the next non-empty line (without the line ending), or io.EOF.
// The slice is valid until the next call.
func (lr *lineReader) next() ([]byte, error) {
	for {
		b, err := lr.r.ReadLine(maxLine)
		if errors.Is(err, replay.ErrLineTooLong) {
			return nil, &replay.RowError{File: lr.file, Line: lr.line + 1, Field: "line", Reason: "longer than 64 KiB"}
		}
		if len(b) == 0 && err != nil {
			if err == io.EOF {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("%s: %w", lr.file, err)
		}
		lr.line++
		for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
			b = b[:len(b)-1]
		}
		if len(b) == 0 {
			if err == io.EOF {
				return nil, io.EOF
			}
			continue
		}
		return b, nil
	}
}

func (lr *lineReader) close() error { return lr.r.Close() }

// field splits off the next comma-separated field.
func field(b []byte) (f, rest []byte) {
	if i := bytes.IndexByte(b, ','); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}

var errSyntax = errors.New("not an integer")

// intField parses the integer field at the start of b in one pass — what
// field and parseInt do, for the orderbook file's 4 columns a level — and
// returns the rest after its comma (nil when it was the last field). ok is
// false where parseInt would fail.
func intField(b []byte) (v int64, rest []byte, ok bool) {
	if len(b) >= 8 { // the common field, up to seven digits and a comma, in one word
		x := binary.LittleEndian.Uint64(b)
		if m := swar.Match(x, ','); m != 0 {
			if n := swar.First(m); n > 0 {
				if u, ok := swar.LeadingDigits(x, n); ok {
					return int64(u), b[n+1:], true
				}
			}
		}
	}
	i := 0
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i = 1
	}
	start := i
	for ; i < len(b) && b[i] != ','; i++ {
		c := b[i]
		if c < '0' || c > '9' || v > (1<<62)/10 {
			return 0, nil, false
		}
		v = v*10 + int64(c-'0')
	}
	if i == start {
		return 0, nil, false
	}
	if neg {
		v = -v
	}
	if i < len(b) {
		return v, b[i+1:], true
	}
	return v, nil, true
}

// parseInt parses a signed decimal integer without allocating.
func parseInt(b []byte) (int64, error) {
	if len(b) == 0 {
		return 0, errSyntax
	}
	neg := false
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		b = b[1:]
		if len(b) == 0 {
			return 0, errSyntax
		}
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' || v > (1<<62)/10 {
			return 0, errSyntax
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, nil
}

// parseSeconds parses "34200.015105074" (seconds after midnight, up to ns) into
// ns. Digits beyond the nanosecond — float printing in the writer of some
// LOBSTER files gives "43002.632812672004" — are rounded half up to the
// nanosecond, and rounded reports it, so that the reader counts them.
func parseSeconds(b []byte) (ns int64, rounded bool, err error) {
	i := bytes.IndexByte(b, '.')
	whole, frac := b, []byte(nil)
	if i >= 0 {
		whole, frac = b[:i], b[i+1:]
	}
	s, err := parseInt(whole)
	if err != nil || s < 0 || s > 48*3600 {
		return 0, false, errors.New("not seconds after midnight")
	}
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0, false, errors.New("not a decimal number")
		}
	}
	for j := 0; j < 9; j++ {
		ns *= 10
		if j < len(frac) {
			ns += int64(frac[j] - '0')
		}
	}
	if len(frac) > 9 {
		rounded = true
		if frac[9] >= '5' {
			ns++ // 999999999 + 1 carries into the next second below
		}
	}
	return s*1_000_000_000 + ns, rounded, nil
}

// MessageReader streams a LOBSTER message file (plain or gzip).
type MessageReader struct {
	lr *lineReader
	// Rounded counts the messages whose time had digits beyond the
	// nanosecond, rounded to it.
	Rounded int64
}

// OpenMessages opens a message file.
func OpenMessages(path string) (*MessageReader, error) {
	lr, err := newLineReader(path)
	if err != nil {
		return nil, err
	}
	return &MessageReader{lr: lr}, nil
}

// Line is the 1-based line number of the last message returned.
func (m *MessageReader) Line() int64 { return m.lr.line }

// Close closes the file.
func (m *MessageReader) Close() error { return m.lr.close() }

// Next parses the next message into msg; it returns io.EOF at the end and a
// *RowError naming the line and field for malformed input.
func (m *MessageReader) Next(msg *Message) error {
	b, err := m.lr.next()
	if err != nil {
		return err
	}
	if parseMessageFast(b, msg) {
		return nil
	}
	rounded, err := parseMessage(b, msg, m.lr.file, m.lr.line)
	if rounded && err == nil {
		m.Rounded++
	}
	return err
}

// parseMessageFast parses a well-formed message row whose time has nine
// decimals (as LOBSTER writes them) and reports whether it was one; any
// doubt is left to parseMessage, which rounds longer times and names the
// error. The two agree on every row (FuzzParseMessageFastIsParseMessage).
func parseMessageFast(b []byte, msg *Message) bool {
	if len(b) < 16 {
		return false
	}
	x := binary.LittleEndian.Uint64(b)
	m := swar.Match(x, '.')
	if m == 0 {
		return false
	}
	dot := swar.First(m)
	if dot == 0 {
		return false
	}
	sec, ok := swar.LeadingDigits(x, dot)
	if !ok || sec > 48*3600 {
		return false
	}
	frac := b[dot+1:]
	if len(frac) < 10 || frac[9] != ',' || frac[8] < '0' || frac[8] > '9' {
		return false
	}
	f8, ok := swar.Digits(binary.LittleEndian.Uint64(frac))
	if !ok {
		return false
	}
	typ, rest, ok1 := intField(frac[10:])
	id, rest, ok2 := intField(rest)
	size, rest, ok3 := intField(rest)
	price, rest, ok4 := intField(rest)
	if !(ok1 && ok2 && ok3 && ok4) || typ < 1 || typ > 7 || id < 0 || size < 0 {
		return false
	}
	var dir int8
	switch {
	case len(rest) == 1 && rest[0] == '1':
		dir = 1
	case len(rest) == 2 && rest[0] == '-' && rest[1] == '1':
		dir = -1
	default:
		return false
	}
	if typ != 7 && typ != 5 && typ != 6 && (size <= 0 || price <= 0) {
		return false
	}
	*msg = Message{Time: int64(sec)*1_000_000_000 + int64(f8)*10 + int64(frac[8]-'0'), Type: int8(typ), OrderID: uint64(id), Size: size, Price: price, Direction: dir}
	return true
}

// parseMessage parses one message row; rounded reports a time rounded to the
// nanosecond.
func parseMessage(b []byte, msg *Message, file string, line int64) (rounded bool, err error) {
	bad := func(fieldName, reason string) (bool, error) {
		return false, &replay.RowError{File: file, Line: line, Field: fieldName, Reason: reason}
	}
	f, rest := field(b)
	t, rounded, err := parseSeconds(f)
	if err != nil {
		return bad("time", fmt.Sprintf("%q: %v", f, err))
	}
	f, rest = field(rest)
	typ, err := parseInt(f)
	if err != nil || typ < 1 || typ > 7 {
		return bad("type", fmt.Sprintf("%q is not a LOBSTER event type 1..7", f))
	}
	f, rest = field(rest)
	id, err := parseInt(f)
	if err != nil || id < 0 {
		return bad("order_id", fmt.Sprintf("%q is not a non-negative integer", f))
	}
	f, rest = field(rest)
	size, err := parseInt(f)
	if err != nil || size < 0 {
		return bad("size", fmt.Sprintf("%q is not a non-negative integer", f))
	}
	f, rest = field(rest)
	price, err := parseInt(f)
	if err != nil {
		return bad("price", fmt.Sprintf("%q is not an integer", f))
	}
	f, rest = field(rest)
	dir, err := parseInt(f)
	if err != nil || (dir != 1 && dir != -1) {
		return bad("direction", fmt.Sprintf("%q is not 1 or -1", f))
	}
	if rest != nil {
		return bad("row", "more than 6 fields")
	}
	if typ != 7 && typ != 5 && typ != 6 && (size <= 0 || price <= 0) {
		return bad("size", fmt.Sprintf("size %d and price %d must be positive for type %d", size, price, typ))
	}
	*msg = Message{Time: t, Type: int8(typ), OrderID: uint64(id), Size: size, Price: price, Direction: int8(dir)}
	return rounded, nil
}

// Empty-level placeholders in LOBSTER orderbook files.
const (
	dummyAsk = 9999999999
	dummyBid = -9999999999
)

// BookReader streams a LOBSTER orderbook file: per row, for levels 1..L,
// ask price, ask size, bid price, bid size.
type BookReader struct {
	lr     *lineReader
	levels int
	delta  rowDelta // the row before, to parse only what changed
}

// OpenBook opens an orderbook file; the number of levels is read from the first row.
func OpenBook(path string) (*BookReader, error) {
	lr, err := newLineReader(path)
	if err != nil {
		return nil, err
	}
	return &BookReader{lr: lr}, nil
}

// Levels is the number of levels per row (0 before the first row is read).
func (r *BookReader) Levels() int { return r.levels }

// Close closes the file.
func (r *BookReader) Close() error { return r.lr.close() }

// Line is the 1-based line number of the last row returned.
func (r *BookReader) Line() int64 { return r.lr.line }

// BookRow is one reference book state; a side's levels stop at the first
// empty level. LOBSTER pads empty levels with the price -9999999999 (bids) or
// 9999999999 (asks) and size 0; a padded level followed by a real one, a
// padded price with a non-zero size, a real price with a size below 1 and
// levels out of price order are malformed rows.
type BookRow struct {
	AskPrice, AskSize, BidPrice, BidSize []int64
}

// Next reads the next row into row, reusing its slices.
func (r *BookReader) Next(row *BookRow) error {
	b, err := r.lr.next()
	if err != nil {
		return err
	}
	if r.levels == 0 {
		n := bytes.Count(b, []byte{','}) + 1
		if n%4 != 0 || n/4 < 1 || n/4 > 200 {
			return &replay.RowError{File: r.lr.file, Line: r.lr.line, Field: "row", Reason: fmt.Sprintf("%d columns: want 4 per level", n)}
		}
		r.levels = n / 4
	}
	if r.delta.parse(b, r.levels, row) {
		return nil
	}
	return r.parseRow(b, row)
}

// parseRow parses a row of r.levels levels into row, naming the first
// field in error: the rules rowDelta.parse checks, one field at a time.
func (r *BookReader) parseRow(b []byte, row *BookRow) error {
	row.AskPrice, row.AskSize, row.BidPrice, row.BidSize = row.AskPrice[:0], row.AskSize[:0], row.BidPrice[:0], row.BidSize[:0]
	rest := b
	names := [4]string{"ask_price", "ask_size", "bid_price", "bid_size"}
	askDone, bidDone := false, false
	for lvl := 1; lvl <= r.levels; lvl++ {
		var v [4]int64
		for k := 0; k < 4; k++ {
			if rest == nil {
				return &replay.RowError{File: r.lr.file, Line: r.lr.line, Field: fmt.Sprintf("%s_%d", names[k], lvl), Reason: "missing"}
			}
			x, next, ok := intField(rest)
			if !ok {
				var f []byte
				f, _ = field(rest)
				return &replay.RowError{File: r.lr.file, Line: r.lr.line, Field: fmt.Sprintf("%s_%d", names[k], lvl), Reason: fmt.Sprintf("%q is not an integer", f)}
			}
			rest = next
			v[k] = x
		}
		for k := 0; k < 4; k += 2 {
			dummy, done := int64(dummyAsk), &askDone
			prices := &row.AskPrice
			sizes := &row.AskSize
			if k == 2 {
				dummy, done, prices, sizes = dummyBid, &bidDone, &row.BidPrice, &row.BidSize
			}
			bad := func(f int, reason string) error {
				return &replay.RowError{File: r.lr.file, Line: r.lr.line, Field: fmt.Sprintf("%s_%d", names[f], lvl), Reason: reason}
			}
			switch {
			case v[k] == dummy:
				if v[k+1] != 0 {
					return bad(k+1, fmt.Sprintf("size %d at the empty-level price %d (want 0)", v[k+1], dummy))
				}
				*done = true
			case *done:
				return bad(k, fmt.Sprintf("price %d after an empty level", v[k]))
			case v[k] <= 0:
				return bad(k, fmt.Sprintf("price %d: want a positive price", v[k]))
			case v[k+1] <= 0:
				return bad(k+1, fmt.Sprintf("size %d at price %d: want a positive size", v[k+1], v[k]))
			case len(*prices) > 0 && ((k == 0 && v[k] <= (*prices)[len(*prices)-1]) || (k == 2 && v[k] >= (*prices)[len(*prices)-1])):
				return bad(k, fmt.Sprintf("price %d does not follow level %d's %d (levels must be strictly ordered from the best)", v[k], lvl-1, (*prices)[len(*prices)-1]))
			default:
				*prices = append(*prices, v[k])
				*sizes = append(*sizes, v[k+1])
			}
		}
	}
	if rest != nil {
		return &replay.RowError{File: r.lr.file, Line: r.lr.line, Field: "row", Reason: fmt.Sprintf("more than %d columns", 4*r.levels)}
	}
	return nil
}
