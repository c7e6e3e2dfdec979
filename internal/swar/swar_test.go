package swar

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
)

// byteDigits is the byte-at-a-time parse Digits and LeadingDigits must equal.
func byteDigits(b []byte) (uint64, bool) {
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// TestDigitsIsTheByteLoop puts every byte value at every one of the eight
// places, and every prefix length, against the byte loop.
func TestDigitsIsTheByteLoop(t *testing.T) {
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			b := []byte("90817263")
			b[pos] = byte(c)
			x := binary.LittleEndian.Uint64(b)
			want, wantOK := byteDigits(b)
			if got, ok := Digits(x); ok != wantOK || ok && got != want {
				t.Fatalf("Digits(%q) = %d, %v; want %d, %v", b, got, ok, want, wantOK)
			}
			for n := 1; n <= 8; n++ {
				want, wantOK := byteDigits(b[:n])
				if got, ok := LeadingDigits(x, n); ok != wantOK || ok && got != want {
					t.Fatalf("LeadingDigits(%q, %d) = %d, %v; want %d, %v", b, n, got, ok, want, wantOK)
				}
			}
		}
	}
}

// TestAccumulateIsTheByteLoop: every length from 0 to 19 with a non-digit
// at every place, and all digits, starting from a value and from zero.
func TestAccumulateIsTheByteLoop(t *testing.T) {
	for n := 0; n <= 19; n++ {
		for bad := -1; bad < n; bad++ {
			for _, c := range []byte{'/', ':'} { // one below '0', one above '9'
				b := []byte("9081726354657687980")[:n]
				if bad >= 0 {
					b = append([]byte(nil), b...)
					b[bad] = c
				}
				for _, from := range []uint64{0, 7} {
					want, wantOK := byteDigits(append([]byte{byte('0' + from)}, b...))
					if got, ok := Accumulate(from, b); ok != wantOK || ok && got != want {
						t.Fatalf("Accumulate(%d, %q) = %d, %v; want %d, %v", from, b, got, ok, want, wantOK)
					}
				}
			}
		}
	}
}

// TestMatchFirstIsIndexByte: the lowest flag of Match is the first match,
// on words with bytes one off the one looked for (where borrows go wrong).
func TestMatchFirstIsIndexByte(t *testing.T) {
	alphabet := []byte{',', '+', '-', '"', '!', '#', '\\', 0x00, 0xac, 0xff, '1'}
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 100000; trial++ {
		var b [8]byte
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		for _, c := range []byte{',', '"', '\\', 0x00, 0xff} {
			want := -1
			for i, d := range b {
				if d == c {
					want = i
					break
				}
			}
			m := Match(binary.LittleEndian.Uint64(b[:]), c)
			got := -1
			if m != 0 {
				got = First(m)
			}
			if got != want {
				t.Fatalf("Match(%q, %q): first %d, want %d", b, c, got, want)
			}
		}
	}
}

// A comma-separated field of up to seven digits, read in one word.
func ExampleLeadingDigits() {
	line := []byte("5859400,200,5859100,300")
	x := binary.LittleEndian.Uint64(line)
	n := First(Match(x, ','))
	v, ok := LeadingDigits(x, n)
	fmt.Println(n, v, ok)
	// Output: 7 5859400 true
}
