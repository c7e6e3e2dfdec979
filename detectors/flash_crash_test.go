package detectors_test

import (
	"testing"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// TestFlashCrashReadsSpeedAndRecovery: the same fall of the bid ladder, once
// in one sweep that the book then refills (a flash crash) and once in five
// sells over twenty seconds that stay down (a dump, a momentum run): the
// first scores its move, the second a fraction of it.
func TestFlashCrashReadsSpeedAndRecovery(t *testing.T) {
	const s = int64(1e9)
	ladder := func() []replay.Event {
		evs := []replay.Event{{TS: 1 * s, Action: replay.ActionAdd, OrderID: 1, Account: 1, Side: orderbook.Sell, Price: 10010, Qty: 10}}
		for i := int64(0); i < 6; i++ {
			evs = append(evs, replay.Event{TS: 1 * s, Action: replay.ActionAdd, OrderID: uint64(10 + i), Account: 2, Side: orderbook.Buy, Price: 10000 - 20*i, Qty: 10})
		}
		return evs
	}
	sweep := append(ladder(),
		replay.Event{TS: 10 * s, Action: replay.ActionMarket, OrderID: 100, Account: 7, Side: orderbook.Sell, Qty: 50},
		replay.Event{TS: 12 * s, Action: replay.ActionAdd, OrderID: 101, Account: 3, Side: orderbook.Buy, Price: 10000, Qty: 10},
		replay.Event{TS: 60 * s, Action: replay.ActionAdd, OrderID: 102, Account: 3, Side: orderbook.Buy, Price: 9999, Qty: 1},
	)
	dump := ladder()
	for i := int64(0); i < 5; i++ {
		dump = append(dump, replay.Event{TS: (10 + 4*i) * s, Action: replay.ActionMarket, OrderID: uint64(100 + i), Account: 7, Side: orderbook.Sell, Qty: 10})
	}
	dump = append(dump, replay.Event{TS: 90 * s, Action: replay.ActionAdd, OrderID: 200, Account: 3, Side: orderbook.Buy, Price: 9890, Qty: 1})
	score := func(evs []replay.Event) (float64, string) {
		for i := range evs {
			evs[i].TS += 1_767_571_200 * s // 2026-01-05
		}
		alerts := runDetector(t, "flash_crash", replay.Instrument{Symbol: "X", Tick: 1, Lot: 1}, evs, nil)
		best, ev := 0.0, ""
		for _, a := range alerts {
			if a.Score > best {
				best, ev = a.Score, a.Evidence
			}
		}
		return best, ev
	}
	flash, fe := score(sweep)
	slow, se := score(dump)
	t.Logf("sweep: %.1f (%s); dump: %.1f (%s)", flash, fe, slow, se)
	if flash < 50 || slow*4 > flash {
		t.Fatalf("flash crash scored %.1f, the slow dump %.1f", flash, slow)
	}
}
