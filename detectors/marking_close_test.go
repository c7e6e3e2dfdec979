package detectors_test

import (
	"testing"

	"github.com/tapetest/tapetest/orderbook"
	"github.com/tapetest/tapetest/replay"
)

// TestMarkingCloseReadsTheRoundTrip: two accounts buy the same way into an
// hourly reference; the one that sells it all back right after (a marker's
// round trip) outscores the one that keeps what it bought.
func TestMarkingCloseReadsTheRoundTrip(t *testing.T) {
	const s = int64(1e9)
	ref := int64(1_767_574_800) * s // 2026-01-05 01:00 UTC, a whole hour
	var evs []replay.Event
	id := uint64(0)
	trade := func(ts int64, acct uint64, side orderbook.Side, qty int64) {
		id++
		evs = append(evs, replay.Event{TS: ts, Action: replay.ActionAdd, OrderID: id, Account: 99, Side: side.Opposite(), Price: 100, Qty: qty})
		id++
		evs = append(evs, replay.Event{TS: ts, Action: replay.ActionMarket, OrderID: id, Account: acct, Side: side, Qty: qty})
	}
	for i := int64(0); i < 600; i++ { // an hour of ordinary trades sets the typical size
		trade(ref-3600*s+i*5*s, 50+uint64(i%7), orderbook.Side(1+i%2), 10)
	}
	for i := int64(0); i < 12; i++ {
		trade(ref-30*s+i*2*s, 1, orderbook.Buy, 20)
		trade(ref-30*s+i*2*s+s/2, 2, orderbook.Buy, 20)
	}
	trade(ref+20*s, 1, orderbook.Sell, 240)
	trade(ref+100*s, 50, orderbook.Buy, 10)
	alerts := runDetector(t, "marking_close", replay.Instrument{Symbol: "X", Tick: 1, Lot: 1}, evs, nil)
	score := map[uint64]float64{}
	for _, a := range alerts {
		score[a.Accounts[0]] = max(score[a.Accounts[0]], a.Score)
		t.Log(a.Score, a.Evidence)
	}
	if score[2] <= 0 || score[1] < 2*score[2] {
		t.Fatalf("round trip scored %.2f, the kept position %.2f", score[1], score[2])
	}
}
