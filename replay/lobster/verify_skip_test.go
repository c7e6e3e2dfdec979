package lobster

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
)

// verifyBoth runs Verify on a pair as it runs (a side nothing changed is
// not read again) and reading both sides after every message, and fails
// unless the two reports are the same.
func verifyBoth(t *testing.T, msgs, book string) *Report {
	t.Helper()
	var reps [2]*Report
	for i, every := range []bool{false, true} {
		rep, err := verify(context.Background(), msgs, book, VerifyOptions{everySide: every}, nil)
		if err != nil {
			t.Fatal(err)
		}
		reps[i] = rep
	}
	if !reflect.DeepEqual(reps[0], reps[1]) {
		t.Fatalf("skipping unchanged sides changed the report:\n%+v\nevery side read:\n%+v", reps[0], reps[1])
	}
	return reps[0]
}

// TestCompareSkipsOnlyWhatNothingChanged holds compare's skip to reading
// both sides every time. Each case is a small level-2 day whose last
// message changes the book while its orderbook row repeats the row before
// — a difference only the side the message touched shows (a crossing add:
// the other side) — and must be found: leaving out any one side's mark in
// apply hides its case. The real GOOG head and a synthetic day with
// partial cancels and resyncs give the same reports both ways.
func TestCompareSkipsOnlyWhatNothingChanged(t *testing.T) {
	const dummy = "9999999999,0,-9999999999,0"
	head := []string{
		"34200.1,1,1,100,1000000,-1", // asks 100.00 x100
		"34200.2,1,2,100,990000,1",   // bids  99.00 x100
		"34200.3,1,3,50,1010000,-1",  // asks 101.00 x50
		"34200.4,1,4,70,980000,1",    // bids  98.00 x70
	}
	rows := []string{
		"1000000,100,-9999999999,0," + dummy,
		"1000000,100,990000,100," + dummy,
		"1000000,100,990000,100,1010000,50,-9999999999,0",
		"1000000,100,990000,100,1010000,50,980000,70",
	}
	more := "1000000,120,990000,100,1010000,50,980000,70" // 20 at 100.00 the messages never placed
	for _, c := range []struct {
		name       string
		msgs, rows []string // after head and rows
		mismatched int64
	}{
		{"add ask", []string{"34200.5,1,5,10,1000000,-1"}, nil, 1},
		{"add bid", []string{"34200.5,1,5,10,990000,1"}, nil, 1},
		{"reduce ask", []string{"34200.5,2,1,10,1000000,-1"}, nil, 1},
		{"reduce bid", []string{"34200.5,2,2,10,990000,1"}, nil, 1},
		{"delete ask", []string{"34200.5,3,3,50,1010000,-1"}, nil, 1},
		{"delete bid", []string{"34200.5,3,4,70,980000,1"}, nil, 1},
		{"execute ask", []string{"34200.5,4,1,10,1000000,-1"}, nil, 1},
		{"execute bid", []string{"34200.5,4,2,10,990000,1"}, nil, 1},
		{"crossing add takes the asks", []string{"34200.5,1,5,100,1000000,1"}, nil, 1},
		{"crossing add takes the bids", []string{"34200.5,1,5,100,990000,-1"}, nil, 1},
		{"nothing changed", []string{"34200.5,5,0,10,1000000,-1"}, nil, 0}, // a hidden execution
		{
			// The resync places 20 at 100.00 that no message placed; a
			// delete of an order the book does not know takes them.
			"delete taken from the resync's placeholder",
			[]string{"34200.5,5,0,10,1000000,-1", "34200.6,5,0,10,1000000,-1", "34200.7,3,99,20,1000000,-1"},
			[]string{more, more, more}, 2,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			mp, bp := filepath.Join(dir, "m.csv"), filepath.Join(dir, "b.csv")
			rs := c.rows
			if rs == nil {
				rs = []string{rows[len(rows)-1]} // the row before, again
			}
			writeLines(t, mp, append(append([]string{}, head...), c.msgs...))
			writeLines(t, bp, append(append([]string{}, rows...), rs...))
			if rep := verifyBoth(t, mp, bp); rep.Mismatched != c.mismatched {
				t.Fatalf("%d rows mismatched, want %d: %+v", rep.Mismatched, c.mismatched, rep)
			}
		})
	}
	t.Run("synthetic level 5", func(t *testing.T) {
		for seed := uint64(1); seed <= 4; seed++ {
			sm, sb := generate(seed, 5, 3000)
			mp, bp := writePair(t, t.TempDir(), fmt.Sprint("S", seed), 5, sm, sb)
			if rep := verifyBoth(t, mp, bp); rep.Rows == 0 {
				t.Fatal("no rows")
			}
		}
	})
	t.Run("GOOG head", func(t *testing.T) {
		const n = 20000
		dir := t.TempDir()
		mp, bp := filepath.Join(dir, "m.csv"), filepath.Join(dir, "b.csv")
		writeLines(t, mp, readHead(t, realdata.Path(t, "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_message_10.csv.gz"), n))
		writeLines(t, bp, readHead(t, realdata.Path(t, "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.gz"), n))
		rep := verifyBoth(t, mp, bp)
		if rep.Mismatched == 0 || !strings.Contains(fmt.Sprint(rep.Counts), "resync") {
			t.Fatalf("the head resyncs on the real day; %+v", rep)
		}
	})
}
