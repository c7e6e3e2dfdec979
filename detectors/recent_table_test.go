package detectors

import "testing"

// FuzzRecentTable puts and gets order ids at times that move forward by
// steps around the span, against a map of each id's last put: an entry put
// at most span before a get must be found with its last put's value; an
// older one may be found or not, but found it must be that last put (the
// wash detectors check the age themselves). The generations turning is
// what is under test: a table that emptied its young generation, or turned
// before span had passed, loses an entry within span.
func FuzzRecentTable(f *testing.F) {
	f.Add([]byte{0, 1, 1, 1, 2, 5, 1, 1, 2, 9, 1, 1})
	f.Add([]byte{0, 3, 0, 4, 2, 7, 0, 3, 2, 7, 1, 3, 1, 4, 2, 2, 1, 3})
	f.Add(make([]byte, 600))
	// 2 put at 1005, 3 at 1006 (a generation turning at half the span
	// would turn here), 4 at 1012 (and here), 2 got at 1012: 7 after its put.
	f.Add([]byte{0, 1, 2, 5, 0, 2, 2, 1, 0, 3, 2, 6, 0, 4, 1, 2})
	f.Fuzz(func(t *testing.T, ops []byte) {
		const span = 10
		r := newRecentTable[int64](span)
		type put struct{ at, v int64 }
		ref := map[uint64]put{}
		now := int64(1000)
		for k := 0; k+2 <= len(ops); k += 2 {
			arg := ops[k+1]
			id := uint64(arg % 37)
			switch ops[k] % 3 {
			case 0:
				r.Put(now, id, int64(k))
				ref[id] = put{now, int64(k)}
			case 1:
				got, ok := r.Get(id)
				want, known := ref[id]
				if known && now-want.at <= span && (!ok || got != want.v) {
					t.Fatalf("op %d at %d: Get(%d) = %d, %v; put %d at %d, within the span", k, now, id, got, ok, want.v, want.at)
				}
				if ok && (!known || got != want.v) {
					t.Fatalf("op %d at %d: Get(%d) = %d; the last put was %+v (known %v)", k, now, id, got, want, known)
				}
			case 2:
				now += int64(arg % 24) // from none to more than two spans
			}
		}
	})
}
