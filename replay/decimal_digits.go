package replay

import (
	"encoding/binary"

	"github.com/tapetest/tapetest/internal/swar"
)

// Eight decimal digits at a time: a feed's price or quantity is a handful
// of integer digits, a point, and (Binance's) eight decimals, and reading
// them a byte at a time was a sixth of an import's time.

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
		// swar.Accumulate's loop, written out: the call (too large to
		// inline) made this function 1.2x slower on a level's two decimals.
		for ; n-i >= 8; i += 8 {
			x, ok := swar.Digits(binary.LittleEndian.Uint64(b[i:]))
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
