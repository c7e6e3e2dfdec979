package replay

import (
	"context"
	"io"

	"github.com/tapetest/tapetest/internal/ahead"
)

// readAhead reads its source on a goroutine of its own, a few chunks ahead
// of its reader: a gzip file is decompressed on one core while its lines
// are parsed on another (decompression is about half of importing a
// compressed feed). The bytes and the error are the source's, in order: the
// source's error (a truncated stream, a bad checksum) arrives after the data
// before it, as a direct read would give it.
type readAhead struct {
	r   *ahead.Reader[[]byte]
	cur []byte // unread part of the chunk being read
	buf []byte // that chunk, handed back when read
	err error  // the source's error, once the data before it is read
}

// readAheadChunks and readAheadSize bound the bytes read ahead of the reader.
const (
	readAheadChunks = 4
	readAheadSize   = 128 << 10
)

func newReadAhead(src io.Reader) *readAhead {
	bufs := make([][]byte, readAheadChunks)
	for i := range bufs {
		bufs[i] = make([]byte, readAheadSize)
	}
	return &readAhead{r: ahead.Start(bufs, func(b []byte) ([]byte, error) {
		b = b[:cap(b)]
		n, err := 0, error(nil)
		for n < len(b) && err == nil { // fill the chunk: fewer hand-offs
			var k int
			k, err = src.Read(b[n:])
			n += k
		}
		return b[:n], err
	})}
}

// Read reads the source's bytes in order.
func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.err != nil {
			return 0, ra.err
		}
		if ra.buf != nil {
			ra.r.Release(ra.buf)
			ra.buf = nil
		}
		ra.buf, ra.err = ra.r.Next(context.Background())
		ra.cur = ra.buf
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops the filler and waits until it has, so that the source can be
// closed under it safely.
func (ra *readAhead) Close() { ra.r.Stop() }
