package bitmex

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/replay"
)

func captureLines(t *testing.T) []string {
	return realdata.Lines(t, "crypto-ws-capture-cryptofeed/BITMEX.ws.1.0.gz")
}

func writeLines(t *testing.T, lines []string) string { return realdata.TempLines(t, lines) }

// TestVerifyRealCapture: in the shared 31-second capture of ten instruments,
// every one of the 426 quotes BitMEX sent after an instrument's partial is a
// top the rebuilt book had (94 of them the top when the quote arrived: the
// quote table is throttled). Leaving out every tenth XBTUSD book update makes
// the book drift, and quotes go unmatched.
func TestVerifyRealCapture(t *testing.T) {
	lines := captureLines(t)
	rep, err := Verify(context.Background(), []string{writeLines(t, lines)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Quotes != 426 || rep.Matched != 426 || rep.Unmatched != 0 || len(rep.Instruments) != 10 {
		t.Fatalf("%s over %d instruments: %v", rep.Summary(), len(rep.Instruments), rep.Examples)
	}
	var thinned []string
	n := 0
	for _, l := range lines {
		if strings.Contains(l, `"table":"orderBookL2","action":"update","data":[{"symbol":"XBTUSD"`) {
			if n++; n%10 == 0 {
				continue
			}
		}
		thinned = append(thinned, l)
	}
	rep, err = Verify(context.Background(), []string{writeLines(t, thinned)})
	if err != nil || rep.Unmatched == 0 {
		t.Fatalf("every tenth XBTUSD update left out: %v %s", err, rep.Summary())
	}
	t.Logf("every tenth XBTUSD update left out (%d of %d): %s", n/10, n, rep.Summary())
}

func TestMalformedMessages(t *testing.T) {
	const partial = `1626993370.1: {"table":"orderBookL2","action":"partial","data":[{"symbol":"X","id":1,"side":"Sell","size":5,"price":10.5}]}`
	for _, c := range []struct{ line, field string }{
		{`1626993370.2: {"table":"orderBookL2","action":"update","data":[{"symbol":"X","id":2,"side":"Sell","size":5}]}`, "data"}, // unknown id
		{`1626993370.2: {"table":"orderBookL2","action":"update","data":[{"symbol":"X","id":1,"side":"Left","size":5}]}`, "data"}, // bad side
		{`1626993370.2: {"table":"orderBookL2","action":"insert","data":[{"symbol":"X","id":3,"side":"Buy","size":5,"price":-1}]}`, "data"},
		{`1626993370.2: {"table":"orderBookL2","action":"merge","data":[]}`, "action"},
		{`1626993370.2: {"table":"orderBookL2","action":"insert","data":[{"symbol":"X"`, "json"},
		{`5: {"table":"orderBookL2","action":"insert","data":[]}`, "time"},
	} {
		_, err := Verify(context.Background(), []string{writeLines(t, []string{partial, c.line})})
		var re *replay.RowError
		if !errors.As(err, &re) || re.Field != c.field || re.Line != 2 {
			t.Errorf("%s: %v, want line 2 field %s", c.line, err, c.field)
		}
	}
}

func FuzzCaptureLine(f *testing.F) {
	f.Add(`1626993370.4317188: {"table":"orderBookL2","action":"update","data":[{"symbol":"UNIUSDT","id":51999982703,"side":"Sell","size":123}]}`)
	f.Add(`1626993371.019165: {"table":"quote","action":"insert","data":[{"timestamp":"2021-07-22T22:36:10.014Z","symbol":"UNIUSDT","bidSize":750,"bidPrice":17.277,"askPrice":17.297,"askSize":123}]}`)
	f.Fuzz(func(t *testing.T, line string) {
		const partial = `1626993370.1: {"table":"orderBookL2","action":"partial","data":[{"symbol":"UNIUSDT","id":51999982703,"side":"Sell","size":5,"price":17.297}]}`
		_, err := Verify(context.Background(), []string{writeLines(t, []string{partial, line})})
		var re *replay.RowError
		if err != nil && !errors.As(err, &re) {
			t.Fatalf("%q: an error that names no line: %v", line, err)
		}
	})
}
