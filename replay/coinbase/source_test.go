package coinbase

import (
	"io"
	"testing"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// TestSourceReplaysToTheVerifiedBooks: the capture imported as canonical
// events and replayed through the engine leaves every product's book level
// for level equal to the books Verify rebuilt; the 97 matches become Trade
// events on the taker's side (a match names the maker's).
func TestSourceReplaysToTheVerifiedBooks(t *testing.T) {
	path := writeLines(t, captureLines(t))
	src, err := NewSource([]string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	evs, err := replay.ReadAll(src)
	if err != nil {
		t.Fatal(err)
	}
	insts := src.Instruments()
	eng, err := replay.NewEngine(insts, replay.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	trades := 0
	var b replay.Batch
	for i := range evs {
		b.Records, b.Fills = b.Records[:0], b.Fills[:0]
		eng.Apply(&evs[i], &b)
		if evs[i].Action == replay.ActionTrade {
			trades++
		}
	}
	exps, _, _ := scanExps([]string{path})
	books := map[string]*book{}
	r := newReader([]string{path})
	defer r.Close()
	var m message
	for r.next(&m) != io.EOF {
		switch {
		case m.Type == "snapshot":
			books[m.ProductID] = newBook(exps[m.ProductID])
			books[m.ProductID].apply(&m, nil)
		case m.Type == "l2update" && books[m.ProductID] != nil:
			books[m.ProductID].apply(&m, nil)
		}
	}
	for product, k := range src.idx {
		for _, sd := range []orderbook.Side{orderbook.Buy, orderbook.Sell} {
			n := books[product].b.Levels(sd)
			want := books[product].b.Depth(sd, make([]orderbook.Level, 0, n))
			got := eng.DepthBook(k).Depth(sd, make([]orderbook.Level, 0, n+1))
			if len(got) != len(want) || n == 0 {
				t.Fatalf("%s %v: %d levels replayed, %d rebuilt", product, sd, len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s %v level %d: replayed %+v, rebuilt %+v", product, sd, i, got[i], want[i])
				}
			}
		}
	}
	if trades != 97 || len(insts) != 10 || insts[0].Symbol == "" {
		t.Fatalf("%d trades, instruments %+v", trades, insts)
	}
}
