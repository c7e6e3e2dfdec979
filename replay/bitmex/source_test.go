package bitmex

import (
	"io"
	"testing"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// TestSourceReplaysToTheVerifiedBooks: the capture imported as canonical
// events and replayed through the engine leaves every instrument's book
// level for level equal to the books Verify rebuilt (and checked against
// the quotes); trades become Trade events on the taker's side.
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
	// The books rebuilt straight from the messages.
	exps, _, _ := scanExps([]string{path})
	books := map[string]*book{}
	r := newReader([]string{path})
	defer r.Close()
	var m message
	for r.next(&m) != io.EOF {
		if m.table != "orderBookL2" {
			continue
		}
		for i := range m.rows {
			w := &m.rows[i]
			if m.action == "partial" {
				if _, seen := books[w.Symbol]; !seen || i == 0 {
					books[w.Symbol] = newBook(exps[w.Symbol])
				}
			}
			if bk := books[w.Symbol]; bk != nil {
				bk.apply(m.action, w, nil)
			}
		}
	}
	for k, in := range insts {
		for _, sd := range []orderbook.Side{orderbook.Buy, orderbook.Sell} {
			n := books[in.Symbol].b.Levels(sd)
			want := books[in.Symbol].b.Depth(sd, make([]orderbook.Level, 0, n))
			got := eng.DepthBook(uint32(k)).Depth(sd, make([]orderbook.Level, 0, n+1))
			if len(got) != len(want) || n == 0 {
				t.Fatalf("%s %v: %d levels replayed, %d rebuilt", in.Symbol, sd, len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s %v level %d: replayed %+v, rebuilt %+v", in.Symbol, sd, i, got[i], want[i])
				}
			}
		}
	}
	if trades == 0 {
		t.Fatal("no trades")
	}
	t.Logf("%d events, %d trades, %d instruments", len(evs), trades, len(insts))
}
