// Package swar reads text eight bytes at a time, in one 64-bit word (SIMD
// within a register): the digits of a number, and where a byte such as a
// quote or a comma is. The importers' parsers spent most of their time
// looking at one byte at a time.
//
// A word is eight bytes loaded little-endian (binary.LittleEndian.Uint64):
// the first byte of the text is the word's lowest byte.
package swar

import (
	"encoding/binary"
	"math/bits"
)

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
	zeros = 0x3030303030303030 // eight '0's
)

// Match flags the bytes of x equal to c: the high bit of each such byte is
// set in the result. The lowest flag is exact; a flag above it may be false
// (a borrow only reaches bytes above a match), so read the lowest only.
func Match(x uint64, c byte) uint64 {
	y := x ^ (ones * uint64(c))
	return (y - ones) &^ y & highs
}

// First is the index (0–7) of the byte the lowest flag of a Match marks;
// m must not be zero.
func First(m uint64) int { return bits.TrailingZeros64(m) >> 3 }

// Digits is the value of the eight ASCII digits of x, the first byte the
// most significant, and whether all eight are digits. It is simdjson's
// parse_eight_digits_unrolled: pairs, then quads, then the halves, combined
// by one multiply each.
func Digits(x uint64) (uint64, bool) {
	// A digit is 0x30..0x39: its high nibble 3, and adding 6 keeps it 3.
	if x&0xF0F0F0F0F0F0F0F0|(x+0x0606060606060606)&0xF0F0F0F0F0F0F0F0>>4 != 0x3333333333333333 {
		return 0, false
	}
	x = (x & 0x0F0F0F0F0F0F0F0F) * 2561 >> 8
	x = (x & 0x00FF00FF00FF00FF) * 6553601 >> 16
	return (x & 0x0000FFFF0000FFFF) * 42949672960001 >> 32, true
}

// LeadingDigits is the value of the first n bytes of x (1 <= n <= 8) as
// ASCII digits, and whether all n are digits: the bytes after them are not
// read.
func LeadingDigits(x uint64, n int) (uint64, bool) {
	// The n bytes moved to the top of the word, '0's below them.
	return Digits(x<<(64-8*uint(n)) | zeros>>(8*uint(n)))
}

// Accumulate appends the ASCII digits of b to u — u*10^len(b) plus their
// value — eight at a time, then one at a time, and reports whether every
// byte of b is a digit. The caller bounds len(b) so that u cannot overflow.
func Accumulate(u uint64, b []byte) (uint64, bool) {
	for ; len(b) >= 8; b = b[8:] {
		x, ok := Digits(binary.LittleEndian.Uint64(b))
		if !ok {
			return 0, false
		}
		u = u*100000000 + x
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	return u, true
}
