package kraken

import (
	"hash/crc32"
	"io"
	"strconv"
	"testing"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// TestSourceReplaysToKrakensChecksums: the shared capture, imported as
// canonical events and replayed through the engine, gives after every
// update's group of events a book whose top ten levels have exactly
// Kraken's checksum for that update — all 4,269 of them.
func TestSourceReplaysToKrakensChecksums(t *testing.T) {
	path := writeLines(t, captureLines(t))
	want := map[string][]uint32{}
	rd := newReader([]string{path})
	var m message
	for {
		err := rd.next(&m)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if m.book && m.checksum != "" {
			c, _ := strconv.ParseUint(m.checksum, 10, 32)
			want[m.pair] = append(want[m.pair], uint32(c))
		}
	}
	rd.Close()
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
	if len(insts) != 10 || insts[0].Symbol != "ADAXBT" && insts[0].Symbol != "WAVESEUR" {
		t.Fatalf("instruments %+v", insts)
	}
	pairOf := map[uint32]string{}
	for pair, i := range src.idx {
		pairOf[i] = pair
	}
	eng, err := replay.NewEngine(insts, replay.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b replay.Batch
	var top [10]orderbook.Level
	checked := 0
	for i := range evs {
		b.Records, b.Fills = b.Records[:0], b.Fills[:0]
		eng.Apply(&evs[i], &b)
		e := &evs[i]
		if e.Flags&replay.FlagLastInGroup == 0 || e.Flags&replay.FlagSnapshot != 0 {
			continue
		}
		var s []byte
		for _, side := range []orderbook.Side{orderbook.Sell, orderbook.Buy} {
			for _, l := range eng.DepthBook(e.Symbol).Depth(side, top[:0]) {
				s = strconv.AppendInt(strconv.AppendInt(s, l.Price, 10), l.Qty, 10)
			}
		}
		pair := pairOf[e.Symbol]
		if len(want[pair]) == 0 {
			t.Fatalf("event %d: a group for %s beyond its checksums", i, pair)
		}
		if got := crc32.ChecksumIEEE(s); got != want[pair][0] {
			t.Fatalf("event %d (%s, update %d): the replayed book's checksum %d, Kraken's %d", i, pair, checked, got, want[pair][0])
		}
		want[pair] = want[pair][1:]
		checked++
	}
	if checked != 4269 {
		t.Fatalf("%d updates checked", checked)
	}
}
