package detectors

// idTable holds state keyed by an id — an order id, an account — for the
// detectors that follow every resting order or every account's messages
// (quote_stuffing, spoof_cancels, wash_cycles, wash_pairs): an
// open-addressing hash table with linear probing and backward-shift
// deletion, its keys and values in flat slices. A lookup, insert and delete
// on every add, cancel and fill made Go's map the largest cost of these
// detectors (hashing, group matching, growth); order ids are close to
// sequential, which a multiplicative hash spreads evenly. It is kept at
// most half full: a linear probe that misses — most of spoof_cancels'
// cancels, which look for a large order among few — reads about 2.5 slots
// then, 8.5 at three quarters full (spoof_cancels 6% faster).
type idTable[V any] struct {
	keys  []uint64 // 0: empty slot
	vals  []V
	n     int // entries in the slots (the zero id aside)
	shift uint8
	// The zero id has no slot (0 marks an empty one): it is kept aside.
	zeroSet bool
	zeroVal V
	// Sweep's scratch: the entries it keeps.
	keptKeys []uint64
	keptVals []V
	sweepAt  int // SweepWhenGrown's next size
}

// idTableMin is the smallest number of slots.
const idTableMin = 64

func (t *idTable[V]) init(slots int) {
	t.keys = make([]uint64, slots)
	t.vals = make([]V, slots)
	t.n = 0
	t.shift = uint8(64 - log2(slots))
}

func log2(n int) int {
	k := 0
	for 1<<k < n {
		k++
	}
	return k
}

// home is the slot where id's probe starts.
func (t *idTable[V]) home(id uint64) int { return int((id * 0x9E3779B97F4A7C15) >> t.shift) }

// Len is the number of entries.
func (t *idTable[V]) Len() int {
	if t.zeroSet {
		return t.n + 1
	}
	return t.n
}

// Get returns id's value.
func (t *idTable[V]) Get(id uint64) (V, bool) { return valueAt(t.Ptr(id)) }

// valueAt is the value p points to, and whether there is one: a table's
// Get from its Ptr.
func valueAt[V any](p *V) (V, bool) {
	if p == nil {
		var zero V
		return zero, false
	}
	return *p, true
}

// Ptr returns a pointer to id's value, nil when it has none; the pointer
// holds until the next Put or Delete.
func (t *idTable[V]) Ptr(id uint64) *V {
	if id == 0 {
		if t.zeroSet {
			return &t.zeroVal
		}
		return nil
	}
	if t.n == 0 {
		return nil
	}
	mask := len(t.keys) - 1
	for i := t.home(id); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case id:
			return &t.vals[i]
		case 0:
			return nil
		}
	}
}

// Put sets id's value.
func (t *idTable[V]) Put(id uint64, v V) { *t.At(id) = v }

// At returns a pointer to id's value, adding the zero value when it has
// none: one probe for a running total or a value changed in place. The
// pointer holds until the next Put, At or Delete.
func (t *idTable[V]) At(id uint64) *V {
	if id == 0 {
		if !t.zeroSet {
			var zero V
			t.zeroSet, t.zeroVal = true, zero
		}
		return &t.zeroVal
	}
	if t.keys == nil {
		t.init(idTableMin)
	}
	if 2*(t.n+1) > len(t.keys) { // at most half full
		t.grow()
	}
	mask := len(t.keys) - 1
	for i := t.home(id); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case id:
			return &t.vals[i]
		case 0:
			var zero V
			t.keys[i], t.vals[i] = id, zero
			t.n++
			return &t.vals[i]
		}
	}
}

func (t *idTable[V]) grow() {
	keys, vals := t.keys, t.vals
	t.init(2 * len(keys))
	t.reinsert(keys, vals)
}

// reinsert puts the entries of keys and vals.
func (t *idTable[V]) reinsert(keys []uint64, vals []V) {
	mask := len(t.keys) - 1
	for j, k := range keys {
		if k == 0 {
			continue
		}
		i := t.home(k)
		for t.keys[i] != 0 {
			i = (i + 1) & mask
		}
		t.keys[i], t.vals[i] = k, vals[j]
		t.n++
	}
}

// Delete removes id's entry, if any.
func (t *idTable[V]) Delete(id uint64) {
	if id == 0 {
		var zero V
		t.zeroSet, t.zeroVal = false, zero
		return
	}
	if i := t.slot(id); i >= 0 {
		t.deleteAt(i)
	}
}

// Take returns id's value and removes it: a Get and a Delete in one probe.
func (t *idTable[V]) Take(id uint64) (V, bool) {
	var zero V
	if id == 0 {
		v, ok := t.zeroVal, t.zeroSet
		t.zeroSet, t.zeroVal = false, zero
		return v, ok
	}
	i := t.slot(id)
	if i < 0 {
		return zero, false
	}
	v := t.vals[i]
	t.deleteAt(i)
	return v, true
}

// slot is the slot holding id (not zero), -1 when none does.
func (t *idTable[V]) slot(id uint64) int {
	if t.n == 0 {
		return -1
	}
	mask := len(t.keys) - 1
	for i := t.home(id); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case id:
			return i
		case 0:
			return -1
		}
	}
}

// deleteAt empties slot i, which holds an entry.
func (t *idTable[V]) deleteAt(i int) {
	mask := len(t.keys) - 1
	// Backward shift: move later entries of the run into the hole when
	// their probe started at or before it, so that no probe meets a gap.
	var zero V
	for {
		j := (i + 1) & mask
		for ; t.keys[j] != 0; j = (j + 1) & mask {
			h := t.home(t.keys[j])
			if (j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j)) {
				break
			}
		}
		if t.keys[j] == 0 {
			t.keys[i], t.vals[i] = 0, zero
			t.n--
			return
		}
		t.keys[i], t.vals[i] = t.keys[j], t.vals[j]
		i = j
	}
}

// Sweep deletes every entry drop reports true for (in no particular order).
// When it drops any, it puts the entries it keeps back into the cleared
// slots: a table of recent orders loses about half its entries to a sweep,
// and deleting them one by one shifted the rest of their runs each time.
func (t *idTable[V]) Sweep(drop func(id uint64, v V) bool) {
	if t.zeroSet && drop(0, t.zeroVal) {
		var zero V
		t.zeroSet, t.zeroVal = false, zero
	}
	t.keptKeys, t.keptVals = t.keptKeys[:0], t.keptVals[:0]
	for i, k := range t.keys {
		if k != 0 && !drop(k, t.vals[i]) {
			t.keptKeys = append(t.keptKeys, k)
			t.keptVals = append(t.keptVals, t.vals[i])
		}
	}
	if len(t.keptKeys) < t.n {
		clear(t.keys)
		clear(t.vals)
		t.n = 0
		t.reinsert(t.keptKeys, t.keptVals)
	}
	clear(t.keptVals) // they may hold pointers
}

// Each calls fn with every entry's id and value (in no particular order);
// fn must not put or delete.
func (t *idTable[V]) Each(fn func(id uint64, v *V)) {
	if t.zeroSet {
		fn(0, &t.zeroVal)
	}
	for i, k := range t.keys {
		if k != 0 {
			fn(k, &t.vals[i])
		}
	}
}

// SweepWhenGrown sweeps when the table holds more than twice what the last
// sweep left, and more than least: a table of recent orders then stays a few
// times the orders of one max age — small enough for the core's cache —
// instead of growing to a fixed bound. Only for tables whose readers check
// an entry's age themselves, so that when a sweep runs changes nothing.
func (t *idTable[V]) SweepWhenGrown(least int, drop func(id uint64, v V) bool) {
	if t.Len() <= max(least, t.sweepAt) {
		return
	}
	t.Sweep(drop)
	t.sweepAt = 2 * t.Len()
}

// accountTable is per-account state that is kept for the whole run (never
// removed), remembering the last account asked for: an account's messages
// come in runs (a maker's cancel and add), and a run asks the table once.
type accountTable[V any] struct {
	t      idTable[*V]
	last   *V
	lastID uint64
}

// each calls fn with every account's state.
func (a *accountTable[V]) each(fn func(*V)) {
	a.t.Each(func(_ uint64, v **V) { fn(*v) })
}

// get returns account id's state, made by fresh on first use.
func (a *accountTable[V]) get(id uint64, fresh func() *V) *V {
	if a.last != nil && id == a.lastID {
		return a.last
	}
	v, _ := a.t.Get(id)
	if v == nil {
		v = fresh()
		a.t.Put(id, v)
	}
	a.last, a.lastID = v, id
	return v
}

// lookup returns account id's state, nil when it has none (none is made).
func (a *accountTable[V]) lookup(id uint64) *V {
	if a.last != nil && id == a.lastID {
		return a.last
	}
	v, _ := a.t.Get(id)
	if v != nil {
		a.last, a.lastID = v, id
	}
	return v
}

// reset empties the table, keeping its slots for reuse.
func (t *idTable[V]) reset() {
	if t.n > 0 {
		clear(t.keys)
		clear(t.vals)
		t.n = 0
	}
	var zero V
	t.zeroSet, t.zeroVal = false, zero
	t.sweepAt = 0
}
