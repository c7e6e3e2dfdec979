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
// through readAhead, their bytes coming in reads of several sizes, and
// checks the bytes and the error (which must come after all the data before
// it, as a direct read gives it).
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
				ra := newReadAhead(iotest.HalfReader(&shortReads{src, chunk}))
				var got []byte
				var err error
				for {
					var b []byte
					if b, err = ra.chunk(); err != nil {
						break
					}
					if len(b) == 0 {
						t.Fatal("an empty chunk without an error")
					}
					got = append(got, b...)
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
	if _, err := ra.chunk(); err != nil {
		t.Fatal(err)
	}
	ra.Close()
	ra.Close() // twice is harmless
}

// shortReads gives at most n bytes a read.
type shortReads struct {
	r io.Reader
	n int
}

func (s *shortReads) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), s.n)]) }
