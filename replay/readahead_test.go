package replay

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// TestReadAheadGivesTheSourcesBytesAndError reads sources of several sizes
// through readAhead, in reads of several sizes, and checks the bytes and the
// error (which must come after all the data before it, as a direct read
// gives it).
func TestReadAheadGivesTheSourcesBytesAndError(t *testing.T) {
	boom := errors.New("boom")
	for _, size := range []int{0, 1, readAheadSize - 1, readAheadSize, readAheadSize + 1, 5*readAheadSize + 17} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rand.IntN(256))
		}
		for _, tail := range []error{nil, boom, io.ErrUnexpectedEOF} {
			for _, chunk := range []int{1, 7, 4096, 1 << 20} {
				var src io.Reader = bytes.NewReader(data)
				if tail != nil {
					src = io.MultiReader(src, iotest.ErrReader(tail))
				}
				ra := newReadAhead(iotest.HalfReader(src))
				var got []byte
				buf := make([]byte, chunk)
				var err error
				for {
					var n int
					n, err = ra.Read(buf)
					got = append(got, buf[:n]...)
					if err != nil {
						break
					}
				}
				ra.Close()
				want := tail
				if want == nil {
					want = io.EOF
				}
				if !bytes.Equal(got, data) || err != want {
					t.Fatalf("size %d, tail %v, reads of %d: %d bytes (equal %v), error %v", size, tail, chunk, len(got), bytes.Equal(got, data), err)
				}
			}
		}
	}
}

// TestReadAheadClosesMidStream closes before the source is read to its end:
// Close must return (the filler stops) and reading further is not needed.
func TestReadAheadClosesMidStream(t *testing.T) {
	ra := newReadAhead(bytes.NewReader(make([]byte, 20*readAheadSize)))
	if _, err := ra.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	ra.Close()
	ra.Close() // twice is harmless
}
