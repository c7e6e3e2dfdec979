package scenarios

import (
	"math/bits"

	"github.com/tapetest/tapetest/scenarios/agents"
	"github.com/tapetest/tapetest/scenarios/venue"
)

// scheduled is one wake-up in the generator's queue; seq breaks time ties in
// scheduling order, so runs are deterministic.
type scheduled struct {
	at    int64
	seq   uint64
	actor venue.Actor  // an injection, a venue rule's clock, the historical feed
	agent agents.Agent // or a background agent
}

// The actor queue's calendar: time is cut into buckets of 2^queueBucketBits
// ns (16.8 ms), and the ring holds the queueBuckets buckets after the
// current one (4.3 s): most actors wake a few hundred milliseconds after
// they act, so a wake-up is appended to a bucket and sorted only among the
// dozen or so of the bucket it falls in, when that bucket comes up.
const (
	queueBucketBits = 24
	queueBuckets    = 256
)

// actorQueue is the generator's wake-ups, earliest first: a calendar queue.
// The wake-ups due in the current bucket (or earlier: a time in the past)
// are a 4-ary heap, near; those of the ring's later buckets wait unsorted in
// their bucket; those beyond the ring are a heap of their own, far. Entries
// are 24 bytes (time, sequence number, slot), and the actors wait in slots
// of their own, moved never. The order is total (seq is unique), so the
// queue gives the same sequence as any heap (TestActorQueuePopsInOrder).
type actorQueue struct {
	near     queueHeap
	far      queueHeap
	ring     [queueBuckets][]queued
	nonEmpty [queueBuckets / 64]uint64 // which ring buckets hold entries
	cur      int64                     // near's bucket: near holds what is due before bucket cur+1
	started  bool                      // cur was set by the first push
	n        int
	slots    []queuedActor
	free     []int32
}

// queued is an entry: when, in what order, and which slot's actor.
type queued struct {
	at   int64
	seq  uint64
	slot int32
}

type queuedActor struct {
	actor venue.Actor
	agent agents.Agent
}

// bucketOf is the calendar bucket of time at.
func bucketOf(at int64) int64 { return at >> queueBucketBits }

func (q *actorQueue) len() int { return q.n }

// top is the earliest wake-up (the queue must not be empty): its time, its
// sequence number and its actor, which holds until the next push. (It
// returned a scheduled, built and then copied whole: the copy read the
// stores just made 16 bytes at a time and stalled every step.)
func (q *actorQueue) top() (at int64, seq uint64, a *queuedActor) {
	if len(q.near) == 0 {
		q.advance()
	}
	e := &q.near[0]
	return e.at, e.seq, &q.slots[e.slot]
}

// agents lists the background agents queued, in no particular order.
func (q *actorQueue) agents() []agents.Agent {
	var out []agents.Agent
	add := func(es []queued) {
		for _, e := range es {
			if a := q.slots[e.slot].agent; a != nil {
				out = append(out, a)
			}
		}
	}
	add(q.near)
	for _, b := range q.ring {
		add(b)
	}
	add(q.far)
	return out
}

// push adds s.
func (q *actorQueue) push(s scheduled) {
	var slot int32
	if n := len(q.free); n > 0 {
		slot, q.free = q.free[n-1], q.free[:n-1]
		q.slots[slot] = queuedActor{s.actor, s.agent}
	} else {
		slot = int32(len(q.slots))
		q.slots = append(q.slots, queuedActor{s.actor, s.agent})
	}
	if !q.started {
		q.cur, q.started = bucketOf(s.at), true
	}
	q.place(queued{at: s.at, seq: s.seq, slot: slot})
	q.n++
}

// place files e where its time says: near, a ring bucket, or far.
func (q *actorQueue) place(e queued) {
	switch b := bucketOf(e.at); {
	case b <= q.cur:
		q.near.push(e)
	case b-q.cur < queueBuckets:
		k := b & (queueBuckets - 1)
		q.ring[k] = append(q.ring[k], e)
		q.nonEmpty[k/64] |= 1 << (k % 64)
	default:
		q.far.push(e)
	}
}

// advance makes the next bucket that holds entries the current one (near is
// empty): its entries, and the far ones the ring now reaches, are filed.
func (q *actorQueue) advance() {
	next, ok := q.nextRingBucket()
	if !ok {
		next = bucketOf(q.far[0].at) // the ring is empty: jump to far's earliest
	}
	q.cur = next
	k := next & (queueBuckets - 1)
	if q.nonEmpty[k/64]&(1<<(k%64)) != 0 {
		q.near = append(q.near, q.ring[k]...)
		q.ring[k] = q.ring[k][:0]
		q.nonEmpty[k/64] &^= 1 << (k % 64)
	}
	for len(q.far) > 0 && bucketOf(q.far[0].at)-q.cur < queueBuckets {
		q.place(q.far.pop())
	}
	q.near.heapify()
}

// nextRingBucket is the first bucket after cur that holds entries, if the
// ring holds any.
func (q *actorQueue) nextRingBucket() (int64, bool) {
	start := (q.cur + 1) & (queueBuckets - 1)
	for d := int64(0); d < queueBuckets; {
		k := (start + d) & (queueBuckets - 1)
		word := q.nonEmpty[k/64] >> (k % 64) // the buckets from k to the end of its word
		if word != 0 {
			d += int64(bits.TrailingZeros64(word))
			if d >= queueBuckets {
				return 0, false
			}
			return q.cur + 1 + d, true
		}
		d += 64 - k%64
	}
	return 0, false
}

// reschedule gives the entry scheduled as seq a new time and sequence
// number, or takes it out when at is negative: in place when it is the
// earliest and stays in the current bucket (an actor that just acted), else
// wherever it is.
func (q *actorQueue) reschedule(seq uint64, at int64, newSeq uint64) {
	var e queued
	if len(q.near) > 0 && q.near[0].seq == seq {
		if at >= 0 && bucketOf(at) <= q.cur {
			q.near[0].at, q.near[0].seq = at, newSeq
			q.near.down(0)
			return
		}
		e = q.near.removeAt(0)
	} else {
		// Something the actor scheduled went before it (a time in the
		// past), or a test's: look for it.
		e = q.take(seq)
	}
	if at < 0 {
		q.slots[e.slot] = queuedActor{} // no reference kept to a finished actor
		q.free = append(q.free, e.slot)
		q.n--
		return
	}
	e.at, e.seq = at, newSeq
	q.place(e)
}

// take finds the entry scheduled as seq and takes it out of the queue.
func (q *actorQueue) take(seq uint64) queued {
	for i, e := range q.near {
		if e.seq == seq {
			return q.near.removeAt(i)
		}
	}
	for i, e := range q.far {
		if e.seq == seq {
			return q.far.removeAt(i)
		}
	}
	for k := range q.ring {
		b := q.ring[k]
		for i, e := range b {
			if e.seq == seq {
				b[i] = b[len(b)-1]
				q.ring[k] = b[:len(b)-1]
				if len(b) == 1 {
					q.nonEmpty[k/64] &^= 1 << (k % 64)
				}
				return e
			}
		}
	}
	panic("scenarios: actor queue: rescheduled an entry it does not hold")
}

// queueHeap is a 4-ary min-heap of entries by time, then sequence number
// (not container/heap, which boxes every pushed value in an interface): a
// node's four children are one or two cache lines.
type queueHeap []queued

func (h queueHeap) before(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}

func (h *queueHeap) push(e queued) {
	*h = append(*h, e)
	h.up(len(*h) - 1)
}

func (h *queueHeap) pop() queued { return h.removeAt(0) }

// removeAt takes out entry i.
func (h *queueHeap) removeAt(i int) queued {
	s := *h
	e := s[i]
	n := len(s) - 1
	s[i] = s[n]
	*h = s[:n]
	if i < n {
		h.down(i)
		h.up(i)
	}
	return e
}

func (h queueHeap) heapify() {
	for i := (len(h) - 2) / 4; i >= 0; i-- {
		h.down(i)
	}
}

// up moves entry i towards the root while it is earlier than its parent.
func (h queueHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 4
		if !h.before(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

// down moves entry i towards the leaves while a child is earlier.
func (h queueHeap) down(i int) {
	n := len(h)
	for {
		c := 4*i + 1
		if c >= n {
			return
		}
		m := c
		for k := c + 1; k < min(c+4, n); k++ {
			if h.before(k, m) {
				m = k
			}
		}
		if !h.before(m, i) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
