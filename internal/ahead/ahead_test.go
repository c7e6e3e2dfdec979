package ahead

import (
	"context"
	"errors"
	"testing"
)

// TestBuffersArriveInOrderWithTheirError fills numbered buffers, a few
// at a time, and checks that the reader gets every number in order and the
// error after the last, whatever the number of buffers in the ring.
func TestBuffersArriveInOrderWithTheirError(t *testing.T) {
	end := errors.New("end")
	for _, ring := range []int{1, 2, 3, 8} {
		for _, total := range []int{0, 1, 5, 100} {
			next := 0
			bufs := make([][]int, ring)
			for i := range bufs {
				bufs[i] = make([]int, 0, 3)
			}
			r := Start(bufs, func(b []int) ([]int, error) {
				b = b[:0]
				for len(b) < cap(b) && next < total {
					b = append(b, next)
					next++
				}
				if next == total {
					return b, end
				}
				return b, nil
			})
			var got []int
			var err error
			for {
				var b []int
				b, err = r.Next(context.Background())
				got = append(got, b...)
				if err != nil {
					break
				}
				r.Release(b)
			}
			if !errors.Is(err, end) || len(got) != total {
				t.Fatalf("ring %d, total %d: %d values, error %v", ring, total, len(got), err)
			}
			for i, v := range got {
				if v != i {
					t.Fatalf("ring %d, total %d: value %d is %d", ring, total, i, v)
				}
			}
			if _, again := r.Next(context.Background()); !errors.Is(again, end) {
				t.Fatalf("after the end: %v", again)
			}
			r.Stop()
			r.Stop() // twice is harmless
		}
	}
}

// TestStopMidStreamAndCancelledWait: Stop returns while the filler waits for
// a buffer back, and a cancelled context ends a wait.
func TestStopMidStreamAndCancelledWait(t *testing.T) {
	r := Start([][]byte{make([]byte, 4), make([]byte, 4)}, func(b []byte) ([]byte, error) { return b, nil })
	if _, err := r.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.Stop() // the filler holds the other buffer or waits to hand it over

	block := make(chan struct{})
	slow := Start([][]byte{make([]byte, 1)}, func(b []byte) ([]byte, error) { <-block; return b, nil })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := slow.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled wait: %v", err)
	}
	close(block)
	slow.Stop()
}
