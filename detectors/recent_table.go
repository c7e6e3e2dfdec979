package detectors

// recentTable holds state keyed by an order id for at least span of event
// time after it was put — the orders quote_stuffing times from placing to
// cancel (the wash detectors read a maker's placing from the batch,
// replay.Batch.Makers, and keep no table) — in two generations: puts go
// to the young table; when span has passed since the young one began, it
// becomes the old one and the old one is emptied for reuse. An entry so
// lives between one and two spans, and nothing is swept or deleted entry by
// entry: sweeping an idTable of recent orders, and the deletes it made,
// were a third of the wash detectors' time when they kept one
// (quote_stuffing marks a cancelled order in place instead of deleting it).
//
// Get may return an entry older than span, as a swept table returned one
// put after its last sweep: the readers check an entry's age themselves,
// so when the generations turn changes no answer. A later put for an id
// replaces an earlier one, as in one table: Get finds the young one first.
// (spoof_cancels keeps an idTable for its large orders: most of its
// lookups miss, and a miss costs a probe of each generation.)
type recentTable[V any] struct {
	young, old idTable[V]
	span       int64
	began      int64 // event time the young generation began
	started    bool
}

func newRecentTable[V any](span int64) recentTable[V] {
	return recentTable[V]{span: span}
}

// Put sets id's value at event time now. Times never decrease: a run's
// records are in time order (replay.Merge refuses a source that is not).
func (r *recentTable[V]) Put(now int64, id uint64, v V) {
	switch {
	case !r.started:
		r.began, r.started = now, true
	case now-r.began > r.span:
		// Everything in old was put before the young generation began, more
		// than span ago: none of it can be within span of now or later.
		r.young, r.old = r.old, r.young
		r.young.reset()
		r.began = now
	}
	r.young.Put(id, v)
}

// Get returns id's value: the young generation's, else the old one's.
func (r *recentTable[V]) Get(id uint64) (V, bool) { return valueAt(r.Ptr(id)) }

// Ptr returns a pointer to id's value (the young generation's, else the old
// one's), nil when it has none; the pointer holds until the next Put.
func (r *recentTable[V]) Ptr(id uint64) *V {
	if p := r.young.Ptr(id); p != nil {
		return p
	}
	return r.old.Ptr(id)
}
