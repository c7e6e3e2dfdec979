package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tapetest/tapetest/orderbook"
	"golang.org/x/sync/errgroup"
)

// RunOptions configure Run.
type RunOptions struct {
	BatchSize int           // records per batch; default 4096
	Ring      int           // batches in flight (bounds memory); default 8
	Engine    EngineOptions // book options
	Info      RunInfo       // accounts and the time range; Instruments is taken from the source
	// Progress, if set, is called from Run's goroutine after each batch with the
	// number of events replayed so far and the time of the last one (ns).
	Progress func(events, lastTS int64)
}

// RunStats summarises a replay.
type RunStats struct {
	Events  int64   `json:"events"`
	Batches int64   `json:"batches"`
	Fills   int64   `json:"fills"`
	First   int64   `json:"first_ts"` // first and last event time, ns
	Last    int64   `json:"last_ts"`
	Counts  []Count `json:"counts"` // reconciled and rejected events, by kind
}

// ConsumerError is one consumer's failure.
type ConsumerError struct {
	Consumer string
	Err      error
	Stack    string // set when the consumer panicked
}

func (e *ConsumerError) Error() string {
	if e.Stack != "" {
		return fmt.Sprintf("%s: panic: %v", e.Consumer, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Consumer, e.Err)
}

func (e *ConsumerError) Unwrap() error { return e.Err }

// ConsumerErrors lists the consumers that failed during a run that otherwise
// completed: the others received every batch and finished normally.
type ConsumerErrors []*ConsumerError

func (e ConsumerErrors) Error() string {
	parts := make([]string, len(e))
	for i, c := range e {
		parts[i] = c.Error()
	}
	return fmt.Sprintf("%d consumer(s) failed: %s", len(e), strings.Join(parts, "; "))
}

// sharedBatch is a batch with the number of consumers still reading it.
type sharedBatch struct {
	Batch
	refs atomic.Int32
}

// Run replays src through an Engine and broadcasts each immutable batch of
// records to every consumer. Consumers run concurrently (one goroutine each,
// under an errgroup); each sees every batch in order. Batches are handed over
// per batch, never per event, and recycled through a fixed ring, so memory is
// bounded by Ring × BatchSize records. A consumer that returns an error or
// panics is recorded with its name (and stack) and receives nothing more; the
// others finish, and Run returns ConsumerErrors after a complete replay. A
// source or engine error, or a cancelled context, stops the run and is
// returned as is.
func Run(ctx context.Context, src EventSource, consumers []Consumer, opts RunOptions) (RunStats, error) {
	var st RunStats
	if opts.BatchSize <= 0 {
		opts.BatchSize = 4096
	}
	if opts.Ring <= 0 {
		opts.Ring = 8
	}
	evbuf := make([]Event, opts.BatchSize)
	// Prime the source so that its instrument table is complete.
	n0, rerr := src.Read(evbuf)
	if rerr != nil && rerr != io.EOF {
		return st, rerr
	}
	info := opts.Info
	info.Instruments = src.Instruments()
	eng, err := NewEngine(info.Instruments, opts.Engine)
	if err != nil {
		return st, err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	free := make(chan *sharedBatch, opts.Ring)
	for i := 0; i < opts.Ring; i++ {
		free <- &sharedBatch{Batch: Batch{Records: make([]Record, 0, opts.BatchSize), Fills: make([]orderbook.Fill, 0, opts.BatchSize), Traded: make([]uint32, 0, opts.BatchSize), Makers: make([]orderbook.Placed, 0, opts.BatchSize)}}
	}
	release := func(b *sharedBatch) {
		if b.refs.Add(-1) == 0 {
			free <- b
		}
	}
	inbox := make([]chan *sharedBatch, len(consumers))
	var mu sync.Mutex
	var failed ConsumerErrors
	g, gctx := errgroup.WithContext(ctx)
	for i, c := range consumers {
		inbox[i] = make(chan *sharedBatch, opts.Ring)
		i, c := i, c
		g.Go(func() error {
			ok := guard(c, &mu, &failed, func() error { return c.Start(gctx, &info) })
			for b := range inbox[i] {
				if ok && gctx.Err() == nil {
					ok = guard(c, &mu, &failed, func() error { return c.Consume(gctx, &b.Batch) })
				}
				release(b)
			}
			if ok && gctx.Err() == nil {
				guard(c, &mu, &failed, func() error { return c.Finish(gctx) })
			}
			return nil
		})
	}
	publish := func(b *sharedBatch) {
		b.Seq = uint64(st.Batches)
		st.Batches++
		st.Fills += int64(len(b.Fills))
		if len(consumers) == 0 {
			free <- b
			return
		}
		b.refs.Store(int32(len(consumers)))
		for _, ch := range inbox {
			ch <- b
		}
	}
	// The source is read on a goroutine of its own, a few buffers ahead of
	// the engine: a generator's simulation (or a file's decoding) and the
	// engine then run on two cores instead of taking turns on one. The events
	// and the errors reach the engine in the source's order.
	ahead := newSourceReader(src, opts.BatchSize)
	defer ahead.stop()
	runErr := func() error {
		pending := evbuf[:n0]
		eof := rerr == io.EOF
		var cur *sharedBatch
		for {
			for i := range pending {
				if j := i + orderbook.PrefetchAhead; j < len(pending) {
					eng.Prefetch(&pending[j])
				}
				if cur == nil {
					select {
					case cur = <-free:
					case <-ctx.Done():
						return ctx.Err()
					}
					cur.Records, cur.Fills, cur.Traded, cur.Makers, cur.Ladders, cur.Levels = cur.Records[:0], cur.Fills[:0], cur.Traded[:0], cur.Makers[:0], cur.Ladders[:0], cur.Levels[:0]
				}
				ev := &pending[i]
				if st.Events == 0 {
					st.First = ev.TS
				}
				st.Last = ev.TS
				st.Events++
				eng.Apply(ev, &cur.Batch)
				if len(cur.Records) == opts.BatchSize {
					publish(cur)
					cur = nil
					if opts.Progress != nil {
						opts.Progress(st.Events, st.Last)
					}
				}
			}
			if eof {
				break
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			evs, err := ahead.next(ctx, pending)
			pending = evs
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return err
			}
		}
		if cur != nil && len(cur.Records) > 0 {
			publish(cur)
			if opts.Progress != nil {
				opts.Progress(st.Events, st.Last)
			}
		} else if cur != nil {
			free <- cur
		}
		return nil
	}()
	for _, ch := range inbox {
		close(ch)
	}
	if runErr != nil {
		cancel()
	}
	g.Wait()
	st.Counts = eng.Counts()
	if runErr != nil {
		return st, runErr
	}
	if len(failed) > 0 {
		sort.Slice(failed, func(i, j int) bool { return failed[i].Consumer < failed[j].Consumer })
		return st, failed
	}
	return st, nil
}

// guard runs fn, recording an error or panic of consumer c. It reports whether fn succeeded.
func guard(c Consumer, mu *sync.Mutex, failed *ConsumerErrors, fn func() error) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			mu.Lock()
			*failed = append(*failed, &ConsumerError{Consumer: c.Name(), Err: fmt.Errorf("%v", r), Stack: string(debug.Stack())})
			mu.Unlock()
			ok = false
		}
	}()
	if err := fn(); err != nil {
		if errors.Is(err, context.Canceled) {
			return false
		}
		mu.Lock()
		*failed = append(*failed, &ConsumerError{Consumer: c.Name(), Err: err})
		mu.Unlock()
		return false
	}
	return true
}
