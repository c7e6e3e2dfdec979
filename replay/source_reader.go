package replay

import "context"

// sourceReader reads an EventSource on a goroutine of its own, up to two
// buffers ahead of its reader (Run's engine loop), so that producing events
// and applying them overlap. It hands over each Read's events and error in
// order; the source is touched by no other goroutine until stop returns.
type sourceReader struct {
	src     EventSource
	size    int
	chunks  chan sourceChunk
	spare   chan []Event
	quit    chan struct{}
	gone    chan struct{}
	started bool
}

type sourceChunk struct {
	evs []Event
	err error
}

// sourceReaderBuffers is how many buffers circulate: one being applied, one
// handed over, one being filled.
const sourceReaderBuffers = 3

func newSourceReader(src EventSource, size int) *sourceReader {
	return &sourceReader{src: src, size: size, chunks: make(chan sourceChunk, sourceReaderBuffers-1),
		spare: make(chan []Event, sourceReaderBuffers), quit: make(chan struct{}), gone: make(chan struct{})}
}

func (r *sourceReader) fill() {
	defer close(r.gone)
	for {
		var buf []Event
		select {
		case buf = <-r.spare:
		case <-r.quit:
			return
		}
		n, err := r.src.Read(buf[:cap(buf)])
		select {
		case r.chunks <- sourceChunk{buf[:n], err}:
		case <-r.quit:
			return
		}
		if err != nil {
			return
		}
	}
}

// next returns the source's next events and error; done is the buffer the
// caller has finished with (it is read into again). The first call starts
// the reading goroutine.
func (r *sourceReader) next(ctx context.Context, done []Event) ([]Event, error) {
	if !r.started {
		r.started = true
		for range sourceReaderBuffers - 1 {
			r.spare <- make([]Event, r.size)
		}
		go r.fill()
	}
	if cap(done) >= r.size {
		r.spare <- done[:0]
	}
	select {
	case c := <-r.chunks:
		return c.evs, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// stop ends the reading goroutine and waits for it (a Read in progress
// finishes first), so that the source can be used or closed after Run.
func (r *sourceReader) stop() {
	if !r.started {
		return
	}
	close(r.quit)
	<-r.gone
}
