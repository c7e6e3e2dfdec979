package replay

import "encoding/binary"

// Eight decimal digits at a time: a feed's price or quantity is a handful
// of integer digits, a point, and (Binance's) eight decimals, and reading
// them a byte at a time was a sixth of an import's time.

// eightDigits is the value of the eight ASCII digits at the start of b
// (len(b) >= 8), and whether all eight are digits. It is the SWAR parse of
// simdjson's parse_eight_digits_unrolled: the bytes loaded little-endian,
// pairs, then quads, then the halves combined by one multiply each.
func eightDigits(b []byte) (uint64, bool) {
	x := binary.LittleEndian.Uint64(b)
	// A digit is 0x30..0x39: its high nibble 3, and adding 6 keeps it 3.
	if x&0xF0F0F0F0F0F0F0F0|(x+0x0606060606060606)&0xF0F0F0F0F0F0F0F0>>4 != 0x3333333333333333 {
		return 0, false
	}
	x = (x & 0x0F0F0F0F0F0F0F0F) * 2561 >> 8
	x = (x & 0x00FF00FF00FF00FF) * 6553601 >> 16
	return (x & 0x0000FFFF0000FFFF) * 42949672960001 >> 32, true
}

// plainDecimal parses the plain form "ddd[.ddd]" of at most 18 digits (no
// sign, no exponent: nothing that can overflow) with exp decimal places. ok
// is false for anything else, and for a value with more decimals than exp
// or too large once scaled: the caller's general path decides those.
func plainDecimal(b []byte, exp int) (v int64, ok bool) {
	n := len(b)
	if n == 0 || n > 19 {
		return 0, false
	}
	var u uint64
	i := 0
	for ; i < n; i++ {
		d := b[i] - '0'
		if d > 9 {
			break
		}
		u = u*10 + uint64(d)
	}
	digits, frac := i, 0
	if i < n {
		if b[i] != '.' {
			return 0, false
		}
		i++
		for ; n-i >= 8; i += 8 {
			x, ok := eightDigits(b[i:])
			if !ok {
				return 0, false
			}
			u = u*100000000 + x
			frac += 8
		}
		for ; i < n; i++ {
			d := b[i] - '0'
			if d > 9 {
				return 0, false
			}
			u = u*10 + uint64(d)
			frac++
		}
		digits += frac
	}
	if digits == 0 || digits > 18 {
		return 0, false
	}
	for scale := exp - frac; scale != 0; {
		if scale < 0 {
			if u%10 != 0 {
				return 0, false
			}
			u /= 10
			scale++
		} else {
			if u > (1<<63-1)/10 {
				return 0, false
			}
			u *= 10
			scale--
		}
	}
	return int64(u), true
}
