package lobster

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// rowDelta parses an orderbook file's rows against the row before each: a
// row mostly repeats the one before it (a message changes one level or
// two; 80% of the GOOG day's fields equal the field above them), so the
// text the two rows share at their start and at their end is not parsed
// again. The fields that lie wholly in the shared start keep their values,
// and so do those wholly in the shared end — their text and the comma
// before them are the same bytes, counted from the row's end — once the
// fields between parse into exactly the fields that were there (else the
// row is parsed whole). A field's value depends only on its own bytes, so
// the row is what parsing it whole gives (FuzzRowDeltaIsParseRow).
type rowDelta struct {
	prev  []byte  // the previous row's text (a copy)
	vals  []int64 // its fields, 4 a level: ask price, ask size, bid price, bid size
	offs  []int   // offs[k]: where field k starts in prev; offs[len(vals)] = len(prev)+1
	valid bool    // prev, vals and offs are a row that parsed
}

// parse parses b, a row of levels levels, into row and reports whether it
// was a well-formed one (every level a price and size, or the empty-level
// placeholder, in order). Any doubt is left to parseRow, which names the
// error.
func (d *rowDelta) parse(b []byte, levels int, row *BookRow) bool {
	n := 4 * levels
	if levels < deltaLevels {
		return d.parseWhole(b, n, row)
	}
	a, c := 0, n // the fields to parse: [a, c)
	shift := 0   // how much longer b is than prev
	if d.valid && len(d.vals) == n {
		p := commonPrefix(b, d.prev)
		if p == len(b) && p == len(d.prev) {
			return d.fill(row) // the same row
		}
		s := commonSuffix(b, d.prev, min(len(b), len(d.prev))-p)
		// a: the field holding the first differing byte (in its text or
		// the comma that ends it); c: the first field whose text and the
		// comma before it lie in the shared end.
		lo, hi := 0, n-1 // a is the last field starting at or before p
		for lo < hi {
			mid := int(uint(lo+hi+1) >> 1)
			if d.offs[mid] <= p {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		a = lo
		end := len(d.prev) - s // where the shared end starts in prev
		c = a + 1
		for c < n && d.offs[c]-1 < end {
			c++
		}
		shift = len(b) - len(d.prev)
	} else {
		d.vals = append(d.vals[:0], make([]int64, n)...)
		d.offs = append(d.offs[:0], make([]int, n+1)...)
	}
	d.valid = false // until the row is parsed and checked
	oldC := d.offs[c]
	rest := b[d.offs[a]:]
	for k := a; k < c; k++ {
		if rest == nil {
			return false
		}
		v, next, ok := intField(rest)
		if !ok {
			return false
		}
		d.vals[k] = v
		d.offs[k+1] = len(b) + 1
		if next != nil {
			d.offs[k+1] = len(b) - len(next)
		}
		rest = next
	}
	if c < n {
		// The fields parsed must end where the shared end's first field
		// now starts: its old start, moved by the change in length.
		if rest == nil || d.offs[c] != oldC+shift {
			return false
		}
		if shift != 0 {
			for k := c + 1; k <= n; k++ {
				d.offs[k] += shift
			}
		}
	} else if rest != nil {
		return false
	}
	d.prev = append(d.prev[:0], b...)
	d.valid = d.fill(row)
	return d.valid
}

// deltaLevels is the fewest levels a row must have to be parsed against
// the row before it: a level-1 row is parsed whole, its four fields cost
// less than keeping the previous row's text and offsets (AAPL's level-1
// day read 5.7 ms whole, 7.9 ms through the delta; the GOOG day's first
// two levels 11.1 ms whole, 8.9 ms through the delta).
const deltaLevels = 2

// parseWhole parses all n fields of b into d.vals and fills row, keeping
// no state for the next row.
func (d *rowDelta) parseWhole(b []byte, n int, row *BookRow) bool {
	d.valid = false
	if len(d.vals) != n {
		d.vals = append(d.vals[:0], make([]int64, n)...)
	}
	rest := b
	for k := 0; k < n; k++ {
		if rest == nil {
			return false
		}
		v, next, ok := intField(rest)
		if !ok {
			return false
		}
		d.vals[k], rest = v, next
	}
	return rest == nil && d.fill(row)
}

// fill puts the parsed fields into row and reports whether they are a
// well-formed row: on each side the real levels first, in price order with
// positive sizes, then only placeholders (a placeholder with a size, or a
// real level after one, is not). Each side is one loop that stops at its
// first placeholder: the rows' levels vary, and a branch per field on
// which side is done cost a misprediction a row.
func (d *rowDelta) fill(row *BookRow) bool {
	levels := len(d.vals) / 4
	ap, as := sized(row.AskPrice, levels), sized(row.AskSize, levels)
	bp, bs := sized(row.BidPrice, levels), sized(row.BidSize, levels)
	v := d.vals
	na, last := 0, int64(0)
	for ; na < levels && v[4*na] != dummyAsk; na++ {
		p, q := v[4*na], v[4*na+1]
		if p <= last || q <= 0 {
			return false
		}
		ap[na], as[na], last = p, q, p
	}
	for k := na; k < levels; k++ {
		if v[4*k] != dummyAsk || v[4*k+1] != 0 {
			return false
		}
	}
	nb, last := 0, int64(math.MaxInt64)
	for ; nb < levels && v[4*nb+2] != dummyBid; nb++ {
		p, q := v[4*nb+2], v[4*nb+3]
		if p >= last || p <= 0 || q <= 0 {
			return false
		}
		bp[nb], bs[nb], last = p, q, p
	}
	for k := nb; k < levels; k++ {
		if v[4*k+2] != dummyBid || v[4*k+3] != 0 {
			return false
		}
	}
	row.AskPrice, row.AskSize, row.BidPrice, row.BidSize = ap[:na], as[:na], bp[:nb], bs[:nb]
	return true
}

// sized is x with length n, reallocated when its capacity is less.
func sized(x []int64, n int) []int64 {
	if cap(x) < n {
		return make([]int64, n)
	}
	return x[:n]
}

// commonPrefix is how many bytes a and b share at their start.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+8 <= n; i += 8 {
		if x := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:]); x != 0 {
			return i + bits.TrailingZeros64(x)>>3
		}
	}
	for ; i < n && a[i] == b[i]; i++ {
	}
	return i
}

// commonSuffix is how many bytes a and b share at their end, at most limit.
func commonSuffix(a, b []byte, limit int) int {
	i := 0 // bytes matched from the end
	for ; i+8 <= limit; i += 8 {
		x := binary.LittleEndian.Uint64(a[len(a)-i-8:]) ^ binary.LittleEndian.Uint64(b[len(b)-i-8:])
		if x != 0 {
			return i + bits.LeadingZeros64(x)>>3
		}
	}
	for ; i < limit && a[len(a)-1-i] == b[len(b)-1-i]; i++ {
	}
	return i
}
