package replay

import (
	"io"
	"strings"
	"testing"
)

func drain(t *testing.T, s EventSource, chunk int) ([]Event, error) {
	t.Helper()
	var out []Event
	buf := make([]Event, chunk)
	for {
		n, err := s.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func TestMergeOrdersByTimeThenRank(t *testing.T) {
	a := NewMemSource([]Instrument{{Symbol: "X", Tick: 1, Lot: 1}}, []Event{{TS: 1, Seq: 1}, {TS: 3, Seq: 2}, {TS: 3, Seq: 3}, {TS: 7, Seq: 4}})
	b := NewMemSource([]Instrument{{Symbol: "Y", Tick: 1, Lot: 1}, {Symbol: "X", Tick: 1, Lot: 1}}, []Event{{TS: 2, Symbol: 1, Seq: 9}, {TS: 3, Symbol: 0, Seq: 10}, {TS: 8, Symbol: 1}})
	for _, chunk := range []int{1, 2, 100} {
		m, err := Merge([]EventSource{a, b}, MergeOptions{ChunkSize: chunk})
		if err != nil {
			t.Fatal(err)
		}
		got, err := drain(t, m, 3)
		if err != nil {
			t.Fatal(err)
		}
		var trace []string
		for _, e := range got {
			trace = append(trace, m.Instruments()[e.Symbol].Symbol+":"+string(rune('0'+e.TS)))
		}
		// ts 3: source 0's two events (in their order) before source 1's.
		if s := strings.Join(trace, " "); s != "X:1 X:2 X:3 X:3 Y:3 X:7 X:8" {
			t.Fatalf("chunk %d: order %s", chunk, s)
		}
		for i, e := range got {
			if e.Seq != uint64(i+1) {
				t.Fatalf("seq not renumbered: %+v", got)
			}
		}
		a.pos, b.pos = 0, 0
	}
}

func TestMergeErrors(t *testing.T) {
	a := NewMemSource([]Instrument{{Symbol: "X", Tick: 1, Lot: 1}}, []Event{{TS: 5}, {TS: 4}})
	m, err := Merge([]EventSource{a}, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drain(t, m, 10); err == nil || !strings.Contains(err.Error(), "source 0, event 2") {
		t.Fatalf("time going back: %v", err)
	}
	x := NewMemSource([]Instrument{{Symbol: "X", Tick: 1, Lot: 1}}, nil)
	y := NewMemSource([]Instrument{{Symbol: "X", Tick: 2, Lot: 1}}, nil)
	if _, err := Merge([]EventSource{x, y}, MergeOptions{}); err == nil || !strings.Contains(err.Error(), "defines X") {
		t.Fatalf("conflicting instruments: %v", err)
	}
}

// TestMergeUnifiesScales: one instrument whose two files imply different
// decimals is merged in the finer scales, values rescaled exactly.
func TestMergeUnifiesScales(t *testing.T) {
	a := NewMemSource([]Instrument{{Symbol: "C", PriceExp: 7, QtyExp: 0, Tick: 1, Lot: 1}}, []Event{{TS: 1, Action: ActionTrade, Price: 136, Qty: 335}})
	b := NewMemSource([]Instrument{{Symbol: "C", PriceExp: 8, QtyExp: 2, Tick: 1, Lot: 1}}, []Event{{TS: 2, Action: ActionTrade, Price: 1361, Qty: 33550}})
	m, err := Merge([]EventSource{a, b}, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if in := m.Instruments(); len(in) != 1 || in[0].PriceExp != 8 || in[0].QtyExp != 2 || in[0].Tick != 1 || in[0].Lot != 1 {
		t.Fatalf("instruments %+v", in)
	}
	evs, err := drain(t, m, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Price != 1360 || evs[0].Qty != 33500 || evs[1].Price != 1361 || evs[1].Qty != 33550 {
		t.Fatalf("events %+v", evs)
	}
}
