package binance

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

func readAllEvents(t *testing.T, s replay.EventSource) []replay.Event {
	t.Helper()
	evs, err := replay.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// TestDepthSourceReplaysToTheVerifiedBook: the events, replayed through the
// engine, rebuild the same book that Verify checked against bookTicker.
func TestDepthSourceReplaysToTheVerifiedBook(t *testing.T) {
	paths := []string{
		realdata.Path(t, "binance-l2-feed-hftbacktest/spot_btcusdt_20240808.gz"),
		realdata.Path(t, "binance-l2-feed-hftbacktest/spot_btcusdt_20240809.gz"),
	}
	src, err := NewDepthSource(paths, DepthOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	evs := readAllEvents(t, src)
	in := src.Instruments()
	if len(in) != 1 || in[0].Symbol != "BTCUSDT" || in[0].Tick != 1_000_000 {
		t.Fatalf("instrument %+v", in)
	}
	var levels, trades, lastInGroup int
	for _, e := range evs {
		switch e.Action {
		case replay.ActionLevel:
			levels++
		case replay.ActionTrade:
			trades++
		}
		if e.Flags&replay.FlagLastInGroup != 0 {
			lastInGroup++
		}
	}
	early := int(src.counts["trade_before_snapshot"])
	if trades+early != 19904 || lastInGroup < 6000 || levels < 50000 {
		t.Fatalf("levels=%d trades=%d groups=%d", levels, trades, lastInGroup)
	}
	eng, err := replay.NewEngine(in, replay.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b replay.Batch
	for i := range evs {
		b.Records, b.Fills = b.Records[:0], b.Fills[:0]
		eng.Apply(&evs[i], &b)
		if b.Records[0].Outcome != replay.Applied {
			t.Fatalf("event %d %+v not applied", i, evs[i])
		}
	}
	// Rebuild independently from the raw groups.
	fr := newFeedReader(paths)
	defer fr.close()
	var seq sequencer
	book, _ := orderbook.NewDepth(orderbook.Config{Tick: in[0].Tick, Lot: 1})
	var m feedMsg
	for fr.next(&m) == nil {
		if m.kind == kindDepth || m.kind == kindSnapshot {
			if err := seq.push(&m, fr.file, fr.line); err != nil {
				t.Fatal(err)
			}
			for i := range seq.out {
				applyGroup(book, &seq.out[i])
			}
			seq.out = seq.out[:0]
		}
	}
	got := eng.DepthBook(0).Depth(orderbook.Buy, make([]orderbook.Level, 0, 2000))
	want := book.Depth(orderbook.Buy, make([]orderbook.Level, 0, 2000))
	if len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] || eng.Top(0) != book.Top() {
		t.Fatalf("engine book differs: top %+v vs %+v", eng.Top(0), book.Top())
	}
}

func feedFile(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "feed.txt")
	// The fixtures count receive times from 0; real ones are Unix times
	// (an event time must fall in replay's window).
	const base = 1_700_000_000_000_000_000
	var b strings.Builder
	for _, l := range lines {
		if at, rest, ok := strings.Cut(l, " "); ok {
			if ns, err := strconv.ParseInt(at, 10, 64); err == nil {
				l = strconv.FormatInt(base+ns, 10) + " " + rest
			}
		}
		b.WriteString(l + "\n")
	}
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	lSnap   = `1000 {"lastUpdateId":100,"bids":[["10.00","1.0"],["9.99","2.0"]],"asks":[["10.01","1.5"]]}`
	lDiffA  = `900 {"stream":"x@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"X","U":95,"u":100,"b":[],"a":[]}}`
	lDiffB  = `1100 {"stream":"x@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"X","U":99,"u":105,"b":[["10.00","0"]],"a":[["10.02","3"]]}}`
	lDiffC  = `1200 {"stream":"x@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"X","U":106,"u":110,"b":[["9.98","4"]],"a":[]}}`
	lDiffGp = `1200 {"stream":"x@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"X","U":107,"u":110,"b":[],"a":[]}}`
	lTick   = `1300 {"stream":"x@bookTicker","data":{"u":110,"s":"X","b":"9.99","B":"2.0","a":"10.01","A":"1.5"}}`
	lTrade  = `1250 {"stream":"x@trade","data":{"e":"trade","E":1,"s":"X","t":7,"p":"10.01","q":"0.5","T":1,"m":true,"M":true}}`
)

func TestDepthSequencing(t *testing.T) {
	// Diff A precedes the snapshot and is dropped (u <= lastUpdateId); B bridges; C continues.
	p := feedFile(t, lDiffA, lDiffB, lSnap, lDiffC, lTrade, lTick)
	rep, err := Verify(context.Background(), []string{p})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary() != "aligned=1 mismatched=0" || rep.Dropped != 1 || rep.Diffs != 2 {
		t.Fatalf("%s %+v", rep.Summary(), rep)
	}
	src, _ := NewDepthSource([]string{p}, DepthOptions{})
	evs := readAllEvents(t, src)
	if len(evs) != 1+3+2+1+1 || evs[0].Action != replay.ActionClear || evs[3].Flags&replay.FlagLastInGroup == 0 {
		t.Fatalf("events %+v", evs)
	}
	if tr := evs[len(evs)-1]; tr.Action != replay.ActionTrade || tr.Side != orderbook.Sell || tr.Price != 1_001_000_000 || tr.Qty != 50_000_000 {
		t.Fatalf("trade %+v", tr)
	}
	// A gap fails with the update ids.
	p = feedFile(t, lDiffB, lSnap, lDiffGp)
	_, err = Verify(context.Background(), []string{p})
	var ge *GapError
	if !errors.As(err, &ge) || ge.Line != 3 || ge.First != 107 || !strings.Contains(err.Error(), "expected U == 106") {
		t.Fatalf("gap: %v", err)
	}
	// A wrong book shows as a mismatch: corrupt the ticker's expectation.
	p = feedFile(t, lDiffB, lSnap, lDiffC, strings.Replace(lTick, `"B":"2.0"`, `"B":"2.5"`, 1))
	rep, err = Verify(context.Background(), []string{p})
	if err != nil || rep.Mismatched != 1 {
		t.Fatalf("corrupted ticker: %v %+v", err, rep)
	}
	// With SkipBad a malformed trade line is skipped and counted.
	p = feedFile(t, lDiffB, lSnap, lDiffC, `1260 {"stream":"x@trade","data":{"p":1}}`, lTrade)
	skip, _ := NewDepthSource([]string{p}, DepthOptions{SkipBad: true})
	if evs := readAllEvents(t, skip); evs[len(evs)-1].Action != replay.ActionTrade || skip.counts["skipped_bad_data.p"] != 1 {
		t.Fatalf("skip-bad: %+v %v", evs[len(evs)-1], skip.counts)
	}
	// Malformed JSON names the line.
	p = feedFile(t, lSnap, `5 {"stream":`)
	_, err = Verify(context.Background(), []string{p})
	var re *replay.RowError
	if !errors.As(err, &re) || re.Line != 2 {
		t.Fatalf("bad json: %v", err)
	}
}

func FuzzFeedLine(f *testing.F) {
	for _, l := range append([]string{lSnap, lDiffA, lDiffB, lTick, lTrade, "x y", "1 {}"}, futuresFeed("BTCUSD_PERP", "btcusd_perp", "int", `"ps":"BTCUSD"`)...) {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr := &feedReader{file: "f", line: 1}
		var m feedMsg
		_ = fr.decode(b, &m)
	})
}

// BenchmarkImportDepthFeed converts the two-day BTCUSDT feed into events:
// gz, the files as recorded (their decompression runs ahead on another
// goroutine); plain, the same files decompressed beforehand (the parser's
// own speed).
func BenchmarkImportDepthFeed(b *testing.B) {
	days := []string{"binance-l2-feed-hftbacktest/spot_btcusdt_20240808.gz", "binance-l2-feed-hftbacktest/spot_btcusdt_20240809.gz"}
	gz, plain := make([]string, len(days)), make([]string, len(days))
	for i, d := range days {
		gz[i], plain[i] = realdata.Path(b, d), realdata.Decompressed(b, d)
	}
	for _, c := range []struct {
		name  string
		paths []string
	}{{"gz", gz}, {"plain", plain}} {
		b.Run(c.name, func(b *testing.B) {
			buf := make([]replay.Event, 4096)
			var events int64
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				src, _ := NewDepthSource(c.paths, DepthOptions{})
				events = 0
				for {
					n, err := src.Read(buf)
					events += int64(n)
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				src.Close()
			}
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(41249+58325)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// TestJSONIntIsParseInt holds jsonInt's fast path to strconv.ParseInt at
// the edges of int64 and of the digit count it takes.
func TestJSONIntIsParseInt(t *testing.T) {
	for _, s := range []string{"0", "7", "000123", "999999999999999999", "1000000000000000000", "1723075200123456789",
		"9223372036854775807", "9223372036854775808", "9999999999999999999", "10000000000000000000", "-5", "+5", "1e3", "", "12a"} {
		want, werr := strconv.ParseInt(s, 10, 64)
		got, err := jsonInt([]byte(s))
		if (err == nil) != (werr == nil) || err == nil && got != want {
			t.Errorf("jsonInt(%q) = %d, %v; ParseInt gives %d, %v", s, got, err, want, werr)
		}
	}
}

// BenchmarkDecodeLine decodes one feed line of each kind as recorded in the
// BTCUSDT feed (a bookTicker, a trade, a depth diff of 12 levels).
func BenchmarkDecodeLine(b *testing.B) {
	diff := `1723161253937085768 {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT","U":50093239189,"u":50093239202,"b":[["61737.63000000","0.00000000"],["61730.17000000","0.00000000"],["56854.58000000","0.00000000"],["61836.01000000","0.41200000"],["61835.00000000","0.00000000"],["61801.02000000","1.00200000"]],"a":[["61837.64000000","1.54698000"],["61839.85000000","0.00000000"],["61841.20000000","0.06000000"],["61844.30000000","0.40163000"],["61862.50000000","0.05019000"],["61900.00000000","3.12000000"]]}}`
	for _, c := range []struct{ name, line string }{
		{"ticker", `1723161254371486467 {"stream":"btcusdt@bookTicker","data":{"u":50093239697,"s":"BTCUSDT","b":"61832.00000000","B":"0.00909000","a":"61832.01000000","A":"1.27475000"}}`},
		{"trade", `1723161254087896568 {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}`},
		{"diff", diff},
	} {
		b.Run(c.name, func(b *testing.B) {
			fr := &feedReader{file: "f", line: 1}
			line := []byte(c.line)
			var m feedMsg
			b.SetBytes(int64(len(line)))
			for b.Loop() {
				if err := fr.decode(line, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
