package orderbook

import (
	"errors"
	"reflect"
	"sort"
	"testing"
)

func FuzzDepthBook(f *testing.F) {
	f.Add([]byte{0, 10, 5, 1, 12, 3, 0, 10, 0, 1, 255, 4})
	f.Add(pseudoOps(7, 200))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := NewDepth(Config{Tick: 5, Lot: 2})
		if err != nil {
			t.Fatal(err)
		}
		model := map[Side]map[int64]int64{Buy: {}, Sell: {}}
		for i := 0; i+3 <= len(data); i += 3 {
			side := Side(data[i]%2 + 1)
			price := (int64(data[i+1]%64) + 100) * 5
			switch data[i+1] {
			case 255:
				price = (100 + 6_000_000) * 5
			case 254:
				price += 2
			}
			qty := int64(data[i+2]%8) * 2
			if data[i+2] == 255 {
				qty = -2
			}
			if data[i] == 0xff {
				d.Clear()
				model = map[Side]map[int64]int64{Buy: {}, Sell: {}}
				continue
			}
			before := [2][]Level{d.Depth(Buy, make([]Level, 0, d.Levels(Buy))), d.Depth(Sell, make([]Level, 0, d.Levels(Sell)))}
			err := d.Set(side, price, qty)
			wantErr := price%5 != 0 || qty < 0
			if (err != nil) != wantErr {
				t.Fatalf("Set(%v, %d, %d) = %v", side, price, qty, err)
			}
			if err != nil {
				var oe *OpError
				if !errors.As(err, &oe) || oe.Op != "set" {
					t.Fatalf("error %v is not an *OpError", err)
				}
				after := [2][]Level{d.Depth(Buy, make([]Level, 0, d.Levels(Buy))), d.Depth(Sell, make([]Level, 0, d.Levels(Sell)))}
				if !reflect.DeepEqual(before, after) {
					t.Fatal("rejected Set changed the book")
				}
				continue
			}
			if qty == 0 {
				delete(model[side], price)
			} else {
				model[side][price] = qty
			}
			for _, s := range []Side{Buy, Sell} {
				var want []Level
				for p, q := range model[s] {
					want = append(want, Level{Price: p, Qty: q})
				}
				sort.Slice(want, func(i, j int) bool {
					if s == Buy {
						return want[i].Price > want[j].Price
					}
					return want[i].Price < want[j].Price
				})
				got := d.Depth(s, make([]Level, 0, 1<<10))
				if len(want)+len(got) > 0 && !reflect.DeepEqual(got, want) {
					t.Fatalf("side %v: depth %v, want %v", s, got, want)
				}
				if d.Levels(s) != len(want) {
					t.Fatalf("side %v: Levels %d, want %d", s, d.Levels(s), len(want))
				}
			}
		}
	})
}

func TestDepthBookTopAndSnapshot(t *testing.T) {
	d, err := NewDepth(Config{Tick: 1, Lot: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct {
		s    Side
		p, q int64
	}{{Buy, 99, 5}, {Buy, 98, 7}, {Sell, 101, 3}, {Sell, 102, 9}, {Buy, 99, 0}, {Sell, 100, 4}} {
		if err := d.Set(l.s, l.p, l.q); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := d.Top(), (Top{BidPrice: 98, BidQty: 7, AskPrice: 100, AskQty: 4}); got != want {
		t.Fatalf("Top = %+v, want %+v", got, want)
	}
	if q := d.Qty(Sell, 102); q != 9 {
		t.Fatalf("Qty = %d", q)
	}
	d.Clear()
	if d.Top() != (Top{}) || d.Levels(Buy) != 0 {
		t.Fatal("Clear left levels")
	}
}
