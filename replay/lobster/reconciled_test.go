package lobster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapetest/tapetest/internal/realdata"
	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// TestReconciledReplayIsLOBSTERsBook: the events of a reconciling Source,
// replayed by an independent replay.Engine, give LOBSTER's own book after
// every message — every level of the orderbook file, on every row, at every
// depth the free samples come in — and the engine never meets an order id
// it does not know. A level-1 file cannot rebuild the book by itself (the
// next level appears with no message); reconciled, it can.
func TestReconciledReplayIsLOBSTERsBook(t *testing.T) {
	for _, c := range []struct{ dir, stem string }{
		{"lobster-goog-full-day", "GOOG_2012-06-21_34200000_57600000_%s_10.csv.gz"},
		{"lobster-goog-full-day", "GOOG_2012-06-21_34200000_57600000_%s_5.csv.gz"},
		{"lobster-goog-full-day", "GOOG_2012-06-21_34200000_57600000_%s_1.csv.gz"},
		{"lobster-aapl-l1-full-day", "AAPL_2012-06-21_34200000_57600000_%s_1.csv.gz"},
		{"lobster-aapl-l10-head", "AAPL_2012-06-21_34200000_57600000_%s_10.csv"},
	} {
		t.Run(fmt.Sprintf(c.stem, "L"), func(t *testing.T) {
			msgs := realdata.Path(t, c.dir+"/"+fmt.Sprintf(c.stem, "message"))
			book := realdata.Path(t, c.dir+"/"+fmt.Sprintf(c.stem, "orderbook"))
			src, err := NewSource(msgs, SourceOptions{Book: book})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			rows, reconciled := replayAgainstBook(t, src, msgs)
			t.Logf("%d rows, %d reconciled events; counts %v", rows, reconciled, src.Counts())
			if reconciled == 0 {
				t.Error("no reconciled events: the window rule never applied")
			}
		})
	}
}

// replayAgainstBook steps src (a reconciling Source) one message at a time,
// replays each message's events through an independent replay.Engine, and
// fails unless the engine's book is the orderbook row after every message
// and the engine never had to reconcile or reject an event. It returns the
// rows and the reconciled events.
func replayAgainstBook(t *testing.T, src *Source, msgs string) (rows, reconciled int) {
	t.Helper()
	eng, err := replay.NewEngine(src.Instruments(), replay.EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rc := src.rc
	var b replay.Batch
	ours := make([]orderbook.Level, 0, 256) // Depth fills up to its capacity
	for {
		err := src.mr.Next(&src.msg)
		if err == io.EOF {
			if err := rc.finish(msgs); err != nil {
				t.Fatal(err)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rc.rec.out = rc.rec.out[:0]
		if err := rc.step(&src.msg, src.midnight+src.msg.Time, &src.seq, src.mr.Line(), msgs); err != nil {
			t.Fatal(err)
		}
		rows++
		for i := range rc.rec.out {
			if rc.rec.out[i].Flags&replay.FlagReconciled != 0 {
				reconciled++
			}
			b.Records, b.Fills = b.Records[:0], b.Fills[:0]
			eng.Apply(&rc.rec.out[i], &b)
		}
		for _, s := range []orderbook.Side{orderbook.Buy, orderbook.Sell} {
			prices, sizes := refSide(rc.row, s)
			ours = eng.Book(0).Depth(s, ours[:0])
			n := len(prices)
			if (n < int(rc.br.State()) && len(ours) != n) || len(ours) < n {
				t.Fatalf("row %d %s: %d levels replayed, LOBSTER shows %d", rows, s, len(ours), n)
			}
			for i := 0; i < n; i++ {
				if ours[i].Price != prices[i] || ours[i].Qty != sizes[i] {
					t.Fatalf("row %d %s level %d: replayed %d@%d, LOBSTER %d@%d", rows, s, i+1, ours[i].Qty, ours[i].Price, sizes[i], prices[i])
				}
			}
		}
	}
	if c := eng.Counts(); len(c) > 0 {
		t.Errorf("the engine reconciled or rejected events: %v", c)
	}
	return rows, reconciled
}

// FuzzReconciledSource: whatever the message file says — orders the book
// never saw, sizes that do not add up, crossing adds — the reconciled events
// replay to the orderbook file's book after every message, without one
// unknown id in the engine.
func FuzzReconciledSource(f *testing.F) {
	msgs, book := generate(9, 2, 60)
	f.Add(msgs, book)
	const row = "5000100,10,4999900,20,5000200,5,-9999999999,0\n"
	f.Add([]byte("34200,1,1,100,5000000,1\n34200,4,1,100,5000000,1\n34200,3,1,5,5000000,1\n"), []byte(row+row+row))
	f.Add([]byte("34200,2,7,100,5000000,-1\n34200,5,0,100,5000000,-1\n34200,1,8,30,5000300,1\n"), []byte(row+row+row))
	f.Fuzz(func(t *testing.T, m, b []byte) {
		if len(m) > 8192 || len(b) > 16384 {
			return
		}
		dir := t.TempDir()
		mp := filepath.Join(dir, "FZ_2012-06-21_34200000_57600000_message_2.csv")
		bp := filepath.Join(dir, "FZ_2012-06-21_34200000_57600000_orderbook_2.csv")
		os.WriteFile(mp, m, 0o644)
		os.WriteFile(bp, b, 0o644)
		// Only well-formed pairs of equal length are replayable; the
		// decoders' own fuzz tests cover the rest.
		if _, err := Verify(context.Background(), mp, bp, VerifyOptions{}); err != nil {
			return
		}
		src, err := NewSource(mp, SourceOptions{Book: bp})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		if _, err := replay.ReadAll(src); err != nil {
			// A reference row no book can hold is refused, by file, line
			// and field.
			var re *replay.RowError
			if !errors.As(err, &re) || re.File != bp || re.Field == "" {
				t.Fatalf("error %v does not name the orderbook file's row and field", err)
			}
			return
		}
		src2, err := NewSource(mp, SourceOptions{Book: bp})
		if err != nil {
			t.Fatal(err)
		}
		defer src2.Close()
		replayAgainstBook(t, src2, mp)
	})
}

// TestReconciledSourceFlagsAndGroups: through Read, every message's events end
// with FlagLastInGroup, reconciled changes carry FlagReconciled, sequence
// numbers increase by one, and the counts name the reconciliation.
func TestReconciledSourceFlagsAndGroups(t *testing.T) {
	dir := "lobster-goog-full-day/GOOG_2012-06-21_34200000_57600000_"
	src, err := NewSource(realdata.Path(t, dir+"message_1.csv.gz"), SourceOptions{Book: realdata.Path(t, dir+"orderbook_1.csv.gz")})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	buf := make([]replay.Event, 1000)
	var seq uint64
	var groups, flagged, trades int64
	for {
		n, err := src.Read(buf)
		for _, ev := range buf[:n] {
			seq++
			if ev.Seq != seq {
				t.Fatalf("seq %d, want %d", ev.Seq, seq)
			}
			if ev.Flags&replay.FlagLastInGroup != 0 {
				groups++
			}
			if ev.Flags&replay.FlagReconciled != 0 {
				flagged++
				if ev.Action != replay.ActionAdd && ev.Action != replay.ActionModify && ev.Action != replay.ActionCancel && ev.Action != replay.ActionReduce {
					t.Fatalf("reconciled %v", ev)
				}
			}
			if ev.Action == replay.ActionTrade && ev.Flags == 0 {
				trades++ // executions of liquidity the file never showed
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	counts := fmt.Sprint(src.Counts())
	if groups < 40000 || flagged == 0 || trades == 0 || !strings.Contains(counts, "rows_resynced") || !strings.Contains(counts, "resync_added_qty") {
		t.Fatalf("%d groups, %d reconciled, %d unseen trades; counts %s", groups, flagged, trades, counts)
	}
}
