package coinbase

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/replay"
)

func captureLines(t *testing.T) []string {
	return realdata.Lines(t, "crypto-ws-capture-cryptofeed/COINBASE.ws.28.0.gz")
}

func writeLines(t *testing.T, lines []string) string { return realdata.TempLines(t, lines) }

// TestVerifyRealCapture: in the shared 31-second capture of ten products,
// every ticker stamped after its product's snapshot agrees with a state of
// the rebuilt book within a second of its time (most with the book as of its
// time exactly); the 11 stamped before the snapshot — the last trade's
// ticker, sent on subscribing — are counted apart. Leaving out every tenth
// SKL-USD update makes tickers disagree.
func TestVerifyRealCapture(t *testing.T) {
	lines := captureLines(t)
	rep, err := Verify(context.Background(), []string{writeLines(t, lines)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Aligned != 96 || rep.Mismatched != 0 || rep.BeforeBook != 11 || rep.TooOld != 0 || rep.Exact < 80 || len(rep.Products) != 10 {
		t.Fatalf("%s exact=%d before_book=%d too_old=%d: %v", rep.Summary(), rep.Exact, rep.BeforeBook, rep.TooOld, rep.Examples)
	}
	t.Logf("%s exact=%d", rep.Summary(), rep.Exact)
	var thinned []string
	n := 0
	for _, l := range lines {
		if strings.Contains(l, `{"type":"l2update","product_id":"SKL-USD"`) {
			if n++; n%10 == 0 {
				continue
			}
		}
		thinned = append(thinned, l)
	}
	rep, err = Verify(context.Background(), []string{writeLines(t, thinned)})
	if err != nil || rep.Mismatched == 0 {
		t.Fatalf("every tenth SKL-USD update left out: %v %s", err, rep.Summary())
	}
	t.Logf("every tenth SKL-USD update left out (%d of %d): %s", n/10, n, rep.Summary())
}

func TestMalformedMessages(t *testing.T) {
	const snap = `1618677817.1: {"type":"snapshot","product_id":"X-USD","asks":[["10.50","1.0"]],"bids":[["10.40","2.0"]]}`
	for _, c := range []struct{ line, field string }{
		{`1618677817.2: {"type":"l2update","product_id":"X-USD","changes":[["left","10.5","1"]],"time":"2021-04-17T16:43:37.075687Z"}`, "changes"},
		{`1618677817.2: {"type":"l2update","product_id":"X-USD","changes":[["buy","-10.5","1"]],"time":"2021-04-17T16:43:37.075687Z"}`, "changes"},
		{`1618677817.2: {"type":"l2update","product_id":"X-USD","changes":[["buy","10.5","1"]],"time":"yesterday"}`, "time"},
		{`1618677817.2: {"type":"l2update","changes":[]}`, "product_id"},
		{`1618677817.2: {"type":"l2update",`, "json"},
	} {
		_, err := Verify(context.Background(), []string{writeLines(t, []string{snap, c.line})})
		var re *replay.RowError
		if !errors.As(err, &re) || re.Field != c.field || re.Line != 2 {
			t.Errorf("%s: %v, want line 2 field %s", c.line, err, c.field)
		}
	}
}

func FuzzCaptureLine(f *testing.F) {
	f.Add(`1618677817.118783: {"type":"l2update","product_id":"SKL-BTC","changes":[["sell","0.00001306","660.5"]],"time":"2021-04-17T16:43:37.075687Z"}`)
	f.Add(`1618677817.079694: {"type":"ticker","sequence":333938798,"product_id":"SKL-BTC","price":"0.00001305","best_bid":"0.00001305","best_ask":"0.00001306","time":"2021-04-17T16:43:30.244075Z"}`)
	f.Fuzz(func(t *testing.T, line string) {
		const snap = `1618677817.1: {"type":"snapshot","product_id":"SKL-BTC","asks":[["0.00001306","1.0"]],"bids":[["0.00001305","2.0"]]}`
		_, err := Verify(context.Background(), []string{writeLines(t, []string{snap, line})})
		var re *replay.RowError
		if err != nil && !errors.As(err, &re) && !strings.Contains(err.Error(), "no l2update") {
			t.Fatalf("%q: an error that names no line: %v", line, err)
		}
	})
}
