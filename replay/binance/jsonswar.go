package binance

import (
	"encoding/binary"

	"github.com/tapetest/tapetest/internal/swar"
)

// Most of a feed line's bytes are inside strings (prices, quantities,
// names), and finding a string's end a byte at a time was a third of an
// import's time: quoteOrEscape looks at eight bytes at once.

// quoteOrEscape is the index of the first '"' or '\\' in b at or after j,
// or len(b) when there is none.
func quoteOrEscape(b []byte, j int) int {
	for ; j+8 <= len(b); j += 8 {
		x := binary.LittleEndian.Uint64(b[j:])
		if m := swar.Match(x, '"') | swar.Match(x, '\\'); m != 0 {
			return j + swar.First(m)
		}
	}
	for ; j < len(b); j++ {
		if b[j] == '"' || b[j] == '\\' {
			return j
		}
	}
	return len(b)
}

// stringEnd is the index of the '"' closing the string whose contents start
// at j (escapes stepped over), or -1 when it is not closed.
func stringEnd(b []byte, j int) int {
	for {
		j = quoteOrEscape(b, j)
		if j >= len(b) {
			return -1
		}
		if b[j] == '"' {
			return j
		}
		j += 2 // the escaped byte
	}
}
