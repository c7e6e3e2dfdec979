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
	r := rand.New(rand.NewPCG(1, 2))
	var q actorQueue
	var held []scheduled
	var seq uint64
	for step := 0; step < 20000; step++ {
		if len(held) == 0 || r.IntN(3) > 0 {
			seq++
			s := scheduled{at: int64(r.IntN(50)), seq: seq}
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
			s := scheduled{at: int64(r.IntN(50)), seq: seq}
			q.reschedule(old, s.at, s.seq)
			held = append(held, s)
			continue
		}
		got := q.top() // what the generator's step does: act, then take it out or reschedule
		q.reschedule(got.seq, -1, 0)
		best := 0
		for i, s := range held {
			if s.at < held[best].at || s.at == held[best].at && s.seq < held[best].seq {
				best = i
			}
		}
		if got.at != held[best].at || got.seq != held[best].seq {
			t.Fatalf("step %d: popped (%d, %d), want (%d, %d)", step, got.at, got.seq, held[best].at, held[best].seq)
		}
		held = append(held[:best], held[best+1:]...)
	}
}
