package replay

import (
	"context"

	"github.com/tapetest/tapetest/internal/ahead"
)

// sourceReader reads an EventSource on a goroutine of its own, up to two
// buffers ahead of its reader (Run's engine loop), so that producing events
// and applying them overlap. It hands over each Read's events and error in
// order; the source is touched by no other goroutine until stop returns.
type sourceReader struct {
	src  EventSource
	size int
	r    *ahead.Reader[[]Event]
	ours bool // the buffer the caller holds came from r
}

// sourceReaderBuffers is how many buffers circulate: one being applied, one
// handed over, one being filled.
const sourceReaderBuffers = 3

func newSourceReader(src EventSource, size int) *sourceReader {
	return &sourceReader{src: src, size: size}
}

// next returns the source's next events and error; done is the buffer the
// caller has finished with (one of next's is read into again). The first
// call starts the reading goroutine.
func (r *sourceReader) next(ctx context.Context, done []Event) ([]Event, error) {
	if r.r == nil {
		bufs := make([][]Event, sourceReaderBuffers)
		for i := range bufs {
			bufs[i] = make([]Event, r.size)
		}
		r.r = ahead.Start(bufs, func(buf []Event) ([]Event, error) {
			n, err := r.src.Read(buf[:cap(buf)])
			return buf[:n], err
		})
	}
	if r.ours {
		r.r.Release(done[:0])
	}
	evs, err := r.r.Next(ctx)
	r.ours = evs != nil
	return evs, err
}

// stop ends the reading goroutine and waits for it (a Read in progress
// finishes first), so that the source can be used or closed after Run.
func (r *sourceReader) stop() {
	if r.r != nil {
		r.r.Stop()
	}
}
