package detectors

import "testing"

// FuzzIDTable runs a sequence of puts, adds through At, deletes, gets,
// takes, sweeps and resets on the table and on a Go map side by side: they must agree on
// every answer.
func FuzzIDTable(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 1, 1, 2, 1, 3, 7})
	f.Add([]byte{0, 1, 0, 2, 0, 0, 5, 1, 3, 1, 5, 2, 5, 0, 3, 0, 5, 9}) // takes: found, the zero id, missing
	f.Add(make([]byte, 3000))
	f.Add([]byte{0, 1, 0, 2, 0, 0, 4, 255, 3, 1, 0, 1, 3, 1, 5, 0, 3, 0}) // a reset: puts after it, the zero id
	f.Fuzz(func(t *testing.T, ops []byte) {
		var tab idTable[int64]
		ref := map[uint64]int64{}
		for k := 0; k+2 <= len(ops); k += 2 {
			op, arg := ops[k]%6, uint64(ops[k+1])
			id := arg * 0x1_0000_0001 % 997 // ids collide in the hash often enough
			if ops[k]&0x80 != 0 {
				id = uint64(k) // sequential ids, as a venue hands them out
			}
			switch op {
			case 0:
				tab.Put(id, int64(k))
				ref[id] = int64(k)
			case 1: // a running total, made at its first add
				*tab.At(id) += int64(k) + 1
				ref[id] += int64(k) + 1
			case 2:
				tab.Delete(id)
				delete(ref, id)
			case 3:
				got, ok := tab.Get(id)
				want, wok := ref[id]
				if got != want || ok != wok {
					t.Fatalf("op %d: Get(%d) = %d, %v; the map has %d, %v", k, id, got, ok, want, wok)
				}
			case 5:
				got, ok := tab.Take(id)
				want, wok := ref[id]
				if got != want || ok != wok {
					t.Fatalf("op %d: Take(%d) = %d, %v; the map has %d, %v", k, id, got, ok, want, wok)
				}
				delete(ref, id)
			case 4:
				if arg == 255 { // now and then: most sequences build up a table
					tab.reset()
					clear(ref)
					break
				}
				cut := int64(arg) * int64(len(ops)) / 256
				tab.Sweep(func(_ uint64, v int64) bool { return v < cut })
				for i, v := range ref {
					if v < cut {
						delete(ref, i)
					}
				}
			}
			if tab.Len() != len(ref) {
				t.Fatalf("op %d: %d entries, the map %d", k, tab.Len(), len(ref))
			}
		}
		for id, want := range ref {
			if got, ok := tab.Get(id); !ok || got != want {
				t.Fatalf("at the end: Get(%d) = %d, %v; the map has %d", id, got, ok, want)
			}
		}
	})
}

// TestIDTableGrowsAndShrinks: a million sequential ids in, every other
// one out, half the rest swept (the kept entries put back into the cleared
// slots), then a few: the table answers as a map would throughout.
func TestIDTableGrowsAndShrinks(t *testing.T) {
	var tab idTable[uint64]
	const n = 1 << 20
	for id := uint64(1); id <= n; id++ {
		tab.Put(id, id*3)
	}
	for id := uint64(2); id <= n; id += 2 {
		tab.Delete(id)
	}
	if tab.Len() != n/2 {
		t.Fatalf("%d entries, want %d", tab.Len(), n/2)
	}
	for id := uint64(1); id <= n; id++ {
		v, ok := tab.Get(id)
		if ok != (id%2 == 1) || (ok && v != id*3) {
			t.Fatalf("Get(%d) = %d, %v", id, v, ok)
		}
	}
	tab.Sweep(func(id, _ uint64) bool { return id < n/2 })
	if tab.Len() != n/4 {
		t.Fatalf("after the sweep %d entries, want %d", tab.Len(), n/4)
	}
	for id := uint64(1); id <= n; id++ {
		v, ok := tab.Get(id)
		if want := id%2 == 1 && id >= n/2; ok != want || (ok && v != id*3) {
			t.Fatalf("after the sweep Get(%d) = %d, %v", id, v, ok)
		}
	}
	// A sweep that drops a few.
	tab.Sweep(func(id, _ uint64) bool { return id < n/2+1000 })
	if tab.Len() != n/4-500 {
		t.Fatalf("after the second sweep %d entries, want %d", tab.Len(), n/4-500)
	}
	for id := uint64(1); id <= n; id++ {
		v, ok := tab.Get(id)
		if want := id%2 == 1 && id >= n/2+1000; ok != want || (ok && v != id*3) {
			t.Fatalf("after the second sweep Get(%d) = %d, %v", id, v, ok)
		}
	}
}

// TestAccountTableRemembers: an account's state is made once and the same
// whether it is asked for again at once (the remembered last) or after
// others (the table), and the zero account is an account like any other.
func TestAccountTableRemembers(t *testing.T) {
	var a accountTable[int]
	made := 0
	fresh := func() *int { made++; v := made; return &v }
	ids := []uint64{7, 7, 9, 7, 0, 9, 0, 7}
	seen := map[uint64]*int{}
	for _, id := range ids {
		p := a.get(id, fresh)
		if q, ok := seen[id]; ok && q != p {
			t.Fatalf("account %d: a second state (%d, was %d)", id, *p, *q)
		}
		seen[id] = p
	}
	if made != 3 {
		t.Errorf("%d states made for 3 accounts", made)
	}
}

// TestAccountTableLookup: lookup finds the state get made, whether it is
// the remembered last or in the table, and finds none — making none — for
// an account never asked for, even right after another.
func TestAccountTableLookup(t *testing.T) {
	var a accountTable[int]
	fresh := func() *int { return new(int) }
	if p := a.lookup(5); p != nil {
		t.Fatal("an empty table found account 5")
	}
	p5 := a.get(5, fresh)
	for _, tc := range []struct {
		id   uint64
		want *int
	}{{5, p5}, {6, nil}, {5, p5}, {0, nil}} {
		if got := a.lookup(tc.id); got != tc.want {
			t.Fatalf("lookup(%d) = %p, want %p", tc.id, got, tc.want)
		}
	}
	p6 := a.get(6, fresh)
	if a.lookup(5) != p5 || a.lookup(6) != p6 || a.lookup(7) != nil || a.lookup(6) != p6 {
		t.Fatal("lookup after a second get: wrong state")
	}
	if a.t.Len() != 2 {
		t.Fatalf("%d states in the table after 2 gets and lookups of others", a.t.Len())
	}
}
