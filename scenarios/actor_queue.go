package scenarios

import (
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

// actorQueue is the generator's wake-ups, earliest first: a 4-ary heap (not
// container/heap, which boxes every pushed value in an interface) of times
// and sequence numbers, 24 bytes an entry — a node's four children are one
// or two cache lines — whose actors wait in slots of their own, moved never.
// The order is total (seq is unique), so any heap gives the same sequence.
type actorQueue struct {
	h     []queued
	slots []queuedActor
	free  []int32
}

// queued is a heap entry: when, in what order, and which slot's actor.
type queued struct {
	at   int64
	seq  uint64
	slot int32
}

type queuedActor struct {
	actor venue.Actor
	agent agents.Agent
}

func (q *actorQueue) before(i, j int) bool {
	if q.h[i].at != q.h[j].at {
		return q.h[i].at < q.h[j].at
	}
	return q.h[i].seq < q.h[j].seq
}

func (q *actorQueue) len() int { return len(q.h) }

// top is the earliest wake-up (the queue must not be empty).
func (q *actorQueue) top() scheduled {
	e := q.h[0]
	a := q.slots[e.slot]
	return scheduled{at: e.at, seq: e.seq, actor: a.actor, agent: a.agent}
}

// agents lists the background agents queued, in no particular order.
func (q *actorQueue) agents() []agents.Agent {
	var out []agents.Agent
	for _, e := range q.h {
		if a := q.slots[e.slot].agent; a != nil {
			out = append(out, a)
		}
	}
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
	q.h = append(q.h, queued{at: s.at, seq: s.seq, slot: slot})
	q.up(len(q.h) - 1)
}

// remove takes out entry i, freeing its slot.
func (q *actorQueue) remove(i int) {
	q.slots[q.h[i].slot] = queuedActor{} // no reference kept to a finished actor
	q.free = append(q.free, q.h[i].slot)
	n := len(q.h) - 1
	q.h[i] = q.h[n]
	q.h = q.h[:n]
	if i < n {
		q.down(i)
		q.up(i)
	}
}

// up moves entry i towards the root while it is earlier than its parent.
func (q *actorQueue) up(i int) {
	for i > 0 {
		p := (i - 1) / 4
		if !q.before(i, p) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

// down moves entry i towards the leaves while a child is earlier.
func (q *actorQueue) down(i int) {
	n := len(q.h)
	for {
		c := 4*i + 1
		if c >= n {
			return
		}
		m := c
		for k := c + 1; k < min(c+4, n); k++ {
			if q.before(k, m) {
				m = k
			}
		}
		if !q.before(m, i) {
			return
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
}

// reschedule gives the entry scheduled as seq a new time and sequence
// number, or takes it out when at is negative: in place when it is still
// the earliest (an actor that just acted: one pass down the heap instead of
// a pop and a push), else wherever it is.
func (q *actorQueue) reschedule(seq uint64, at int64, newSeq uint64) {
	i := 0
	if len(q.h) == 0 || q.h[0].seq != seq {
		// Something the actor scheduled went before it (a time in the
		// past): look for it.
		i = -1
		for k, e := range q.h {
			if e.seq == seq {
				i = k
				break
			}
		}
	}
	if at < 0 {
		q.remove(i)
		return
	}
	q.h[i].at, q.h[i].seq = at, newSeq
	q.down(i)
	q.up(i)
}
