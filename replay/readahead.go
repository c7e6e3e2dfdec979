package replay

import (
	"io"
	"sync"
)

// readAhead reads its source on a goroutine of its own, a few chunks ahead
// of its reader: a gzip file is decompressed on one core while its lines
// are parsed on another (decompression is about half of importing a
// compressed feed). The bytes and the error are the source's, in order: the
// source's error (a truncated stream, a bad checksum) arrives after the data
// before it, as a direct read would give it.
type readAhead struct {
	full chan aheadChunk
	free chan []byte
	done chan struct{} // closed by Close: the filler stops
	gone chan struct{} // closed by the filler when it has stopped
	cur  []byte        // unread part of the chunk being read
	buf  []byte        // that chunk's buffer, returned to free when read
	err  error         // the source's error, once the data before it is read
	once sync.Once
}

type aheadChunk struct {
	b   []byte
	err error
}

// readAheadChunks and readAheadSize bound the bytes read ahead of the reader.
const (
	readAheadChunks = 4
	readAheadSize   = 128 << 10
)

func newReadAhead(src io.Reader) *readAhead {
	ra := &readAhead{
		full: make(chan aheadChunk, readAheadChunks),
		free: make(chan []byte, readAheadChunks),
		done: make(chan struct{}),
		gone: make(chan struct{}),
	}
	for range readAheadChunks {
		ra.free <- make([]byte, readAheadSize)
	}
	go ra.fill(src)
	return ra
}

func (ra *readAhead) fill(src io.Reader) {
	defer close(ra.gone)
	for {
		var b []byte
		select {
		case b = <-ra.free:
		case <-ra.done:
			return
		}
		n, err := 0, error(nil)
		for n < len(b) && err == nil { // fill the chunk: fewer hand-offs
			var k int
			k, err = src.Read(b[n:])
			n += k
		}
		select {
		case ra.full <- aheadChunk{b[:n], err}:
		case <-ra.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read reads the source's bytes in order.
func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.err != nil {
			return 0, ra.err
		}
		if ra.buf != nil {
			ra.free <- ra.buf[:cap(ra.buf)]
			ra.buf = nil
		}
		c := <-ra.full
		ra.buf, ra.cur, ra.err = c.b, c.b, c.err
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops the filler and waits until it has, so that the source can be
// closed under it safely.
func (ra *readAhead) Close() {
	ra.once.Do(func() {
		close(ra.done)
		<-ra.gone
	})
}
