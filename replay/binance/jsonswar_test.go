package binance

import (
	"math/rand/v2"
	"testing"
)

// TestQuoteOrEscapeIsTheByteLoop holds the eight-at-once search to a byte
// loop on lines of quotes, backslashes, bytes one off either (borrows in the
// SWAR test) and high bytes, from every start.
func TestQuoteOrEscapeIsTheByteLoop(t *testing.T) {
	alphabet := []byte{'"', '\\', '!', '#', '[', ']', 'a', 0x00, 0xa2, 0xdc, 0xff, 0x01}
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 40; n++ {
		for trial := 0; trial < 200; trial++ {
			b := make([]byte, n)
			for i := range b {
				if r.IntN(4) == 0 {
					b[i] = alphabet[r.IntN(len(alphabet))]
				} else {
					b[i] = alphabet[2+r.IntN(len(alphabet)-2)]
				}
			}
			for j := 0; j <= n; j++ {
				want := j
				for want < n && b[want] != '"' && b[want] != '\\' {
					want++
				}
				if got := quoteOrEscape(b, j); got != want {
					t.Fatalf("quoteOrEscape(%q, %d) = %d, want %d", b, j, got, want)
				}
			}
		}
	}
}

// TestStringEnd covers escapes at the end of the eight bytes read at once and
// strings left open.
func TestStringEnd(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int
	}{
		{`abc"`, 3},
		{`abcdefgh"`, 8},
		{`abcdefg\"h"`, 10},
		{`abcdefg\\"x`, 9},
		{`\"`, -1},
		{`abc`, -1},
		{`abcdefghijklmnop\`, -1},
		{``, -1},
	} {
		if got := stringEnd([]byte(c.s), 0); got != c.want {
			t.Errorf("stringEnd(%q) = %d, want %d", c.s, got, c.want)
		}
	}
}
