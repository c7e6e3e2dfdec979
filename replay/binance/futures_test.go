package binance

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/replay"
)

// futuresFeed is a USD-M or COIN-M feed written from Binance's documentation
// of the futures streams ("How to manage a local order book correctly"):
// the REST snapshot carries E and T (COIN-M also symbol and pair), diffs
// carry pu and ids that are not contiguous, bookTicker carries both "e" and
// "E" (and COIN-M "ps"), aggTrade its own fields. The first diff is older
// than the snapshot (u < lastUpdateId: dropped), the second bridges it
// (U <= lastUpdateId <= u), the rest chain by pu.
func futuresFeed(sym, stream, qty, extra string) []string {
	q := func(v string) string { // quantities: USD-M decimals, COIN-M whole contracts
		if qty == "int" {
			f, _ := strconv.ParseFloat(v, 64)
			return strconv.Itoa(int(f * 10))
		}
		return v
	}
	snapshotExtra := ""
	if extra != "" {
		snapshotExtra = fmt.Sprintf(`"symbol":"%s",%s,`, sym, extra)
		extra = "," + extra
	}
	diff := func(ns, U, u, pu int, bids, asks string) string {
		return fmt.Sprintf(`%d {"stream":"%s@depth@100ms","data":{"e":"depthUpdate","E":%d,"T":%d,"s":"%s"%s,"U":%d,"u":%d,"pu":%d,"b":[%s],"a":[%s]}}`, ns, stream, ns/1000, ns/1000-3, sym, extra, U, u, pu, bids, asks)
	}
	ticker := func(ns, u int, b, bq, a, aq string) string {
		return fmt.Sprintf(`%d {"stream":"%s@bookTicker","data":{"e":"bookTicker","u":%d,"s":"%s"%s,"b":"%s","B":"%s","a":"%s","A":"%s","T":%d,"E":%d}}`, ns, stream, u, sym, extra, b, q(bq), a, q(aq), ns/1000-1, ns/1000)
	}
	lv := func(p, v string) string { return fmt.Sprintf(`["%s","%s"]`, p, q(v)) }
	return []string{
		diff(1_000_000, 90, 95, 80, lv("100.10", "1.0"), ""),
		diff(1_100_000, 96, 104, 95, lv("100.20", "2.0"), ""),
		fmt.Sprintf(`1200000 {"lastUpdateId":100,%s"E":1200,"T":1199,"bids":[%s,%s],"asks":[%s]}`, snapshotExtra, lv("100.00", "5.0"), lv("99.90", "1.0"), lv("100.50", "3.0")),
		ticker(1_300_000, 104, "100.20", "2.0", "100.50", "3.0"),
		diff(1_400_000, 110, 120, 104, "", lv("100.50", "0")+","+lv("100.60", "1.5")),
		ticker(1_450_000, 117, "100.20", "2.0", "100.55", "9.0"), // between diffs: not aligned
		ticker(1_500_000, 120, "100.20", "2.0", "100.60", "1.5"),
		fmt.Sprintf(`1550000 {"stream":"%s@aggTrade","data":{"e":"aggTrade","E":1550,"a":5,"s":"%s"%s,"p":"100.60","q":"%s","f":10,"l":11,"T":1549,"m":false}}`, stream, sym, extra, q("0.5")),
		diff(1_600_000, 125, 130, 120, lv("100.20", "0"), ""),
		ticker(1_700_000, 130, "100.00", "5.0", "100.60", "1.5"),
	}
}

// TestFuturesFeeds: USD-M and COIN-M feeds decode (a futures bookTicker
// failed on its second line: encoding/json put "e":"bookTicker" into the
// field for "E"), sequence by pu with the futures snapshot rules, verify
// against every aligned bookTicker with no mismatch, and import as a
// perpetual; a broken pu chain and a wrong bookTicker are caught.
func TestFuturesFeeds(t *testing.T) {
	for _, c := range []struct {
		name, sym, stream, qty, extra string
	}{
		{"USD-M", "BTCUSDT", "btcusdt", "dec", ""},
		{"COIN-M", "BTCUSD_PERP", "btcusd_perp", "int", `"pair":"BTCUSD","ps":"BTCUSD"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines := futuresFeed(c.sym, c.stream, c.qty, c.extra)
			rep, err := Verify(context.Background(), []string{feedFile(t, lines...)})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Summary() != "aligned=3 mismatched=0" || rep.Dropped != 1 || rep.Diffs != 3 || rep.Tickers != 4 {
				t.Fatalf("%s %+v", rep.Summary(), rep)
			}
			src, err := NewDepthSource([]string{feedFile(t, lines...)}, DepthOptions{})
			if err != nil {
				t.Fatal(err)
			}
			evs := readAllEvents(t, src)
			if in := src.Instruments(); len(in) != 1 || in[0].Symbol != c.sym || in[0].Kind != replay.Perpetual {
				t.Fatalf("instrument %+v", in)
			}
			trades := 0
			for _, e := range evs {
				if e.Action == replay.ActionTrade {
					trades++
				}
			}
			if trades != 1 {
				t.Fatalf("%d trades", trades)
			}
			wrong := append([]string(nil), lines...)
			wrong[6] = strings.Replace(wrong[6], `"a":"100.60"`, `"a":"100.70"`, 1)
			if rep, err := Verify(context.Background(), []string{feedFile(t, wrong...)}); err != nil || rep.Mismatched != 1 {
				t.Fatalf("a wrong bookTicker: %v %+v", err, rep)
			}
			gap := append([]string(nil), lines...)
			gap[8] = strings.Replace(gap[8], `"pu":120`, `"pu":119`, 1)
			_, err = Verify(context.Background(), []string{feedFile(t, gap...)})
			var ge *GapError
			if !errors.As(err, &ge) || !strings.Contains(err.Error(), "pu == 120") {
				t.Fatalf("a broken pu chain: %v", err)
			}
		})
	}
}

// TestRealFuturesCapture: every message of the shared USD-M capture (four
// symbols, recorded by cryptofeed as "<seconds>: <json>") decodes with the
// futures fields, and each symbol's diffs chain by pu from the first to the
// last (the capture has no REST snapshot, so the book itself cannot be
// checked here).
func TestRealFuturesCapture(t *testing.T) {
	f, err := os.Open(realdata.Path(t, "crypto-ws-capture-cryptofeed/BINANCE_FUTURES.ws.1.0.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	fr := &feedReader{file: "capture"}
	last := map[string]int64{}
	kinds := map[msgKind]int{}
	for sc.Scan() {
		at, js, ok := strings.Cut(sc.Text(), ": ")
		if !ok || !strings.HasPrefix(js, "{") {
			continue // the connection header
		}
		secs, err := strconv.ParseFloat(at, 64)
		if err != nil {
			t.Fatal(err)
		}
		fr.line++
		var m feedMsg
		if err := fr.decode([]byte(fmt.Sprintf("%d %s", int64(secs*1e9), js)), &m); err != nil {
			t.Fatalf("line %d: %v\n%s", fr.line, err, js)
		}
		kinds[m.kind]++
		if m.kind == kindDepth {
			if !m.futures || m.prev < 0 {
				t.Fatalf("line %d: a futures diff without pu", fr.line)
			}
			if prev, ok := last[m.symbol]; ok && m.prev != prev {
				t.Fatalf("line %d: %s pu=%d, previous u=%d", fr.line, m.symbol, m.prev, prev)
			}
			last[m.symbol] = m.final
		}
		if m.kind == kindTicker && (len(m.bidPx) == 0 || len(m.askQty) == 0 || m.tickerU == 0) {
			t.Fatalf("line %d: bookTicker decoded as %+v", fr.line, m)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if kinds[kindDepth] < 10 || kinds[kindTicker] < 10 || kinds[kindTrade] < 1 || len(last) < 2 {
		t.Fatalf("messages by kind %v, symbols %v", kinds, last)
	}
	t.Logf("%d diffs chained by pu over %d symbols, %d bookTickers, %d aggTrades, %d other", kinds[kindDepth], len(last), kinds[kindTicker], kinds[kindTrade], kinds[kindOther])
}

// FuzzEachField: on any input that encoding/json accepts as an object, the
// feed's scanner returns the same keys (byte for byte, in order, unescaped)
// with values that are themselves valid JSON; on anything else it returns an
// error or stops without panicking.
func FuzzEachField(f *testing.F) {
	for _, l := range futuresFeed("BTCUSDT", "btcusdt", "dec", "") {
		_, js, _ := strings.Cut(l, " ")
		f.Add([]byte(js))
	}
	f.Add([]byte(`{"e":"x","E":1,"\u0045":2,"a":[["1","2",3]],"b":{"c":[{}]}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"a":"\"}"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var keys []string
		err := eachField(b, func(k, v []byte) error {
			keys = append(keys, string(k))
			if !json.Valid(v) && json.Valid(b) {
				t.Fatalf("value %q of key %q is not valid JSON", v, k)
			}
			return nil
		})
		var obj map[string]json.RawMessage
		if json.Unmarshal(b, &obj) != nil || !json.Valid(b) || !utf8.Valid(b) {
			return // (encoding/json turns invalid UTF-8 in keys into U+FFFD; Binance's keys are ASCII)
		}
		if err != nil {
			t.Fatalf("%q is a JSON object, but: %v", b, err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.Token() // {
		var want []string
		for dec.More() {
			k, _ := dec.Token()
			want = append(want, k.(string))
			var skip json.RawMessage
			dec.Decode(&skip)
		}
		if !slices.Equal(keys, want) {
			t.Fatalf("keys %q, encoding/json reads %q", keys, want)
		}
	})
}

// eachField calls fn with every key and raw value of the JSON object b, in
// order, through fields and skipValue: the fuzz test's way to hold the
// scanner to encoding/json.
func eachField(b []byte, fn func(key, val []byte) error) error {
	end, err := fields(b, func(key, rest []byte) (int, error) {
		n, err := skipValue(rest, 0)
		if err != nil {
			return 0, err
		}
		return n, fn(key, rest[:n])
	})
	if err != nil {
		return err
	}
	return trailing(b, end)
}
