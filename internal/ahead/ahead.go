// Package ahead fills buffers on a goroutine of its own, a few ahead of the
// goroutine that reads them: decompressing a file while its lines are
// parsed, parsing a file's rows while a book replays, generating events
// while the engine applies them. Buffers, and the error that ends them,
// reach the reader in the order they were filled, so what the reader
// computes does not depend on which goroutine ran first.
package ahead

import "context"

// Filler fills one buffer: it returns the buffer as filled (the same one,
// resliced, or another of the same kind) and the error that ends the input,
// if any — nothing is filled after it.
type Filler[B any] func(buf B) (B, error)

// Reader hands over filled buffers in order.
type Reader[B any] struct {
	full chan filled[B]
	free chan B
	quit chan struct{}
	gone chan struct{}
	err  error // the input's end, once handed over
}

type filled[B any] struct {
	buf B
	err error
}

// Start fills the buffers given, in turn, with fill on a new goroutine;
// a buffer is filled again once Release hands it back.
func Start[B any](bufs []B, fill Filler[B]) *Reader[B] {
	r := &Reader[B]{full: make(chan filled[B], len(bufs)), free: make(chan B, len(bufs)),
		quit: make(chan struct{}), gone: make(chan struct{})}
	for _, b := range bufs {
		r.free <- b
	}
	go r.run(fill)
	return r
}

func (r *Reader[B]) run(fill Filler[B]) {
	defer close(r.gone)
	for {
		var b B
		select {
		case b = <-r.free:
		case <-r.quit:
			return
		}
		b, err := fill(b)
		select {
		case r.full <- filled[B]{b, err}:
		case <-r.quit:
			return
		}
		if err != nil {
			return
		}
	}
}

// Next is the next filled buffer and the error that came with it; after
// the error, Next gives it again with a zero buffer. ctx ends the wait.
func (r *Reader[B]) Next(ctx context.Context) (B, error) {
	var zero B
	if r.err != nil {
		return zero, r.err
	}
	select {
	case f := <-r.full:
		r.err = f.err
		return f.buf, f.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// Release hands a buffer back to be filled again (at most as many as were
// given to Start).
func (r *Reader[B]) Release(b B) { r.free <- b }

// Stop ends the filling goroutine and waits for it (a fill in progress
// finishes first), so that what it reads can be closed or used after.
func (r *Reader[B]) Stop() {
	select {
	case <-r.quit:
	default:
		close(r.quit)
	}
	<-r.gone
}
