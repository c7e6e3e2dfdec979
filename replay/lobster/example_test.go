package lobster_test

import (
	"context"
	"fmt"
	"io"

	"github.com/tapetest/tapetest/replay"
	"github.com/tapetest/tapetest/replay/lobster"
)

// Verify replays a message file and compares the book with LOBSTER's own
// orderbook file after every message.
func ExampleVerify() {
	rep, err := lobster.Verify(context.Background(),
		"testdata/SYN_2012-06-21_34200000_57600000_message_3.csv",
		"testdata/SYN_2012-06-21_34200000_57600000_orderbook_3.csv",
		lobster.VerifyOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Levels, "levels")
	fmt.Println(rep.Summary())
	// Output:
	// 3 levels
	// rows=306 mismatched=36 unexplained=0 resynced=36
}

// NewSource reads a message file as canonical events; the symbol and date
// come from the file name, times become Unix nanoseconds UTC.
func ExampleNewSource() {
	src, err := lobster.NewSource("testdata/SYN_2012-06-21_34200000_57600000_message_3.csv", lobster.SourceOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Close()
	buf := make([]replay.Event, 2)
	n, _ := src.Read(buf)
	inst := src.Instruments()[0]
	fmt.Println(inst.Symbol, inst.PriceExp, inst.Tick)
	for _, ev := range buf[:n] {
		fmt.Println(ev.TS, ev.Action, ev.Side, ev.OrderID, ev.Price, ev.Qty)
	}
	total := n
	for {
		n, err := src.Read(buf)
		total += n
		if err == io.EOF {
			break
		}
	}
	fmt.Println(total, "events", src.Counts())
	// Output:
	// SYN 4 100
	// 1340285400086931151 execute buy 1007 4999900 50
	// 1340285400092073303 add sell 1027 5000200 50
	// 303 events [{halt_message 3}]
}

// With its orderbook file, NewSource reconciles: the events replay to
// LOBSTER's own book after every message. Book corrections — liquidity the
// message file never showed — are events flagged FlagReconciled, and every
// reconciliation is counted.
func ExampleNewSource_reconciled() {
	src, err := lobster.NewSource("testdata/SYN_2012-06-21_34200000_57600000_message_3.csv",
		lobster.SourceOptions{Book: "testdata/SYN_2012-06-21_34200000_57600000_orderbook_3.csv"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Close()
	buf := make([]replay.Event, 64)
	var events, reconciled int
	for {
		n, err := src.Read(buf)
		for _, ev := range buf[:n] {
			events++
			if ev.Flags&replay.FlagReconciled != 0 {
				reconciled++
			}
		}
		if err == io.EOF {
			break
		}
	}
	fmt.Println(events, "events,", reconciled, "reconciled")
	for _, c := range src.Counts() {
		if c.Kind == "rows_resynced" || c.Kind == "rows_unexplained" {
			fmt.Println(c.Kind, c.N)
		}
	}
	// Output:
	// 356 events, 53 reconciled
	// rows_resynced 36
	// rows_unexplained 0
}
