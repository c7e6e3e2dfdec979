package replay

import (
	"context"
	"io"

	"github.com/tapetest/tapetest/internal/ahead"
)

// readAhead reads its source on a goroutine of its own, a few chunks ahead
// of its reader: a gzip file is decompressed on one core while its lines
// are parsed on another (decompression is about half of importing a
// compressed feed), and a plain file's read calls — the kernel copying the
// page cache out, a sixth of parsing LOBSTER's orderbook file — leave the
// parsing goroutine too. The bytes and the error are the source's, in order: the
// source's error (a truncated stream, a bad checksum) arrives after the data
// before it, as a direct read would give it.
type readAhead struct {
	r   *ahead.Reader[[]byte]
	buf []byte // the chunk returned last, handed back at the next
	err error  // the source's error, once the data before it is read
}

// readAheadChunks and readAheadSize bound the bytes read ahead of the reader.
const (
	readAheadChunks = 4
	readAheadSize   = 128 << 10
)

func newReadAhead(src io.Reader) *readAhead {
	return newReadAheadSized(src, readAheadChunks, readAheadSize)
}

// newReadAheadSized reads src ahead in chunks of size bytes (the tests'
// small chunks put lines across many).
func newReadAheadSized(src io.Reader, chunks, size int) *readAhead {
	bufs := make([][]byte, chunks)
	for i := range bufs {
		bufs[i] = make([]byte, size)
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

// chunk returns the source's next bytes, in order, handing back the chunk
// returned before (its bytes are not to be read after this call); the
// source's error comes once the data before it is returned.
func (ra *readAhead) chunk() ([]byte, error) {
	for {
		if ra.err != nil {
			return nil, ra.err
		}
		if ra.buf != nil {
			ra.r.Release(ra.buf)
			ra.buf = nil
		}
		ra.buf, ra.err = ra.r.Next(context.Background())
		if len(ra.buf) > 0 {
			return ra.buf, nil
		}
	}
}

// Close stops the filler and waits until it has, so that the source can be
// closed under it safely.
func (ra *readAhead) Close() { ra.r.Stop() }
