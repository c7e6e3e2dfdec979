package scenarios

import (
	"math/rand/v2"
	"testing"
)

// TestActorQueuePopsInOrder pushes, reschedules and pops wake-ups in a random mix and
// checks that every pop is the earliest (by time, then by scheduling
// order) of what the queue holds: the queue's shape may change, its order
// may not.
func TestActorQueuePopsInOrder(t *testing.T) {
	// when draws a wake-up time: all in one calendar bucket, across the
	// ring, beyond it, and a mix the generator makes (mostly the next few
	// hundred ms, some minutes away, some in the past).
	for _, tc := range []struct {
		name string
		when func(r *rand.Rand, now int64) int64
	}{
		{"one bucket", func(r *rand.Rand, _ int64) int64 { return int64(r.IntN(50)) }},
		{"across the ring", func(r *rand.Rand, now int64) int64 { return now + int64(r.IntN(1<<queueBucketBits*queueBuckets)) }},
		{"beyond the ring", func(r *rand.Rand, now int64) int64 { return now + int64(r.IntN(1<<queueBucketBits*queueBuckets*8)) }},
		{"the generator's", func(r *rand.Rand, now int64) int64 {
			switch r.IntN(10) {
			case 0:
				return now - int64(r.IntN(1e9)) // a time in the past
			case 1:
				return now + int64(r.IntN(600e9))
			case 2:
				return now // a tie
			}
			return now + int64(r.ExpFloat64()*300e6)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { queuePopsInOrder(t, tc.when) })
	}
}

func queuePopsInOrder(t *testing.T, when func(r *rand.Rand, now int64) int64) {
	r := rand.New(rand.NewPCG(1, 2))
	var q actorQueue
	now := int64(1_700_000_000e9)
	var held []scheduled
	var seq uint64
	for step := 0; step < 20000; step++ {
		if len(held) == 0 || r.IntN(3) > 0 {
			seq++
			s := scheduled{at: when(r, now), seq: seq}
			q.push(s)
			held = append(held, s)
			continue
		}
		if r.IntN(2) == 0 { // reschedule an entry (the earliest, as step does, or any), or take it out
			k := 0
			if r.IntN(4) == 0 {
				k = r.IntN(len(held))
			} else {
				for i, s := range held {
					if s.at < held[k].at || s.at == held[k].at && s.seq < held[k].seq {
						k = i
					}
				}
			}
			old := held[k].seq
			held = append(held[:k], held[k+1:]...)
			if r.IntN(5) == 0 {
				q.reschedule(old, -1, 0)
				continue
			}
			seq++
			s := scheduled{at: when(r, now), seq: seq}
			q.reschedule(old, s.at, s.seq)
			held = append(held, s)
			continue
		}
		at, gseq, _ := q.top() // what the generator's step does: act, then take it out or reschedule
		got := scheduled{at: at, seq: gseq}
		q.reschedule(got.seq, -1, 0)
		best := 0
		for i, s := range held {
			if s.at < held[best].at || s.at == held[best].at && s.seq < held[best].seq {
				best = i
			}
		}
		now = max(now, got.at)
		if q.len() != len(held)-1 {
			t.Fatalf("step %d: len %d, want %d", step, q.len(), len(held)-1)
		}
		if got.at != held[best].at || got.seq != held[best].seq {
			t.Fatalf("step %d: popped (%d, %d), want (%d, %d)", step, got.at, got.seq, held[best].at, held[best].seq)
		}
		held = append(held[:best], held[best+1:]...)
	}
}
